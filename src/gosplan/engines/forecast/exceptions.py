"""Exceptions in monthly series: steps, slope changes, outliers, and units that stopped reporting.

In the spirit of Harrison & Stevens' multi-state Bayesian forecasting (J. Operational Research
Quarterly 22, 1971; JRSS B 38, 1976): alongside "no change" the model entertains a step in the
level, a change of slope and a transient (an outlier), each possibly starting in any month of a
recent window, and weighs them by their posterior probabilities. Instead of the recursive mixture of
Kalman filters we compare the hypotheses exactly on the window: the seasonal exponential smoothing
model of :mod:`._ets` is fitted to the months *before* the window and its forecast path, with the
covariance of its errors, is what "no change" predicts. A change of form ``delta * x`` (x the shape
of a step, slope or blip starting in month k) with a normal prior on ``delta`` gives the Bayes
factor against no change in closed form::

    log BF = -1/2 log(1 + tau^2 q) + tau^2 z^2 / (2 (1 + tau^2 q)),
    q = x' S^-1 x,  z = x' S^-1 d

(d the deviations from the path, S their covariance). The forecast path carries the seasonal
profile, so a harvest is not an exception and a missing harvest is one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gosplan.engines.forecast import _ets
from gosplan.engines.forecast._frames import to_panel
from gosplan.model import Period, month_label
from gosplan.runner import Runner

EXCEPTION_COLUMNS = ["series_id", "period", "kind", "size", "relative_size", "probability", "message"]
KINDS = ("step", "slope", "outlier")
# Prior probability of each kind of change somewhere in the window; the rest is "no change".
PRIORS = {"step": 0.02, "slope": 0.01, "outlier": 0.03}
MIN_HISTORY = 13


@dataclass
class _Task:
    values: np.ndarray
    first_month: int
    window: int
    tau: float


def _designs(window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shapes x of every (kind, start) hypothesis: (len(KINDS) * window, window)."""
    j = np.arange(window)
    rows, kinds, starts = [], [], []
    for kind_index, kind in enumerate(KINDS):
        for k in range(window):
            if kind == "step":
                x = (j >= k).astype(float)
            elif kind == "slope":
                x = np.where(j >= k, j - k + 1.0, 0.0)
            else:
                x = (j == k).astype(float)
            rows.append(x)
            kinds.append(kind_index)
            starts.append(k)
    return np.array(rows), np.array(kinds), np.array(starts)


def posterior(task: _Task) -> dict[str, np.ndarray]:
    """Posterior of the most probable change per series of one chunk (pure arrays)."""
    values, window = task.values, task.window
    n, t = values.shape
    before = values[:, : t - window]
    recent = values[:, t - window:]
    fit = _ets.fit(before, task.first_month)
    path = _ets.point_path(fit, (task.first_month + t - window) % 12, window)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(np.where(recent > 0, recent, np.nan))
    data = np.where(fit.log[:, None], logs, recent / fit.scale[:, None])
    deviation = data - path
    gone = np.isnan(deviation)
    months = (task.first_month + t - window + np.arange(window)) % 12
    relative = fit.month_var[:, months]
    cov = _ets.path_covariance(fit, window, relative) * fit.sigma2[:, None, None]
    # An unreported month carries no evidence: give it an enormous variance. A series that never
    # varied gets a floor of 0.1 % of its level, so a change is certain but the algebra stays finite.
    cov = cov + np.eye(window)[None] * np.where(gone, 1e12, 1e-6)[:, :, None]
    deviation = np.where(gone, 0.0, deviation)
    precision = np.linalg.inv(cov)
    designs, kinds, starts = _designs(window)
    q = np.einsum("hw,nwv,hv->nh", designs, precision, designs)
    z = np.einsum("hw,nwv,nv->nh", designs, precision, deviation)
    tau2 = task.tau ** 2
    log_bf = -0.5 * np.log1p(tau2 * q) + 0.5 * tau2 * z ** 2 / (1 + tau2 * q)
    prior = np.array([PRIORS[KINDS[k]] for k in kinds]) / window
    log_weight = np.log(prior)[None, :] + log_bf
    log_null = np.log(1 - sum(PRIORS.values()))
    top = np.maximum(log_weight.max(axis=1), log_null)
    weights = np.exp(log_weight - top[:, None])
    null = np.exp(log_null - top)
    best = np.argmax(weights, axis=1)
    total = weights.sum(axis=1) + null
    rows = np.arange(n)
    delta = (tau2 * z / (1 + tau2 * q))[rows, best]          # posterior mean of the change
    start = starts[best]
    expected = path[rows, start]
    size = np.where(fit.log, np.exp(expected) * np.expm1(delta), delta * fit.scale)
    baseline = np.where(fit.log, np.exp(expected), expected * fit.scale)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(fit.log, np.expm1(delta), size / np.abs(baseline))
    enough = fit.nobs >= MIN_HISTORY
    return {
        "probability": np.where(enough, 1 - null / total, 0.0),
        "kind": kinds[best], "start": start, "size": size, "relative_size": share,
        "last": np.where((~np.isnan(values)).any(axis=1),
                         t - 1 - np.argmax(~np.isnan(values[:, ::-1]), axis=1), -1),
    }


def detect(history: pd.DataFrame, as_of: str | Period, window: int = 6, threshold: float = 0.9,
           tau: float = 0.3, runner: Runner | None = None, chunk_size: int = 5000,
           history_months: int | None = 60) -> pd.DataFrame:
    """Exceptions in the ``window`` months up to ``as_of``: one row per series that changed.

    A series gets a row when the posterior probability of some change exceeds ``threshold``
    (kind ``step``, ``slope`` or ``outlier``, at the month where the change most probably began), or
    when it has not reported for ``as_of`` (kind ``missing``, at its first missing month, ``size`` the
    number of months missing). ``tau`` is the prior standard deviation of a change relative to the
    level (0.3: changes of about 30 % are expected when there is one).

    Returns ``DataFrame[series_id, period, kind, size, relative_size, probability, message]``;
    ``size`` is in the series' own units (the first month's deviation for a slope change).

    >>> from gosplan.engines.forecast.synthetic import seasonal_series
    >>> values, _ = seasonal_series(1, months=42, seed=3)
    >>> values[0, 38:] *= 0.6                                  # output falls by 40 % from month 39
    >>> months = [month_label(2020 * 12 + j) for j in range(42)]
    >>> history = pd.DataFrame({"series_id": "steel|plant-7", "period": months, "value": values[0]})
    >>> found = detect(history, as_of="2023-06")
    >>> found[["series_id", "period", "kind"]].to_dict("records")
    [{'series_id': 'steel|plant-7', 'period': '2023-03', 'kind': 'step'}]
    """
    if window < 1:
        raise ValueError(f"window must be at least 1 month, got {window}")
    end = Period.parse(as_of).last_month()
    panel = to_panel(history, end, history_months)
    n, t = panel.values.shape
    if n == 0 or t <= window:
        return pd.DataFrame(columns=EXCEPTION_COLUMNS)
    tasks = [_Task(panel.values[lo:lo + chunk_size], panel.start % 12, window, tau)
             for lo in range(0, n, chunk_size)]
    results = (runner or Runner()).map(posterior, tasks, description="detecting")
    merged = {key: np.concatenate([r[key] for r in results]) for key in results[0]}
    window_start = end.ordinal - window + 1
    frames = []

    last = merged["last"]
    missing = last < t - 1
    if missing.any():
        first_gone = panel.start + last[missing] + 1
        count = end.ordinal - first_gone + 1
        frames.append(pd.DataFrame({
            "series_id": panel.ids[missing], "period": [month_label(o) for o in first_gone],
            "kind": "missing", "size": count.astype(float), "relative_size": np.nan, "probability": 1.0,
            "message": [f"no report since {month_label(o - 1)} ({c} month{'s' if c > 1 else ''} missing)"
                        if o > panel.start else "never reported"
                        for o, c in zip(first_gone, count, strict=True)],
        }))
    changed = (merged["probability"] > threshold) & ~missing
    if changed.any():
        start = window_start + merged["start"][changed]
        kind = np.array(KINDS)[merged["kind"][changed]]
        size, share = merged["size"][changed], merged["relative_size"][changed]
        prob = merged["probability"][changed]
        words = {"step": "step", "slope": "slope change", "outlier": "outlier"}
        frames.append(pd.DataFrame({
            "series_id": panel.ids[changed], "period": [month_label(o) for o in start], "kind": kind,
            "size": size, "relative_size": share, "probability": prob,
            "message": [f"{words[k]} of {s:+.0%} ({v:+,.4g}) from {month_label(o)}, P = {p:.2f}"
                        for k, s, v, o, p in zip(kind, share, size, start, prob, strict=True)],
        }))
    if not frames:
        return pd.DataFrame(columns=EXCEPTION_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["series_id", "period"], ignore_index=True)[EXCEPTION_COLUMNS]


def missing_months(reports: pd.DataFrame, as_of: str | Period, first: str | Period | None = None) -> pd.DataFrame:
    """Months not reported between ``first`` (default: January of ``as_of``'s year) and ``as_of``.

    ``reports`` is ``DataFrame[series_id, period, value]`` of the series that should report every
    month (a series' months before its first report are not missing: it did not exist yet). Gaps
    anywhere in the window count, not only at its end: an April missing by July is missing. One row
    per series with a gap (kind ``missing``, ``period`` its first missing month, ``size`` the number
    of months missing, ``probability`` 1), in :data:`EXCEPTION_COLUMNS`; ``message`` names the months.

    >>> reports = pd.DataFrame({"series_id": "coal|mine-1", "period": ["2023-01", "2023-02", "2023-03",
    ...                         "2023-05", "2023-06", "2023-07"], "value": 1.0})
    >>> missing_months(reports, "2023-07")[["period", "size", "message"]].to_dict("records")
    [{'period': '2023-04', 'size': 1.0, 'message': 'no report for 2023-04'}]
    """
    end = Period.parse(as_of).last_month().ordinal
    start = Period.parse(first).first_month().ordinal if first is not None else end - end % 12
    if reports.empty or start > end:
        return pd.DataFrame(columns=EXCEPTION_COLUMNS)
    ordinal = reports["period"].map(lambda p: Period.parse(str(p)).ordinal).to_numpy()
    ids = reports["series_id"].astype(str).to_numpy()
    rows = []
    for sid in pd.unique(ids):
        seen = ordinal[ids == sid]
        begin = max(start, int(seen.min()))
        gone = sorted(set(range(begin, end + 1)) - set(seen.tolist()))
        if gone:
            labels = [month_label(o) for o in gone]
            rows.append((sid, labels[0], "missing", float(len(gone)), np.nan, 1.0,
                         f"no report for {', '.join(labels)}"))
    if not rows:
        return pd.DataFrame(columns=EXCEPTION_COLUMNS)
    return pd.DataFrame(rows, columns=EXCEPTION_COLUMNS)
