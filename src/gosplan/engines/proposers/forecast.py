"""Raise the monthly rate of the targets the forecast says will be missed.

>>> import pandas as pd
>>> from gosplan.engines.actions import Findings, propose
>>> risk = pd.DataFrame([{"indicator": "coal", "indicator_name": "Coal", "uom": "t", "unit": "mine.a",
...     "unit_name": "Mine A", "year": 2023, "target": 240.0, "expected_total": 200.0, "shortfall": 40.0,
...     "p_attain": 0.1, "required_monthly_rate": 22.0, "rate_to_date": 18.0, "months_remaining": 6}])
>>> propose(Findings("2023-06", {"targets_at_risk": risk}), only=["forecast"]).loc[0, "title"]
'Raise the monthly rate of Coal at Mine A to 22.0 t from July'
"""

from __future__ import annotations

from gosplan.engines.actions import Findings, ProposedAction, finite, month_end, proposer, worded
from gosplan.model import Period
from gosplan.quantities import format_quantity

# Per indicator, the units with the largest expected shortfall in the indicator's own unit.
PER_INDICATOR = 2


@proposer("forecast", needs=("targets_at_risk",))
def raise_rates(findings: Findings) -> list[ProposedAction]:
    """``targets_at_risk``: forecast rows (indicator, unit, names, uom, year, target, expected_total,
    shortfall, p_attain, required_monthly_rate, rate_to_date, months_remaining)."""
    table = findings.tables["targets_at_risk"]
    as_of = findings.as_of
    if table.empty or as_of.index == 12:
        return []
    risky = table[table["shortfall"].gt(0) & table["required_monthly_rate"].map(finite)]
    risky = risky.sort_values("shortfall", ascending=False, kind="stable").groupby("indicator").head(PER_INDICATOR)
    start = as_of.shift(1)
    due = month_end(Period(as_of.year, "M", 12))
    actions = []
    for row in risky.itertuples(index=False):
        uom = str(row.uom)
        rate = format_quantity(float(row.required_monthly_rate), uom)
        so_far = format_quantity(float(row.rate_to_date), uom) if finite(row.rate_to_date) else "–"
        title, title_words = worded("Raise the monthly rate of {indicator} at {unit} to {rate} from {month}",
                                    months=("month",), indicator=str(row.indicator_name), unit=str(row.unit_name),
                                    rate=rate, month=str(start))
        check, check_words = worded(
            "Monthly {indicator} at {unit} at least {rate} from {start} (so far {so_far} a month); annual target of "
            "{target} met by {due} (forecast now {expected}, P(attain) {p})", indicator=str(row.indicator_name).lower(),
            unit=str(row.unit_name), rate=rate, start=str(start), so_far=so_far,
            target=format_quantity(float(row.target), uom), due=f"{due:%Y-%m-%d}",
            expected=format_quantity(float(row.expected_total), uom), p=f"{float(row.p_attain):.2f}")
        details = {"words": {"title": title_words, "check": check_words},
                   "metric": "fulfilment", "shortfall": float(row.shortfall), "uom": uom,
                   "required_rate": float(row.required_monthly_rate), "p_attain": float(row.p_attain),
                   "expected_total": float(row.expected_total), "baseline_period": findings.period,
                   "key": f"forecast:{row.indicator}:{row.unit}:{as_of.year}"}
        actions.append(ProposedAction(title, str(row.unit), due, str(row.indicator), str(row.unit),
                                      str(as_of.year), check, "forecast", details=details))
    return actions
