"""``gosplan actions``: propose, list, accept, reject, edit and track the action plan."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from gosplan import terminal
from gosplan.commands._common import DbOption, FormatOption, console, emit, open_service
from gosplan.commands.action_plan import app as plan_app
from gosplan.commands.action_plan import stocktake_command

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(help="The action plan: proposals from the review's findings, accepted and tracked.",
                  no_args_is_help=True)
IdArgument = Annotated[int, typer.Argument(help="Action id (see gosplan actions list).")]
LIST_COLUMNS = ["id", "status", "title", "owner_unit", "indicator", "unit", "period", "due", "check", "origin"]


def _show(frame: pd.DataFrame, title: str) -> None:
    table = terminal.table(title, caption="The measurable check of each action is in --format csv or json.")
    terminal.number(table, "Id")
    terminal.text(table, "Status", min_width=8)
    terminal.text(table, "Action", min_width=24, wrap=True)
    terminal.text(table, "Owner", min_width=10)
    terminal.number(table, "Due")
    for r in frame.itertuples(index=False):
        table.add_row(str(r.id), str(r.status), str(r.title), str(r.owner_unit), str(r.due))
    terminal.show(console, table)


def _one(action: dict, verb: str) -> None:
    console.print(f"Action {action['id']} {verb}: [bold]{action['title']}[/] — {action['status']}, owner "
                  f"{action['owner_unit']}, due {action['due']}")


@app.command()
def propose(
    period: Annotated[str, typer.Option(help="Period under review, e.g. 2023-H1.")],
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Propose actions from the findings of the period and store the new ones as proposals."""
    from gosplan.service.actions import store_proposals

    service = open_service(db)
    ids = store_proposals(service, period)
    stored = service.store.actions()
    frame = stored[stored["id"].isin(ids)]
    if emit(frame, fmt, LIST_COLUMNS):
        return
    if not ids:
        console.print("No new proposals: every finding already has an action.")
        return
    _show(frame, f"{len(ids)} actions proposed for {period} (accept with: gosplan actions accept ID)")


@app.command("list")
def list_(
    status: Annotated[str | None, typer.Option(help="proposed, accepted, in progress, done or rejected.")] = None,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """The action plan, oldest first."""
    from gosplan.service.actions import list_actions

    frame = list_actions(open_service(db), status)
    if emit(frame, fmt, LIST_COLUMNS):
        return
    _show(frame, "Action plan" + (f" — {status}" if status else ""))


@app.command()
def accept(action_id: IdArgument, db: DbOption = None) -> None:
    """Accept a proposal; the linked target's value now becomes the baseline of its tracking."""
    from gosplan.service.actions import accept_action

    _one(accept_action(open_service(db), action_id), "accepted")


@app.command()
def reject(action_id: IdArgument, db: DbOption = None) -> None:
    """Reject a proposal."""
    from gosplan.service.actions import reject_action

    _one(reject_action(open_service(db), action_id), "rejected")


@app.command()
def edit(
    action_id: IdArgument,
    due: Annotated[str | None, typer.Option(help="New due date, YYYY-MM-DD.")] = None,
    owner: Annotated[str | None, typer.Option(help="New owner unit code.")] = None,
    title: Annotated[str | None, typer.Option(help="New title.")] = None,
    check: Annotated[str | None, typer.Option(help="New measurable check.")] = None,
    db: DbOption = None,
) -> None:
    """Change the due date, owner, title or check of an action."""
    from gosplan.service.actions import edit_action

    _one(edit_action(open_service(db), action_id, due=due, owner=owner, title=title, check=check), "edited")


@app.command()
def status(
    action_id: IdArgument,
    set_: Annotated[str, typer.Option("--set", help="in progress or done.")],
    db: DbOption = None,
) -> None:
    """Record progress on an accepted action."""
    from gosplan.service.actions import set_action_status

    _one(set_action_status(open_service(db), action_id, set_), "updated")


@app.command()
def track(
    period: Annotated[str, typer.Option(help="Period to compare with, e.g. 2023-H1.")],
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Accepted actions: did the linked target recover since acceptance?"""
    from gosplan.service.actions import track_actions

    frame = track_actions(open_service(db), period)
    if emit(frame, fmt):
        return
    table = terminal.table(f"Accepted actions against {period}")
    terminal.number(table, "Id")
    terminal.text(table, "Action", min_width=20, wrap=True)
    terminal.text(table, "Status", min_width=8)
    terminal.text(table, "Metric", min_width=8, wrap=True)
    terminal.number(table, "Then")
    terminal.number(table, "Now")
    terminal.text(table, "Verdict", min_width=8, wrap=True)
    for r in frame.itertuples(index=False):
        table.add_row(str(r.id), str(r.title), str(r.status), str(r.metric), f"{r.baseline:.2f}", f"{r.now:.2f}",
                      str(r.verdict))
    terminal.show(console, table)


# The definite action plan: versions adopted by a named body, and their monthly stocktake.
app.add_typer(plan_app, name="plan")
app.command("stocktake")(stocktake_command)
