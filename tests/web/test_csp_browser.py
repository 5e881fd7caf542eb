"""The Content-Security-Policy in a real browser: no page breaks under it (charts drawn, selects work,
no violation reported), and /api/docs renders from the package's own files with every other host cut off."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from webenv import CHROMIUM, OWN, PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)"),
]


@pytest.fixture
def offline(browser, base_url):
    """A page that can reach only the server under test; records CSP violations and outside requests."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    own = urlparse(base_url).netloc
    outside: list[str] = []

    def only_local(route) -> None:
        if urlparse(route.request.url).netloc == own:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.set_default_timeout(30_000)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.outside, page.violations = outside, violations
    yield page
    context.close()


def sign_in(page, name: str) -> None:
    page.goto("/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_api_docs_render_offline(offline):
    offline.goto("/api/docs")
    offline.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
    assert "gosplan" in offline.inner_text(".swagger-ui .info .title")
    offline.wait_for_selector(".opblock")
    assert offline.locator(".opblock").count() >= 12
    assert offline.outside == [] and offline.violations == []


def test_pages_work_under_the_policy(offline):
    sign_in(offline, "admin")
    offline.goto("/")
    first = offline.locator("#league-indicator option").nth(1).get_attribute("value")
    offline.select_option("#league-indicator", first)
    offline.wait_for_url(f"**indicator={first}*")
    offline.goto("/indicators/coal?unit=KP")
    offline.wait_for_selector("#chart .main-svg")  # plotly drew the chart from the JSON block
    offline.goto(f"/units/{OWN}")
    offline.goto("/review", timeout=240_000)
    offline.wait_for_selector(".plotly-graph-div .main-svg", timeout=120_000)
    assert offline.outside == [] and offline.violations == []


def test_an_inline_script_is_refused(offline, base_url):
    # The policy is really in force: a script injected into a page does not run.
    sign_in(offline, "viewer")
    offline.goto("/")
    offline.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.__ran = true'; document.body.appendChild(s); }""")
    assert offline.evaluate("() => window.__ran === true") is False
    assert any("Content Security Policy" in v for v in offline.violations)
