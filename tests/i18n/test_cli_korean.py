"""The command line in Korean: --lang anywhere, GOSPLAN_LANG, the status table with Korean names,
months and quantities; an unknown language is a usage error naming the choices."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")


def gosplan(*args: str, db: str | None = None, lang: str | None = None) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "PYTHONPATH": SRC, "COLUMNS": "80"}
    env.pop("GOSPLAN_LANG", None)
    if lang:
        env["GOSPLAN_LANG"] = lang
    if db:
        env["GOSPLAN_DB"] = db
    return subprocess.run([sys.executable, "-m", "gosplan.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def demo_db(sqlite_demo, tmp_path_factory):
    from webenv import copy_sqlite

    return copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("cli-ko") / "demo.db")


def test_unknown_language_is_a_usage_error_naming_the_choices():
    for done in (gosplan("status", "--period", "2023-06", "--lang", "fr"), gosplan("--help", lang="xx")):
        assert done.returncode == 2
        first = done.stderr.splitlines()[0]
        assert "choose one of: en, ko" in first and "Traceback" not in done.stderr


def test_status_by_sector_in_korean(demo_db):
    done = gosplan("status", "--period", "2023-06", "--by", "sector", db=demo_db, lang="ko")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for word in ("2023년 1월~6월", "부문별", "부문(단위)", "실적", "과제", "상태", "석탄공업 (만 t)", "계획대로",
                 "보고 없음", "비교 대상 계획"):
        assert word in out, word
    assert max(len(line) for line in out.splitlines()) <= 80
    # No English word of the table: the only Latin letters left are units and codes.
    assert not re.search(r"\b(Sector|Actual|Target|Status|on track|Missing|units?)\b", out)


def test_lang_anywhere_on_the_line_and_korean_unit_names(demo_db):
    after = gosplan("status", "--period", "2023-06", "--by", "unit", "--indicator", "coal", "--lang", "ko",
                    db=demo_db)
    before = gosplan("--lang", "ko", "status", "--period", "2023-06", "--by", "unit", "--indicator", "coal",
                     db=demo_db)
    assert after.returncode == before.returncode == 0, after.stderr + before.stderr
    assert after.stdout == before.stdout
    assert "평안남도" in after.stdout and "South Pyongan" not in after.stdout
    english = gosplan("status", "--period", "2023-06", "--by", "unit", "--indicator", "coal", db=demo_db)
    assert "South Pyongan" in english.stdout and "평안남도" not in english.stdout


def test_every_help_text_has_a_korean_translation():
    import typer

    from gosplan.cli import COMMANDS, app, load_command
    from gosplan.i18n import catalogue

    korean = catalogue("ko")
    missing: list[str] = []

    def walk(command, where: str) -> None:
        things = [(command, where), *((p, f"{where} {p.opts[0]}") for p in getattr(command, "params", []))]
        for thing, place in things:
            text = getattr(thing, "_source_help", None) or getattr(thing, "help", None)
            if text and text not in korean:
                missing.append(f"{place}: {text!r}")
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{where} {name}")

    for name in COMMANDS:
        walk(load_command(name), f"gosplan {name}")
    walk(typer.main.get_command(app), "gosplan")
    assert not missing, "help without a Korean translation:\n" + "\n".join(missing)


def test_korean_help_fits_80_columns():
    from rich.cells import cell_len

    for args in (["--help"], ["status", "--help"]):
        done = gosplan(*args, lang="ko")
        assert done.returncode == 0, done.stderr
        assert "선택" in done.stdout and "Options" not in done.stdout
        assert max(cell_len(line) for line in done.stdout.splitlines()) <= 80
