"""Seasonal monthly production series with known structure, for tests, benchmarks and examples.

Four seasonal profiles stand for the kinds of output a plan follows: industry (nearly flat, a dip
in the summer holidays), grain (nothing in the first half, harvested September to November),
construction (summer peak) and energy (winter peak). Each series has its own level, growth, drift
of the level (a random walk) and multiplicative noise. :func:`planted_breaks` adds steps, slope
changes, outliers and stopped reporting at known months, so detection can be scored.

>>> values, kinds = seasonal_series(3, months=36, seed=1)
>>> values.shape, [str(k) for k in kinds]
((3, 36), ['grain', 'construction', 'energy'])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PROFILES: dict[str, np.ndarray] = {
    "industry": np.array([0.95, 0.95, 1.02, 1.02, 1.02, 1.0, 0.9, 0.92, 1.03, 1.05, 1.05, 1.09]),
    "grain": np.array([0, 0, 0, 0, 0, 0, 0.15, 0.6, 3.6, 5.4, 2.25, 0]),
    "construction": np.array([0.5, 0.5, 0.7, 0.9, 1.2, 1.35, 1.45, 1.4, 1.3, 1.1, 0.9, 0.7]),
    "energy": np.array([1.35, 1.25, 1.1, 0.95, 0.85, 0.75, 0.75, 0.8, 0.9, 1.05, 1.2, 1.3]),
}
KINDS = tuple(PROFILES)


def seasonal_series(n: int, months: int = 48, seed: int = 0, first_month: int = 0,
                    noise: tuple[float, float] = (0.03, 0.12)) -> tuple[np.ndarray, np.ndarray]:
    """``n`` series of ``months`` values starting in calendar month ``first_month`` (0 = January).

    Returns ``(values (n, months), kinds (n,))``.
    """
    rng = np.random.default_rng(seed)
    kinds = rng.choice(np.array(KINDS, dtype=object), size=n)
    profile = np.stack([PROFILES[k] for k in kinds])                      # (n, 12)
    calendar = (first_month + np.arange(months)) % 12
    level = np.exp(rng.normal(np.log(1000), 1.0, size=(n, 1)))
    growth = rng.normal(0.003, 0.004, size=(n, 1))                         # per month, log scale
    drift = rng.uniform(0.0, 0.02, size=(n, 1))
    walk = np.cumsum(rng.normal(0.0, 1.0, size=(n, months)) * drift, axis=1)
    sd = rng.uniform(*noise, size=(n, 1))
    # Grain's yield is decided once a year by the weather: one shock per year on the whole harvest.
    year = (first_month + np.arange(months)) // 12
    weather = rng.normal(0.0, 0.12, size=(n, year.max() + 1))[:, year]
    is_grain = (kinds == "grain")[:, None]
    log_level = np.log(level) + growth * np.arange(months) + walk + np.where(is_grain, weather, 0.0)
    values = np.exp(log_level + sd * rng.standard_normal((n, months))) * profile[:, calendar]
    return values, kinds


@dataclass(frozen=True)
class Break:
    series: int
    month: int          # column index where the change starts
    kind: str           # "step", "slope", "outlier" or "missing"
    size: float         # relative size (fraction of the level)


def planted_breaks(values: np.ndarray, share: float = 0.5, window: int = 6, seed: int = 0,
                   kinds: tuple[str, ...] = ("step", "slope", "outlier", "missing"),
                   size: tuple[float, float] = (0.25, 0.5)) -> tuple[np.ndarray, list[Break]]:
    """Copy ``values`` and plant one change in the last ``window`` months of ``share`` of the rows.

    Steps and outliers move the series by ``size`` of its level (sign random); a slope change adds
    ``size / 3`` of the level per month from its start; ``missing`` blanks the last 1-3 months.
    """
    rng = np.random.default_rng(seed)
    out = values.copy()
    n, t = out.shape
    chosen = rng.choice(n, size=round(share * n), replace=False)
    breaks = []
    months = np.arange(t)
    for i in chosen:
        kind = str(rng.choice(kinds))
        magnitude = rng.uniform(*size) * rng.choice([-1.0, 1.0])
        level = np.nanmean(values[i, -24:])
        if kind == "missing":
            gone = int(rng.integers(1, 4))
            out[i, t - gone:] = np.nan
            breaks.append(Break(int(i), t - gone, kind, 0.0))
            continue
        # Outliers and slopes need months after them to be told apart from a step.
        latest = t - 2 if kind == "slope" else t - 1
        start = int(rng.integers(t - window, latest))
        if kind == "step":
            out[i, start:] += magnitude * level
        elif kind == "slope":
            magnitude = abs(magnitude) * np.sign(magnitude) / 3
            out[i, start:] += magnitude * level * (months[start:] - start + 1)
        else:
            out[i, start] += 1.5 * magnitude * level
        out[i] = np.maximum(out[i], 0.0)
        breaks.append(Break(int(i), start, kind, float(magnitude)))
    return out, breaks
