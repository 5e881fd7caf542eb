"""The pseudo-language ``qps`` wraps every translated message in ⟦…⟧: any English word left outside the
brackets on a page or in a command's output is a string that does not pass through the catalogue.
Names (of units, indicators, sectors, plans, users), codes, numbers and units of measure are allowed."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from webenv import PASSWORD

PAGES = ["/", "/sectors", "/sectors/energy", "/units/KP-02", "/units/coal.kujang", "/indicators/coal?unit=KP-02",
         "/report", "/report/coal.kujang", "/report/coal.kujang/upload", "/plans", "/plans/ap-2023",
         "/plans/upload", "/drafts", "/admin/users", "/admin/audit", "/admin/mail", "/actions",
         "/actions/units/coal.kujang", "/completeness", "/rules/violations", "/potential", "/review", "/no-such-page"]
#: Words that are not sentences: the brand, the API, names of languages, units of measure and their scales.
ALLOWED = {"gosplan", "API", "English", "CSV", "XLSX", "t", "kt", "Mt", "kWh", "MWh", "GWh", "TWh", "ha", "m", "km",
           "kg", "million", "billion", "trillion", "bn", "dwellings", "workers", "machine", "hours", "won", "UTC",
           "qps"}


def _names(store) -> set[str]:
    words: set[str] = set()
    frames = [store.units(), store.indicators(), store.sectors(), store.plans()]
    for frame in frames:
        for column in ("name", "code"):
            for value in frame[column].astype(str):
                words.update(re.findall(r"[A-Za-z]+", value))
    for name in store.unit_groups()["group_name"]:  # names of groups, e.g. ministries
        words.update(re.findall(r"[A-Za-z]+", str(name)))
    for name in store.users()["name"]:
        words.update(re.findall(r"[A-Za-z]+", str(name)))
    # Texts the store keeps as their authors wrote them: definitions, project names, weather and movement notes.
    texts = [*store.indicator_metadata().drop(columns=["code", "unit"]).stack().tolist(),
             *store.projects()["name"], *store.project_milestones()["milestone"],
             *store.weather_events()["description"], *store.campaigns()["description"]]
    for text in texts:
        words.update(re.findall(r"[A-Za-z]+", str(text)))
    return words


def english_outside_brackets(text: str, allowed: set[str]) -> list[str]:
    """Words of Latin letters outside ⟦…⟧ that are not names, codes or units."""
    outside, before = text, None
    while outside != before:  # innermost first: a message may hold translated messages in its placeholders
        before, outside = outside, re.sub(r"⟦[^⟦⟧]*⟧", " ", outside)
    return sorted({w for w in re.findall(r"[A-Za-z]+", outside) if w not in allowed and len(w) > 1})


def visible_text(page: str) -> str:
    """The text a reader sees: no scripts, styles or tags; attributes that are read out (title, aria-label,
    placeholder) included."""
    page = re.sub(r"<(script|style|code)\b.*?</\1>", " ", page, flags=re.S)  # code: commands to type
    # translate="no": the store's own texts (an indicator's definition as its body wrote it)
    page = re.sub(r'<(\w+)\b[^>]*\btranslate="no"[^>]*>.*?</\1>', " ", page, flags=re.S)
    read = re.findall(r'(?:title|aria-label|placeholder|data-label)="([^"]*)"', page)
    page = re.sub(r'<[^>]+>', " ", page)
    return html.unescape(page + " " + " ".join(read))


@pytest.fixture(scope="module")
def pseudo(sqlite_demo, tmp_path_factory):
    from gosplan.api import create_app
    from gosplan.store import Store
    from webenv import copy_sqlite

    url = copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("qps") / "demo.db")
    app = create_app(url, refresh_interval=0.1)
    client = TestClient(app, raise_server_exceptions=False, cookies={"gosplan_lang": "qps"})
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"name": "admin", "password": PASSWORD, "csrf_token": token, "next": "/"})
    client.cookies.set("gosplan_lang", "qps")
    return client, ALLOWED | _names(Store.open(url))


@pytest.mark.parametrize("path", PAGES)
def test_every_page_passes_its_words_through_the_catalogue(pseudo, path):
    client, allowed = pseudo
    answer = client.get(path)
    assert answer.status_code in (200, 404), (path, answer.status_code)
    assert "⟦" in answer.text
    # Data, not words of the program: the alerts' messages (stored when they were raised) and the audit log.
    page = re.sub(r'<ul id="alerts".*?</ul>|<table id="audit".*?</table>', " ", answer.text, flags=re.S)
    text = visible_text(page)
    left = english_outside_brackets(text, allowed)
    assert not left, f"{path}: words outside the catalogue: {left}"


COMMANDS = [["status", "--period", "2023-06"], ["status", "--period", "2023-06", "--by", "sector"],
            ["status", "--period", "2023-06", "--by", "unit", "--indicator", "coal"],
            ["status", "--period", "2023-06", "--by", "ministry"],
            ["history", "--indicator", "coal", "--unit", "coal.kujang", "--period", "2023-03"]]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:1] + a[3:]))
def test_commands_pass_their_words_through_the_catalogue(pseudo, sqlite_demo, args):
    from typer.testing import CliRunner

    from gosplan.cli import app

    _client, allowed = pseudo
    result = CliRunner().invoke(app, [*args, "--db", str(sqlite_demo)], env={"GOSPLAN_LANG": "qps",
                                                                              "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    left = english_outside_brackets(result.output, allowed | {"demo", "correction"})
    assert not left, f"gosplan {' '.join(args)}: words outside the catalogue: {left}"


def test_the_stylesheets_carry_no_words():
    """Words shown by CSS (``content: "target "``) would bypass the catalogue: labels come from the page's
    translated ``data-label`` attributes instead."""
    from pathlib import Path

    import gosplan.web

    for sheet in (Path(gosplan.web.__file__).parent / "static").glob("*.css"):
        words = re.findall(r'content:\s*"([^"]*[A-Za-z][^"]*)"', sheet.read_text(encoding="utf-8"))
        assert not words, f"{sheet.name}: words in the stylesheet: {words}"
