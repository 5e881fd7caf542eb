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


def _stocktakes(ctx: ReviewContext) -> tuple[str, list[str], dict]:
    """The adopted action plans that began before this period's last month, taken stock of to it."""
    from gosplan.i18n import _
    from gosplan.model import Period
    from gosplan.service.action_plan import stocktake, stocktake_summary
    from gosplan.service.action_words import Names

    through = str(Period.parse(ctx.period).last_month())
    versions = ctx.service.store.action_plan_versions()
    adopted = versions[versions["status"].eq("adopted")]
    body, lines, data = "", [], {}
    names = None
    for plan_period in sorted(set(adopted["period"])):
        version = ctx.service.store.action_plan_version(plan_period, int(
            adopted.loc[adopted["period"].eq(plan_period), "version"].max()))
        document = version["document"]
        if not (document["as_of"] < through <= f"{document['as_of'][:4]}-12"):
            continue
        frame = stocktake(ctx.service, plan_period, through)
        if frame.empty:
            continue
        names = names or Names.of(ctx.service)
        counts = stocktake_summary(frame)
        lines.append(_("Stocktake of the action plan {plan} (adopted by {body} on {day}) to {month}: {actions} "
                       "actions, {green} green, {amber} amber, {red} red at the last milestone; {escalated} "
                       "escalated.", plan=plan_period, body=version["adopted_by_body"],
                       day=str(version["adopted_on"]), month=through, **counts))
        body += "<h3>" + _("Stocktake of the action plan {plan} to {month}", plan=plan_period, month=through) \
            + "</h3>" + _stocktake_table(frame, document, names)
        data[plan_period] = frame
    return body, lines, data


def _stocktake_table(frame: pd.DataFrame, document: dict, names) -> str:
    """One row per action: its last milestone, the ratings month by month, where it was escalated."""
    from gosplan.i18n import _
    from gosplan.service.action_words import action_sentence, qty, rating_word

    actions = {a["key"]: a for a in document["actions"]}
    last = frame.groupby("key", sort=False).tail(1).assign(
        months=frame.groupby("key", sort=False)["rating"].transform(lambda r: " ".join(rating_word(x) for x in r)))
    return html_table(last, [
        ("#", "num", lambda r: int(actions[r["key"]]["number"])),
        (_("Action"), "", lambda r: action_sentence(actions[r["key"]], names)),
        (_("Owner"), "", lambda r: names.unit(r["owner"])),
        (_("Planned"), "num", lambda r: qty(r["planned"], r["uom"])),
        (_("Actual"), "num", lambda r: qty(r["actual"], r["uom"])),
        (_("Month by month"), "", lambda r: r["months"]),
        (_("Escalated to"), "", lambda r: names.unit(r["escalated_to"]) if isinstance(r["escalated_to"], str)
         else "")])


def _definite_plan(ctx: ReviewContext) -> tuple[str, list[str]]:
    """The stored definite plan of this period (the adopted version, else the latest proposal)."""
    import html

    from gosplan.i18n import _
    from gosplan.service.action_words import Names, action_sentence, decision_sentence, milestones_line

    versions = ctx.service.store.action_plan_versions(ctx.period)
    if versions.empty:
        return "", []
    adopted = versions[versions["status"].eq("adopted")]
    chosen = ctx.service.store.action_plan_version(
        ctx.period, int((adopted if len(adopted) else versions)["version"].max()))
    document = chosen["document"]
    names = Names.of(ctx.service)
    status = (_("adopted by {body} on {day}", body=chosen["adopted_by_body"], day=str(chosen["adopted_on"]))
              if chosen["status"] == "adopted" else _(chosen["status"]))
    line = _("Definite action plan {period}, version {version} ({status}): {actions} actions on {findings} "
             "findings, {decisions} decisions for the plenum.", period=ctx.period, version=chosen["version"],
             status=status, actions=len(document["actions"]), findings=len(document["findings"]),
             decisions=len(document["decisions"]))
    rows = pd.DataFrame([{
        "number": a["number"], "action": action_sentence(a, names), "owner": names.unit(a["owner"]),
        "with": ", ".join(names.unit(c) for c in a["co_owners"]), "due": a["due"],
        "milestones": milestones_line([m for m in document["milestones"]
                                       if m["key"] == a["finding"] and m["month"] in a["milestones"]],
                                      document["as_of"])} for a in document["actions"]])
    body = "<h3>" + html.escape(line) + "</h3>"
    if len(rows):
        body += html_table(rows, [
            ("#", "num", lambda r: int(r["number"])), (_("Action"), "", lambda r: r["action"]),
            (_("Owner"), "", lambda r: r["owner"]), (_("With"), "note", lambda r: r["with"]),
            (_("Milestones"), "note", lambda r: r["milestones"]), (_("Due"), "num", lambda r: r["due"])])
    if document["decisions"]:
        items = "".join(f"<li>{html.escape(decision_sentence(d, names))}</li>" for d in document["decisions"])
        body += "<h3>" + html.escape(_("For the plenum to decide")) + f"</h3><ul>{items}</ul>"
    body += "<h3>" + html.escape(_("What the engines found (proposals)")) + "</h3>"
    return body, [line]


@section(order=80, key="actions")
def action_plan(ctx: ReviewContext) -> Section | None:
    from gosplan.service.actions import track_actions

    proposals = _proposals(ctx)
    tracked = track_actions(ctx.service, ctx.period)
    stock_body, stock_lines, stock_data = _stocktakes(ctx)
    plan_body, plan_lines = _definite_plan(ctx)
    if proposals.empty and tracked.empty and not stock_lines and not plan_lines:
        return None
    names = ctx.service.units().set_index("code")["name"]
    proposals = proposals.assign(owner_name=proposals["owner_unit"].map(names).fillna(proposals["owner_unit"]))
    body = html_table(proposals, [
        ("#", "num", lambda r: int(r["id"])), ("Action", "", lambda r: r["title"]),
        ("Owner", "", lambda r: r["owner_name"]),
        ("Linked target", "", lambda r: f"{r['indicator']} at {r['unit']}, {r['period']}"),
        ("Due", "num", lambda r: str(r["due"])), ("Check", "note", lambda r: r["check"])])
    body += ('<p class="note">Proposed from the findings of this review; planners accept, edit or reject them '
             "with gosplan actions. Accepted actions are tracked: the next review compares the linked target "
             "with its value at acceptance.</p>")
    if len(tracked):
        body += "<h3>Actions accepted earlier</h3>" + html_table(tracked, [
            ("#", "num", lambda r: int(r["id"])), ("Action", "", lambda r: r["title"]),
            ("Status", "", lambda r: r["status"]), ("Due", "num", lambda r: str(r["due"])),
            ("Measure", "", lambda r: r["metric"]),
            ("At acceptance", "num", lambda r: f"{r['baseline']:.2f}"), ("Now", "num", lambda r: f"{r['now']:.2f}"),
            ("Verdict", "", lambda r: r["verdict"])])
    return Section("actions", "Proposed action plan", plan_body + body + stock_body,
                   actions_summary(proposals, tracked) + plan_lines + stock_lines,
                   {"proposals": proposals, "tracked": tracked, "stocktake": stock_data})
