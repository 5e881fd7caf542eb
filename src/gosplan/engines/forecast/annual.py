"""Year-end totals and the probability of meeting each annual target.

The quantity forecast is the **annual total**: what was reported so far this year plus the sum of
the months still to come. Its predictive distribution comes from the exponential smoothing model
of :mod:`._ets` in closed form. The future months share the model's states, so their errors are
correlated; the variance of their sum is ``sigma^2 * sum_k c_k^2`` with
``c_k = sum_{j >= k} psi_{j-k}`` (Hyndman et al. 2008, sec. 6.6, "aggregate forecasts"), not the
sum of the monthly variances. For series modelled on the log scale the sum of the log-normal
months is matched by its first two moments (Fenton 1960) to one log-normal. Both scales use a
Student-t with the residual degrees of freedom instead of a normal, which widens the intervals of
short histories as parameter uncertainty would.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from gosplan.engines.forecast import _ets
from gosplan.engines.forecast._frames import TARGET_FRAME_COLUMNS, Panel, _require, to_panel
from gosplan.errors import Problem, ValidationError
from gosplan.model import Period
from gosplan.runner import Runner

ATTAINMENT_COLUMNS = ["series_id", "year", "target", "actual_to_date", "expected_total", "lower_80",
                      "upper_80", "lower_95", "upper_95", "p_attain", "required_monthly_rate",
                      "months_remaining", "method", "imputed", "expected_rest", "lower_99", "upper_99"]
METHODS = ("auto", "additive", "multiplicative")
INTERVALS = {"lower_80": 0.10, "upper_80": 0.90, "lower_95": 0.025, "upper_95": 0.975,
             "lower_99": 0.005, "upper_99": 0.995}
MAX_HORIZON = 36
DEFAULT_HISTORY_MONTHS = 60
DEFAULT_CHUNK = 5000


@dataclass
class _Task:
    """One chunk of series with the targets that belong to them (picklable for Dask)."""

    values: np.ndarray
    start: int
    as_of: int
    rows: np.ndarray       # index into values of each target row
    years: np.ndarray
    targets: np.ndarray
    method: str
    keep_residuals: bool = False


def annual_totals(task: _Task) -> dict[str, np.ndarray]:
    """Distribution of each target row's annual total for one chunk (pure arrays)."""
    values, start, as_of = task.values, task.start, task.as_of
    width = values.shape[1]
    fit = _ets.fit(values, start % 12, allow_log=task.method != "additive")
    if task.method == "multiplicative" and not fit.log.all():
        bad = int((~fit.log & (fit.nobs > 0)).sum())
        if bad:
            raise ValidationError([Problem("history", None, "value",
                                           f"{bad} series have zero or negative values; "
                                           "method='multiplicative' needs positive values")])
    rows, years, targets = task.rows, task.years, task.targets
    k = len(rows)
    observed = ~np.isnan(values)
    has_data = observed.any(axis=1)
    last_col = np.where(has_data, width - 1 - np.argmax(observed[:, ::-1], axis=1), -1)
    last = start + last_col                                         # ordinal of the last report
    first = start + np.where(has_data, np.argmax(observed, axis=1), width)
    year_start, year_end = years * 12, years * 12 + 11

    # Reported so far in the target year.
    col = np.arange(width)
    ordinal = start + col
    in_year = (ordinal[None, :] >= year_start[:, None]) & (ordinal[None, :] <= year_end[:, None])
    reported = values[rows]
    actual = np.where(in_year & observed[rows], reported, 0.0).sum(axis=1)
    months_reported = (in_year & observed[rows]).sum(axis=1)

    # Mean path on the fitted scale: fitted values up to as_of, then the model's forecast.
    ahead = int(max(0, min(year_end.max(initial=as_of) - as_of, MAX_HORIZON)))
    future = _ets.point_path(fit, (as_of + 1) % 12, max(ahead, 1))
    path = np.concatenate([fit.fitted, future], axis=1)[rows]       # (k, width + ahead)
    sigma2 = fit.sigma2[rows]
    is_log = fit.log[rows]
    scale = fit.scale[rows]

    def to_original(x: np.ndarray, var: np.ndarray) -> np.ndarray:
        return np.where(is_log[:, None], np.exp(x + 0.5 * var), x * scale[:, None])

    # Gaps between the first and the last report: their expected value, no extra spread. Months
    # before a series' first report are not gaps: the unit did not exist or did not report yet.
    gap = (in_year & ~observed[rows] & (ordinal[None, :] <= last[rows][:, None])
           & (ordinal[None, :] >= first[rows][:, None]))
    gap_mean = to_original(path[:, :width], sigma2[:, None])
    imputed = np.where(gap, gap_mean, 0.0).sum(axis=1)

    # Months after the last report that fall in the target year.
    horizon = int(np.clip((year_end - last[rows]).max(initial=0), 0, MAX_HORIZON))
    steps = np.arange(1, horizon + 1)
    months = last[rows][:, None] + steps[None, :]
    weight = ((months >= year_start[:, None]) & (months <= year_end[:, None])
              & has_data[rows][:, None]).astype(float)
    index = np.clip(months - start, 0, path.shape[1] - 1)
    mean_path = np.take_along_axis(path, index, axis=1)

    mean_s, var_s, after = np.zeros(k), np.zeros(k), np.zeros(k)
    if horizon:
        with np.errstate(over="ignore", invalid="ignore"):
            mean_s, var_s, step_means = _future_sum(fit, rows, months, weight, mean_path)
        after = np.where(months > as_of, step_means, 0.0).sum(axis=1)   # the months still to come
    known = actual + imputed
    nonnegative = np.where(observed, values >= 0, True).all(axis=1)[rows]
    shape = total_distribution(known, mean_s, var_s, is_log, fit.dof[rows], nonnegative, targets)
    total, p, uncertain = known + mean_s, shape["p_attain"], var_s > 0

    remaining = np.clip(year_end - np.maximum(as_of, year_start - 1), 0, 12)
    method = np.where(is_log, "ets-multiplicative", "ets-additive").astype(object)
    method[~uncertain & (remaining == 0)] = "actual"
    nodata = ~has_data[rows]
    method[nodata] = "no data"
    result = {
        "actual_to_date": actual, "expected_total": total,
        **{name: shape[name] for name in INTERVALS}, "p_attain": p, "imputed": total - after - actual,
        "expected_rest": after, "months_reported": months_reported, "method": method,
        # The shape of the distribution, for whoever moves its mean and spread (reconciliation).
        "sd_rest": np.sqrt(np.maximum(var_s, 0.0)), "dof": fit.dof[rows], "log": is_log,
        "nonnegative": nonnegative,
    }
    if task.keep_residuals:
        result["residuals"] = _original_scale_residuals(fit, values)[rows]
    for key in ("expected_total", "lower_80", "upper_80", "lower_95", "upper_95", "lower_99", "upper_99",
                "p_attain", "imputed", "expected_rest", "sd_rest"):
        result[key] = np.where(nodata, np.nan, result[key])
    return result


def total_distribution(known: np.ndarray, mean_rest: np.ndarray, var_rest: np.ndarray, is_log: np.ndarray,
                       dof: np.ndarray, nonnegative: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
    """Intervals (:data:`INTERVALS`) and P(total >= target) of ``known + rest`` (arrays, one per row).

    The rest of the year has mean ``mean_rest`` and squared scale ``var_rest``: log-normal matched to
    these two moments where ``is_log`` (and the mean is positive), otherwise Student-t, both with
    ``dof`` degrees of freedom. Output that never went below zero (``nonnegative``) cannot fall below
    what is known, so a target already met has probability 1. The year-end forecast
    (:func:`attainment`) and the reconciled forecasts (:mod:`.coherent`) both take their shape from here.

    >>> out = total_distribution(np.array([10.0]), np.array([90.0]), np.array([100.0]), np.array([False]),
    ...                          np.array([30.0]), np.array([True]), np.array([100.0]))
    >>> round(float(out["p_attain"][0]), 3), round(float(out["upper_80"][0]), 1)
    (0.5, 113.1)
    """
    known, mean_s = np.asarray(known, float), np.asarray(mean_rest, float)
    var_s, targets = np.asarray(var_rest, float), np.asarray(targets, float)
    nonnegative = np.asarray(nonnegative, bool)
    is_log = np.asarray(is_log, bool) & (mean_s > 0)
    uncertain = var_s > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        lsig2 = np.log1p(var_s / np.maximum(mean_s, 1e-300) ** 2)
    lmu = np.log(np.maximum(mean_s, 1e-300)) - 0.5 * lsig2
    lsig = np.sqrt(lsig2)
    rsig = np.sqrt(np.maximum(var_s, 0.0))
    # Student-t quantiles for the few distinct (rounded) degrees of freedom only: scipy's ppf is slow.
    dof = np.maximum(np.round(np.nan_to_num(np.asarray(dof, float), nan=1.0)), 1.0)
    distinct, which = np.unique(dof, return_inverse=True)

    def quantile(q: float) -> np.ndarray:
        z = stats.t.ppf(q, distinct)[which]
        with np.errstate(over="ignore", invalid="ignore"):
            s = np.where(is_log, np.exp(lmu + z * lsig), mean_s + z * rsig)
        s = np.where(nonnegative, np.maximum(s, 0.0), s)
        return known + np.where(uncertain, s, mean_s)

    gap_to_target = targets - known
    with np.errstate(divide="ignore", invalid="ignore"):
        z_log = (np.log(np.maximum(gap_to_target, 1e-300)) - lmu) / lsig
        p_log = np.where(gap_to_target <= 0, 1.0, stats.t.sf(z_log, dof))
        p_raw = stats.t.sf((gap_to_target - mean_s) / rsig, dof)
    p = np.where(is_log, p_log, p_raw)
    p = np.where(uncertain, p, (known + mean_s >= targets).astype(float))
    # Output that never went below zero will not now: the rest of the year adds, it cannot take away.
    p = np.where(nonnegative & (gap_to_target <= 0), 1.0, p)
    out = {name: quantile(q) for name, q in INTERVALS.items()}
    out["p_attain"] = p
    return out


def _original_scale_residuals(fit: _ets.EtsFit, values: np.ndarray) -> np.ndarray:
    """One-step in-sample errors on the scale of the data (n, T): what MinT estimates its covariance from."""
    with np.errstate(over="ignore", invalid="ignore"):
        predicted = np.where(fit.log[:, None], np.exp(fit.fitted), fit.fitted * fit.scale[:, None])
    return np.where(np.isnan(values), np.nan, values - predicted)


def _future_sum(fit: _ets.EtsFit, rows: np.ndarray, months: np.ndarray, weight: np.ndarray,
                mean_path: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and variance of sum_j weight_j y_{T+j}, on the original scale, for each target row, and
    the mean of each weighted step (k, h).

    ``months`` (k, h) are the ordinals of the steps after each series' last report, ``weight`` marks
    those in the target year, ``mean_path`` is the model's mean on its own scale.
    """
    n = fit.level.shape[0]
    sigma2, scale, is_log = fit.sigma2[rows], fit.scale[rows], fit.log[rows]
    relative = np.take_along_axis(fit.month_var[rows], months % 12, axis=1)
    # Calibrate on the series' own past: how well were sums of this many months forecast? (A series
    # with targets for several years is calibrated for the last of them.)
    series_h = np.zeros(n, dtype=int)
    series_h[rows] = weight.sum(axis=1).astype(int)
    series_phase = np.zeros(n, dtype=int)
    first_weighted = np.argmax(weight > 0, axis=1)[:, None]
    series_phase[rows] = np.take_along_axis(months, first_weighted, axis=1)[:, 0] % 12
    inflation = _ets.sum_error_ratio(fit, series_h, series_phase)[rows]
    cov = _ets.path_covariance(_ets._Rows(fit, rows), months.shape[1], relative)
    cov *= (sigma2 * inflation)[:, None, None]
    # Log scale: months are log-normal; the sum gets their exact mean and covariance (moment match).
    expected = np.exp(mean_path + 0.5 * np.diagonal(cov, axis1=1, axis2=2))
    log_mean = (weight * expected).sum(axis=1)
    log_var = np.einsum("kj,kj,kjl,kl,kl->k", weight, expected, np.expm1(cov), weight, expected)
    raw_mean = scale * (weight * mean_path).sum(axis=1)
    raw_var = scale ** 2 * np.einsum("kj,kjl,kl->k", weight, cov, weight)
    steps = np.where(is_log[:, None], weight * expected, scale[:, None] * weight * mean_path)
    return np.where(is_log, log_mean, raw_mean), np.where(is_log, log_var, raw_var), steps


def _tasks(panel: Panel, as_of: int, rows: np.ndarray, years: np.ndarray, targets: np.ndarray,
           method: str, chunk_size: int, keep_residuals: bool = False) -> list[_Task]:
    order = np.argsort(rows, kind="stable")
    rows, years, targets = rows[order], years[order], targets[order]
    tasks = []
    n = panel.values.shape[0]
    for lo in range(0, n, chunk_size):
        hi = min(lo + chunk_size, n)
        a, b = np.searchsorted(rows, [lo, hi])
        if a == b:
            continue
        tasks.append(_Task(panel.values[lo:hi], panel.start, as_of, rows[a:b] - lo, years[a:b],
                           targets[a:b], method, keep_residuals))
    return tasks


def attainment(history: pd.DataFrame, targets: pd.DataFrame, as_of: str | Period, method: str = "auto",
               runner: Runner | None = None, chunk_size: int = DEFAULT_CHUNK,
               history_months: int | None = DEFAULT_HISTORY_MONTHS) -> pd.DataFrame:
    """Expected annual totals, 80 % and 95 % intervals and P(total >= target) for every target.

    Parameters
    ----------
    history:
        ``DataFrame[series_id, period, value]`` of monthly reports (``period`` like ``2023-06``).
        Reports after ``as_of`` are ignored.
    targets:
        ``DataFrame[series_id, year, target]``: the annual target of each series.
    as_of:
        The last month whose reports count (``2023-06``); a year or quarter means its last month.
    method:
        ``"auto"`` chooses, per series, additive or multiplicative (log-scale) exponential smoothing
        by AIC; ``"additive"`` or ``"multiplicative"`` forces one.
    runner:
        Where the chunks run (:class:`gosplan.runner.Runner`); local by default.
    history_months:
        Use at most this many months of history before ``as_of``.

    Returns ``DataFrame[series_id, year, target, actual_to_date, expected_total, lower_80, upper_80,
    lower_95, upper_95, p_attain, required_monthly_rate, months_remaining, method, imputed,
    expected_rest, lower_99, upper_99]``: ``imputed`` is the model's expectation for the months up to
    ``as_of`` that were not reported (part of ``expected_total``, not of ``actual_to_date``),
    ``expected_rest`` the expected sum of the months after ``as_of``, and
    ``lower_99``/``upper_99`` the 99 % interval (what the model sees as possible).

    >>> months = [f"{y}-{m:02d}" for y in (2021, 2022, 2023) for m in range(1, 13)]
    >>> grain = [0, 0, 0, 0, 0, 0, 0, 5, 40, 50, 5, 0]          # harvested in autumn
    >>> history = pd.DataFrame({"series_id": "grain|north", "period": months, "value": grain * 3})
    >>> targets = pd.DataFrame({"series_id": ["grain|north"], "year": [2023], "target": [95.0]})
    >>> row = attainment(history, targets, as_of="2023-06").iloc[0]
    >>> float(row.actual_to_date), round(row.expected_total)
    (0.0, 100)
    >>> bool(row.p_attain > 0.5)
    True
    """
    return attainment_details(history, targets, as_of, method, runner, chunk_size, history_months,
                              residuals=False).frame


@dataclass
class AttainmentDetails:
    """:func:`attainment`'s frame with what reshaping its distributions needs.

    ``shape`` (one row per target row, same index): ``sd_rest`` the scale of the rest of the year's
    sum, ``dof``, ``log`` (log-normal rest) and ``nonnegative`` (see :func:`total_distribution`).
    ``residuals``: one-step in-sample errors on the data's scale, one row per series with a target,
    one column per month ordinal (NaN where the month was not reported).
    """

    frame: pd.DataFrame
    shape: pd.DataFrame
    residuals: pd.DataFrame


def attainment_details(history: pd.DataFrame, targets: pd.DataFrame, as_of: str | Period, method: str = "auto",
                       runner: Runner | None = None, chunk_size: int = DEFAULT_CHUNK,
                       history_months: int | None = DEFAULT_HISTORY_MONTHS, residuals: bool = True
                       ) -> AttainmentDetails:
    """:func:`attainment` that also returns the distributions' shape and (with ``residuals``) the model's
    one-step residuals."""
    keep_residuals = residuals
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    _require(targets, TARGET_FRAME_COLUMNS, "targets")
    end = Period.parse(as_of).last_month()
    panel = to_panel(history, end, history_months)
    position = pd.Index(panel.ids).get_indexer(targets["series_id"].to_numpy())
    years = pd.to_numeric(targets["year"], errors="coerce").to_numpy()
    values = pd.to_numeric(targets["target"], errors="coerce").to_numpy(dtype=float)
    if np.isnan(years).any():
        raise ValidationError([Problem("targets", None, "year", "year is missing or not a number")])
    known = position >= 0
    out = pd.DataFrame({"series_id": targets["series_id"].to_numpy(), "year": years.astype(int),
                        "target": values})
    for column in ATTAINMENT_COLUMNS[3:]:
        out[column] = np.nan
    out["method"] = "no data"
    if known.any():
        tasks = _tasks(panel, end.ordinal, position[known], years[known].astype(int), values[known],
                       method, chunk_size, keep_residuals)
        results = (runner or Runner()).map(annual_totals, tasks, description="forecasting")
        merged = {key: np.concatenate([r[key] for r in results]) for key in results[0]}
        # _tasks sorted the rows by series; put them back in the caller's order.
        where = np.flatnonzero(known)[np.argsort(position[known], kind="stable")]
        for column in ATTAINMENT_COLUMNS[3:]:
            if column in merged:
                out.loc[out.index[where], column] = merged[column]
    # Rows without data still get the arithmetic of what the rest of the year requires.
    year_end = out["year"].to_numpy() * 12 + 11
    remaining = np.clip(year_end - np.maximum(end.ordinal, year_end - 12), 0, 12)
    done = out["actual_to_date"].fillna(0.0).to_numpy()
    out["actual_to_date"] = done
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = np.maximum(values - done, 0.0) / remaining       # a target already met needs 0
        out["required_monthly_rate"] = np.where(remaining > 0, needed, np.nan)
    out["months_remaining"] = remaining.astype(int)
    shape = pd.DataFrame({"sd_rest": np.nan, "dof": np.nan, "log": False, "nonnegative": True}, index=out.index)
    residual_frame = pd.DataFrame()
    if known.any():
        for column in shape.columns:
            shape.loc[out.index[where], column] = merged[column]
    if known.any() and keep_residuals:
        first = ~pd.Index(out["series_id"].to_numpy()[where]).duplicated()
        residual_frame = pd.DataFrame(merged["residuals"][first], index=out["series_id"].to_numpy()[where][first],
                                 columns=panel.start + np.arange(panel.values.shape[1]))
    shape["log"] = shape["log"].astype(bool)
    shape["nonnegative"] = shape["nonnegative"].astype(bool)
    return AttainmentDetails(out[ATTAINMENT_COLUMNS], shape, residual_frame)
