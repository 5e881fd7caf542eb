"""The engines' raw proposals, one line each, with the action of the definite plan that covers each of
them or why none does. They are the findings the plan was made from, not the plan: the action-plan
annex shows the plan itself."""

from __future__ import annotations

import pandas as pd

from gosplan.i18n import N_, _, ngettext
from gosplan.review.document import ReviewContext, Section, section
from gosplan.review.format import html_table
from gosplan.review.sections.actions import (
    ORIGIN_WORDS,
    action_text,
    decision_label,
    definite_plan,
    origin_parts,
    proposals,
)

# The engine each proposal came from, as a column of the table.
ENGINE_WORDS = {"laggards": N_("lagging units"), "projects": N_("projects"), "risk": N_("weather"),
                "forecast": N_("forecast"), "reserves": N_("reserves"), "balance": N_("balance")}
REASON_WORDS = {"pace_met": N_("none: its pace already meets the target"),
                "no_finding": N_("none: the plan has no target to date for this unit and indicator")}


def cover_text(cover: pd.Series) -> str:
    """``#3, #4; D7`` (actions, then decisions for the plenum) or why no action covers the proposal."""
    actions = ", ".join(f"#{n}" for n in cover["actions"])
    decisions = ", ".join(decision_label(n) for n in cover["decisions"])
    if cover["reason"] in REASON_WORDS:
        return _(REASON_WORDS[cover["reason"]])
    if actions and decisions:
        return _("{actions}; the rest: {decisions}", actions=actions, decisions=decisions)
    if actions:
        return actions
    return _("for the plenum: {decisions}", decisions=decisions)


def _engine(origin: object) -> str:
    return _(ENGINE_WORDS[origin]) if isinstance(origin, str) and origin in ENGINE_WORDS else str(origin)


@section(order=85, key="action_proposals")
def engine_proposals(ctx: ReviewContext) -> Section | None:
    from gosplan.engines.action_plan.cover import proposal_cover

    proposed = proposals(ctx)
    if proposed.empty:
        return None
    version = definite_plan(ctx)
    columns = [("#", "num", lambda r: int(r["id"])), (_("Engine"), "", lambda r: _engine(r["origin"])),
               (_("Proposal"), "", lambda r: action_text(r, "title")), (_("Owner"), "", lambda r: r["owner_name"])]
    if version is None:
        frame = proposed
        lines = [ngettext("The engines propose {count} action ({parts}); no definite plan covers it yet.",
                          "The engines propose {count} actions ({parts}); no definite plan covers them yet.",
                          len(proposed), parts=origin_parts(proposed))]
    else:
        cover = proposal_cover(version["document"], proposed)
        frame = proposed.join(cover)
        counts = cover["reason"].value_counts()
        lines = [_("The engines proposed {count} actions. Covered by the actions of version {version} of the "
                   "definite plan: {covered}; to the plenum as decisions: {plenum}; no measure needed (the pace "
                   "shown meets the target): {met}; no target to date in the plan: {none}.",
                   count=len(proposed), version=version["version"], covered=int(counts.get("covered", 0)),
                   plenum=int(counts.get("plenum", 0)), met=int(counts.get("pace_met", 0)),
                   none=int(counts.get("no_finding", 0)))]
        columns.append((_("Covered by"), "", cover_text))
    lead = _("Every action the engines proposed from the findings, one line each, and the action or decision of "
             "the definite plan that covers it (numbers as in the action plan).")
    return Section("action_proposals", _("The engines' proposals"), html_table(frame, columns), lines,
                   {"proposals": frame}, lead=lead)


__all__ = ["ENGINE_WORDS", "ORIGIN_WORDS", "REASON_WORDS", "cover_text", "engine_proposals"]
