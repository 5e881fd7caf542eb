"""Construction projects: load schedules and progress from the store, call the earned-value engine.

>>> from gosplan.service import Service
>>> service = Service.open("sqlite://"); _ = service.load_demo()
>>> status = project_status(service, "2023-06")
>>> status.set_index("project").loc["rural-npyongan", "status"]
'late'
"""

from __future__ import annotations

import pandas as pd

from gosplan.engines.project_reconciliation import FINDING_COLUMNS, reconcile_deliveries
from gosplan.engines.projects import EarnedValueSettings, dwellings_summary, project_history, track_projects
from gosplan.errors import NotFound
from gosplan.i18n import _
from gosplan.model import Period

# The demo's reporting form (and most construction offices') gives cost and dwellings as totals to date.
DEFAULT_SETTINGS = EarnedValueSettings(to_date=True)
DWELLINGS_INDICATOR = "dwellings"


def _frames(service) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return service._cached(("project_frames",), lambda: (
        service.store.projects(), service.store.project_milestones(), service.store.project_progress()))


def _non_housing(service) -> set[str]:
    """Projects that add capacity, modernise or research: they hand over no dwellings."""
    outcomes = service.store.project_outcomes()
    return set(outcomes.loc[outcomes["kind"].ne("housing"), "project"])


def latest_progress_month(service) -> str:
    """The last month any project reported progress for."""
    progress = _frames(service)[2]
    if progress.empty:
        raise NotFound(_("no project progress in the store: import project_progress first"))
    return str(progress["period"].max())


def project_status(service, as_of: str | Period | None = None, *, late_only: bool = False,
                   settings: EarnedValueSettings | None = None) -> pd.DataFrame:
    """Earned value of every project at the end of month ``as_of`` (default: the latest report).

    ``late_only`` keeps the projects that are slipping or late. Columns: the engine's
    ``EARNED_VALUE_COLUMNS``.
    """
    projects, milestones, progress = _frames(service)
    if projects.empty:
        raise NotFound(_("no projects in the store: import projects and project_progress first"))
    month = Period.parse(as_of or latest_progress_month(service)).last_month()
    key = ("project_status", str(month), settings)
    status = service._cached(key, lambda: track_projects(
        projects, milestones if len(milestones) else None, progress, as_of=month,
        settings=settings or DEFAULT_SETTINGS))
    if late_only:
        status = status[status["status"].isin(["slipping", "late"])]
    return status.reset_index(drop=True)


def project_curves(service, through: str | Period, settings: EarnedValueSettings | None = None) -> pd.DataFrame:
    """Monthly PV, EV and AC of each project up to ``through`` (the S-curves)."""
    projects, milestones, progress = _frames(service)
    return project_history(projects, milestones if len(milestones) else None, progress,
                           through=Period.parse(through).last_month(), settings=settings or DEFAULT_SETTINGS)


def dwellings_against_target(service, as_of: str | Period) -> pd.DataFrame:
    """Dwellings from projects (completed this year, expected in the year) against the dwellings target.

    One row per construction unit with a project, and a last row for the country (``unit`` = the
    root). ``target`` is the unit's annual target of the dwellings indicator (NaN where it has none);
    the national target covers every builder, including those without a tracked project.
    """
    status = project_status(service, as_of)
    status = status[~status["project"].isin(_non_housing(service))]
    year = Period.parse(as_of).year
    feed = dwellings_summary(status)
    targets = service.year_targets(year)
    annual = targets[targets["indicator"].eq(DWELLINGS_INDICATOR) & targets["period"].eq(str(year))]
    by_unit = annual.set_index("unit")["value"]
    units = service.units().set_index("code")["name"]
    root = service.root()
    feed["unit_name"] = feed["unit"].map(units)
    feed["target"] = feed["unit"].map(by_unit)
    total = feed.drop(columns=["unit", "unit_name", "target"]).sum()
    national = by_unit.get(root, annual["value"].sum() if len(annual) else float("nan"))
    total_row = pd.DataFrame([{**total.to_dict(), "unit": root, "unit_name": units.get(root, root),
                               "target": national}])
    out = pd.concat([feed, total_row], ignore_index=True)
    out["share_of_target"] = out["dwellings_expected_year"] / out["target"]
    return out[["unit", "unit_name", "dwellings", "dwellings_completed", "dwellings_completed_year",
                "dwellings_expected_year", "dwellings_expected_year_low", "target", "share_of_target"]]


def delivery_findings(service, as_of: str | Period | None = None) -> pd.DataFrame:
    """Months where a builder's projects record more dwellings delivered than the builder reported.

    Data-quality findings with both numbers (:func:`gosplan.engines.project_reconciliation.
    reconcile_deliveries`), up to ``as_of`` (default: everything stored), with the builder's and the
    projects' names. Empty when the records agree.
    """
    projects, _, progress = _frames(service)
    projects = projects[~projects["code"].isin(_non_housing(service))]
    progress = progress[progress["project"].isin(projects["code"])]
    if projects.empty or progress.empty:
        return pd.DataFrame(columns=[*FINDING_COLUMNS, "unit_name", "project_names"])
    last = str(Period.parse(as_of).last_month()) if as_of is not None else None
    if last is not None:
        progress = progress[progress["period"] <= last]
    builders = sorted(set(projects["unit"]))
    reports = service.store.reports(indicators=[DWELLINGS_INDICATOR], units=builders, last=last)
    found = reconcile_deliveries(projects, progress, reports[["unit", "period", "value"]],
                                 to_date=DEFAULT_SETTINGS.to_date)
    names = service.units().set_index("code")["name"]
    project_names = projects.set_index("code")["name"]
    found["unit_name"] = found["unit"].map(names)
    found["project_names"] = [", ".join(str(project_names.get(c, c)) for c in codes.split(";"))
                              for codes in found["projects"]]
    return found
