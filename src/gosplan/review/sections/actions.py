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
    return Section("actions", _("Proposed action plan"), plan_body + body + stock_body,
                   actions_summary(proposals, tracked) + plan_lines + stock_lines,
                   {"proposals": proposals, "tracked": tracked, "stocktake": stock_data})
