"""``gosplan demo`` and ``gosplan init``: the two commands that make a store."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer

from gosplan.commands._common import NewDbOption, console, get_console, open_service
from gosplan.errors import GosplanError, NotFound


def command(
    db: NewDbOption = None,
    seed: Annotated[int, typer.Option(help="Seed of the demo generator.")] = 2023,
    period: Annotated[str, typer.Option(help="Period of the review.")] = "2023-H1",
    out: Annotated[Path | None, typer.Option(help="Where to write the review HTML.")] = None,
    force: Annotated[bool, typer.Option(help="Replace gosplan's data in a database that holds more than the "
                                             "demo.")] = False,
    through: Annotated[str | None, typer.Option(help="Also load the months after June up to this one (at most "
                                                     "2023-09), for the action plan's stocktake.")] = None,
) -> None:
    """Build the demo economy in a store, run the mid-year review and write it as HTML.

    Running it again rebuilds the demo (on SQLite and PostgreSQL alike); a database holding other data
    is left alone unless --force is given.
    """
    from gosplan.dburl import resolve_url
    from gosplan.model import Period

    url = resolve_url(db)
    Period.parse(period)  # a bad --period fails before anything is rebuilt
    if through:
        from gosplan.examples.demo.action_stocktake import LAST_MONTH

        if not "2023-07" <= str(Period.parse(through).last_month()) <= LAST_MONTH:
            raise GosplanError(f"--through runs from 2023-07 to {LAST_MONTH}, not {through}")
    _reset_demo_store(url, force)
    from gosplan.review import build_review, write_html
    from gosplan.review.terminal import print_review_summary

    with console.status("Building the demo economy..."):
        service = open_service(url, create=True)
        counts = service.load_demo(seed)
        if through:
            from gosplan.service.action_plan import extend_demo_reports

            counts["later_reports"] = extend_demo_reports(service, through)
    console.print(f"Demo economy (seed {seed}) written to [bold]{service.store.display_url}[/]: "
                  + ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in counts.items()), highlight=False)
    with console.status(f"Running the review for {period}..."):
        review = build_review(service, period)
    print_review_summary(review, get_console())
    path = write_html(review, out or Path(f"gosplan-review-{period}.html"))
    console.print(f"\nReview written to [bold]{path.resolve()}[/]", soft_wrap=True)
    console.print("Next:")
    for suggestion in next_commands(db, period):
        console.print(f"  [cyan]{suggestion}[/]", soft_wrap=True, highlight=False)


def next_commands(db: str | None, period: str = "2023-H1") -> list[str]:
    """The commands to try after the demo, each carrying ``--db`` when the demo was given one.

    >>> next_commands("postgresql+psycopg://me@db/plan")[0]
    'gosplan status --period 2023-06 --by sector --db postgresql+psycopg://me@db/plan'
    """
    flag = f" --db {shlex.quote(db)}" if db else ""
    return [f"gosplan status --period 2023-06 --by sector{flag}",
            f"gosplan status --period 2023-06 --by unit --indicator coal{flag}",
            f"gosplan alerts --open{flag}",
            f"gosplan review --period {period}{flag}"]


def _reset_demo_store(url: str, force: bool) -> None:
    """Clear the way for the demo: a store holding only the demo (or nothing, and not marked as another data set)
    is rebuilt; one holding other data is refused unless ``force``. Only gosplan's own tables are ever dropped."""
    from gosplan.dburl import sqlite_path
    from gosplan.store import Store

    path = sqlite_path(url)
    if path is None and url.startswith("sqlite"):
        return  # in memory
    try:
        store = Store.open(url, create=False)
    except NotFound:
        if path is not None and path.exists() and path.stat().st_size > 0 and not force:
            raise GosplanError(f"{path} exists and is not a gosplan store; use --force to replace it or --db to "
                               "choose another file") from None
        if path is not None:
            _unlink_sqlite(path)
        return  # no gosplan tables: the demo creates them (other tables in the database stay as they are)
    try:
        dataset = store.get_meta("dataset")
        ours = dataset == "demo" or (dataset is None and store.is_empty())
        if not ours and not force:
            where = path if path is not None else f"the database {store.display_url}"
            raise GosplanError(f"{where} holds data other than the demo; use --force to replace gosplan's data in "
                               "it, or --db to choose another database")
        if path is None:
            store.drop_schema()
    finally:
        store.close()
    if path is not None:
        _unlink_sqlite(path)


def _unlink_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def init_command(db: NewDbOption = None) -> None:
    """Create (or upgrade) an empty store, ready for `gosplan import`."""
    service = open_service(db, create=True)
    console.print(f"Store ready: [bold]{service.store.display_url}[/]", highlight=False)
    console.print("Next: [cyan]gosplan template units --out units.csv[/], fill it in, then "
                  "[cyan]gosplan import units.csv[/]", soft_wrap=True, highlight=False)
