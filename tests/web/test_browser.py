"""The pages in a real browser: Playwright's sync API driving Debian's Chromium against uvicorn."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from webenv import CHROMIUM, OTHER, OWN, PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) "
                              "to run the browser tests"),
]


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def sign_in(page, name: str) -> None:
    page.goto("/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_overview_to_province_to_enterprise(page):
    page.goto("/")
    assert "/login" in page.url  # not signed in yet
    sign_in(page, "viewer")
    assert page.locator("#cards .card").count() >= 10
    assert "Operations room" in page.inner_text("h1")
    page.select_option("#league-indicator", "electricity")
    page.wait_for_url(re.compile(r"indicator=electricity"))
    page.click("#league a[href='/units/KP-01']")
    page.wait_for_url(re.compile(r"/units/KP-01$"))
    assert "Pyongyang" in page.inner_text("#crumbs")
    page.select_option("#league-indicator", "electricity")
    page.wait_for_url(re.compile(r"indicator=electricity"))
    # Down to a county, then to an enterprise; breadcrumbs lead back up.
    page.click("#league a >> nth=0")
    page.wait_for_url(re.compile(r"/units/KP-01\."))
    page.click("#league a >> nth=0")
    page.wait_for_load_state()
    crumbs = page.inner_text("#crumbs")
    assert crumbs.count("›") == 3 and crumbs.startswith("Democratic People's Republic of Korea")
    page.click("#indicators a >> nth=0")
    page.wait_for_selector("#chart .main-svg")  # plotly.js (served locally) drew the chart
    assert page.locator("#history tr").count() > 1
    page.click("#crumbs a >> nth=1")
    page.wait_for_url(re.compile(r"/units/KP-01$"))


def _fulfilment(page, indicator_name: str) -> str:
    row = page.locator("#indicators tr", has_text=indicator_name)
    return row.locator(".fulfilment-value").inner_text()


def test_report_with_a_validation_error_then_a_valid_one(page):
    sign_in(page, "rep1")
    assert page.url.endswith("/units/KP-01")  # a reporter lands on its own province
    page.goto(f"/units/{OWN}")
    before = _fulfilment(page, "Electricity generated")
    page.goto(f"/report/{OWN}?period=2023-06")  # a correction of June (the form opens on July, not reported yet)
    page.fill("#value-electricity", "lots")
    page.click("button.primary")
    assert "not a number" in page.inner_text("#error-electricity") or page.locator("#error-electricity").count()
    assert page.locator("#value-electricity.invalid").count() == 1
    page.fill("#value-electricity", "900")
    page.select_option("#uom-electricity", "GWh")
    page.click("button.primary")
    assert "Check before saving" in page.inner_text("h1")
    assert "correction" in page.inner_text("#changes")
    page.click("#confirm")
    page.wait_for_url(re.compile(rf"/units/{re.escape(OWN)}"))
    assert "Saved: 0 new, 1 revised" in page.inner_text("#saved")
    after = _fulfilment(page, "Electricity generated")
    assert after != before
    assert float(after.rstrip(" %")) > float(before.rstrip(" %"))


def test_upload_with_bad_rows_lists_them(page, tmp_path):
    sign_in(page, "rep1")
    page.goto(f"/report/{OWN}/upload")
    bad = tmp_path / "june.csv"
    bad.write_text("indicator,unit,period,value\n"
                   f"electricity,{OWN},2023-06,1000\n"
                   f"electricity,{OWN},2023-13,5\n"
                   f"coal,{OWN},2023-05,abc\n")
    page.set_input_files("#file", str(bad))
    page.click("button.primary")
    assert "3 problem(s)" in page.inner_text("#upload-error") or "problem" in page.inner_text("#upload-error")
    rows = page.inner_text("#problems")
    assert re.search(r"3\s+period", rows) and re.search(r"4\s+value", rows)


def test_reporter_is_denied_another_province(page):
    sign_in(page, "rep1")
    response = page.goto("/units/KP-02")
    assert response.status == 403
    assert "Not allowed" in page.inner_text("h1")
    assert page.goto(f"/report/{OTHER}").status == 403


def test_pages_fit_a_tablet(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 768, "height": 1024})
    page = context.new_page()
    sign_in(page, "admin")
    for path in ("/", "/units/KP-01", f"/report/{OWN}"):
        page.goto(path)
        overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than a tablet"
    context.close()


@pytest.mark.skipif(not os.environ.get("GOSPLAN_SCREENSHOTS"), reason="set GOSPLAN_SCREENSHOTS=1 to refresh docs")
def test_screenshots(page):
    from webenv import take_screenshots

    take_screenshots(page, Path(__file__).resolve().parents[2] / "docs" / "screenshots")
