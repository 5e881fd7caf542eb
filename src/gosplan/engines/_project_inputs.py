"""Validation of the project frames and their conversion to per-project arrays.

Kept apart from :mod:`gosplan.engines.projects` so the earned-value arithmetic reads on its own.
Time inside is measured in months after the first day of a project's start month: a project
starting 2023-01-15 and ending 2023-12-31 runs from about 0.45 to 12.0.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gosplan.errors import Problem, ValidationError
from gosplan.model import Period

_DATE_RE = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}")
_SHARE_TOLERANCE = 1e-6
_MONEY_TOLERANCE = 0.005  # milestone money may differ from the budget by rounding (0.5 %)

REQUIRED = {
    "projects": ["code", "budget", "start", "planned_end"],
    "project_milestones": ["project", "planned_date", "planned_value"],
    "project_progress": ["project", "period"],
}


@dataclass
class ProjectPlan:
    """One project's baseline and reports as arrays on its own month axis."""

    code: str
    name: str
    unit: str
    bac: float
    start_ordinal: int
    start: float
    duration: float
    total_dwellings: float
    baseline_times: np.ndarray
    baseline_shares: np.ndarray
    month_grid: np.ndarray
    cost_offsets: np.ndarray
    cost_values: np.ndarray
    dwelling_offsets: np.ndarray
    dwelling_values: np.ndarray
    dwelling_times: np.ndarray
    dwelling_counts: np.ndarray
    packages: list[tuple[float, np.ndarray, np.ndarray]] = field(default_factory=list)


def time_point(value: object, start_ordinal: int | None = None, end: bool = True) -> tuple[int, float]:
    """``(month ordinal, fraction of the month)`` of a date or period text.

    A period (``2023-06``, ``2023-Q2``, ``2023``) means its end when ``end`` is true, its start
    otherwise; a date means the end (or start) of that day.
    """
    if isinstance(value, Period):
        period = value
    elif isinstance(value, str) and not _DATE_RE.match(value):
        period = Period.parse(value)
    else:
        stamp = pd.Timestamp(value)  # type: ignore[arg-type]
        ordinal = stamp.year * 12 + stamp.month - 1
        days = calendar.monthrange(stamp.year, stamp.month)[1]
        return ordinal, (stamp.day - (0 if end else 1)) / days
    if end:
        return period.last_month().ordinal, 1.0
    return period.ordinal, 0.0


def _number(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return number


def _check_columns(frame: pd.DataFrame, source: str, problems: list[Problem]) -> bool:
    missing = [c for c in REQUIRED[source] if c not in frame.columns]
    for column in missing:
        problems.append(Problem(source, None, column, "required column is missing"))
    return not missing


def _column(frame: pd.DataFrame, name: str, default: object) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series(default, index=frame.index)


def prepare_projects(projects: pd.DataFrame, milestones: pd.DataFrame | None,
                     progress: pd.DataFrame | None, to_date: bool = False) -> list[ProjectPlan]:
    """Validate the three frames and build a :class:`ProjectPlan` per project (all problems at once).

    ``to_date``: ``actual_cost``, ``dwellings_completed`` and ``quantity_done`` are totals to date
    rather than amounts of the month.
    """
    problems: list[Problem] = []
    milestones = milestones if milestones is not None else pd.DataFrame(columns=["project", "planned_date",
                                                                                 "planned_value"])
    progress = progress if progress is not None else pd.DataFrame(columns=["project", "period"])
    ok = all(_check_columns(f, s, problems) for f, s in
             ((projects, "projects"), (milestones, "project_milestones"), (progress, "project_progress")))
    if not ok:
        raise ValidationError(problems)
    projects = projects.reset_index(drop=True)
    milestones = milestones.reset_index(drop=True)
    progress = progress.reset_index(drop=True)
    codes = projects["code"].astype(str)
    for row in np.flatnonzero(codes.duplicated().to_numpy()):
        problems.append(Problem("projects", int(row) + 2, "code", f"duplicate project {codes[row]!r}"))
    known = set(codes)
    for source, frame in (("project_milestones", milestones), ("project_progress", progress)):
        for row, code in enumerate(frame["project"].astype(str)):
            if code not in known:
                problems.append(Problem(source, row + 2, "project", f"unknown project {code!r}"))

    milestones_of = dict(tuple(milestones.groupby(milestones["project"].astype(str))))
    progress_of = dict(tuple(progress.groupby(progress["project"].astype(str))))
    plans = []
    for row, record in projects.iterrows():
        code = str(record["code"])
        plan = _plan_for(int(row), record, milestones_of.get(code, milestones.iloc[:0]),  # type: ignore[arg-type]
                         progress_of.get(code, progress.iloc[:0]), problems, to_date)
        if plan is not None:
            plans.append(plan)
    if problems:
        raise ValidationError(problems)
    return plans


def _plan_for(row: int, record: pd.Series, own: pd.DataFrame, reports: pd.DataFrame,
              problems: list[Problem], to_date: bool) -> ProjectPlan | None:
    code = str(record["code"])
    line = row + 2
    bac = _number(record["budget"])
    if not bac > 0:
        problems.append(Problem("projects", line, "budget", f"budget must be a positive number, got "
                                                            f"{record['budget']!r}"))
        return None
    try:
        start_ordinal, start_fraction = time_point(record["start"], end=False)
        end_ordinal, end_fraction = time_point(record["planned_end"], end=True)
    except (ValueError, TypeError) as exc:
        problems.append(Problem("projects", line, "start/planned_end", f"not a date or month: {exc}"))
        return None
    duration = end_ordinal - start_ordinal + end_fraction
    if duration <= start_fraction:
        problems.append(Problem("projects", line, "planned_end", "planned end is not after the start"))
        return None
    total_dwellings = _number(record.get("dwellings", 0.0))
    total_dwellings = 0.0 if math.isnan(total_dwellings) else total_dwellings

    times, values, dwell_at, quantities, names = [], [], [], [], []
    for m_row, m in own.iterrows():
        try:
            m_ordinal, m_fraction = time_point(m["planned_date"], end=True)
        except (ValueError, TypeError) as exc:
            problems.append(Problem("project_milestones", int(m_row) + 2, "planned_date", str(exc)))
            continue
        value = _number(m["planned_value"])
        if not value >= 0:
            problems.append(Problem("project_milestones", int(m_row) + 2, "planned_value",
                                    "planned value must be a non-negative number"))
            continue
        t = m_ordinal - start_ordinal + m_fraction
        if t <= start_fraction or t > duration + 1e-9:
            problems.append(Problem("project_milestones", int(m_row) + 2, "planned_date",
                                    "milestone date lies outside the project's start and planned end"))
            continue
        times.append(t)
        values.append(value)
        dwell = _number(m.get("dwellings", 0.0))
        dwell_at.append(0.0 if math.isnan(dwell) else dwell)
        quantity = _number(m.get("quantity", math.nan))
        quantities.append(quantity)
        names.append(str(m.get("milestone", m_row)))

    if times:
        order = np.argsort(times, kind="stable")
        times_a = np.asarray(times)[order]
        values_a = np.asarray(values)[order]
        shares = _increments(values_a, bac)
        if shares is None:
            problems.append(Problem("project_milestones", None, "planned_value",
                                    f"planned values of project {code!r} neither sum to 1 or the budget "
                                    f"{bac:g} nor rise to it"))
            shares = np.full(values_a.size, 1 / values_a.size)
        baseline_times = np.concatenate([[start_fraction], times_a])
        baseline_shares = np.concatenate([[0.0], np.cumsum(shares)])
        package_weights = dict(zip([names[i] for i in order], shares, strict=True))
        package_quantity = dict(zip([names[i] for i in order], np.asarray(quantities)[order], strict=True))
        dwell_times = times_a
        dwell_counts = np.asarray(dwell_at)[order]
        if (total_dwellings > 0 and dwell_counts.sum() > total_dwellings + 0.5
                and (np.diff(dwell_counts) >= 0).all() and abs(dwell_counts[-1] - total_dwellings) <= 0.5):
            dwell_counts = np.diff(dwell_counts, prepend=0.0)  # given as cumulative counts
    else:
        baseline_times = np.array([start_fraction, duration])
        baseline_shares = np.array([0.0, 1.0])
        package_weights, package_quantity = {}, {}
        dwell_times, dwell_counts = np.zeros(0), np.zeros(0)
    if total_dwellings <= 0:
        total_dwellings = float(dwell_counts.sum())
    elif dwell_counts.sum() < total_dwellings:  # dwellings no milestone names are handed over at the end
        dwell_times = np.concatenate([dwell_times, [duration]])
        dwell_counts = np.concatenate([dwell_counts, [total_dwellings - dwell_counts.sum()]])

    grid = np.arange(1.0, math.floor(duration) + 1.0)
    month_grid = np.unique(np.concatenate([grid[grid < duration], [duration]]))
    packages, cost, dwell = _progress_arrays(reports, start_ordinal, package_weights, package_quantity,
                                             problems, to_date)
    return ProjectPlan(
        code=code, name=str(record.get("name", code)), unit=str(record.get("unit", "")), bac=bac,
        start_ordinal=start_ordinal, start=start_fraction, duration=duration, total_dwellings=total_dwellings,
        baseline_times=baseline_times, baseline_shares=baseline_shares, month_grid=month_grid,
        cost_offsets=cost[0], cost_values=cost[1], dwelling_offsets=dwell[0], dwelling_values=dwell[1],
        dwelling_times=dwell_times, dwelling_counts=dwell_counts, packages=packages,
    )


def _increments(values: np.ndarray, bac: float) -> np.ndarray | None:
    """Milestone planned values (in date order) as shares of the budget earned at each milestone.

    Accepted forms: shares that sum to 1, money that sums to the budget, or the same cumulatively
    (non-decreasing, ending at 1 or at the budget). When both readings fit they agree.
    """
    total = values.sum()
    if abs(total - 1.0) <= _SHARE_TOLERANCE:
        return values
    if abs(total - bac) <= _MONEY_TOLERANCE * bac:
        return values / total
    if (np.diff(values) >= 0).all() and values.size:
        if abs(values[-1] - 1.0) <= _SHARE_TOLERANCE:
            return np.diff(values, prepend=0.0)
        if abs(values[-1] - bac) <= _MONEY_TOLERANCE * bac:
            return np.diff(values, prepend=0.0) / values[-1]
    return None


def _flows(frame: pd.DataFrame, column: str) -> pd.Series:
    """Month amounts from totals to date, per work package (or the project), in report order."""
    key = frame["milestone"].fillna("").astype(str)
    to_date = frame.groupby([key, frame["offset"]])[column].max()
    return to_date.groupby(level=0).diff().fillna(to_date)


def _progress_arrays(reports: pd.DataFrame, start_ordinal: int, weights: dict[str, float],
                     quantities: dict[str, float], problems: list[Problem], to_date: bool):
    """Per-package (offset, cumulative fraction) series and monthly cost and dwelling flows."""
    source = "project_progress"
    offsets = np.zeros(len(reports), dtype=int)
    valid = np.ones(len(reports), dtype=bool)
    for i, (row, text) in enumerate(reports["period"].items()):
        try:
            period = Period.parse(str(text))
        except ValueError as exc:
            problems.append(Problem(source, int(row) + 2, "period", str(exc)))
            valid[i] = False
            continue
        if period.kind != "M":
            problems.append(Problem(source, int(row) + 2, "period", "progress is monthly (YYYY-MM)"))
            valid[i] = False
        offsets[i] = period.ordinal - start_ordinal
        if offsets[i] < 0:
            problems.append(Problem(source, int(row) + 2, "period", "report before the project's start"))
            valid[i] = False
    for column in ("actual_cost", "dwellings_completed", "quantity_done"):
        values = pd.to_numeric(_column(reports, column, 0.0), errors="coerce").fillna(0.0)
        for row in values.index[values < 0]:
            problems.append(Problem(source, int(row) + 2, column, "must not be negative"))
    percent = pd.to_numeric(_column(reports, "percent_complete", np.nan), errors="coerce")
    for row in percent.index[(percent < 0) | (percent > 100)]:
        problems.append(Problem(source, int(row) + 2, "percent_complete", "must lie between 0 and 100"))

    frame = pd.DataFrame({
        "offset": offsets, "valid": valid,
        "milestone": _column(reports, "milestone", None).to_numpy(dtype=object),
        "percent": percent.to_numpy(dtype=float),
        "quantity": pd.to_numeric(_column(reports, "quantity_done", np.nan), errors="coerce").to_numpy(),
        "cost": pd.to_numeric(_column(reports, "actual_cost", 0.0), errors="coerce").fillna(0.0).to_numpy(),
        "dwell": pd.to_numeric(_column(reports, "dwellings_completed", 0.0), errors="coerce")
        .fillna(0.0).to_numpy(),
    })
    frame = frame[frame["valid"]]
    if to_date:
        flows = {c: _flows(frame, c) for c in ("cost", "dwell")}
        cost = (flows["cost"].index.get_level_values(1).to_numpy(), flows["cost"].to_numpy(dtype=float))
        dwell = (flows["dwell"].index.get_level_values(1).to_numpy(), flows["dwell"].to_numpy(dtype=float))
    else:
        cost = (frame["offset"].to_numpy(), frame["cost"].to_numpy(dtype=float))
        dwell = (frame["offset"].to_numpy(), frame["dwell"].to_numpy(dtype=float))

    by_package = frame["milestone"].notna() & (frame["milestone"].astype(str) != "")
    packages: list[tuple[float, np.ndarray, np.ndarray]] = []
    if by_package.any():
        for name, rows in frame[by_package].groupby(frame["milestone"].astype(str)):
            if name not in weights:
                problems.append(Problem(source, None, "milestone", f"unknown milestone {name!r}"))
                continue
            rows = rows.sort_values("offset")
            if rows["percent"].notna().any():
                fraction = rows.groupby("offset")["percent"].max() / 100
            elif math.isfinite(quantities.get(name, math.nan)) and quantities[name] > 0:
                done = rows.groupby("offset")["quantity"].sum()
                done = done.cummax() if to_date else done.cumsum()
                fraction = (done / quantities[name]).clip(upper=1.0)
            else:
                problems.append(Problem(source, None, "percent_complete",
                                        f"milestone {name!r} has neither percent complete nor quantities"))
                continue
            packages.append((weights[name], fraction.index.to_numpy(), fraction.to_numpy(dtype=float)))
    else:
        reported = frame[frame["percent"].notna()]
        fraction = reported.groupby("offset")["percent"].max() / 100
        packages.append((1.0, fraction.index.to_numpy(), fraction.to_numpy(dtype=float)))
    return packages, cost, dwell
