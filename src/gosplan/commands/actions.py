"""``gosplan actions``: propose, list, accept, reject, edit and track the action plan."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from gosplan import terminal
from gosplan.commands._common import DbOption, FormatOption, console, emit, open_service
from gosplan.commands.action_plan import app as plan_app
from gosplan.commands.action_plan import stocktake_command
from gosplan.i18n import N_, _, ngettext
from gosplan.i18n.codes import word_of
from gosplan.i18n.formats import format_period

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(help="The action plan: proposals from the review's findings, accepted and tracked.",
                  no_args_is_help=True)
IdArgument = Annotated[int, typer.Argument(help="Action id (see gosplan actions list).")]
#: The words of the store's codes, for the tables (the codes stay as they are in csv and json).
STATUSES = {"proposed": N_("proposed"), "accepted": N_("accepted"), "in progress": N_("in progress"),
            "done": N_("done"), "rejected": N_("rejected")}
METRICS = {"fulfilment": N_("fulfilment"), "spi_t": N_("SPI(t)"), "output_per_worker_goal": N_("output per worker")}
VERDICTS = {"no data": N_("no data"), "recovered": N_("recovered"), "improving": N_("improving"),
            "not recovered": N_("not recovered")}


_word = word_of  # the reader's word for a code of the store (the code itself when it has none)


def _text(action, field: str = "title") -> str:
    """An action's title (or check) in the reader's language, made again from the words the proposer recorded
    (as the review shows it)."""
    from gosplan.review.sections.actions import action_text

    return action_text(action, field)


LIST_COLUMNS = ["id", "status", "title", "owner_unit", "indicator", "unit", "period", "due", "check", "origin"]


def _show(frame: pd.DataFrame, title: str) -> None:
    from rich.markup import escape

    table = terminal.table(title, caption=_("The measurable check of each action is in --format csv or json."))
    terminal.number(table, _("Id"))
    terminal.text(table, _("Status"), min_width=8)
    terminal.text(table, _("Action"), min_width=24, wrap=True)
    terminal.text(table, _("Owner"), min_width=10)
    terminal.number(table, _("Due"))
    for _index, r in frame.iterrows():
        table.add_row(str(r["id"]), _word(STATUSES, r["status"]), escape(_text(r)), str(r["owner_unit"]), str(r["due"]))
    terminal.show(console, table)


#: What each command did to an action, as whole sentences (the title in bold, then status, owner and due date).
_DONE = {
    "accepted": N_("Action {id} accepted: [bold]{title}[/] — {status}, owner {owner}, due {due}"),
    "rejected": N_("Action {id} rejected: [bold]{title}[/] — {status}, owner {owner}, due {due}"),
    "edited": N_("Action {id} edited: [bold]{title}[/] — {status}, owner {owner}, due {due}"),
    "updated": N_("Action {id} updated: [bold]{title}[/] — {status}, owner {owner}, due {due}"),
}


def _one(action: dict, done: str) -> None:
    from rich.markup import escape

    console.print(_(_DONE[done], id=action["id"], title=escape(_text(action)), status=_word(STATUSES, action["status"]),
                    owner=action["owner_unit"], due=action["due"]), highlight=False)


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
    stored = service.store.actions_with_details()
    frame = stored[stored["id"].isin(ids)]
    if emit(frame, fmt, LIST_COLUMNS):
        return
    if not ids:
        console.print(_("No new proposals: every finding already has an action."))
        return
    _show(frame, ngettext("{count} action proposed for {period} (accept with: gosplan actions accept ID)",
                          "{count} actions proposed for {period} (accept with: gosplan actions accept ID)",
                          len(ids), period=format_period(period)))


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
    _show(frame, _("Action plan — {status}", status=_word(STATUSES, status)) if status else _("Action plan"))


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
    from rich.markup import escape

    table = terminal.table(_("Accepted actions against {period}", period=format_period(period)))
    terminal.number(table, _("Id"))
    terminal.text(table, _("Action"), min_width=20, wrap=True)
    terminal.text(table, _("Status"), min_width=8)
    terminal.text(table, _("Metric"), min_width=8, wrap=True)
    terminal.number(table, _("Then"))
    terminal.number(table, _("Now"))
    terminal.text(table, _("Verdict"), min_width=8, wrap=True)
    details = open_service(db).store.actions_with_details().set_index("id")
    for r in frame.itertuples(index=False):
        title = _text(details.loc[r.id]) if r.id in details.index else str(r.title)
        table.add_row(str(r.id), escape(title), _word(STATUSES, r.status), _word(METRICS, r.metric),
                      f"{r.baseline:.2f}", f"{r.now:.2f}", _word(VERDICTS, r.verdict))
    terminal.show(console, table)


# The definite action plan: versions adopted by a named body, and their monthly stocktake.
app.add_typer(plan_app, name="plan")
app.command("stocktake")(stocktake_command)
