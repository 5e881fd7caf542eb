"""Projects reconciled with reports: dwellings a project records as delivered against the builder's
own monthly reports of the dwellings indicator.

A builder reports every dwelling it completes, on its projects or not, so in any month the
deliveries its projects record cannot exceed what it reported. Where they do (or where the builder
reported nothing for a month its projects delivered), one of the two records is wrong: a
data-quality finding with both numbers. Months are compared one by one and over the whole span of
each finding's year (a handover recorded in April against completions reported through the year is
still a difference over the year).

>>> progress = pd.DataFrame({"project": "H1", "period": ["2023-03", "2023-04"],
...                          "dwellings_completed": [0, 10_000]})
>>> projects = pd.DataFrame({"code": ["H1"], "unit": ["bld"]})
>>> reports = pd.DataFrame({"unit": "bld", "period": ["2023-03", "2023-04"], "value": [419.0, 959.0]})
>>> found = reconcile_deliveries(projects, progress, reports, to_date=True)
>>> found[["unit", "period", "delivered", "reported", "difference"]].to_dict("records")
[{'unit': 'bld', 'period': '2023-04', 'delivered': 10000.0, 'reported': 959.0, 'difference': 9041.0}]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gosplan.errors import Problem, ValidationError

FINDING_COLUMNS = ["unit", "period", "projects", "delivered", "reported", "difference", "year", "delivered_year",
                   "reported_year", "kind"]


def monthly_deliveries(projects: pd.DataFrame, progress: pd.DataFrame, to_date: bool = True) -> pd.DataFrame:
    """``unit, period, projects, delivered``: dwellings the projects of each builder record per month.

    ``dwellings_completed`` is a total to date when ``to_date`` (the demo's and most offices' form),
    else the month's amount.
    """
    missing = [c for c in ("project", "period", "dwellings_completed") if c not in progress.columns]
    missing += [c for c in ("code", "unit") if c not in projects.columns]
    if missing:
        raise ValidationError([Problem("project_progress", None, c, "required column missing") for c in missing])
    frame = progress[["project", "period", "dwellings_completed"]].copy()
    frame["dwellings_completed"] = pd.to_numeric(frame["dwellings_completed"], errors="coerce").fillna(0.0)
    frame = frame.sort_values(["project", "period"], kind="stable")
    if to_date:
        frame["dwellings_completed"] = frame.groupby("project")["dwellings_completed"].diff().fillna(
            frame["dwellings_completed"])
    frame = frame[frame["dwellings_completed"] > 0]
    frame["unit"] = frame["project"].map(projects.set_index("code")["unit"])
    if frame["unit"].isna().any():
        unknown = sorted(set(frame.loc[frame["unit"].isna(), "project"]))
        raise ValidationError([Problem("project_progress", None, "project", f"unknown project {p!r}")
                               for p in unknown])
    grouped = frame.groupby(["unit", "period"], as_index=False).agg(
        projects=("project", lambda p: ";".join(sorted(set(p)))), delivered=("dwellings_completed", "sum"))
    return grouped


def reconcile_deliveries(projects: pd.DataFrame, progress: pd.DataFrame, reports: pd.DataFrame,
                         to_date: bool = True, tolerance: float = 0.02, slack: float = 1.0) -> pd.DataFrame:
    """Months where a builder's projects record more dwellings than the builder reported.

    ``reports`` is ``unit, period, value`` (the builders' dwellings reports). A finding needs the
    projects' deliveries to exceed the report by more than ``tolerance`` of it plus ``slack``
    dwellings; a month without a report is a finding of kind ``no report``, otherwise
    ``more delivered than reported``. Columns :data:`FINDING_COLUMNS`: the month's numbers and the
    year's (``delivered_year``, ``reported_year``: the same builder's totals over that calendar year
    up to the last month either record covers).
    """
    delivered = monthly_deliveries(projects, progress, to_date)
    if delivered.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    reported = reports.groupby(["unit", "period"])["value"].sum()
    frame = delivered.assign(reported=[reported.get((u, p), np.nan) for u, p in
                                       zip(delivered["unit"], delivered["period"], strict=True)])
    over = frame["delivered"] > frame["reported"].fillna(0.0) * (1 + tolerance) + slack
    found = frame[over].copy()
    if found.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    found["difference"] = found["delivered"] - found["reported"].fillna(0.0)
    found["year"] = found["period"].str[:4]
    found["kind"] = np.where(found["reported"].isna(), "no report", "more delivered than reported")
    year_delivered = delivered.assign(year=delivered["period"].str[:4])
    year_reports = reports.assign(year=reports["period"].astype(str).str[:4])
    last = pd.concat([year_delivered[["unit", "year", "period"]], year_reports[["unit", "year", "period"]]])
    last = last.groupby(["unit", "year"])["period"].max()
    found["delivered_year"] = [
        float(year_delivered[(year_delivered["unit"] == u) & (year_delivered["year"] == y)]["delivered"].sum())
        for u, y in zip(found["unit"], found["year"], strict=True)]
    found["reported_year"] = [
        float(year_reports[(year_reports["unit"] == u) & (year_reports["year"] == y)
                           & (year_reports["period"] <= last[(u, y)])]["value"].sum())
        for u, y in zip(found["unit"], found["year"], strict=True)]
    for column in ("delivered", "reported", "difference"):
        found[column] = found[column].astype(float)
    return found[FINDING_COLUMNS].sort_values(["period", "unit"], kind="stable").reset_index(drop=True)


__all__ = ["FINDING_COLUMNS", "monthly_deliveries", "reconcile_deliveries"]
