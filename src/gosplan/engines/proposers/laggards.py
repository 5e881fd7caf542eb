"""Close the gap of a lagging unit: the required monthly rate to meet its annual target."""

from __future__ import annotations

from gosplan.engines.actions import Findings, ProposedAction, finite, month_end, proposer, worded
from gosplan.model import Period
from gosplan.quantities import format_quantity

# Per key indicator, the units furthest behind (by shortfall against their target to date).
PER_INDICATOR = 2


@proposer("laggards", needs=("laggards",))
def close_gaps(findings: Findings) -> list[ProposedAction]:
    """``laggards``: fulfilment rows of units (unit, indicator, target, actual, fulfilment, status,
    annual_target, months_left, required_rate, rate_to_date, uom, names; ``key`` optional)."""
    table = findings.tables["laggards"]
    if table.empty:
        return []
    lag = table[table["status"].eq("lagging") & (table["target"] > table["actual"])]
    if "key" in lag:
        lag = lag[lag["key"].astype(bool)]
    lag = lag.assign(short=(lag["target"] - lag["actual"]) / lag["target"])
    lag = lag.sort_values(["indicator", "short"], ascending=[True, False]).groupby("indicator").head(PER_INDICATOR)
    as_of = findings.as_of
    due = month_end(Period(as_of.year, "M", 12))
    start = as_of.shift(1) if as_of.index < 12 else as_of
    actions = []
    for row in lag.sort_values("short", ascending=False).itertuples(index=False):
        gap = float(row.target - row.actual)
        uom = str(row.uom)
        rate = float(row.required_rate) if finite(row.required_rate) else float("nan")
        rate_text = format_quantity(rate, uom) if finite(rate) else "–"
        title, title_words = worded("Close the gap of {gap} in {indicator} at {unit} by {due}: {rate} a month from "
                                    "{month}", months=("month",), gap=format_quantity(gap, uom),
                                    indicator=str(row.indicator_name), unit=str(row.unit_name), due=f"{due:%Y-%m-%d}",
                                    rate=rate_text, month=str(start))
        check, check_words = worded("Monthly {indicator} at least {rate} from {start}; annual target met by {due} "
                                    "(fulfilment to date now {fulfilment})", indicator=row.indicator_name.lower(),
                                    rate=rate_text, start=str(start), due=f"{due:%Y-%m-%d}",
                                    fulfilment=f"{100 * float(row.fulfilment):.0f} %")
        details = {"words": {"title": title_words, "check": check_words},
                   "metric": "fulfilment", "gap": gap, "required_rate": rate, "uom": uom,
                   "rate_to_date": float(row.rate_to_date) if finite(row.rate_to_date) else None,
                   "baseline": float(row.fulfilment), "baseline_period": findings.period,
                   "key": f"laggards:{row.indicator}:{row.unit}:{as_of.year}"}
        actions.append(ProposedAction(title, str(row.unit), due, str(row.indicator), str(row.unit),
                                      str(as_of.year), check, "laggards", details=details))
    return actions



