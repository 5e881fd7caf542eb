"""Recover the schedule of a slipping or late construction project."""

from __future__ import annotations

import math

from gosplan.engines.actions import Findings, ProposedAction, month_end, proposer, worded
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
        title, title_words = worded("Recover the schedule of {project}: {required} of the work a month to finish by "
                                    "{end} (forecast now {forecast})", project=str(row.name),
                                    required=f"{required:.1f} %", end=str(end), forecast=str(row.forecast_end))
        check, check_words = worded("SPI(t) at least 0.95 at the next review (now {spi}); 100 % complete by {due} "
                                    "(now {done})", spi=f"{float(row.spi_t):.2f}", due=f"{due:%Y-%m-%d}",
                                    done=f"{float(row.percent_complete):.1f} %")
        details = {"words": {"title": title_words, "check": check_words},
                   "metric": "spi_t", "project": str(row.project), "baseline": float(row.spi_t),
                   "baseline_period": str(as_of), "required_percent_per_month": required,
                   "forecast_percent_per_month": recent, "key": f"projects:{row.project}:{as_of}"}
        actions.append(ProposedAction(title, str(row.unit), due, "dwellings", str(row.unit), str(as_of.year),
                                      check, "projects", details=details))
    return actions
