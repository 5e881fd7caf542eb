"""Prepare the best-valued measures against the weather risk to the grain target."""

from __future__ import annotations

from gosplan.engines.actions import Findings, ProposedAction, month_end, proposer, worded
from gosplan.quantities import format_quantity

TOP_MEASURES = 3
_AGAINST = {"drought": "drought", "flood": "heavy rain and flood", "cold": "cold spells"}


@proposer("risk", needs=("risk_measures",))
def prepare_measures(findings: Findings) -> list[ProposedAction]:
    """``risk_measures``: the risk engine's ranking (rank, measure, province, kind, area, cost,
    shortfall_reduction...); values ``risk_indicator`` (default grain) and ``province_names``."""
    table = findings.tables["risk_measures"]
    table = table[table["shortfall_reduction"] > 0].head(TOP_MEASURES)
    indicator = findings.values.get("risk_indicator", "grain")
    names = findings.values.get("province_names", {})
    uom = findings.values.get("risk_uom", "t")
    as_of = findings.as_of
    due = month_end(as_of.shift(1)) if as_of.index < 12 else month_end(as_of)
    actions = []
    for row in table.itertuples(index=False):
        province = names.get(row.province, row.province)
        against = _AGAINST.get(row.kind, row.kind)
        title, title_words = worded("Protect {area} ha more in {province} against {against} by {due} ({measure})",
                                    words=("against",), area=f"{row.area:,.0f}", province=str(province),
                                    against=str(against), due=f"{due:%Y-%m-%d}", measure=str(row.measure))
        check, check_words = worded("{area} ha additionally protected against {kind} and reported in service by {due}; "
                                    "expected shortfall of {indicator} lower by {reduction}", words=("kind",),
                                    area=f"{row.area:,.0f}", kind=str(row.kind), due=f"{due:%Y-%m-%d}",
                                    indicator=str(indicator),
                                    reduction=format_quantity(float(row.shortfall_reduction), uom))
        details = {"words": {"title": title_words, "check": check_words},
                   "metric": "fulfilment", "measure": str(row.measure), "area": float(row.area),
                   "cost": float(row.cost), "shortfall_reduction": float(row.shortfall_reduction),
                   "rank": int(row.rank), "key": f"risk:{row.measure}:{as_of.year}"}
        actions.append(ProposedAction(title, str(row.province), due, indicator, str(row.province),
                                      str(as_of.year), check, "risk", details=details))
    return actions
