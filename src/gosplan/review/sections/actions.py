"""The proposed action plan, and how the actions accepted earlier are doing."""

from __future__ import annotations

import pandas as pd

from gosplan.i18n import N_, _, current_language, ngettext
from gosplan.model import Period
from gosplan.review.document import ReviewContext, Section, section
from gosplan.review.format import heading_html, html_table, note_html

ORIGIN_WORDS = {"laggards": N_("to close gaps of lagging units"), "projects": N_("to recover project schedules"),
                "risk": N_("against weather risk"), "forecast": N_("to raise the monthly rate of targets at risk"),
                "reserves": N_("to learn from peers"), "balance": N_("to relieve binding capacities")}
VERDICT_WORDS = {"recovered": N_("recovered"), "improving": N_("improving"), "not recovered": N_("not recovered"),
                 "no data": N_("no data")}
ACTION_STATUS_WORDS = {"proposed": N_("proposed"), "accepted": N_("accepted"), "rejected": N_("rejected"),
                       "done": N_("done"), "closed": N_("closed")}


AGAINST_WORDS = [N_("drought"), N_("heavy rain and flood"), N_("cold spells"), N_("flood"), N_("cold")]


def action_text(row: pd.Series, field: str) -> str:
    """An action's title or check in the reader's language: English as stored; in another language made
    again from the template and values the proposer recorded in ``details["words"]``."""
    stored = str(row[field])
    details = row.get("details")
    record = details.get("words", {}).get(field) if isinstance(details, dict) else None
    if current_language() == "en" or not record:
        return stored
    return "; ".join(_worded(part) for part in (record if isinstance(record, list) else [record]))


def _worded(record: dict) -> str:
    from gosplan.review.sections.risk import measure_name
    from gosplan.review.stocktake import MONTH_NAMES

    values = dict(record.get("values", {}))
    for key in record.get("months", []):
        values[key] = _(MONTH_NAMES[Period.parse(str(values[key])).index - 1])
    for key in record.get("words", []):
        values[key] = _(str(values[key]))
    if "peer_list" in values:
        values["peers"] = ", ".join(values["peer_list"])
    if "measure" in values:
        values["measure"] = measure_name(str(values["measure"]))
    return _(str(record["template"]), **values)


def _word(words: dict[str, str], code: object) -> str:
    return _(words[code]) if isinstance(code, str) and code in words else str(code)


def _proposals(ctx: ReviewContext) -> pd.DataFrame:
    """Stored proposals of this period if a planner ran ``gosplan actions propose``; else fresh ones."""
    from gosplan.service.actions import propose_actions

    stored = ctx.service.store.actions_with_details(status="proposed")
    stored = stored[stored["details"].map(lambda d: d.get("proposed_for")).eq(ctx.period)]
    if len(stored):
        return stored.reset_index(drop=True)
    fresh = propose_actions(ctx.service, ctx.period)
    return fresh.assign(id=range(1, len(fresh) + 1), status="proposed")


def actions_summary(proposals: pd.DataFrame, tracked: pd.DataFrame) -> list[str]:
    counts = proposals["origin"].value_counts()
    parts = [_("{count} {purpose}", count=n, purpose=_(ORIGIN_WORDS[origin])) if origin in ORIGIN_WORDS
             else _("{count} from {origin}", count=n, origin=origin) for origin, n in counts.items()]
    if parts:
        line = ngettext("Action plan: {count} action proposed ({parts}).", "Action plan: {count} actions proposed "
                        "({parts}).", len(proposals), parts=", ".join(parts))
    else:
        line = ngettext("Action plan: {count} action proposed.", "Action plan: {count} actions proposed.",
                        len(proposals))
    lines = [line]
    if len(tracked):
        recovered = int(tracked["verdict"].eq("recovered").sum())
        improving = int(tracked["verdict"].eq("improving").sum())
        lines.append(_("Of {count} actions accepted earlier, {recovered} reached their target and {improving} are "
                       "improving.", count=len(tracked), recovered=recovered, improving=improving))
    return lines


@section(order=80, key="actions")
def action_plan(ctx: ReviewContext) -> Section | None:
    from gosplan.service.actions import track_actions

    proposals = _proposals(ctx)
    tracked = track_actions(ctx.service, ctx.period)
    if proposals.empty and tracked.empty:
        return None
    names = ctx.service.units().set_index("code")["name"]
    proposals = proposals.assign(owner_name=proposals["owner_unit"].map(names).fillna(proposals["owner_unit"]))
    body = html_table(proposals, [
        ("#", "num", lambda r: int(r["id"])), (_("Action"), "", lambda r: action_text(r, "title")),
        (_("Owner"), "", lambda r: r["owner_name"]),
        (_("Linked target"), "", lambda r: _("{indicator} at {unit}, {period}", indicator=r["indicator"],
                                             unit=r["unit"], period=r["period"])),
        (_("Due"), "num", lambda r: str(r["due"])), (_("Check"), "note", lambda r: action_text(r, "check"))])
    body += note_html(_("Proposed from the findings of this review; planners accept, edit or reject them with gosplan "
                        "actions. Accepted actions are tracked: the next review compares the linked target with its "
                        "value at acceptance."))
    if len(tracked):
        body += heading_html(_("Actions accepted earlier")) + html_table(tracked, [
            ("#", "num", lambda r: int(r["id"])), (_("Action"), "", lambda r: action_text(r, "title")),
            (_("Status"), "", lambda r: _word(ACTION_STATUS_WORDS, r["status"])),
            (_("Due"), "num", lambda r: str(r["due"])),
            (_("Measure"), "", lambda r: r["metric"]),
            (_("At acceptance"), "num", lambda r: f"{r['baseline']:.2f}"),
            (_("Now"), "num", lambda r: f"{r['now']:.2f}"),
            (_("Verdict"), "", lambda r: _word(VERDICT_WORDS, r["verdict"]))])
    return Section("actions", _("Proposed action plan"), body, actions_summary(proposals, tracked),

                   {"proposals": proposals, "tracked": tracked})
