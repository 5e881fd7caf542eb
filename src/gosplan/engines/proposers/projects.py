"""Recover the schedule of a slipping or late construction project."""

from __future__ import annotations

import math

from gosplan.engines.actions import Findings, ProposedAction, month_end, proposer
from gosplan.model import Period, month_ordinal

# A late project is given this many months from the review to recover when its planned end has passed.
RECOVERY_MONTHS = 3


@proposer("projects", needs=("projects",))
def recover_schedules(findings: Findings) -> list[ProposedAction]:
    """``projects``: earned-value rows (project, name, unit, percent_complete, spi_t, planned_end,
    forecast_end, status, complete)."""
    table = findings.tables["projects"]
    as_of = findings.as_of
    actions = []
    for row in table[table["status"].isin(["slipping", "late"]) & ~table["complete"].astype(bool)].itertuples():
        end = Period.parse(str(row.planned_end))
        if end.ordinal <= as_of.ordinal:
            end = as_of.shift(RECOVERY_MONTHS)
        months = end.ordinal - as_of.ordinal
        remaining = 100.0 - float(row.percent_complete)
        required = remaining / months
        recent = float(row.spi_t) * remaining / max(month_ordinal(str(row.forecast_end)) - as_of.ordinal, 1) \
            if row.forecast_end else math.nan
        due = month_end(end)
        title = (f"Recover the schedule of {row.name}: {required:.1f} % of the work a month to finish by "
                 f"{end} (forecast now {row.forecast_end})")
        check = (f"SPI(t) at least 0.95 at the next review (now {float(row.spi_t):.2f}); "
                 f"100 % complete by {due:%Y-%m-%d} (now {float(row.percent_complete):.1f} %)")
        details = {"metric": "spi_t", "project": str(row.project), "baseline": float(row.spi_t),
                   "baseline_period": str(as_of), "required_percent_per_month": required,
                   "forecast_percent_per_month": recent, "key": f"projects:{row.project}:{as_of}"}
        actions.append(ProposedAction(title, str(row.unit), due, "dwellings", str(row.unit), str(as_of.year),
                                      check, "projects", details=details))
    return actions
