"""``gosplan actions plan`` and ``gosplan actions stocktake``: the definite action plan as a versioned
document (proposed, adopted by a named body, amended with a reason) and its monthly stocktake."""

from __future__ import annotations

from typing import Annotated

import typer

from gosplan import terminal
from gosplan.commands._common import DbOption, FormatOption, console, emit, open_service
from gosplan.i18n import N_, _
from gosplan.i18n.formats import format_period

app = typer.Typer(help="The definite action plan: propose a version, adopt it, show it, amend it.",
                  no_args_is_help=True)
PeriodOption = Annotated[str, typer.Option(help="Period under review, e.g. 2023-H1.")]
ByOption = Annotated[str, typer.Option("--by", help="Who does this (recorded).")]
UnitOption = Annotated[str | None, typer.Option(help="Only the actions this unit owns or co-owns (code).")]


def _settings(pace_multiple: float):
    from gosplan.engines.action_plan import Settings

    return Settings(pace_multiple=pace_multiple)


@app.command()
def propose(
    period: PeriodOption,
    by: ByOption = "planner",
    reason: Annotated[str | None, typer.Option(help="Why the adopted plan is amended (needed once one is "
                                                    "adopted).")] = None,
    pace_multiple: Annotated[float, typer.Option(help="At most this multiple of the pace a unit has shown.")] = 1.3,
    db: DbOption = None,
) -> None:
    """Build the plan from the period's findings and store it as a new proposed version."""
    from gosplan.service.action_plan import propose_plan

    service = open_service(db)
    version = propose_plan(service, period, proposed_by=by, reason=reason, settings=_settings(pace_multiple))
    _print_plan(service, period, version)
    console.print(_("Version {version} proposed. An admin records its adoption with: gosplan actions plan adopt "
                    "--period {period} --version {version} --body NAME --on DATE --by ADMIN",
                    version=version, period=period), highlight=False)


@app.command()
def adopt(
    period: PeriodOption,
    version: Annotated[int, typer.Option(help="The proposed version adopted.")],
    body: Annotated[str, typer.Option(help="The body that adopted it, e.g. 'Plenary meeting of the CC'.")],
    on: Annotated[str, typer.Option(help="The date of the meeting, YYYY-MM-DD.")],
    by: ByOption = "admin",
    db: DbOption = None,
) -> None:
    """Record that a named body adopted a version of the plan on a date (an admin's task)."""
    from gosplan.service.action_plan import adopt_plan, adoption_notices

    service = open_service(db)
    adopted = adopt_plan(service, period, version, body=body, on=on, recorded_by=by)
    notices = adoption_notices(service, period)
    console.print(_("Action plan {period}, version {version}, adopted by {body} on {day} (recorded by {by}); "
                    "{count} owners to notify.", period=format_period(period), version=adopted["version"],
                    body=adopted["adopted_by_body"], day=str(adopted["adopted_on"]), by=by, count=len(notices)),
                  highlight=False)


@app.command()
def versions(period: PeriodOption, fmt: FormatOption = "table", db: DbOption = None) -> None:
    """Every version of the plan: who proposed it, why, and who adopted it when."""
    frame = open_service(db).store.action_plan_versions(period)
    if emit(frame, fmt):
        return
    grid = terminal.table(_("Action plan {period}: versions", period=format_period(period)))
    terminal.number(grid, _("Version"))
    terminal.text(grid, _("Status"), min_width=8)
    terminal.text(grid, _("Proposed by"), min_width=8)
    terminal.text(grid, _("Adopted"), min_width=12, wrap=True)
    terminal.text(grid, _("Reason"), min_width=10, wrap=True)
    for r in frame.itertuples(index=False):
        adopted = f"{r.adopted_by_body}, {str(r.adopted_on)[:10]}" if isinstance(r.adopted_by_body, str) else ""
        grid.add_row(str(r.version), _(r.status), str(r.proposed_by), adopted, r.reason or "")
    terminal.show(console, grid)


@app.command()
def show(
    period: PeriodOption,
    version: Annotated[int | None, typer.Option(help="Version (default: the adopted one, else the latest).")] = None,
    unit: UnitOption = None,
    db: DbOption = None,
) -> None:
    """The plan: each action with its owner chain and milestones, then the decisions for the plenum."""
    service = open_service(db)
    _print_plan(service, period, version, unit)


def _pick_version(service, period: str, version: int | None) -> dict:
    from gosplan.errors import NotFound
    from gosplan.model import Period

    p = str(Period.parse(period))
    if version is not None:
        return service.store.action_plan_version(p, version)
    versions = service.store.action_plan_versions(p)
    if versions.empty:
        raise NotFound(_("no action plan for {period} is stored (gosplan actions plan propose --period {period})",
                         period=p))
    adopted = versions[versions["status"].eq("adopted")]
    chosen = adopted if len(adopted) else versions
    return service.store.action_plan_version(p, int(chosen["version"].max()))


def _print_plan(service, period: str, version: int | None, unit: str | None = None) -> None:
    from rich.padding import Padding

    from gosplan.service.action_plan import owner_actions
    from gosplan.service.action_words import Names, action_sentence, decision_sentence, milestones_line

    chosen = _pick_version(service, period, version)
    document = chosen["document"]
    names = Names.of(service)
    actions = owner_actions(document, unit) if unit else document["actions"]
    status = (_("adopted by {body} on {day}", body=chosen["adopted_by_body"], day=str(chosen["adopted_on"]))
              if chosen["status"] == "adopted" else _(chosen["status"]))
    console.print(_("[bold]Action plan {period}, version {version}[/] ({status}): {findings} findings, {actions} "
                    "actions, {decisions} decisions for the plenum", period=format_period(period),
                    version=chosen["version"], status=status, findings=len(document["findings"]), actions=len(actions),
                    decisions=len(document["decisions"])), highlight=False)
    milestones = document["milestones"]
    for action in actions:
        console.print(f"\n[bold]#{action['number']}[/] {action_sentence(action, names)}", highlight=False)
        co = ", ".join(names.unit(c) for c in action["co_owners"])
        console.print(Padding(_("Owner: {owner}; with: {co}", owner=names.unit(action["owner"]), co=co or "–"),
                              (0, 0, 0, 3), expand=False), highlight=False)
        mine = [m for m in milestones if m["key"] == action["finding"] and m["month"] in action["milestones"]]
        console.print(Padding(milestones_line(mine, document["as_of"]), (0, 0, 0, 3), expand=False), highlight=False)
    decisions = [d for d in document["decisions"] if not unit or d["unit"] == unit]
    if decisions:
        console.print("\n[bold]" + _("For the plenum to decide") + "[/]")
        for d in decisions:
            console.print(Padding("- " + decision_sentence(d, names), (0, 0, 0, 1), expand=False), highlight=False)


def stocktake_command(
    period: PeriodOption,
    through: Annotated[str, typer.Option(help="The last month reported, e.g. 2023-09.")],
    unit: UnitOption = None,
    action: Annotated[int | None, typer.Option(help="One action, month by month (its number in the plan).")] = None,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Each adopted action's milestones to date: red, amber or green with the numbers behind them."""
    from gosplan.service.action_plan import stocktake, stocktake_summary
    from gosplan.service.action_words import Names, qty

    service = open_service(db)
    frame = stocktake(service, period, through)
    if unit:
        frame = frame[frame["owner"].eq(unit) | frame["unit"].eq(unit)]
    numbers = _numbers(service, period)
    if action is not None:
        frame = frame[frame["key"].map(numbers).eq(action)]
    if emit(frame, fmt):
        return
    names = Names.of(service)
    if action is not None:
        _one_action(service, period, action, frame, names)
        return
    grid = terminal.table(_("Stocktake of the action plan {period} to {through}", period=format_period(period),
                            through=format_period(through)),
                          caption=_("Output since the plan began against the last milestone; ratings month by "
                                    "month (G green, A amber, R red); an action that slips twice goes up its "
                                    "chain."))
    terminal.number(grid, "#")
    terminal.text(grid, _("Unit"), min_width=12)
    terminal.text(grid, _("Measure"), min_width=8)
    terminal.number(grid, _("Planned"))
    terminal.number(grid, _("Actual"))
    terminal.text(grid, _("Months"), min_width=5)
    terminal.text(grid, _("Escalated to"), min_width=8, wrap=True)
    summary = stocktake_summary(frame)
    for key, rows in frame.groupby("key", sort=False):
        last = rows.iloc[-1]
        colour = {"green": "green", "amber": "yellow", "red": "red"}.get(last.rating, "")
        letters = {"green": _("G"), "amber": _("A"), "red": _("R")}
        months = " ".join(letters.get(r, "–") for r in rows["rating"])
        to = last.escalated_to if isinstance(last.escalated_to, str) else ""
        label = _(MEASURE_LABELS.get(last.measure, last.measure))
        grid.add_row(str(numbers.get(key, "")), names.unit(last.unit), label,
                     terminal.compact(qty(last.planned, last.uom)), terminal.compact(qty(last.actual, last.uom)),
                     f"[{colour}]{months}[/]" if colour else months, names.unit(to) if to else "")
    terminal.show(console, grid)
    console.print(_("{actions} actions: {green} green, {amber} amber, {red} red at the last milestone; {escalated} "
                    "escalated.", **summary), highlight=False)


def _one_action(service, period: str, number: int, frame, names) -> None:
    from gosplan.service.action_plan import adopted_plan
    from gosplan.service.action_words import action_sentence, qty, rating_word

    document = adopted_plan(service, period)["document"]
    found = [a for a in document["actions"] if a["number"] == number]
    if not found:
        from gosplan.errors import NotFound

        raise NotFound(_("no action #{number} in the adopted plan for {period}", number=number, period=period))
    console.print(f"[bold]#{number}[/] {action_sentence(found[0], names)}", highlight=False)
    grid = terminal.table()
    terminal.number(grid, _("Month"))
    terminal.number(grid, _("Planned"))
    terminal.number(grid, _("Actual"))
    terminal.number(grid, _("Share"))
    terminal.text(grid, _("Rating"), min_width=5)
    terminal.text(grid, _("Escalated to"), min_width=8, wrap=True)
    for r in frame.itertuples(index=False):
        to = r.escalated_to if isinstance(r.escalated_to, str) else ""
        share = f"{100 * r.share:.1f} %" if r.share == r.share else "–"
        grid.add_row(r.month, qty(r.planned, r.uom), qty(r.actual, r.uom), share, rating_word(r.rating),
                     names.unit(to) if to else "")
    terminal.show(console, grid)


MEASURE_LABELS = {"supplier_delivery": N_("inputs"), "peer_learning": N_("peer"), "join_movement": N_("movement"),
                  "move_workers": N_("workers"),
                  "irrigate": N_("drainage"), "capacity": N_("capacity")}


def _numbers(service, period: str) -> dict[str, int]:
    from gosplan.service.action_plan import adopted_plan

    return {a["key"]: a["number"] for a in adopted_plan(service, period)["document"]["actions"]}
