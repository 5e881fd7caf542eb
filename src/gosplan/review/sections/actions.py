"""The action plan as the plenum reads it: the definite plan's decisions and its actions grouped by owner,
each with when it is done and its milestones; how the plans and actions adopted earlier are doing.

The engines' raw proposals are not the plan: once a definite plan exists (adopted, or proposed for the
period) they move to their own annex (:mod:`gosplan.review.sections.action_proposals`), each with the
action that covers it; before that this section shows the first few and says how to make the plan.
"""

from __future__ import annotations

import pandas as pd

from gosplan.i18n import N_, _, current_language, ngettext
from gosplan.i18n.codes import word_of
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


# What each kind of the plan's decisions asks of the plenum.
DECISION_KIND_WORDS = {"capacity": N_("investment in capacity"), "supply": N_("inputs beyond the suppliers' spare"),
                       "uncovered": N_("workers or machines"), "area": N_("drainage beyond the pace shown")}


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


_word = word_of  # the reader's word for a code of the plan document


TOP_PROPOSALS = 10


def _stored_or_fresh_proposals(ctx: ReviewContext) -> pd.DataFrame:
    """Stored proposals of this period if a planner ran ``gosplan actions propose``; else fresh ones."""
    from gosplan.service.actions import propose_actions

    stored = ctx.service.store.actions_with_details(status="proposed")
    stored = stored[stored["details"].map(lambda d: d.get("proposed_for")).eq(ctx.period)]
    if len(stored):
        return stored.reset_index(drop=True)
    fresh = propose_actions(ctx.service, ctx.period)
    return fresh.assign(id=range(1, len(fresh) + 1), status="proposed")


def proposals(ctx: ReviewContext) -> pd.DataFrame:
    """The engines' raw proposals for the review's period, with their owners' names (read once)."""
    def load() -> pd.DataFrame:
        frame = _stored_or_fresh_proposals(ctx)
        names = ctx.service.units().set_index("code")["name"]
        return frame.assign(owner_name=frame["owner_unit"].map(names).fillna(frame["owner_unit"]))

    return ctx.memo("action_proposals", load)


def definite_plan(ctx: ReviewContext) -> dict | None:
    """The plan version the review shows: adopted, else the latest proposed (read once)."""
    from gosplan.service.action_plan import current_plan

    return ctx.memo("definite_action_plan", lambda: current_plan(ctx.service, ctx.period))


def origin_parts(frame: pd.DataFrame) -> str:
    """``12 to close gaps of lagging units, 3 against weather risk``: the proposals counted by engine."""
    counts = frame["origin"].value_counts()
    return ", ".join(_("{count} {purpose}", count=n, purpose=_(ORIGIN_WORDS[origin])) if origin in ORIGIN_WORDS
                     else _("{count} from {origin}", count=n, origin=origin) for origin, n in counts.items())


def top_proposals(frame: pd.DataFrame, count: int = TOP_PROPOSALS) -> pd.DataFrame:
    """The first ``count`` proposals taking each engine's list in turn (each engine lists its largest first)."""
    if frame.empty:
        return frame
    turn = frame.groupby("origin", sort=False).cumcount()
    return frame.assign(_turn=turn).sort_values(["_turn"], kind="stable").head(count).drop(columns="_turn")


def tracked_summary(tracked: pd.DataFrame) -> list[str]:
    if tracked.empty:
        return []
    recovered = int(tracked["verdict"].eq("recovered").sum())
    improving = int(tracked["verdict"].eq("improving").sum())
    return [_("Of {count} actions accepted earlier, {recovered} reached their target and {improving} are "
              "improving.", count=len(tracked), recovered=recovered, improving=improving)]


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



def decision_label(number: int) -> str:
    """``D3``: how the review, the annex of proposals and the plenum refer to a decision."""
    return f"D{number}"


def _plan_status(version: dict) -> str:
    if version["status"] == "adopted":
        return _("adopted by {body} on {day}", body=version["adopted_by_body"], day=str(version["adopted_on"]))
    return _(version["status"])


def _definite_plan(ctx: ReviewContext, version: dict) -> tuple[str, list[str]]:
    """The plan's decisions for the plenum, then its actions grouped by owner, each once."""
    from gosplan.service.action_words import (
        Names,
        action_milestones,
        action_sentence,
        decision_sentence,
        done_when,
        milestones_line,
    )

    document = version["document"]
    names = Names.of(ctx.service)
    line = _("Definite action plan {period}, version {version} ({status}): {actions} actions on {findings} "
             "findings, {decisions} decisions for the plenum.", period=ctx.period, version=version["version"],
             status=_plan_status(version), actions=len(document["actions"]), findings=len(document["findings"]),
             decisions=len(document["decisions"]))
    body = ""  # the headline stands in the annex's summary, over this
    if version["status"] != "adopted":
        body += note_html(_("This version is proposed, not yet adopted: an admin records its adoption with gosplan "
                            "actions plan adopt --period {period} --version {version}.", period=ctx.period,
                            version=version["version"]))
    if document["decisions"]:
        decisions = pd.DataFrame({"label": [decision_label(i) for i in range(1, len(document["decisions"]) + 1)],
                                  "kind": [d["kind"] for d in document["decisions"]],
                                  "text": [decision_sentence(d, names) for d in document["decisions"]]})
        # The engine lists decisions by kind: name each kind once, over its decisions.
        decisions["shown_kind"] = decisions["kind"].map(lambda k: _word(DECISION_KIND_WORDS, k)).where(
            decisions["kind"].ne(decisions["kind"].shift()), "")
        body += heading_html(_("For the plenum to decide")) + html_table(decisions, [
            (_("What is needed"), "", lambda r: r["shown_kind"]), ("#", "num", lambda r: r["label"]),
            (_("Decision"), "", lambda r: r["text"])])
    rows = []
    for action in document["actions"]:
        milestones = action_milestones(document, action)
        rows.append({"owner_code": action["owner"], "number": action["number"], "finding": action["finding"],
                     "owner": names.unit(action["owner"]), "action": action_sentence(action, names),
                     "with": ", ".join(names.unit(c) for c in action.get("co_owners") or []),
                     "done": done_when(action, milestones, document["as_of"], names),
                     "milestones": milestones_line(milestones, document["as_of"]) if milestones else ""})
    if rows:
        frame = pd.DataFrame(rows)
        # Owners in the order of their first action; each owner named once, over its actions.
        first = frame.groupby("owner_code", sort=False)["number"].transform("min")
        frame = frame.assign(first=first).sort_values(["first", "number"], kind="stable").reset_index(drop=True)
        frame["shown_owner"] = frame["owner"].where(frame["owner_code"].ne(frame["owner_code"].shift()), "")
        # The actions on one finding are done together: say when, and the milestones, once.
        again = frame["finding"].eq(frame["finding"].shift())
        frame[["done", "milestones"]] = frame[["done", "milestones"]].mask(again, "")
        owners = frame["owner_code"].nunique()
        body += heading_html(ngettext("Actions by owner ({count} owner)", "Actions by owner ({count} owners)",
                                      owners)) + html_table(frame, [
            (_("Owner"), "", lambda r: r["shown_owner"]), ("#", "num", lambda r: int(r["number"])),
            (_("Action"), "", lambda r: r["action"]), (_("With"), "", lambda r: r["with"]),
            (_("Done when"), "", lambda r: r["done"]), (_("Milestones"), "", lambda r: r["milestones"])])
    return body, [line]


def _no_plan(ctx: ReviewContext, proposed: pd.DataFrame) -> tuple[str, list[str]]:
    """No definite plan yet: how to make one, and the first few of the engines' proposals."""
    if proposed.empty:
        return "", []
    parts = origin_parts(proposed)
    line = ngettext("No definite action plan for {period} yet: the engines propose {count} action ({parts}).",
                    "No definite action plan for {period} yet: the engines propose {count} actions ({parts}).",
                    len(proposed), period=ctx.period, parts=parts)
    body = note_html(_("A planner turns these findings into the definite plan (measures sized and bounded, owners, "
                       "milestones and decisions for the plenum) with gosplan actions plan propose --period "
                       "{period}; an admin records its adoption with gosplan actions plan adopt.", period=ctx.period))
    top = top_proposals(proposed)
    body += heading_html(ngettext("The first {shown} of {count} proposal", "The first {shown} of {count} proposals",
                                  len(proposed), shown=len(top))) + html_table(top, [
        ("#", "num", lambda r: int(r["id"])), (_("Action"), "", lambda r: action_text(r, "title")),
        (_("Owner"), "", lambda r: r["owner_name"]), (_("Due"), "num", lambda r: str(r["due"]))])
    if len(proposed) > len(top):
        body += note_html(_("All {count} proposals are listed in the annex of the engines' proposals.",
                            count=len(proposed)))
    return body, [line]


def _tracked_table(tracked: pd.DataFrame) -> str:
    if tracked.empty:
        return ""
    return heading_html(_("Actions accepted earlier")) + html_table(tracked, [
        ("#", "num", lambda r: int(r["id"])), (_("Action"), "", lambda r: action_text(r, "title")),
        (_("Status"), "", lambda r: _word(ACTION_STATUS_WORDS, r["status"])),
        (_("Due"), "num", lambda r: str(r["due"])),
        (_("Measure"), "", lambda r: r["metric"]),
        (_("At acceptance"), "num", lambda r: f"{r['baseline']:.2f}"),
        (_("Now"), "num", lambda r: f"{r['now']:.2f}"),
        (_("Verdict"), "", lambda r: _word(VERDICT_WORDS, r["verdict"]))])


@section(order=80, key="actions")
def action_plan(ctx: ReviewContext) -> Section | None:
    from gosplan.service.actions import track_actions

    version = definite_plan(ctx)
    proposed = proposals(ctx)
    tracked = track_actions(ctx.service, ctx.period)
    stock_body, stock_lines, stock_data = _stocktakes(ctx)
    plan_body, plan_lines = _definite_plan(ctx, version) if version is not None else _no_plan(ctx, proposed)
    if not plan_lines and tracked.empty and not stock_lines:
        return None
    body = plan_body + _tracked_table(tracked) + stock_body
    lead = _("The definite action plan: the decisions asked of the plenum, then the actions by owner, each with "
             "when it is done and its milestones; and how the plans and actions adopted earlier are doing.")
    return Section("actions", _("Action plan"), body, plan_lines + tracked_summary(tracked) + stock_lines,
                   {"tracked": tracked, "stocktake": stock_data,
                    "plan": pd.DataFrame((version or {}).get("document", {}).get("actions", []))}, lead=lead)
