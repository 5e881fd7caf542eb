"""Where the time of the review goes: section by section, then HTML, Markdown and PDF writing.

Builds the demo economy in a temporary SQLite store (or uses ``--db``), then runs the review the
way ``gosplan review`` does (one :class:`~gosplan.review.document.ReviewContext` shared by all
sections, so a section that reuses another's memoised result is timed as cheap) and prints a
table: seconds per section and per output format, and their share of the total. ``--profile``
adds the twenty functions with the largest cumulative time (cProfile).

    python bench/review.py [--period 2023-H1] [--db sqlite:///demo.db] [--pdf] [--profile] [--out DIR]

Numbers in docs/benchmarks.md were taken on a shared, loaded 2-core machine.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from gosplan.review.document import Review, ReviewContext, build_sections, review_title
from gosplan.review.export import find_chromium, write_markdown, write_pdf
from gosplan.review.render import write_html
from gosplan.service import Service


def _timed(rows: list[tuple[str, float]], label: str, fn):
    start = time.perf_counter()
    result = fn()
    rows.append((label, time.perf_counter() - start))
    return result


def run(service: Service, period: str, out: Path, pdf: bool) -> list[tuple[str, float]]:
    """Times of each step of one review of ``period``, in the order they ran."""
    rows: list[tuple[str, float]] = []
    ctx = ReviewContext(service, period)
    timings: dict[str, float] = {}
    sections = build_sections(ctx, timings=timings)
    rows += [(f"section {key}", seconds) for key, seconds in timings.items()]
    review = Review(ctx.period, review_title(ctx.period), sections, ctx.generated_at, ctx.stocktake)
    _timed(rows, "write html", lambda: write_html(review, out / "review.html"))
    _timed(rows, "write md", lambda: write_markdown(review, out / "review.md"))
    if pdf and find_chromium():
        _timed(rows, "write pdf", lambda: write_pdf(review, out / "review.pdf"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", default="2023-H1")
    parser.add_argument("--db", help="a store holding the demo (default: build one in a temporary file)")
    parser.add_argument("--pdf", action="store_true", help="also print the PDF with headless Chromium")
    parser.add_argument("--profile", action="store_true", help="cProfile the sections, show the top 20")
    parser.add_argument("--out", type=Path, help="keep the written review here (default: a temporary folder)")
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory(prefix="gosplan-bench-") as tmp:
        url = args.db
        if url is None:
            url = f"sqlite:///{Path(tmp) / 'demo.db'}"
            start = time.perf_counter()
            Service.open(url).load_demo(2023)
            console.print(f"demo store built in {time.perf_counter() - start:.1f} s")
        service = Service.open(url)
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        rows = run(service, args.period, out, args.pdf)
        if profiler:
            profiler.disable()
    total = sum(seconds for _, seconds in rows)
    table = Table(title=f"Review of {args.period}: where the time goes", title_justify="left")
    for name in ("step", "seconds", "share"):
        table.add_column(name, justify="left" if name == "step" else "right")
    for label, seconds in sorted(rows, key=lambda r: -r[1]):
        table.add_row(label, f"{seconds:.2f}", f"{100 * seconds / total:.0f} %")
    table.add_row("[bold]total", f"[bold]{total:.2f}", "100 %")
    console.print(table)
    if profiler:
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(20)
        console.print(buffer.getvalue(), highlight=False, markup=False)


if __name__ == "__main__":
    main()
