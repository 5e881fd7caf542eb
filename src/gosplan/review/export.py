"""The review as Markdown (tables and text, no charts) and as PDF (headless Chromium prints the HTML).

PDF route: the self-contained HTML page is written to a temporary file and printed by headless
Chromium (``chromium --headless --print-to-pdf``) with a virtual-time budget, so the plotly charts
have drawn before the page is printed. Chromium is looked up as ``$GOSPLAN_CHROMIUM``, then
``chromium``, ``chromium-browser``, ``google-chrome`` on the ``PATH``, then ``/usr/bin/chromium``;
without it :func:`write_pdf` raises :class:`~gosplan.errors.GosplanError` saying how to install it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from gosplan.errors import GosplanError
from gosplan.review.document import Review
from gosplan.review.render import render_html

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_TIMEOUT_SECONDS = 240
_NO_CHROMIUM = ("PDF output needs headless Chromium, which was not found. Install it (Debian/Ubuntu: "
                "apt install chromium) or point GOSPLAN_CHROMIUM at a Chromium or Chrome binary; "
                "meanwhile write --format html and print it from a browser.")


class _MarkdownWriter(HTMLParser):
    """Turns the review's section HTML (headings, paragraphs, plain tables) into Markdown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.text: list[str] = []
        self.row: list[str] | None = None
        self.rows: list[list[str]] = []
        self.header_rows = 0
        self.skip = 0
        self.in_head = False

    def handle_starttag(self, tag: str, attrs) -> None:
        classes = dict(attrs).get("class") or ""
        if tag in ("script", "style") or (tag == "div" and "plotly" in classes):
            self.skip += 1
        elif tag == "thead":
            self.in_head = True
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th", "p", "h3", "li"):
            self.text = []

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag in ("script", "style", "div"):
                self.skip -= 1
            return
        content = " ".join("".join(self.text).split())
        if tag in ("td", "th") and self.row is not None:
            self.row.append(content.replace("|", "\\|"))
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.header_rows += self.in_head
            self.row = None
        elif tag == "thead":
            self.in_head = False
        elif tag == "table":
            self._flush_table()
        elif tag == "p" and content:
            self.out.append(content + "\n")
        elif tag == "h3":
            self.out.append(f"### {content}\n")
        elif tag == "li" and content:
            self.out.append(f"- {content}")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.text.append(data)

    def _flush_table(self) -> None:
        if not self.rows:
            return
        width = max(len(r) for r in self.rows)
        header = self.rows[0] if self.header_rows else [""] * width
        body = self.rows[1:] if self.header_rows else self.rows
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * width]
        lines += ["| " + " | ".join(r + [""] * (width - len(r))) + " |" for r in body]
        self.out.append("\n".join(lines) + "\n")
        self.rows, self.header_rows = [], 0


def html_to_markdown(fragment: str) -> str:
    writer = _MarkdownWriter()
    writer.feed(fragment)
    writer.close()
    return "\n".join(writer.out)


def render_markdown(review: Review) -> str:
    """The review as Markdown: the summary, then each section's text and tables (charts left out)."""
    lines = [f"# {review.title}", "", f"Generated {review.generated_at:%Y-%m-%d %H:%M UTC} by gosplan.", "",
             "## Summary", ""]
    lines += [f"- {line}" for line in review.summary]
    for s in review.sections:
        lines += ["", f"## {s.title}", "", html_to_markdown(s.body_html).strip()]
    return "\n".join(lines).rstrip() + "\n"


def write_markdown(review: Review, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(review), encoding="utf-8")
    return path


def find_chromium() -> str | None:
    """The Chromium (or Chrome) binary for printing, or ``None``."""
    configured = os.environ.get("GOSPLAN_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def write_pdf(review: Review, path: str | Path, chromium: str | None = None) -> Path:
    """Print the review's HTML to PDF with headless Chromium (A4, charts drawn before printing)."""
    executable = chromium or find_chromium()
    if executable is None:
        raise GosplanError(_NO_CHROMIUM)
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gosplan-pdf-") as tmp:
        page = Path(tmp) / "review.html"
        page.write_text(render_html(review), encoding="utf-8")
        # The window is an A4 page wide (794 CSS px): plotly sizes its charts to the window when they
        # draw, before printing, so a wider window would leave them cut off at the right margin.
        command = [executable, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                   "--hide-scrollbars", "--window-size=794,1123", "--virtual-time-budget=20000",
                   "--run-all-compositor-stages-before-draw", f"--user-data-dir={Path(tmp) / 'profile'}",
                   f"--print-to-pdf={path}", page.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=PDF_TIMEOUT_SECONDS)
        except FileNotFoundError:
            raise GosplanError(_NO_CHROMIUM) from None
        except subprocess.TimeoutExpired:
            raise GosplanError(f"Chromium did not finish printing within {PDF_TIMEOUT_SECONDS} s") from None
    if not path.exists() or path.read_bytes()[:4] != b"%PDF":
        raise GosplanError(f"Chromium did not write a PDF (exit {done.returncode}): {done.stderr.strip()[-400:]}")
    return path
