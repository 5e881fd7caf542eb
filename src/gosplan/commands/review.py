"""``gosplan review``: the review of plan fulfilment for a period, as HTML, PDF or Markdown."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gosplan.commands._common import DbOption, console, get_console, open_service
from gosplan.i18n import _
from gosplan.i18n.formats import format_period

REVIEW_FORMATS = ("html", "pdf", "md")


def _check_format(fmt: str) -> str:
    if fmt not in REVIEW_FORMATS:
        raise typer.BadParameter(_("must be one of {choices}, not {value}", choices=", ".join(REVIEW_FORMATS),
                                   value=repr(fmt)))
    return fmt


def write_review(document, fmt: str, out: Path | None) -> Path:
    """Write the review as html, pdf (headless Chromium) or md (tables and text, no charts)."""
    from gosplan.review import write_html
    from gosplan.review.export import write_markdown, write_pdf

    _check_format(fmt)
    path = out or Path(f"gosplan-review-{document.period}.{fmt}")
    if fmt == "pdf":
        with console.status(_("Printing the review to PDF with headless Chromium...")):
            return write_pdf(document, path)
    return write_markdown(document, path) if fmt == "md" else write_html(document, path)


def command(
    period: Annotated[str, typer.Option(help="Period under review, e.g. 2023-H1.")],
    out: Annotated[Path | None, typer.Option(help="Output file.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="html, pdf (via headless Chromium) or md.",
                                     callback=_check_format)] = "html",
    basis: Annotated[str | None, typer.Option(help="official (approved reports only) or provisional (all "
                                                   "current reports); default: official once any approval "
                                                   "is recorded.")] = None,
    db: DbOption = None,
) -> None:
    """Write the review of plan fulfilment for a period."""
    service = open_service(db)
    if basis is not None:
        service = service.on_basis(basis)
    from gosplan.review import build_review
    from gosplan.review.terminal import print_review_summary

    with console.status(_("Running the review for {period}...", period=format_period(period))):
        document = build_review(service, period, basis=basis)
    print_review_summary(document, get_console())
    path = write_review(document, fmt, out)
    console.print("\n" + _("Review written to [bold]{path}[/]", path=str(path.resolve())), soft_wrap=True,
                  highlight=False)
