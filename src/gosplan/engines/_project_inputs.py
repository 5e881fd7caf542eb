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


def time_point(value: object, end: bool = True) -> tuple[int, float]:
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
    if milestones is None:
        milestones = pd.DataFrame(columns=REQUIRED["project_milestones"])
    if progress is None:
        progress = pd.DataFrame(columns=REQUIRED["project_progress"])
    ok = all(_check_columns(f, s, problems) for f, s in
             ((projects, "projects"), (milestones, "project_milestones"), (progress, "project_progress")))
    if not ok:
        raise ValidationError(problems)
    projects = projects.reset_index(drop=True)
    codes = projects["code"].astype(str)
    for row in np.flatnonzero(codes.duplicated().to_numpy()):
        problems.append(Problem("projects", int(row) + 2, "code", f"duplicate project {codes[row]!r}"))
    known = set(codes)
    stones = _Milestones(milestones.reset_index(drop=True), known, problems)
    reports = _Reports(progress.reset_index(drop=True), known, problems)
    plans = []
    for row, record in enumerate(projects.to_dict("records")):
        code = str(record["code"])
        plan = _plan_for(row, record, stones, stones.of(code), reports, reports.of(code), problems, to_date)
        if plan is not None:
            plans.append(plan)
    if problems:
        raise ValidationError(problems)
    return plans


def _numbers(frame: pd.DataFrame, column: str, default: float) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), default)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def _unknown_projects(frame: pd.DataFrame, source: str, known: set[str], problems: list[Problem]
                      ) -> np.ndarray:
    projects = frame["project"].astype(str).to_numpy()
    for row in np.flatnonzero(~np.isin(projects, list(known))):
        problems.append(Problem(source, int(row) + 2, "project", f"unknown project {projects[row]!r}"))
    return projects


def _groups(keys: np.ndarray) -> dict[str, np.ndarray]:
    if keys.size == 0:
        return {}
    return {str(k): v for k, v in pd.Series(np.arange(keys.size)).groupby(keys).indices.items()}


class _Milestones:
    """The milestones frame parsed once: times as (ordinal, fraction), values, dwellings, names."""

    def __init__(self, frame: pd.DataFrame, known: set[str], problems: list[Problem]) -> None:
        source = "project_milestones"
        self.ordinal = np.zeros(len(frame), dtype=int)
        self.fraction = np.zeros(len(frame))
        self.valid = np.ones(len(frame), dtype=bool)
        cache: dict[object, tuple[int, float] | str] = {}
        for row, value in enumerate(frame["planned_date"].tolist()):
            if value not in cache:
                try:
                    cache[value] = time_point(value, end=True)
                except (ValueError, TypeError) as exc:
                    cache[value] = str(exc)
            parsed = cache[value]
            if isinstance(parsed, str):
                problems.append(Problem(source, row + 2, "planned_date", parsed))
                self.valid[row] = False
            else:
                self.ordinal[row], self.fraction[row] = parsed
        self.value = _numbers(frame, "planned_value", math.nan)
        for row in np.flatnonzero(~(self.value >= 0)):
            problems.append(Problem(source, int(row) + 2, "planned_value",
                                    "planned value must be a non-negative number"))
            self.valid[row] = False
        self.dwellings = np.nan_to_num(_numbers(frame, "dwellings", 0.0))
        self.quantity = _numbers(frame, "quantity", math.nan)
        names = frame["milestone"] if "milestone" in frame.columns else pd.Series(frame.index, dtype=object)
        self.name = names.astype(str).to_numpy()
        self.by_project = _groups(_unknown_projects(frame, source, known, problems))

    def of(self, code: str) -> np.ndarray:
        rows = self.by_project.get(code, np.zeros(0, dtype=int))
        return rows[self.valid[rows]]


class _Reports:
    """The progress frame parsed once: month ordinals, percent, quantities, cost and dwellings."""

    def __init__(self, frame: pd.DataFrame, known: set[str], problems: list[Problem]) -> None:
        source = "project_progress"
        self.ordinal = np.zeros(len(frame), dtype=int)
        self.valid = np.ones(len(frame), dtype=bool)
        cache: dict[str, int | str] = {}
        for row, text in enumerate(frame["period"].astype(str).tolist()):
            if text not in cache:
                try:
                    period = Period.parse(text)
                    cache[text] = period.ordinal if period.kind == "M" else "progress is monthly (YYYY-MM)"
                except ValueError as exc:
                    cache[text] = str(exc)
            parsed = cache[text]
            if isinstance(parsed, str):
                problems.append(Problem(source, row + 2, "period", parsed))
                self.valid[row] = False
            else:
                self.ordinal[row] = parsed
        self.percent = _numbers(frame, "percent_complete", math.nan)
        for row in np.flatnonzero((self.percent < 0) | (self.percent > 100)):
            problems.append(Problem(source, int(row) + 2, "percent_complete", "must lie between 0 and 100"))
        self.quantity = _numbers(frame, "quantity_done", math.nan)
        self.cost = _numbers(frame, "actual_cost", 0.0)
        self.dwellings = _numbers(frame, "dwellings_completed", 0.0)
        for column, values in (("actual_cost", self.cost), ("dwellings_completed", self.dwellings),
                               ("quantity_done", self.quantity)):
            for row in np.flatnonzero(values < 0):
                problems.append(Problem(source, int(row) + 2, column, "must not be negative"))
        self.cost, self.dwellings = np.nan_to_num(self.cost), np.nan_to_num(self.dwellings)
        milestone = frame["milestone"] if "milestone" in frame.columns else pd.Series("", index=frame.index)
        self.milestone = milestone.fillna("").astype(str).to_numpy()
        self.by_project = _groups(_unknown_projects(frame, source, known, problems))

    def of(self, code: str) -> np.ndarray:
        return self.by_project.get(code, np.zeros(0, dtype=int))


def _plan_for(row: int, record: dict, stones: _Milestones, m_rows: np.ndarray, reports: _Reports,
              r_rows: np.ndarray, problems: list[Problem], to_date: bool) -> ProjectPlan | None:
    code = str(record["code"])
    line = row + 2
    bac = _number(record["budget"])
    if not bac > 0:
        problems.append(Problem("projects", line, "budget",
                                f"budget must be a positive number, got {record['budget']!r}"))
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

    times = stones.ordinal[m_rows] - start_ordinal + stones.fraction[m_rows]
    outside = (times <= start_fraction) | (times > duration + 1e-9)
    for m_row in m_rows[outside]:
        problems.append(Problem("project_milestones", int(m_row) + 2, "planned_date",
                                "milestone date lies outside the project's start and planned end"))
    m_rows, times = m_rows[~outside], times[~outside]
    package_weights: dict[str, float] = {}
    package_quantity: dict[str, float] = {}
    if m_rows.size:
        order = np.argsort(times, kind="stable")
        m_rows, times = m_rows[order], times[order]
        shares = _increments(stones.value[m_rows], bac)
        if shares is None:
            problems.append(Problem("project_milestones", None, "planned_value",
                                    f"planned values of project {code!r} neither sum to 1 or the budget "
                                    f"{bac:g} nor rise to it"))
            shares = np.full(m_rows.size, 1 / m_rows.size)
        baseline_times = np.concatenate([[start_fraction], times])
        baseline_shares = np.concatenate([[0.0], np.cumsum(shares)])
        names = stones.name[m_rows].tolist()
        package_weights = dict(zip(names, shares.tolist(), strict=True))
        package_quantity = dict(zip(names, stones.quantity[m_rows].tolist(), strict=True))
        dwell_times, dwell_counts = times, stones.dwellings[m_rows]
        if (total_dwellings > 0 and dwell_counts.sum() > total_dwellings + 0.5
                and (np.diff(dwell_counts) >= 0).all() and abs(dwell_counts[-1] - total_dwellings) <= 0.5):
            dwell_counts = np.diff(dwell_counts, prepend=0.0)  # given as cumulative counts
    else:
        baseline_times = np.array([start_fraction, duration])
        baseline_shares = np.array([0.0, 1.0])
        dwell_times, dwell_counts = np.zeros(0), np.zeros(0)
    if total_dwellings <= 0:
        total_dwellings = float(dwell_counts.sum())
    elif dwell_counts.sum() < total_dwellings:  # dwellings no milestone names are handed over at the end
        dwell_times = np.concatenate([dwell_times, [duration]])
        dwell_counts = np.concatenate([dwell_counts, [total_dwellings - dwell_counts.sum()]])

    grid = np.arange(1.0, math.floor(duration) + 1.0)
    month_grid = np.unique(np.concatenate([grid[grid < duration], [duration]]))
    packages, cost, dwell = _progress_arrays(reports, r_rows, start_ordinal, package_weights,
                                             package_quantity, problems, to_date)
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
    if values.size and (np.diff(values) >= 0).all():
        if abs(values[-1] - 1.0) <= _SHARE_TOLERANCE:
            return np.diff(values, prepend=0.0)
        if abs(values[-1] - bac) <= _MONEY_TOLERANCE * bac:
            return np.diff(values, prepend=0.0) / values[-1]
    return None


def _per_offset(offsets: np.ndarray, values: np.ndarray, how: str) -> tuple[np.ndarray, np.ndarray]:
    """Values combined per month offset (``max`` or ``sum``), offsets ascending."""
    if offsets.size == 0:
        return offsets, values
    order = np.argsort(offsets, kind="stable")
    offsets, values = offsets[order], values[order]
    unique, starts = np.unique(offsets, return_index=True)
    reduce = np.maximum.reduceat if how == "max" else np.add.reduceat
    return unique, reduce(values, starts)


def _flows(offsets: np.ndarray, values: np.ndarray, keys: np.ndarray, to_date: bool
           ) -> tuple[np.ndarray, np.ndarray]:
    """Amounts of the month; totals to date are differenced per work package (or the project)."""
    if not to_date:
        return offsets, values
    parts_offsets, parts_values = [], []
    for key in np.unique(keys):
        months, totals = _per_offset(offsets[keys == key], values[keys == key], "max")
        parts_offsets.append(months)
        parts_values.append(np.diff(totals, prepend=0.0))
    if not parts_offsets:
        return offsets, values
    return np.concatenate(parts_offsets), np.concatenate(parts_values)


def _progress_arrays(reports: _Reports, rows: np.ndarray, start_ordinal: int, weights: dict[str, float],
                     quantities: dict[str, float], problems: list[Problem], to_date: bool
                     ) -> tuple[list[tuple[float, np.ndarray, np.ndarray]], tuple[np.ndarray, np.ndarray],
                                tuple[np.ndarray, np.ndarray]]:
    """Per-package (offset, fraction complete) series and monthly cost and dwelling flows."""
    source = "project_progress"
    offsets = reports.ordinal[rows] - start_ordinal
    early = reports.valid[rows] & (offsets < 0)
    for row in rows[early]:
        problems.append(Problem(source, int(row) + 2, "period", "report before the project's start"))
    keep = reports.valid[rows] & ~early
    rows, offsets = rows[keep], offsets[keep]
    keys = reports.milestone[rows]
    cost = _flows(offsets, reports.cost[rows], keys, to_date)
    dwell = _flows(offsets, reports.dwellings[rows], keys, to_date)

    percent = reports.percent[rows]
    packages: list[tuple[float, np.ndarray, np.ndarray]] = []
    if (keys != "").any():
        for name in np.unique(keys[keys != ""]).tolist():
            if name not in weights:
                problems.append(Problem(source, None, "milestone", f"unknown milestone {name!r}"))
                continue
            mine = keys == name
            quantity = quantities.get(name, math.nan)
            if np.isfinite(percent[mine]).any():
                reported = mine & np.isfinite(percent)
                months, fraction = _per_offset(offsets[reported], percent[reported] / 100, "max")
            elif math.isfinite(quantity) and quantity > 0:
                done = np.nan_to_num(reports.quantity[rows][mine])
                months, amounts = _per_offset(offsets[mine], done, "max" if to_date else "sum")
                fraction = np.minimum((np.maximum.accumulate(amounts) if to_date else np.cumsum(amounts))
                                      / quantity, 1.0)
            else:
                problems.append(Problem(source, None, "percent_complete",
                                        f"milestone {name!r} has neither percent complete nor quantities"))
                continue
            packages.append((weights[name], months, fraction))
    else:
        reported = np.isfinite(percent)
        months, fraction = _per_offset(offsets[reported], percent[reported] / 100, "max")
        packages.append((1.0, months, fraction))
    return packages, cost, dwell
