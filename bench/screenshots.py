"""Screenshots of the main pages for the docs: docs/screenshots/*.png.

    python bench/screenshots.py

Builds the demo economy in a temporary SQLite file with one account per role, serves it with uvicorn
on 127.0.0.1 and a free port, and photographs the pages with Debian's Chromium through Playwright
(laptop width, 1280 x 900).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from rich.console import Console  # noqa: E402

from gosplan.api import create_app  # noqa: E402
from webenv import CHROMIUM, CHROMIUM_ARGS, ServerThread, build_demo, take_screenshots  # noqa: E402


def main() -> None:
    console = Console()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        with console.status("Building the demo economy..."):
            build_demo(url)
        from playwright.sync_api import sync_playwright

        with ServerThread(create_app(url, warm=True)) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900}).new_page()
            page.set_default_timeout(60_000)
            with console.status("Taking screenshots..."):
                paths = take_screenshots(page, ROOT / "docs" / "screenshots")
            browser.close()
    for path in paths:
        console.print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
