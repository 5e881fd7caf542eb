"""The official / provisional switch of the pages that show figures, in a real browser and beside the
API and the command line.

The demo's coal mine of Anju (coal.anju) has its first half-year approved, and no other unit anything:
so South Pyongan's (KP-02) coal to date counts Anju's mine alone on the official basis, and all five of
the province's mines on the provisional one. The same official figure must come out of the web page,
the REST API and ``gosplan status``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from webenv import CHROMIUM, PASSWORD, ServerThread, login

PERIOD = "2023-06"
UNIT = "KP-02"
PAGES = ["/", f"/units/{UNIT}", f"/sectors?unit={UNIT}", f"/indicators/coal?unit={UNIT}"]
browser_only = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def url(sqlite_demo, tmp_path_factory) -> str:
    """A copy of the demo with Anju's coal mine's first half-year submitted and approved."""
    from gosplan.service import Service
    from gosplan.service.accounts import SYSTEM
    from gosplan.service.workflow import approve, submit
    from webenv import copy_sqlite

    url = copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("basis") / "demo.db")
    service = Service.open(url)
    submit(service, "coal.anju", "2023-H1", SYSTEM)
    approve(service, "coal.anju", "2023-H1", SYSTEM)
    service.store.close()
    return url


@pytest.fixture(scope="module")
def app(url):
    from gosplan.api import create_app

    return create_app(url, refresh_interval=0.1, login_attempts=10_000)


@pytest.fixture(scope="module")
def planner(app):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        assert login(client, "planner").status_code == 303
        yield client


def _actual_cell(html: str, indicator_name: str) -> str:
    """The Actual cell of ``indicator_name``'s row in a fulfilment table."""
    row = re.search(r'<tr data-status="[^"]*"><td class="label"><a [^>]*>' + re.escape(indicator_name)
                    + r'</a></td>\s*<td class="num"[^>]*>[^<]*</td><td class="num"[^>]*>([^<]*)</td>', html)
    assert row, f"no row of {indicator_name}"
    return row.group(1)


def test_each_page_says_its_basis_and_defaults_to_official_once_approval_is_on(planner):
    for path in PAGES:
        default = planner.get(path)
        assert default.status_code == 200, path
        assert "Official figures: approved reports only" in default.text, path
        assert 'data-basis="official"' in default.text and 'aria-current="true"' in default.text
        other = planner.get(path + ("&" if "?" in path else "?") + "basis=provisional")
        assert "Provisional figures: all current reports" in other.text, path
    assert planner.get(f"/units/{UNIT}?basis=rumour").status_code == 422


def test_the_switch_keeps_the_other_parameters_and_links_carry_the_choice(planner):
    page = planner.get(f"/units/{UNIT}?period={PERIOD}&indicator=coal&basis=provisional").text
    switch = re.findall(r'<a href="([^"]+)" data-basis="(official|provisional)"', page)
    assert dict((b, h) for h, b in switch)["official"] == \
        f"/units/{UNIT}?period={PERIOD}&amp;indicator=coal&amp;basis=official"
    assert re.search(r'href="/units/KP-02\.[a-z]+\?basis=provisional"', page)  # the league's units


def test_the_same_official_fact_in_the_web_page_the_api_and_the_cli(url, app, planner):
    from fastapi.testclient import TestClient

    from clienv import run_cli
    from gosplan.service import Service
    from gosplan.service.accounts import create_token
    from gosplan.web.render import _qty

    token = create_token(Service.open(url), "basis test", "viewer", actor="test")[1]
    with TestClient(app, raise_server_exceptions=False) as client:
        api = {basis: client.get(f"/api/v1/fulfilment?unit={UNIT}&indicator=coal&period={PERIOD}&basis={basis}",
                                 headers={"Authorization": f"Bearer {token}"}).json()["items"]
               for basis in ("official", "provisional")}
    assert [row["basis"] for row in api["official"]] == ["official"]
    official, provisional = api["official"][0]["actual"], api["provisional"][0]["actual"]
    assert 0 < official < provisional  # one mine of five counts officially
    cli = json.loads(run_cli(url, "status", "--period", PERIOD, "--unit", UNIT, "--indicator", "coal",
                             "--basis", "official", "--format", "json").output)
    assert cli[0]["actual"] == pytest.approx(official, rel=1e-12)
    html = planner.get(f"/units/{UNIT}?period={PERIOD}&basis=official").text
    assert _actual_cell(html, "Coal") == _qty(official, "t")
    assert _actual_cell(planner.get(f"/units/{UNIT}?period={PERIOD}&basis=provisional").text, "Coal") == \
        _qty(provisional, "t") != _qty(official, "t")


@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)], ids=["desktop", "phone"])
@pytest.mark.browser
def test_the_switch_in_a_browser(url, browser, viewport):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing")
    from gosplan.api import create_app

    with ServerThread(create_app(url, refresh_interval=0.1)) as base:
        width, height = viewport
        context = browser.new_context(base_url=base, viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto("/login")
        page.fill("#name", "planner")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        for path in PAGES:
            page.goto(path, wait_until="networkidle")
            label = page.locator("#basis-label")
            assert label.is_visible() and "Official figures" in label.inner_text(), path
            page.click('#basis a[data-basis="provisional"]')
            page.wait_for_load_state("networkidle")
            assert "basis=provisional" in page.url
            assert "Provisional figures" in page.locator("#basis-label").inner_text(), path
            assert page.locator('#basis a[aria-current="true"]').inner_text() == "Provisional"
            box = page.locator("#basis").bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, path
            wide = page.evaluate("() => document.scrollingElement.scrollWidth")
            assert wide <= width, f"{path}: the page is {wide} px wide in a {width} px window"
        context.close()
