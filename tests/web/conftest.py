"""Fixtures of the browser tests: the demo served on a free loopback port (one copy per module, so a
module's writes stay its own) and one headless Chromium for the whole session."""

from __future__ import annotations

import pytest

from webenv import CHROMIUM, CHROMIUM_ARGS, ServerThread


@pytest.fixture(scope="module")
def base_url(sqlite_demo, tmp_path_factory):
    """The demo served by a real server thread; its store is a copy of the session's demo."""
    from gosplan.api import create_app
    from webenv import copy_sqlite

    url = copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("browser") / "demo.db")
    with ServerThread(create_app(url, refresh_interval=0.1)) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright, started once."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
