"""The pages in Korean in a real browser (Chromium set to Korean) at desktop and phone width: Korean
words and unit names, <html lang="ko">, a Korean font, no sideways scrolling; the screenshot of the
README is made here (GOSPLAN_SCREENSHOTS=folder)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from webenv import CHROMIUM, PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)"),
]
VIEWPORTS = {"desktop": (1366, 900), "phone": (390, 844)}
PAGES = ["/", "/units/KP-02", "/sectors", "/indicators/coal?unit=KP-02"]


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_korean_pages_in_a_korean_browser(browser, base_url, size):
    width, height = VIEWPORTS[size]
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height}, locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto("/login")
    assert page.get_attribute("html", "lang") == "ko"
    page.fill("#name", "planner")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    for path in PAGES:
        page.goto(path)
        text = page.inner_text("body")
        assert page.get_attribute("html", "lang") == "ko", path
        assert "운영실" in text and "Operations room" not in text, path
        assert re.search("평안남도|석탄|인민경제", text), path
        font = page.evaluate("getComputedStyle(document.body).fontFamily")
        assert "Noto Sans CJK KR" in font, font
        overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow} px at {width} px"
    page.goto("/")
    assert "평안남도" in page.inner_text("#league")
    folder = os.environ.get("GOSPLAN_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"overview-ko-{size}.png"), full_page=size == "phone")
    context.close()
