"""Movements (campaigns): how far they spread and what joining them changed.

Two pure functions:

* :func:`fit_bass` fits the Bass (1969) diffusion model to the months in which units joined a
  movement and forecasts its reach;
* :func:`campaign_effect` estimates the effect of joining on the joiners' productivity against
  comparable units that had not joined yet: a staggered difference-in-differences / event study in
  the manner of Callaway & Sant'Anna (2021, "Difference-in-differences with multiple time periods",
  J. Econometrics 225(2)), with a unit-level bootstrap confidence interval.

Time is counted in months (month ordinals of :mod:`gosplan.model`); periods may be given as
``'2023-06'`` text, :class:`~gosplan.model.Period` objects or integer ordinals.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from gosplan.model import Period, month_label

EVENT_STUDY_COLUMNS = ["event_time", "estimate", "ci_low", "ci_high", "n_treated"]
FORECAST_COLUMNS = ["period", "months", "new", "cumulative", "share_of_potential"]


def to_month(value: Any) -> float:
    """Month ordinal of ``value`` (``'2023-06'``, a Period, or an ordinal); NaN for missing values."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return np.nan
    if isinstance(value, (int, np.integer)):
        return float(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if hasattr(value, "year") and hasattr(value, "month") and not isinstance(value, Period):
        return float(value.year * 12 + value.month - 1)  # date, datetime, Timestamp
    return float(Period.parse(str(value)).first_month().ordinal)


# -- Bass diffusion ---------------------------------------------------------------------------------

def bass_cumulative(t: np.ndarray, p: float, q: float, m: float) -> np.ndarray:
    """Cumulative adopters after ``t`` periods: ``m (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})``.

    By hand: ``e^{-4.1} = 0.016573``, ``0.983427 / (1 + 12.6667 * 0.016573) = 0.81279``:

    >>> round(float(bass_cumulative(np.array([10.0]), 0.03, 0.38, 100)[0]), 2)
    81.28
    """
    decay = np.exp(-(p + q) * np.asarray(t, dtype=float))
    return m * (1 - decay) / (1 + (q / p) * decay)


@dataclass
class BassFit:
    """A fitted Bass curve. ``p`` innovation, ``q`` imitation, ``m`` potential (units that will join).

    ``start`` is the month ordinal of t = 0 (the month before the first join counts as empty);
    ``observed`` is the fitted series (``months``, ``cumulative``); ``rmse`` the fit's root mean square
    error in units.
    """

    p: float
    q: float
    m: float
    start: int
    observed: pd.DataFrame
    rmse: float
    eligible: int | None

    @property
    def peak_month(self) -> float:
        """Months after ``start`` at which new joins peak: ``ln(q/p) / (p + q)`` (0 when q <= p)."""
        return max(0.0, float(np.log(self.q / self.p) / (self.p + self.q)))

    def cumulative(self, months: Iterable[float]) -> np.ndarray:
        return bass_cumulative(np.asarray(list(months), float), self.p, self.q, self.m)

    def forecast(self, horizon: int = 12) -> pd.DataFrame:
        """Expected joins per month, from the first observed month to ``horizon`` months past the last."""
        last = int(self.observed["months"].max())
        months = np.arange(1, last + horizon + 1)
        cumulative = self.cumulative(months)
        new = np.diff(np.concatenate([[0.0], cumulative]))
        return pd.DataFrame({"period": [month_label(self.start + int(t)) for t in months], "months": months,
                             "new": new, "cumulative": cumulative,
                             "share_of_potential": cumulative / (self.eligible or self.m)},
                            columns=FORECAST_COLUMNS)

    def reach(self, month: Any) -> float:
        """Expected number of units joined by the end of ``month``."""
        return float(self.cumulative([to_month(month) - self.start])[0])


def fit_bass(joined: Iterable[Any], eligible: int | None = None, until: Any = None,
             fix_potential: bool = False) -> BassFit:
    """Fit the Bass diffusion model to join months (one entry per unit; NaN/None: not joined).

    ``eligible`` (units that could join) bounds the potential ``m`` from above, or fixes it with
    ``fix_potential``; ``until`` is the last month observed (default: the last join). Least squares on
    the cumulative number joined at the end of each month (Srinivasan & Mason 1986 fit the same curve
    by nonlinear least squares).

    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(1, 25)
    >>> counts = np.round(np.diff(np.concatenate([[0], bass_cumulative(t, 0.02, 0.5, 300)]))).astype(int)
    >>> joins = np.repeat(t + 2023 * 12, counts)        # month ordinals from February 2023
    >>> fit = fit_bass(joins, eligible=400, until="2024-12")
    >>> round(fit.p, 2), round(fit.q, 1), round(fit.m / 10) * 10
    (0.02, 0.5, 300)
    """
    months = np.array([to_month(v) for v in joined], dtype=float)
    months = months[np.isfinite(months)].astype(int)
    if len(months) < 3:
        raise ValueError("a Bass fit needs at least three joins")
    start = int(months.min()) - 1
    end = int(to_month(until)) if until is not None else int(months.max())
    t = np.arange(1, end - start + 1)
    cumulative = np.array([(months <= start + k).sum() for k in t], dtype=float)
    n = cumulative[-1]
    upper_m = float(eligible) if eligible is not None else max(20 * n, n + 1)
    if eligible is not None and eligible < n:
        raise ValueError(f"eligible={eligible} is below the {int(n)} units already joined")

    def residuals(theta: np.ndarray) -> np.ndarray:
        p, q = theta[0], theta[1]
        m = upper_m if fix_potential else theta[2]
        return bass_cumulative(t, p, q, m) - cumulative

    m0 = min(upper_m, max(n * 1.5, n + 1))
    x0 = [0.01, 0.3] if fix_potential else [0.01, 0.3, m0]
    lower = [1e-6, 0.0] if fix_potential else [1e-6, 0.0, n]
    upper = [1.0, 3.0] if fix_potential else [1.0, 3.0, max(upper_m, n + 1e-9)]
    best = None
    for guess_q in (0.1, 0.3, 0.8):  # Bass fits have local optima; try a few imitation rates
        x0[1] = guess_q
        fit = least_squares(residuals, x0, bounds=(lower, upper), method="trf", x_scale="jac")
        if best is None or fit.cost < best.cost:
            best = fit
    assert best is not None
    p, q = float(best.x[0]), float(best.x[1])
    m = upper_m if fix_potential else float(best.x[2])
    observed = pd.DataFrame({"months": t, "period": [month_label(start + int(k)) for k in t],
                             "cumulative": cumulative})
    rmse = float(np.sqrt(np.mean(best.fun**2)))
    return BassFit(p, q, m, start, observed, rmse, eligible)


# -- effect of joining --------------------------------------------------------------------------------

@dataclass
class CampaignEffect:
    """Result of :func:`campaign_effect`.

    ``event_study``: one row per month relative to joining (``-1`` is the base month, fixed at 0);
    ``att``: average effect over the months ``0..post`` after joining, with ``ci``; ``pre_trend``:
    average of the pre-joining estimates with its interval (should cover 0 if trends were parallel);
    ``log``: effects are differences in log productivity (``percent`` converts them).
    """

    event_study: pd.DataFrame
    att: float
    ci: tuple[float, float]
    pre_trend: float
    pre_trend_ci: tuple[float, float]
    n_joined: int
    n_comparison: int
    log: bool
    level: float

    @property
    def percent(self) -> tuple[float, float, float]:
        """ATT and its interval as percent change (only meaningful with ``log=True``)."""
        return tuple(100 * (np.exp(v) - 1) for v in (self.att, *self.ci))  # type: ignore[return-value]


def campaign_effect(panel: pd.DataFrame, joined: Mapping[Any, Any] | pd.Series, value: str = "value",
                    unit: str = "unit", period: str = "period", pre: int = 6, post: int = 6,
                    log: bool = True, n_boot: int = 400, level: float = 0.95,
                    seed: int = 0) -> CampaignEffect:
    """Effect of joining a movement on a monthly indicator (e.g. output per worker).

    For every cohort ``g`` (units that joined in month ``g``) and every month ``t = g + e`` with
    ``-pre <= e <= post``, the cohort's change since its base month ``g - 1`` is compared with the
    change over the same months of the units that had not joined by ``max(t, g - 1)`` (not yet, or
    never)::

        ATT(g, t) = mean_{joined in g}(Y_t - Y_{g-1}) - mean_{not yet joined}(Y_t - Y_{g-1})

    The event study averages ``ATT(g, g + e)`` over cohorts weighted by cohort size; ``att`` averages
    the event study over ``e = 0..post`` weighted likewise. Confidence intervals are percentile
    intervals of a bootstrap that resamples whole units (so serial correlation within a unit is kept).

    Assumptions (the estimate means nothing without them): (1) parallel trends - without the movement
    the joiners' indicator would have moved like that of the units not yet joined; (2) no
    anticipation - joining does not change the indicator before the join month; (3) no spill-over -
    the movement does not change the comparison units; (4) joining is for good (staggered adoption).
    Comparability is the caller's job: pass units of one sector (a coal mine is compared with coal
    mines). ``pre_trend`` is the usual check of (1) and (2): pre-joining estimates should be near 0.

    ``panel`` is long: columns ``unit``, ``period`` (``'2023-06'``, Period or month ordinal) and
    ``value``; ``joined`` maps unit to join month (units missing or NaN never joined). With ``log``
    the indicator is logged first (values must be positive), so effects are relative.

    >>> rng = np.random.default_rng(1)
    >>> rows = []
    >>> for u in range(60):
    ...     join = 24_280 + u % 6 if u < 40 else None          # 40 joiners over six months, 20 never
    ...     for t in range(24_270, 24_300):
    ...         effect = 0.10 if join is not None and t >= join else 0.0
    ...         rows.append((u, t, np.exp(1 + 0.01 * u + 0.002 * t % 7 + effect + rng.normal(0, 0.02))))
    >>> panel = pd.DataFrame(rows, columns=["unit", "period", "value"])
    >>> joined = {u: 24_280 + u % 6 for u in range(40)}
    >>> result = campaign_effect(panel, joined, n_boot=200)
    >>> round(result.att, 2), result.ci[0] < 0.10 < result.ci[1]
    (0.1, True)
    """
    frame = pd.DataFrame({"unit": panel[unit].to_numpy(), "t": [to_month(v) for v in panel[period]],
                          "y": panel[value].to_numpy(dtype=float)})
    if log:
        if (frame["y"] <= 0).any():
            raise ValueError("log=True needs positive values; pass log=False for differences in levels")
        frame["y"] = np.log(frame["y"])
    wide = frame.pivot_table(index="unit", columns="t", values="y", aggfunc="mean")
    months = wide.columns.to_numpy(dtype=int)
    Y = wide.to_numpy()
    join_map = {k: to_month(v) for k, v in dict(joined).items()}
    join = np.array([join_map.get(u, np.nan) for u in wide.index], dtype=float)
    first, last = months.min(), months.max()
    index = {m: i for i, m in enumerate(months)}
    events = [e for e in range(-pre, post + 1) if e != -1]
    cohorts = np.unique(join[np.isfinite(join)])
    cells = []  # (event, cohort weight-vector, control mask, t index, base index)
    for g in cohorts:
        base = int(g) - 1
        if base < first or base not in index:
            continue
        members = join == g
        for e in events:
            t = int(g) + e
            if t not in index or t > last:
                continue
            horizon = max(t, base)
            controls = ~(join <= horizon)  # NaN (never joined) compares False, so it stays a control
            diff = Y[:, index[t]] - Y[:, index[base]]
            ok = np.isfinite(diff)
            cells.append((e, members & ok, controls & ok, np.where(ok, diff, 0.0)))
    if not cells:
        raise ValueError("no cohort has both a base month and comparison units in the panel")

    def estimate(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        est = np.zeros(len(events))
        size = np.zeros(len(events))
        for e, treated, control, diff in cells:
            wt, wc = weights * treated, weights * control
            if wt.sum() == 0 or wc.sum() == 0:
                continue
            att = wt @ diff / wt.sum() - wc @ diff / wc.sum()
            k = events.index(e)
            est[k] += att * wt.sum()
            size[k] += wt.sum()
        with np.errstate(invalid="ignore"):
            return est / size, size

    def summary(weights: np.ndarray) -> tuple[np.ndarray, float, float]:
        est, size = estimate(weights)
        post_mask = np.array([e >= 0 for e in events]) & (size > 0)
        pre_mask = np.array([e < -1 for e in events]) & (size > 0)
        att = float(np.average(est[post_mask], weights=size[post_mask])) if post_mask.any() else np.nan
        pre_avg = float(np.average(est[pre_mask], weights=size[pre_mask])) if pre_mask.any() else np.nan
        return est, att, pre_avg

    n_units = len(join)
    point, att, pre_avg = summary(np.ones(n_units))
    _, size = estimate(np.ones(n_units))
    rng = np.random.default_rng(seed)
    draws = [summary(rng.multinomial(n_units, np.full(n_units, 1 / n_units)).astype(float))
             for _ in range(n_boot)]
    alpha = (1 - level) / 2
    boot_est = np.array([d[0] for d in draws])
    with warnings.catch_warnings():  # an event month no bootstrap draw reaches has no interval: NaN, said so
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanquantile(boot_est, [alpha, 1 - alpha], axis=0)
    boot_att = np.array([d[1] for d in draws])
    boot_pre = np.array([d[2] for d in draws])
    study = pd.DataFrame({"event_time": events, "estimate": point, "ci_low": lo, "ci_high": hi,
                          "n_treated": size.astype(int)})
    base_row = pd.DataFrame({"event_time": [-1], "estimate": [0.0], "ci_low": [0.0], "ci_high": [0.0],
                             "n_treated": [int(np.isfinite(join).sum())]})
    study = pd.concat([study, base_row]).sort_values("event_time").reset_index(drop=True)[EVENT_STUDY_COLUMNS]
    return CampaignEffect(
        event_study=study, att=att, ci=_interval(boot_att, alpha), pre_trend=pre_avg,
        pre_trend_ci=_interval(boot_pre, alpha), n_joined=int(np.isfinite(join).sum()),
        n_comparison=int((~np.isfinite(join)).sum()), log=log, level=level,
    )


def _interval(draws: np.ndarray, alpha: float) -> tuple[float, float]:
    finite = draws[np.isfinite(draws)]
    if len(finite) == 0:
        return (np.nan, np.nan)
    lo, hi = np.quantile(finite, [alpha, 1 - alpha])
    return (float(lo), float(hi))
