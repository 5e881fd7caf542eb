"""Relieve a binding capacity: the bottlenecks of the balanced plan, most valuable first.

A capacity binds when the plan's final-demand targets need more output than the sector can make;
its shadow price says how much final output one more unit of capacity would add (Kantorovich's
objectively determined valuation), which orders the actions.
"""

from __future__ import annotations

from gosplan.engines.actions import Findings, ProposedAction, finite, month_end, proposer, worded
from gosplan.model import Period


@proposer("balance", needs=("binding_capacities",))
def relieve_binding_capacities(findings: Findings) -> list[ProposedAction]:
    """``binding_capacities``: rows (constraint, sector, sector_name, limit, shadow_price, required_output,
    year, owner_unit, owner_name, indicator, indicator_name, fulfilment)."""
    table = findings.tables["binding_capacities"]
    as_of = findings.as_of
    actions = []
    for row in table.sort_values("shadow_price", ascending=False).itertuples():
        gap = max(float(row.required_output) - float(row.limit), 0.0)
        share = gap / float(row.limit) if float(row.limit) > 0 else 0.0
        year_end = Period.parse(f"{int(row.year)}-12")
        due = month_end(year_end if year_end.ordinal > as_of.ordinal else as_of.shift(3))
        title, title_words = worded(
            "Relieve the binding capacity of {sector} (shadow price {price} won of final output per won of capacity): "
            "add {gap} million won of output capacity ({share}) at {owner} and its suppliers",
            sector=str(row.sector_name), price=f"{float(row.shadow_price):.2f}", gap=f"{gap:,.0f}",
            share=f"{share:.1%}", owner=str(row.owner_name))
        now = float(row.fulfilment) if finite(row.fulfilment) else None
        values = {"indicator": str(row.indicator_name), "owner": str(row.owner_name), "due": f"{due:%Y-%m-%d}",
                  "sector": str(row.sector_name), "required": f"{float(row.required_output):,.0f}"}
        if row.indicator and now is not None:
            check, check_words = worded(
                "{indicator} at {owner} at least 100 % of its target by {due} (now {now}); {sector} capacity raised "
                "to {required} million won so that the constraint no longer binds at the next balance",
                now=f"{now:.1%}", **values)
        elif row.indicator:
            check, check_words = worded(
                "{indicator} at {owner} at least 100 % of its target by {due}; {sector} capacity raised to {required} "
                "million won so that the constraint no longer binds at the next balance", **values)
        else:
            check, check_words = worded(
                "{sector} capacity raised to {required} million won by {due}, so that the constraint no longer binds "
                "at the next balance", **values)
        details = {"words": {"title": title_words, "check": check_words},
                   "metric": "fulfilment", "baseline": now, "baseline_period": str(as_of),
                   "constraint": str(row.constraint), "shadow_price": float(row.shadow_price),
                   "capacity": float(row.limit), "required_output": float(row.required_output),
                   "capacity_gap": gap, "key": f"balance:{row.constraint}:{int(row.year)}"}
        actions.append(ProposedAction(title, str(row.owner_unit), due, row.indicator or None,
                                      str(row.owner_unit), str(int(row.year)), check, "balance",
                                      details=details))
    return actions
