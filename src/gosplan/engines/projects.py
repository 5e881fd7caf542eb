"""Earned-value tracking of construction projects, with earned schedule (Lipke 2003).

A project has a budget (BAC), a planned start and end, and optionally milestones (work packages)
whose planned values build the performance measurement baseline: cumulative planned value (PV)
rises linearly from the project start to each milestone date. Monthly progress reports give the
cumulative percent complete (of the project or of a work package, or quantities done), the cost
incurred in the month and the dwellings handed over in the month.

Definitions (PMI, *Practice Standard for Earned Value Management*, 2nd ed., 2011; Lipke, "Schedule
is Different", *The Measurable News*, 2003):

* ``EV = Σ planned value of a work package × its fraction complete``; ``AC`` = cumulative cost.
* ``SV = EV − PV``, ``CV = EV − AC``, ``SPI = EV / PV``, ``CPI = EV / AC``.
* Earned schedule ``ES``: the time at which the baseline planned to earn today's EV,
  ``ES = C + (EV − PV_C) / (PV_{C+1} − PV_C)`` over the monthly baseline; ``AT`` (column
  ``actual_time``) = months elapsed; ``SV(t) = ES − AT``, ``SPI(t) = ES / AT``.
* ``EAC = BAC / CPI`` (the default: the cost efficiency so far persists). Two alternatives are
  reported too: ``eac_at_budget_rate = AC + (BAC − EV)`` (the overrun so far was a one-off) and
  ``eac_cpi_spi = AC + (BAC − EV) / (CPI × SPI)`` (cost and schedule pressure both persist).
  ``ETC = EAC − AC``, ``VAC = BAC − EAC``, ``TCPI = (BAC − EV) / (BAC − AC)``.
* Forecast completion ``= start + PD / SPI(t)`` (Lipke's IEAC(t)), where PD is the planned duration.
  The range comes from the recent monthly rates of earned schedule (ES gained per month): a
  confidence interval of their mean (normal approximation), widened to contain the central forecast.

Frames (columns as the demo economy and the store name them)::

    projects:          code, name, unit, budget, start, planned_end, dwellings
    project_milestones: project, milestone, planned_date, planned_value, dwellings [, quantity]
    project_progress:   project, period, percent_complete, actual_cost, dwellings_completed
                        [, milestone, quantity_done]

``planned_value`` is a share of the budget when a project's values sum to 1, money when they sum
to the budget, and either of these cumulatively when they rise to 1 or to the budget; milestone
``dwellings`` may likewise be cumulative. ``percent_complete`` (0-100) is cumulative;
``actual_cost``, ``dwellings_completed`` and ``quantity_done`` are amounts of the month, or totals
to date with ``EarnedValueSettings(to_date=True)``. A row with a ``milestone``
reports that work package; a project with such rows earns value package by package.

>>> import pandas as pd
>>> projects = pd.DataFrame({"code": ["H1"], "name": ["Housing phase 1"], "unit": ["PY"],
...     "budget": [1200.0], "start": ["2023-01"], "planned_end": ["2023-12"], "dwellings": [0]})
>>> progress = pd.DataFrame({"project": ["H1"] * 3, "period": ["2023-01", "2023-02", "2023-03"],
...     "percent_complete": [5.0, 13.0, 22.0], "actual_cost": [70.0, 90.0, 100.0],
...     "dwellings_completed": [0, 0, 0]})
>>> row = track_projects(projects, None, progress, as_of="2023-03").iloc[0]
>>> float(row.pv), float(row.ev), float(row.ac), round(float(row.es), 2), round(float(row.cpi), 3)
(300.0, 264.0, 260.0, 2.64, 1.015)
>>> row.forecast_end, row.status
('2024-02', 'slipping')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from gosplan.engines._project_inputs import ProjectPlan, prepare_projects
from gosplan.model import Period, month_label

PROJECT_COLUMNS = ["code", "name", "unit", "budget", "start", "planned_end", "dwellings"]
MILESTONE_COLUMNS = ["project", "milestone", "planned_date", "planned_value", "dwellings"]
PROGRESS_COLUMNS = ["project", "period", "percent_complete", "actual_cost", "dwellings_completed"]
EARNED_VALUE_COLUMNS = [
    "project", "name", "unit", "as_of", "bac", "pv", "ev", "ac", "sv", "cv", "spi", "cpi",
    "es", "actual_time", "sv_t", "spi_t", "eac", "eac_at_budget_rate", "eac_cpi_spi", "etc", "vac", "tcpi",
    "percent_complete", "planned_percent", "planned_end", "forecast_end", "forecast_end_early",
    "forecast_end_late", "delay_months", "dwellings", "dwellings_completed", "dwellings_completed_year",
    "dwellings_expected_year", "dwellings_expected_year_low", "complete", "status",
]
HISTORY_COLUMNS = ["project", "period", "pv", "ev", "ac", "es", "actual_time", "spi", "cpi", "spi_t"]
PROJECT_STATUSES: tuple[str, ...] = ("on time", "slipping", "late")


@dataclass(frozen=True)
class EarnedValueSettings:
    """Thresholds of the status classes and of the forecast range.

    ``slip_tolerance``: a project whose SPI(t) is below ``1 - slip_tolerance`` is slipping (5 %:
    about half a month on a ten-month job, below the noise of monthly percent-complete estimates).
    ``late_after_months``: a forecast end more than this many months after the planned end, or a
    passed planned end with work outstanding, makes a project late. ``recent_months``: how many
    recent monthly ES rates make the forecast range; ``confidence``: its two-sided level.
    ``to_date``: progress reports give ``actual_cost``, ``dwellings_completed`` and
    ``quantity_done`` as totals to date instead of amounts of the month.
    """

    slip_tolerance: float = 0.05
    late_after_months: float = 2.0
    recent_months: int = 6
    confidence: float = 0.8
    to_date: bool = False


def earned_schedule(ev: float, pv: np.ndarray, times: np.ndarray | None = None) -> float:
    """Earned schedule: the time at which the baseline ``pv`` planned to have earned ``ev``.

    ``pv[i]`` is the cumulative planned value at ``times[i]`` (default ``1, 2, …``: period ends);
    the baseline starts at 0 at time 0. This is Lipke's ``ES = C + (EV − PV_C)/(PV_{C+1} − PV_C)``,
    i.e. linear interpolation of the inverse of the baseline.

    >>> earned_schedule(250.0, np.array([100.0, 200.0, 300.0, 400.0]))
    2.5
    """
    return float(_earned_schedule_path(np.array([ev], dtype=float), pv, times)[0])


def _earned_schedule_path(ev: np.ndarray, pv: np.ndarray, times: np.ndarray | None = None) -> np.ndarray:
    """:func:`earned_schedule` of many EV values at once (one per month of a project)."""
    pv = np.asarray(pv, dtype=float)
    t = np.arange(1, pv.size + 1, dtype=float) if times is None else np.asarray(times, dtype=float)
    pv_full = np.concatenate([[0.0], pv])
    t_full = np.concatenate([[0.0], t])
    # C: the last grid point whose PV does not exceed EV (flat stretches of the baseline count as earned).
    c = np.clip(np.searchsorted(pv_full, ev, side="right") - 1, 0, pv.size - 1)
    step = pv_full[c + 1] - pv_full[c]
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(step > 0, (ev - pv_full[c]) / step, 0.0)
    es = t_full[c] + (t_full[c + 1] - t_full[c]) * fraction
    return np.where(ev <= 0, 0.0, np.where(ev >= pv_full[-1], t_full[-1], es))


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else math.nan


_NEGLIGIBLE = 1e-9
_FORECAST_HORIZON_MONTHS = 1200  # beyond a century a forecast date says nothing: report none


def _month_text(start_ordinal: int, t: float) -> str | None:
    """Label of the month in which relative time ``t`` (months after the start month) falls due."""
    if not math.isfinite(t) or t > _FORECAST_HORIZON_MONTHS:
        return None
    return month_label(start_ordinal + max(math.ceil(t - 1e-9), 1) - 1)


@dataclass
class _Trajectory:
    """Monthly cumulative values of one project from its start month on (index i = end of month i+1)."""

    pv: np.ndarray
    ev: np.ndarray
    ac: np.ndarray
    dwellings: np.ndarray  # handed over in the month (a flow, not cumulative)


def _flow(offsets: np.ndarray, values: np.ndarray, months: int) -> np.ndarray:
    out = np.zeros(months)
    keep = offsets < months
    np.add.at(out, offsets[keep], values[keep])
    return out


def _trajectory(plan: ProjectPlan, months: int) -> _Trajectory:
    ends = np.arange(1, months + 1, dtype=float)
    pv = plan.bac * np.interp(ends, plan.baseline_times, plan.baseline_shares)
    earned_share = np.zeros(months)
    positions = np.arange(months)
    for weight, offsets, fractions in plan.packages:
        keep = offsets < months
        fraction = np.zeros(months)
        fraction[offsets[keep]] = fractions[keep]
        # A package's fraction complete stands until its next report.
        reported = np.zeros(months, dtype=bool)
        reported[offsets[keep]] = True
        last = np.maximum.accumulate(np.where(reported, positions, -1))
        earned_share += weight * np.where(last >= 0, fraction[np.maximum(last, 0)], 0.0)
    ac = np.cumsum(_flow(plan.cost_offsets, plan.cost_values, months))
    dwellings = _flow(plan.dwelling_offsets, plan.dwelling_values, months)
    return _Trajectory(pv=pv, ev=plan.bac * earned_share, ac=ac, dwellings=dwellings)


def _forecast_times(es_path: np.ndarray, duration: float, settings: EarnedValueSettings
                    ) -> tuple[float, float, float, float]:
    """Central, early and late completion (months after the start month) and the slow ES rate.

    Central: Lipke's ``AT + (PD − ES) / SPI(t)``. Range: the remaining planned months at the upper
    and lower confidence limits of the mean of the recent monthly ES gains.
    """
    at = es_path.size
    es = float(es_path[-1])
    spi_t = es / at
    remaining = duration - es
    central = at + remaining / spi_t if spi_t > 0 else math.inf
    rates = np.diff(np.concatenate([[0.0], es_path]))[-settings.recent_months:]
    if rates.size < 2:
        return central, central, central, spi_t
    z = NormalDist().inv_cdf(0.5 + settings.confidence / 2)
    half_width = z * float(rates.std(ddof=1)) / math.sqrt(rates.size)
    fast, slow = float(rates.mean()) + half_width, float(rates.mean()) - half_width
    early = at + remaining / fast if fast > 0 else math.inf
    late = at + remaining / slow if slow > 0 else math.inf
    return central, min(early, central), max(late, central), min(slow, spi_t)


def _expected_dwellings(plan: ProjectPlan, completed: float, es: float, at: float, year_end: float,
                        rate: float) -> float:
    """Dwellings not yet handed over whose milestone, re-timed at ``rate``, falls by ``year_end``.

    A milestone planned at baseline time τ is expected at ``AT + (τ − ES) / rate`` (or now, if its
    planned time has already been earned); the dwellings still owed are assigned to milestones in
    schedule order.
    """
    if not math.isfinite(rate) or rate <= 0:
        return 0.0
    cumulative = np.cumsum(plan.dwelling_counts)
    previous = np.concatenate([[0.0], cumulative[:-1]])
    owed = np.clip(cumulative - np.maximum(previous, completed), 0.0, None)
    due = at + np.maximum(plan.dwelling_times - es, 0.0) / rate
    return float(owed[due <= year_end + 1e-9].sum())


def _status(complete: bool, finish: float, planned_end: float, at: float, spi_t: float,
            settings: EarnedValueSettings) -> str:
    if complete:
        return "on time" if finish <= math.ceil(planned_end - 1e-9) + 1e-9 else "late"
    if at >= planned_end - 1e-9 or finish - planned_end > settings.late_after_months:
        return "late"
    if at > 0 and (spi_t < 1 - settings.slip_tolerance or finish > math.ceil(planned_end - 1e-9)):
        return "slipping"
    return "on time"


def _track_one(plan: ProjectPlan, as_of: Period, settings: EarnedValueSettings) -> dict:
    at = as_of.ordinal - plan.start_ordinal + 1  # months elapsed at the end of the as-of month
    baseline_pv = plan.bac * np.interp(plan.month_grid, plan.baseline_times, plan.baseline_shares)
    pv = ev = ac = es = dwell_done = dwell_year = 0.0
    if at > 0:
        traj = _trajectory(plan, at)
        es_path = _earned_schedule_path(traj.ev, baseline_pv, plan.month_grid)
        pv, ev, ac, es = float(traj.pv[-1]), float(traj.ev[-1]), float(traj.ac[-1]), float(es_path[-1])
        if ev < _NEGLIGIBLE * plan.bac:  # below any reportable percentage: nothing earned yet
            ev = es = 0.0
        dwell_done = float(traj.dwellings.sum())
        dwell_year = float(traj.dwellings[max(as_of.year * 12 - plan.start_ordinal, 0):].sum())
    bac = plan.bac
    elapsed = float(max(at, 0))
    complete = at > 0 and ev >= bac * (1 - 1e-9)
    if complete:
        central = early = late = float(np.argmax(traj.ev >= bac * (1 - 1e-9)) + 1)
        rate = slow = math.nan
        elapsed = central  # a finished project's schedule performance is frozen at its finish
    elif at <= 0:  # not started: the plan is the forecast
        central = early = late = plan.duration
        rate = slow = 1.0
    else:
        central, early, late, slow = _forecast_times(es_path, plan.duration, settings)
        rate = es / elapsed
    cpi, spi, spi_t = _ratio(ev, ac), _ratio(ev, pv), _ratio(es, elapsed)
    eac = bac / cpi if cpi > 0 else ac + bac - ev  # no cost efficiency measured yet: remaining at plan
    year_end = as_of.year * 12 - plan.start_ordinal + 12.0
    if complete:
        expected = expected_low = 0.0
    else:
        expected = _expected_dwellings(plan, dwell_done, es, elapsed, year_end, rate)
        expected_low = _expected_dwellings(plan, dwell_done, es, elapsed, year_end, slow)
    return {
        "project": plan.code, "name": plan.name, "unit": plan.unit, "as_of": str(as_of), "bac": bac,
        "pv": pv, "ev": ev, "ac": ac, "sv": ev - pv, "cv": ev - ac, "spi": spi, "cpi": cpi,
        "es": es, "actual_time": elapsed, "sv_t": es - elapsed, "spi_t": spi_t,
        "eac": eac, "eac_at_budget_rate": ac + bac - ev,
        "eac_cpi_spi": ac + (bac - ev) / (cpi * spi) if cpi > 0 and spi > 0 else math.nan,
        "etc": eac - ac, "vac": bac - eac, "tcpi": _ratio(bac - ev, bac - ac),
        "percent_complete": 100 * ev / bac, "planned_percent": 100 * pv / bac,
        "planned_end": _month_text(plan.start_ordinal, plan.duration),
        "forecast_end": _month_text(plan.start_ordinal, central),
        "forecast_end_early": _month_text(plan.start_ordinal, early),
        "forecast_end_late": _month_text(plan.start_ordinal, late),
        "delay_months": central - plan.duration,
        "dwellings": plan.total_dwellings, "dwellings_completed": dwell_done,
        "dwellings_completed_year": dwell_year,
        "dwellings_expected_year": dwell_year + expected,
        "dwellings_expected_year_low": dwell_year + expected_low,
        "complete": bool(complete),
        "status": _status(complete, central, plan.duration, elapsed, spi_t, settings),
    }


def track_projects(projects: pd.DataFrame, milestones: pd.DataFrame | None, progress: pd.DataFrame | None,
                   as_of: str | Period, settings: EarnedValueSettings | None = None) -> pd.DataFrame:
    """Earned-value status of every project at the end of month ``as_of``.

    Returns one row per project with :data:`EARNED_VALUE_COLUMNS`: money columns in the budget's
    currency, ``es``/``actual_time``/``sv_t``/``delay_months`` in months, ``forecast_end*`` as ``YYYY-MM``
    (``None`` when progress has stalled and no finite date follows), dwellings as counts and
    ``status`` one of :data:`PROJECT_STATUSES`. Raises :class:`gosplan.errors.ValidationError`
    listing every problem of the input frames.
    """
    settings = settings or EarnedValueSettings()
    month = Period.parse(as_of)
    if month.kind != "M":
        month = month.last_month()
    plans = prepare_projects(projects, milestones, progress, settings.to_date)
    rows = [_track_one(plan, month, settings) for plan in plans]
    return pd.DataFrame(rows, columns=EARNED_VALUE_COLUMNS)


def project_history(projects: pd.DataFrame, milestones: pd.DataFrame | None, progress: pd.DataFrame | None,
                    through: str | Period, settings: EarnedValueSettings | None = None) -> pd.DataFrame:
    """Monthly PV, EV, AC, ES, SPI, CPI and SPI(t) of each project from its start to ``through``.

    The S-curves of a project chart; one row per project and month (:data:`HISTORY_COLUMNS`).
    """
    last = Period.parse(through).last_month()
    frames = []
    settings = settings or EarnedValueSettings()
    for plan in prepare_projects(projects, milestones, progress, settings.to_date):
        months = last.ordinal - plan.start_ordinal + 1
        if months <= 0:
            continue
        traj = _trajectory(plan, months)
        baseline_pv = plan.bac * np.interp(plan.month_grid, plan.baseline_times, plan.baseline_shares)
        es = _earned_schedule_path(traj.ev, baseline_pv, plan.month_grid)
        at = np.arange(1, months + 1, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            frames.append(pd.DataFrame({
                "project": plan.code,
                "period": [month_label(plan.start_ordinal + i) for i in range(months)],
                "pv": traj.pv, "ev": traj.ev, "ac": traj.ac, "es": es, "actual_time": at,
                "spi": np.where(traj.pv > 0, traj.ev / traj.pv, np.nan),
                "cpi": np.where(traj.ac > 0, traj.ev / traj.ac, np.nan),
                "spi_t": es / at,
            }))
    if not frames:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    return pd.concat(frames, ignore_index=True)[HISTORY_COLUMNS]


def dwellings_summary(status: pd.DataFrame) -> pd.DataFrame:
    """Dwellings completed to date and expected in the year per unit: the dwellings indicator's feed."""
    columns = ["dwellings", "dwellings_completed", "dwellings_completed_year", "dwellings_expected_year",
               "dwellings_expected_year_low"]
    return status.groupby("unit", as_index=False)[columns].sum()
