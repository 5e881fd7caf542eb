"""Vectorised additive-error exponential smoothing with a monthly seasonal profile.

The model is ETS(A, Ad, A) in the innovations state-space form of Hyndman, Koehler, Ord & Snyder
(*Forecasting with Exponential Smoothing*, Springer 2008, ch. 3 and 6)::

    y_t     = l_{t-1} + phi b_{t-1} + s_{t-m} + e_t,        e_t ~ N(0, sigma^2)
    l_t     = l_{t-1} + phi b_{t-1} + alpha e_t
    b_t     = phi b_{t-1} + beta e_t
    s_t     = s_{t-m} + gamma e_t

fitted either to the values themselves or to their logarithms (which makes the seasonal profile
and the errors multiplicative). Every array has the series on its last axis, so one pass over the
months filters all series and all candidate parameter sets at once; there is no loop per series.

The seasonal profile is indexed by calendar month (0 = January) rather than by lag, so a series
can start in any month and gaps cost nothing but the missing update.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

MONTHS = 12
# Candidate smoothing parameters: (alpha, beta, phi, gamma). beta = 0 with a zero initial slope is
# the model without trend; the other a slow linear trend (Holt). A small grid evaluated
# for all series at once replaces a per-series optimiser: the likelihood surface of these models is
# flat near its optimum, so a coarse grid loses little accuracy (Hyndman et al. 2008, sec. 5.2) and
# costs one vectorised pass per candidate.
_ALPHAS = (0.05, 0.2, 0.45, 0.8)
_TRENDS = ((0.0, 1.0), (0.01, 1.0))
_GAMMAS = (0.0, 0.15)
GRID: tuple[tuple[float, float, float, float], ...] = tuple(
    (a, b, p, g) for a in _ALPHAS for (b, p) in _TRENDS for g in _GAMMAS
)


@dataclass
class EtsFit:
    """The chosen model per series and its state at the end of the history.

    All arrays have the series on axis 0. ``log`` says whether the model was fitted to log values.
    """

    log: np.ndarray          # (n,) bool
    scale: np.ndarray        # (n,) the raw values were divided by this before fitting
    level: np.ndarray        # (n,)
    trend: np.ndarray        # (n,)
    seasonal: np.ndarray     # (n, 12) by calendar month
    alpha: np.ndarray
    beta: np.ndarray
    phi: np.ndarray
    gamma: np.ndarray
    sigma2: np.ndarray       # (n,) innovation variance on the fitted scale
    dof: np.ndarray          # (n,) residual degrees of freedom
    nobs: np.ndarray         # (n,) observed months
    month_var: np.ndarray    # (n, 12) innovation variance of each calendar month / sigma2
    fitted: np.ndarray       # (n, T) one-step predictions on the fitted scale
    residuals: np.ndarray    # (n, T) one-step errors on the fitted scale (nan where unobserved)
    # After each month: level, trend and the seasonal value written (n, T); initial_season (n, 12).
    states: dict[str, np.ndarray] | None = None
    data: np.ndarray | None = None                  # the values on the fitted scale (n, T)
    first_month: int = 0


def seasonal_profile(y: np.ndarray, first_month: int) -> tuple[np.ndarray, np.ndarray]:
    """Robust initial seasonal effects by calendar month, shrunk toward flat.

    Deviations from each calendar year's mean are averaged by month over the complete years, then
    shrunk with the positive-part James-Stein factor (Efron & Morris 1973), so that a profile
    resting on one noisy year is pulled toward zero while a clear harvest pattern is kept.
    Returns ``(profile (n, 12), shrink factor (n,))``.
    """
    n, t = y.shape
    lead = (-first_month) % MONTHS
    usable = (t - lead) // MONTHS
    profile = np.zeros((n, MONTHS))
    factor = np.zeros(n)
    if usable < 1:
        return profile, factor
    years = y[:, lead:lead + usable * MONTHS].reshape(n, usable, MONTHS)
    complete = ~np.isnan(years).any(axis=2)                          # (n, years)
    count = complete.sum(axis=1)
    deviation = np.where(complete[..., None], years - years.mean(axis=2, keepdims=True), 0.0)
    safe = np.maximum(count, 1)[:, None]
    raw = deviation.sum(axis=1) / safe                                # (n, 12)
    # Noise variance of one month's deviation, pooled over years and months.
    spread = ((deviation - raw[:, None, :]) ** 2 * complete[..., None]).sum(axis=(1, 2))
    noise = spread / np.maximum((count - 1) * (MONTHS - 1), 1)
    noise = np.where(count >= 2, noise, np.inf)                      # one year: no evidence of noise
    signal = (raw ** 2).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        js = 1.0 - (MONTHS - 3) * noise / safe[:, 0] / signal
    # A single complete year cannot separate season from noise: keep half of it.
    js = np.where(count == 1, 0.5, js)
    js = np.where(count == 0, 0.0, np.clip(np.nan_to_num(js, nan=0.0, neginf=0.0), 0.0, 1.0))
    profile = raw * js[:, None]
    return profile, js


def _initial_states(y: np.ndarray, first_month: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n, t = y.shape
    months = (first_month + np.arange(t)) % MONTHS
    profile, shrink = seasonal_profile(y, first_month)
    adjusted = y - profile[:, months]
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        level = np.nanmean(adjusted[:, : min(t, MONTHS)], axis=1)
        # A series that starts late: its first reported year stands in for the first columns.
        level = np.where(np.isnan(level), np.nanmean(adjusted, axis=1), level)
    # Slope from the first to the last year of seasonally adjusted values.
    if t >= 2 * MONTHS:
        tail = adjusted[:, -MONTHS:]
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            slope = (np.nanmean(tail, axis=1) - level) / (t - MONTHS)
        slope = np.nan_to_num(slope)
    else:
        slope = np.zeros(n)
    return level, slope, profile, shrink


def _filter(y, months, level, slope, profile, alpha, beta, phi, gamma, record=False):
    """Run the recursions; parameters broadcast against the series axis (last axis).

    With ``record`` (one parameter set per series) also returns the one-step predictions and the
    states after each month: level, trend and the seasonal value written that month, each (n, T).
    """
    shape = np.broadcast_shapes(np.shape(alpha), level.shape)
    lvl = np.broadcast_to(level, shape).copy()
    trd = np.array(np.broadcast_to(slope, shape) * (np.asarray(beta) > 0), dtype=y.dtype)
    season = np.broadcast_to(profile.T[:, None, :] if len(shape) == 2 else profile.T,
                             (MONTHS, *shape)).copy()
    observed = ~np.isnan(y)
    filled = np.where(observed, y, y.dtype.type(0))
    sse = np.zeros(shape, dtype=y.dtype)
    t_len = y.shape[1]
    if record:
        fitted, levels, trends, seasons = (np.empty((t_len, *shape)) for _ in range(4))
    for t in range(t_len):
        m = months[t]
        damped = phi * trd
        base = lvl + damped
        prediction = base + season[m]
        e = filled[:, t] - prediction
        e *= observed[:, t]                 # an unreported month leaves the states to the model
        sse += e * e
        base += alpha * e
        lvl = base
        damped += beta * e
        trd = damped
        season[m] += gamma * e
        if record:
            fitted[t], levels[t], trends[t], seasons[t] = prediction, lvl, trd, season[m]
    states = None
    if record:
        states = {"level": levels.T, "trend": trends.T, "season": seasons.T, "fitted": fitted.T}
    return lvl, trd, season, sse, states


def fit(values: np.ndarray, first_month: int, allow_log: bool = True) -> EtsFit:
    """Fit the model to every row of ``values`` (n, T); nan marks a month not reported.

    ``first_month`` is the calendar month (0 = January) of column 0. For each series the grid
    candidate and the scale (values or logs) with the smallest AIC are kept; the log likelihood of a
    log model carries the Jacobian term so that the two scales compare fairly.
    """
    y = np.asarray(values, dtype=float)
    n, t = y.shape
    months = (first_month + np.arange(t)) % MONTHS
    observed = ~np.isnan(y)
    nobs = observed.sum(axis=1)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        scale = np.nanmean(np.abs(y), axis=1)
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    raw = y / scale[:, None]
    positive = np.where(observed, y > 0, True).all(axis=1) & (nobs > 0)
    use_log = positive & allow_log
    logs = np.log(np.where(use_log[:, None] & observed, y, np.nan))

    params = np.array(GRID)                               # (G, 4)
    alpha, beta, phi, gamma = (params[:, i:i + 1] for i in range(4))
    # Estimated: alpha; beta and b0 (phi comes with the grid point); gamma.
    k_smooth = 1 + (params[:, 1:2] > 0) * 2 + (params[:, 3:4] > 0)

    best_aic = np.full(n, np.inf)
    best = np.zeros(n, dtype=int)
    best_log = np.zeros(n, dtype=bool)
    log_jacobian = np.nansum(np.where(use_log[:, None], logs, 0.0), axis=1)
    scales = [(False, raw)] + ([(True, logs)] if use_log.any() else [])
    initial = {}
    for is_log, data in scales:
        level, slope, profile, shrink = _initial_states(data, first_month)
        level = np.nan_to_num(level)
        initial[is_log] = (level, slope, profile, shrink)
        # Single precision is plenty to rank candidates and halves the memory traffic of the grid.
        f32 = np.float32
        *_, sse, _ = _filter(data.astype(f32), months, level.astype(f32), slope.astype(f32),
                             profile.astype(f32), alpha.astype(f32), beta.astype(f32), phi.astype(f32),
                             gamma.astype(f32))
        sse = sse.astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            aic = nobs * np.log(np.maximum(sse, 1e-300) / np.maximum(nobs, 1)) + 2 * k_smooth
        aic = aic + (2 * log_jacobian if is_log else 2 * nobs * np.log(scale))
        if is_log:
            aic = np.where(use_log, aic, np.inf)
        choice = np.argmin(aic, axis=0)
        value = aic[choice, np.arange(n)]
        better = value < best_aic
        best_aic = np.where(better, value, best_aic)
        best = np.where(better, choice, best)
        best_log = np.where(better, is_log, best_log)

    # Final pass with each series' own parameters, on its own scale, recording the fitted values.
    data = np.where(best_log[:, None], logs, raw)
    data = np.where(observed, data, np.nan)
    # The initial states of each series' chosen scale, as computed for the grid.
    level, slope, profile, shrink = initial[False]
    if True in initial:
        lg_level, lg_slope, lg_profile, lg_shrink = initial[True]
        level, slope, shrink = (np.where(best_log, lg, rw) for rw, lg in
                                ((level, lg_level), (slope, lg_slope), (shrink, lg_shrink)))
        profile = np.where(best_log[:, None], lg_profile, profile)
    chosen = params[best]
    a, b, p, g = (chosen[:, i] for i in range(4))
    lvl, trd, season, sse, states = _filter(data, months, level, slope, profile, a, b, p, g, record=True)
    fitted = states.pop("fitted")
    # Parameters: smoothing ones, initial level, and the seasonal profile's effective size.
    k = 1 + (b > 0) * 2 + (g > 0) + 1 + 11 * shrink
    dof = np.maximum(nobs - k, 3.0)
    sigma2 = sse / dof
    residuals = np.where(observed, data - fitted, np.nan)
    month_var = _month_variance(residuals, months, sse / np.maximum(nobs, 1))
    states["initial_season"] = profile
    return EtsFit(log=best_log, scale=scale, level=lvl, trend=trd, seasonal=season.T, alpha=a, beta=b,
                  phi=p, gamma=g, sigma2=sigma2, dof=dof, nobs=nobs, month_var=month_var, fitted=fitted,
                  residuals=residuals, states=states, data=data,
                  first_month=first_month)


def _month_variance(residuals: np.ndarray, months: np.ndarray, pooled: np.ndarray,
                    prior: float = 3.0) -> np.ndarray:
    """Relative innovation variance by calendar month, shrunk toward the pooled variance.

    Output is seasonal and so is its noise: grain has no errors in spring and large ones at harvest.
    With three years each month has three errors, so each monthly variance is a weighted mean of its
    own squared errors and ``prior`` pseudo-observations at the pooled variance.
    """
    n = residuals.shape[0]
    squared = np.nan_to_num(residuals ** 2)
    counted = ~np.isnan(residuals)
    total = np.zeros((n, MONTHS))
    count = np.zeros((n, MONTHS))
    for m in range(MONTHS):
        columns = months == m
        total[:, m] = squared[:, columns].sum(axis=1)
        count[:, m] = counted[:, columns].sum(axis=1)
    pooled = pooled[:, None]
    shrunk = (total + prior * pooled) / (count + prior)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = shrunk / pooled
    return np.where(pooled > 0, ratio, 1.0)


def point_path(fit_: EtsFit, first_month: int, horizon: int, state: dict[str, np.ndarray] | None = None
               ) -> np.ndarray:
    """Mean path on the fitted scale for months 1..horizon after the state (n, horizon).

    ``first_month`` is the calendar month of step 1.
    """
    src = state or {"level": fit_.level, "trend": fit_.trend, "seasonal": fit_.seasonal}
    steps = np.arange(1, horizon + 1)
    phi = fit_.phi[:, None]
    # phi + phi^2 + ... + phi^h, exact for phi == 1 too.
    damp = np.cumsum(phi ** steps[None, :], axis=1)
    months = (first_month + steps - 1) % MONTHS
    return src["level"][:, None] + damp * src["trend"][:, None] + src["seasonal"][:, months]


def psi_weights(fit_: EtsFit, horizon: int) -> np.ndarray:
    """Impulse responses psi_0..psi_{horizon-1} (n, horizon): effect of e_t on y_{t+j}.

    psi_0 = 1, psi_j = alpha + beta (phi + ... + phi^j) + gamma [j mod 12 == 0]
    (Hyndman et al. 2008, table 6.1, class 1 models).
    """
    j = np.arange(horizon)
    phi = fit_.phi[:, None]
    damp = np.cumsum(np.where(j[None, :] > 0, phi ** j[None, :], 0.0), axis=1)     # phi + ... + phi^j
    yearly = (j % MONTHS == 0) & (j > 0)
    psi = fit_.alpha[:, None] + fit_.beta[:, None] * damp + fit_.gamma[:, None] * yearly
    psi[:, 0] = 1.0
    return psi


def path_covariance(fit_: EtsFit, horizon: int, innovation_var: np.ndarray | None = None) -> np.ndarray:
    """Covariance (n, h, h) of the future values on the fitted scale, in units of sigma^2.

    Cov(y_{T+i}, y_{T+j}) = sum_{k=1}^{min(i,j)} psi_{i-k} psi_{j-k}: the errors of a sum of
    months are correlated through the shared states, which is why the annual total's variance is
    not the sum of the monthly variances. ``innovation_var`` (n, h) gives each future innovation's
    variance relative to sigma^2 (default 1).
    """
    psi = psi_weights(fit_, horizon)
    # Loading of future value i on innovation k: L[i, k] = psi_{i-k} for k <= i.
    idx = np.arange(horizon)
    lag = idx[:, None] - idx[None, :]
    loading = np.where(lag >= 0, psi[:, np.clip(lag, 0, None)], 0.0)     # (n, h, h)
    if innovation_var is not None:
        # Innovation k has its own variance (its calendar month's): scale column k of the loadings.
        loading = loading * np.sqrt(innovation_var)[:, None, :]
    return loading @ np.swapaxes(loading, 1, 2)


def sum_error_ratio(fit_: EtsFit, horizon: np.ndarray, phase: np.ndarray | None = None,
                    prior: float = 1.0) -> np.ndarray:
    """Realised / model variance of in-sample forecasts of the sum of the next ``horizon`` months.

    One-step errors can look small while the sum of a year's remaining months is missed by much
    more (a drifting level that a small alpha follows too slowly). From every past origin the sum
    of the following ``horizon[i]`` months is forecast from the filtered state and compared with
    what happened; the ratio of the mean squared error to the model's own variance for that sum
    corrects the variance. The ratio is shrunk toward 1 with ``prior`` pseudo-windows, since
    overlapping windows of a short history carry little evidence. With ``phase`` (n,), the calendar
    month each series' sum starts in, windows starting in that month count extra. Returns (n,).
    """
    states, data = fit_.states, fit_.data
    n, t = data.shape
    ratio = np.ones(n)
    months = (fit_.first_month + np.arange(t)) % MONTHS
    for h in np.unique(horizon):
        h = int(h)
        rows = np.flatnonzero(horizon == h)
        origins = np.arange(MONTHS - 1, t - h)          # leave the first year to the initial states
        if h <= 0 or rows.size == 0 or origins.size == 0:
            continue
        sub = _Rows(fit_, rows)
        # Seasonal value in force for month c: written at c - 12, or the initial one before that.
        before = states["initial_season"][rows][:, (fit_.first_month + np.arange(-MONTHS, 0)) % MONTHS]
        extended = np.concatenate([before, states["season"][rows]], axis=1)
        psi = psi_weights(sub, h)
        # c_k = psi_0 + ... + psi_{h-k}: weight of innovation k in the sum of the h months.
        weight = np.cumsum(psi[:, ::-1], axis=1)[:, ::-1]
        steps = np.arange(1, h + 1)
        damp = np.cumsum(sub.phi[:, None] ** steps[None, :], axis=1).sum(axis=1)
        # All origins at once through running sums: the sum over months o+1..o+h is C[o+h] - C[o].
        window = data[rows]
        gaps = np.isnan(window)
        zero = np.zeros((rows.size, 1))
        sums = np.concatenate([zero, np.cumsum(np.where(gaps, 0.0, window), axis=1)], axis=1)
        holes = np.concatenate([zero, np.cumsum(gaps, axis=1)], axis=1)
        seasons = np.concatenate([zero, np.cumsum(extended, axis=1)], axis=1)
        ok = (holes[:, origins + 1 + h] - holes[:, origins + 1]) == 0
        actual = sums[:, origins + 1 + h] - sums[:, origins + 1]
        forecast = (h * states["level"][rows][:, origins] + damp[:, None] * states["trend"][rows][:, origins]
                    + seasons[:, origins + 1 + h] - seasons[:, origins + 1])
        # Model variance of the sum by the calendar month the window starts in (12 phases).
        month_var = fit_.month_var[rows]
        by_phase = np.stack([(month_var[:, (phase + np.arange(h)) % MONTHS] * weight ** 2).sum(axis=1)
                             for phase in range(MONTHS)], axis=1)
        variance = by_phase[:, months[origins + 1]] * fit_.sigma2[rows][:, None]
        error2 = np.where(ok, (actual - forecast) ** 2, 0.0).sum(axis=1)
        model2 = np.where(ok, variance, 0.0).sum(axis=1)
        count = ok.sum(axis=1)
        # Overlapping windows: about one independent window per h origins.
        evidence = count / h
        with np.errstate(divide="ignore", invalid="ignore"):
            observed = np.where(model2 > 0, error2 / model2, 1.0)
        weighted = evidence * observed
        if phase is not None:
            # The same months in earlier years (the rest of the harvest after October, say) are the
            # closest evidence; those windows do not overlap, so each counts fully.
            same = ok & (months[origins + 1][None, :] == phase[rows][:, None])
            same_error = np.where(same, (actual - forecast) ** 2, 0.0).sum(axis=1)
            same_model = np.where(same, variance, 0.0).sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                same_ratio = np.where(same_model > 0, same_error / same_model, 1.0)
            count_same = same.sum(axis=1)
            weighted = weighted + count_same * same_ratio
            evidence = evidence + count_same
        # In-sample errors flatter the model (its parameters were fitted to them): never narrow.
        ratio[rows] = np.maximum((weighted + prior) / (evidence + prior), 1.0)
    return ratio


class _Rows:
    """The smoothing parameters of selected series, as :func:`psi_weights` reads them."""

    def __init__(self, fit_: EtsFit, rows: np.ndarray) -> None:
        self.alpha, self.beta = fit_.alpha[rows], fit_.beta[rows]
        self.phi, self.gamma = fit_.phi[rows], fit_.gamma[rows]
