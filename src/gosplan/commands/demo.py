"""``gosplan demo`` and ``gosplan init``: the two commands that make a store."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer

from gosplan.commands._common import NewDbOption, console, get_console, open_service
from gosplan.errors import GosplanError, NotFound
from gosplan.i18n import N_, _

#: The things the demo writes, by the key of its counts, in the reader's words.
COUNTED = {
    "unit_groups": N_("{count} unit groups"),
    "sectors": N_("{count} sectors"),
    "units": N_("{count} units"),
    "indicators": N_("{count} indicators"),
    "plans": N_("{count} plans"),
    "targets": N_("{count} targets"),
    "reports": N_("{count} reports"),
    "corrections": N_("{count} corrections"),
    "projects": N_("{count} projects"),
    "project_milestones": N_("{count} project milestones"),
    "project_progress": N_("{count} project progress"),
    "farms": N_("{count} farms"),
    "weather_events": N_("{count} weather events"),
    "campaigns": N_("{count} campaigns"),
    "campaign_members": N_("{count} campaign members"),
    "capacities": N_("{count} capacities"),
    "io_sectors": N_("{count} io sectors"),
    "alerts": N_("{count} alerts"),
    "later_reports": N_("{count} later reports"),
}
#: The same where the count is one (the demo has one movement).
COUNTED_ONE = {"campaigns": N_("{count} campaign"), "projects": N_("{count} project"), "plans": N_("{count} plan")}


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
            raise GosplanError(_("--through runs from 2023-07 to {last}, not {value}", last=LAST_MONTH, value=through))
    _reset_demo_store(url, force)
    from rich.markup import escape

    from gosplan.review import build_review, write_html
    from gosplan.review.terminal import print_review_summary

    with console.status(_("Building the demo economy...")):
        service = open_service(url, create=True)
        counts = service.load_demo(seed)
        if through:
            from gosplan.service.action_plan import extend_demo_reports

            counts["later_reports"] = extend_demo_reports(service, through)
    counted = ", ".join(_((COUNTED_ONE if n == 1 and k in COUNTED_ONE else COUNTED).get(k, "{count} " + k.replace(
        "_", " ")), count=f"{n:,}") for k, n in counts.items())
    console.print(_("Demo economy (seed {seed}) written to {url}: {counts}", seed=seed,
                    url=f"[bold]{escape(service.store.display_url)}[/]", counts=counted), highlight=False)
    with console.status(_("Running the review for {period}...", period=period)):
        review = build_review(service, period)
    print_review_summary(review, get_console())
    path = write_html(review, out or Path(f"gosplan-review-{period}.html"))
    console.print("\n" + _("Review written to {path}", path=f"[bold]{escape(str(path.resolve()))}[/]"), soft_wrap=True)
    console.print(_("Next:"))
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
            raise GosplanError(_("{path} exists and is not a gosplan store; use --force to replace it or --db to "
                                 "choose another file", path=path)) from None
        if path is not None:
            _unlink_sqlite(path)
        return  # no gosplan tables: the demo creates them (other tables in the database stay as they are)
    try:
        dataset = store.get_meta("dataset")
        ours = dataset == "demo" or (dataset is None and store.is_empty())
        if not ours and not force:
            if path is not None:
                raise GosplanError(_("{path} holds data other than the demo; use --force to replace gosplan's data "
                                     "in it, or --db to choose another database", path=path))
            raise GosplanError(_("the database {url} holds data other than the demo; use --force to replace "
                                 "gosplan's data in it, or --db to choose another database", url=store.display_url))
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
    from rich.markup import escape

    console.print(_("Store ready: {url}", url=f"[bold]{escape(service.store.display_url)}[/]"), highlight=False)
    console.print(_("Next: {template}, fill it in, then {load}",
                    template="[cyan]gosplan template units --out units.csv[/]",
                    load="[cyan]gosplan import units.csv[/]"),
                  soft_wrap=True, highlight=False)
