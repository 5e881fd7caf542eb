"""The proposed action plan, and how the actions accepted earlier are doing."""

from __future__ import annotations

import pandas as pd

from gosplan.review.document import ReviewContext, Section, section
from gosplan.review.format import html_table

ORIGIN_WORDS = {"laggards": "to close gaps of lagging units", "projects": "to recover project schedules",
                "risk": "against weather risk", "forecast": "to raise the monthly rate of targets at risk",
                "reserves": "to learn from peers", "balance": "to relieve binding capacities"}


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
    parts = [f"{n} {ORIGIN_WORDS.get(origin, 'from ' + origin)}" for origin, n in counts.items()]
    line = f"Action plan: {len(proposals)} actions proposed"
    line += f" ({', '.join(parts)})." if parts else "."
    lines = [line]
    if len(tracked):
        recovered = int(tracked["verdict"].eq("recovered").sum())
        improving = int(tracked["verdict"].eq("improving").sum())
        lines.append(f"Of {len(tracked)} actions accepted earlier, {recovered} reached their target and "
                     f"{improving} are improving.")
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
        ("#", "num", lambda r: int(r["id"])), (_("Action"), "", lambda r: r["title"]),
        (_("Owner"), "", lambda r: r["owner_name"]),
        (_("Linked target"), "", lambda r: f"{r['indicator']} at {r['unit']}, {r['period']}"),
        (_("Due"), "num", lambda r: str(r["due"])), (_("Check"), "note", lambda r: r["check"])])
    body += ('<p class="note">Proposed from the findings of this review; planners accept, edit or reject them '
             "with gosplan actions. Accepted actions are tracked: the next review compares the linked target "
             "with its value at acceptance.</p>")
    if len(tracked):
        body += "<h3>Actions accepted earlier</h3>" + html_table(tracked, [
            ("#", "num", lambda r: int(r["id"])), (_("Action"), "", lambda r: r["title"]),
            (_("Status"), "", lambda r: r["status"]), (_("Due"), "num", lambda r: str(r["due"])),
            (_("Measure"), "", lambda r: r["metric"]),
            (_("At acceptance"), "num", lambda r: f"{r['baseline']:.2f}"), (_("Now"), "num", lambda r: f"{r['now']:.2f}"),
            (_("Verdict"), "", lambda r: r["verdict"])])
    return Section("actions", "Proposed action plan", body, actions_summary(proposals, tracked),
                   {"proposals": proposals, "tracked": tracked})
