"""Every page fits a phone (390 x 844) and a laptop (1366 x 768): no sideways scrolling of the page,
no table cut off. Wide data tables may scroll inside their own ``.scroll`` wrapper on a phone, never
on a laptop, and never the page itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from webenv import CHROMIUM, OTHER, OWN, PASSWORD, ServerThread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)"),
]

VIEWPORTS = {"phone": (390, 844), "laptop": (1366, 768)}
# (name, account or None, path, what to do on the page before measuring)
PAGES = [
    ("login", None, "/login", None),
    ("overview", "admin", "/", None),
    ("province", "admin", "/units/KP-01", None),
    ("county", "admin", "/units/KP-01.ryongsong", None),
    ("enterprise", "admin", f"/units/{OWN}", None),
    ("sectors", "admin", "/sectors", None),
    ("sector", "admin", "/sectors/economy?unit=KP", None),
    ("indicator", "admin", "/indicators/coal?unit=KP", None),
    ("indicator-history", "admin", f"/indicators/electricity?unit={OWN}", None),
    ("report-units", "admin", "/report", None),
    ("review", "admin", "/review", None),
    ("users", "admin", "/admin/users", None),
    ("audit", "admin", "/admin/audit", None),
    ("mail", "admin", "/admin/mail", None),
    ("not-found", "admin", "/units/NO-SUCH-UNIT", None),
    ("report-entry", "rep1", f"/report/{OWN}", None),
    ("report-errors", "rep1", f"/report/{OWN}", "bad-value"),
    ("confirm", "rep1", f"/report/{OWN}?period=2023-06", "check"),
    ("upload", "rep1", f"/report/{OWN}/upload", None),
    ("upload-problems", "rep1", f"/report/{OWN}/upload", "bad-file"),
    ("forbidden", "rep1", "/units/KP-02", None),
    ("plans", "planner", "/plans", None),
    ("plan", "planner", "/plans/ap-2023", None),
    ("plan-upload", "planner", "/plans/upload", None),
    ("completeness", "planner", "/completeness?period=2023-06", None),
    ("completeness-province", "planner", "/completeness?period=2023-H1&unit=KP-02", None),
    ("violations", "planner", "/rules/violations?period=2023-06", None),
]

MEASURE = """() => {
  const clipped = [];
  for (const el of document.querySelectorAll('table, .scroll, main, header, form, .cards, .grid2')) {
    if (el.clientWidth === 0 || el.scrollWidth <= el.clientWidth + 1) continue;
    const wrapper = el.closest('.scroll, table.table');
    const scrolls = wrapper !== null && getComputedStyle(wrapper).overflowX === 'auto';
    const what = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + el.className : '');
    clipped.push({what: what, scrollWidth: el.scrollWidth, clientWidth: el.clientWidth, inWrapper: scrolls});
  }
  return {page: document.scrollingElement.scrollWidth, window: window.innerWidth, clipped: clipped};
}"""


@pytest.fixture(scope="module")
def base_url(sqlite_demo, tmp_path_factory):
    from gosplan.api import create_app
    from webenv import copy_sqlite

    url = copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("layout") / "demo.db")
    with ServerThread(create_app(url, refresh_interval=0.5)) as base:
        yield base


def _act(page, action: str | None, tmp_path: Path) -> None:
    if action == "bad-value":
        page.fill("#value-electricity", "lots")
        page.click("button.primary")
    elif action == "check":
        page.fill("#value-electricity", "900")
        page.fill("#value-workers", "2700")
        page.click("button.primary")
    elif action == "bad-file":
        bad = tmp_path / "june-with-a-very-long-file-name-that-must-wrap-on-a-phone.csv"
        bad.write_text("indicator,unit,period,value\n"
                       f"electricity,{OWN},2023-06,1000\nelectricity,{OTHER},2023-06,5\n"
                       f"coal,{OWN},2023-13,abc\nelectricity,{OWN},2023-05,1,2\n")
        page.set_input_files("#file", str(bad))
        page.click("button.primary")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_every_page_fits_the_window(browser, base_url, viewport, tmp_path):
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(180_000)  # the review page is built on first visit
    signed_in, failures = "", []
    for name, account, path, action in PAGES:
        if account != signed_in:
            context.clear_cookies()
            if account:
                page.goto("/login")
                page.fill("#name", account)
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_load_state()
            signed_in = account
        response = page.goto(path, wait_until="networkidle")
        expected = {"not-found": 404, "forbidden": 403}.get(name, 200)
        assert response is not None and response.status == expected, f"{name}: {path} answered {response.status}"
        _act(page, action, tmp_path)
        found = page.evaluate(MEASURE)
        if found["page"] > found["window"]:
            failures.append(f"{name} ({path}): the page is {found['page']} px wide in a {width} px window")
        for box in found["clipped"]:
            if not box["inWrapper"] or viewport == "laptop":
                failures.append(f"{name} ({path}): {box['what']} is cut off ({box['scrollWidth']} px of content in "
                                f"{box['clientWidth']} px{', inside a scroll wrapper' if box['inWrapper'] else ''})")
    context.close()
    assert not failures, "\n".join(failures)
