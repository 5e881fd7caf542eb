"""The review as Markdown (page one, then the annexes' text, tables and chart images) and as PDF
(headless Chromium prints the HTML).

Markdown charts: each plotly chart of an annex is exported as a PNG next to the Markdown file
(``NAME-charts/annex-B-1.png``) through kaleido with the same Chromium as the PDF; without a
Chromium the chart is left out, and so is a heading that would stand over nothing.

PDF route: the self-contained HTML page is written to a temporary file and printed by headless
Chromium (``chromium --headless --print-to-pdf``) with a virtual-time budget, so the plotly charts
have drawn before the page is printed. Chromium is looked up as ``$GOSPLAN_CHROMIUM``, then
``chromium``, ``chromium-browser``, ``google-chrome`` on the ``PATH``, then ``/usr/bin/chromium``;
without it :func:`write_pdf` raises :class:`~gosplan.errors.GosplanError` saying how to install it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from gosplan.errors import GosplanError
from gosplan.i18n import N_, _
from gosplan.review.document import Review
from gosplan.review.render import render_html
from gosplan.review.stocktake import rating_word, stocktake_headers

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_TIMEOUT_SECONDS = 240
_NO_CHROMIUM = N_("PDF output needs headless Chromium, which was not found. Install it (Debian/Ubuntu: "
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
        self.charts = 0
        self.pending: str | None = None  # a heading waiting for something to stand over

    def _emit(self, text: str) -> None:
        if self.pending is not None:
            self.out.append(self.pending)
            self.pending = None
        self.out.append(text)

    def handle_starttag(self, tag: str, attrs) -> None:
        classes = dict(attrs).get("class") or ""
        if tag == "div" and "plotly-graph-div" in classes:
            self._emit(f"{CHART_MARK}{self.charts}\n")
            self.charts += 1
        if tag in ("script", "style") or (tag == "div" and "plotly" in classes):
            self.skip += 1
        elif tag == "thead":
            self.in_head = True
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th", "p", "h2", "h3", "li"):
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
            self._emit(content + "\n")
        elif tag in ("h2", "h3"):
            self.pending = f"{'#' * (int(tag[1]) + 1)} {content}\n"
        elif tag == "li" and content:
            self._emit(f"- {content}")

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
        self._emit("\n".join(lines) + "\n")
        self.rows, self.header_rows = [], 0


CHART_MARK = "\x00chart:"


def html_to_markdown(fragment: str, charts: list[str] | None = None) -> str:
    """Headings, paragraphs, lists and plain tables of ``fragment`` as Markdown.

    The n-th plotly chart becomes the n-th Markdown image of ``charts`` (``![](path)``); without
    one it is left out, and a heading with nothing under it is dropped.
    """
    writer = _MarkdownWriter()
    writer.feed(fragment)
    writer.close()
    out = []
    for part in writer.out:
        if part.startswith(CHART_MARK):
            n = int(part.removeprefix(CHART_MARK))
            if charts and n < len(charts) and charts[n]:
                out.append(charts[n] + "\n")
            elif out and out[-1].startswith("#"):
                out.pop()  # the chart was all the heading stood over
            continue
        out.append(part)
    return "\n".join(out)


def figures_in(fragment: str) -> list[dict]:
    """The plotly figures (``{"data": ..., "layout": ...}``) embedded in an HTML fragment, in order."""
    decoder = json.JSONDecoder()
    figures = []
    for match in re.finditer(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*", fragment):
        data, end = decoder.raw_decode(fragment, match.end())
        while fragment[end] in ", \n\t\r":
            end += 1
        layout, _ = decoder.raw_decode(fragment, end)
        figures.append({"data": data, "layout": layout})
    return figures


def page_one_markdown(review: Review) -> list[str]:
    """Page one as Markdown lines: the headline, then one table row per judgement."""
    page = review.stocktake
    if page is None:
        return []
    lines = ["## " + _("Stocktake: the plan for {window}", window=page.window), ""]
    lines += [line + "\n" for line in page.headline]
    if page.lines:
        lines += ["| # | " + " | ".join(stocktake_headers()) + " |", "|---|---|---|---|---|"]
        lines += [f"| {i} | **{rating_word(ln.rating)}** | {ln.statement} | {ln.owner} | {ln.decision} |".replace(
            "\n", " ") for i, ln in enumerate(page.lines, 1)]
    return lines


def render_markdown(review: Review, charts: dict[str, list[str]] | None = None) -> str:
    """The review as Markdown: page one, then each annex's heading, lead, text, tables and charts.

    ``charts`` maps a section key to its chart images as Markdown (``![...](path)``), in the order the
    charts appear; without it the charts (and headings standing over nothing but a chart) are left out.
    """
    generated = _("Generated {when} by gosplan", when=f"{review.generated_at:%Y-%m-%d %H:%M UTC}")
    lines = [f"# {review.title}", "", f"{generated}.", "", f"{review.basis_label}.", ""]
    lines += page_one_markdown(review)
    if review.annexes:
        annexes = "; ".join(f"{letter}. {s.title}" for letter, s in review.annexes)
        lines += ["", _("Annexes: {annexes}.", annexes=annexes)]
    for letter, s in review.annexes:
        lines += ["", "## " + _("Annex {letter}.", letter=letter) + f" {s.title}", ""]
        if s.lead_text:
            lines += [f"*{s.lead_text}*", ""]
        lines += [f"- {line}" for line in s.summary]
        if s.summary:
            lines.append("")
        lines.append(html_to_markdown(s.body_html, (charts or {}).get(s.key)).strip())
    return "\n".join(lines).rstrip() + "\n"


def export_charts(review: Review, folder: Path, link: str) -> dict[str, list[str]]:
    """Every annex's charts as PNG files in ``folder``; Markdown image links (relative ``link``) per section.

    Uses kaleido with the Chromium that prints the PDF; returns ``{}`` when either is missing.
    """
    chromium = find_chromium()
    figures = {s.key: figures_in(s.body_html) for _letter, s in review.annexes}
    if chromium is None or not any(figures.values()):
        return {}
    try:
        import kaleido  # noqa: F401
        import plotly.io as pio
    except ImportError:
        return {}
    os.environ.setdefault("BROWSER_PATH", chromium)
    folder.mkdir(parents=True, exist_ok=True)
    jobs, links = [], {}
    for letter, s in review.annexes:
        for n, figure in enumerate(figures[s.key], 1):
            name = f"annex-{letter}-{n}.png"
            layout = figure["layout"]
            height = int(layout.get("height") or 420)
            jobs.append((figure, folder / name, height))
            alt = _("Annex {letter}, chart {number}: {title}", letter=letter, number=n, title=s.title)
            links.setdefault(s.key, []).append(f"![{alt}]({link}/{name})")
    try:
        pio.write_images([j[0] for j in jobs], [j[1] for j in jobs], format="png", width=1000,
                         height=[j[2] for j in jobs], scale=1)
    except Exception:  # a broken Chromium must not cost the text: leave the charts out
        return {}
    return links


def write_markdown(review: Review, path: str | Path, *, charts: bool = True) -> Path:
    """Write the Markdown; with ``charts`` the chart images go to ``NAME-charts/`` beside it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = path.with_name(f"{path.stem}-charts")
    images = export_charts(review, folder, folder.name) if charts else {}
    path.write_text(render_markdown(review, images), encoding="utf-8")
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
        raise GosplanError(_(_NO_CHROMIUM))
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
            raise GosplanError(_(_NO_CHROMIUM)) from None
        except subprocess.TimeoutExpired:
            raise GosplanError(_("Chromium did not finish printing within {seconds} s",
                                 seconds=PDF_TIMEOUT_SECONDS)) from None
    if not path.exists() or path.read_bytes()[:4] != b"%PDF":
        raise GosplanError(_("Chromium did not write a PDF (exit {code}): {error}", code=done.returncode,
                             error=done.stderr.strip()[-400:]))
    return path
