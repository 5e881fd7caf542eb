"""One outlook for a weather-exposed indicator: the year-end forecast with its harvest months
conditioned on weather scenarios.

The exponential smoothing forecast (:func:`gosplan.engines.forecast.attainment`) knows what was
produced and how the series moves with the season, but it expects an average weather year. The
weather model (:mod:`gosplan.engines.risk`) knows the weather observed so far and what is still to
come, but not the year's level. Combined, a row's year-end total in weather scenario ``s`` is::

    total_s = known + rest × Σ_p weight_p × factor_{p,s} + rest × (1 − Σ_p weight_p)

``known`` is what was reported plus the model's expectation for months missing before the last
report; ``rest`` the forecast's expected sum of the months still to come (under average weather);
``factor_{p,s}`` the output of province ``p`` in scenario ``s`` relative to its expected output in an
average weather year (observed events of the months past are in every scenario, so a drought
already seen lowers every scenario's factor); ``weight_p`` the share of the row's rest grown in
province ``p`` (1 for a farm or county in ``p``; output shares for the country). The spread comes
from the weather model (its unexplained variation included); the level from the forecast.

>>> known, rest = np.array([10.0]), np.array([90.0])
>>> factors = np.array([[1.0], [0.8], [1.1], [0.9]])        # four scenarios, one province
>>> out = weather_outlook(known, rest, np.array([[1.0]]), factors, targets=np.array([95.0]))
>>> float(out["expected_total"][0]), float(out["p_attain"][0])
(95.5, 0.5)
"""

from __future__ import annotations

import numpy as np

from gosplan.engines.forecast.annual import INTERVALS
from gosplan.errors import Problem, ValidationError


def scenario_totals(known: np.ndarray, rest: np.ndarray, weights: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """(k, n): each row's year-end total in each scenario (see the module docstring)."""
    known, rest = np.asarray(known, float), np.asarray(rest, float)
    weights, factors = np.atleast_2d(np.asarray(weights, float)), np.atleast_2d(np.asarray(factors, float))
    if weights.shape != (known.size, factors.shape[1]) or rest.shape != known.shape:
        raise ValidationError([Problem("weather outlook", None, None,
                                       f"shapes do not fit: known {known.shape}, rest {rest.shape}, weights "
                                       f"{weights.shape}, factors {factors.shape} (scenarios × provinces)")])
    if (weights < 0).any() or (weights.sum(axis=1) > 1 + 1e-9).any():
        raise ValidationError([Problem("weather outlook", None, "weights", "weights must be >= 0 and sum to <= 1")])
    exposed = weights @ factors.T + (1 - weights.sum(axis=1))[:, None]
    return known[:, None] + rest[:, None] * exposed


def weather_outlook(known: np.ndarray, rest: np.ndarray, weights: np.ndarray, factors: np.ndarray,
                    targets: np.ndarray, lower_better: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Expected total, 80/95/99 % intervals and P(attain) of each row under the weather scenarios.

    ``known`` (k,), ``rest`` (k,), ``weights`` (k, P), ``factors`` (n, P), ``targets`` (k,);
    ``lower_better`` marks rows whose target is a ceiling (P(total <= target)). Returns arrays keyed
    ``expected_total``, ``lower_80`` ... ``upper_99``, ``p_attain`` and ``totals`` (k, n).
    """
    return scenario_summary(scenario_totals(known, rest, weights, factors), targets, lower_better)


def scenario_summary(totals: np.ndarray, targets: np.ndarray, lower_better: np.ndarray | None = None
                     ) -> dict[str, np.ndarray]:
    """Expected total, intervals and P(attain) of each row (k) of scenario ``totals`` (k, n)."""
    totals = np.asarray(totals, float)
    targets = np.asarray(targets, float)
    lower = np.zeros(targets.shape, bool) if lower_better is None else np.asarray(lower_better, bool)
    met = np.where(lower[:, None], totals <= targets[:, None], totals >= targets[:, None])
    out = {"expected_total": totals.mean(axis=1), "p_attain": met.mean(axis=1), "totals": totals}
    levels = np.quantile(totals, list(INTERVALS.values()), axis=1)
    out.update({name: levels[i] for i, name in enumerate(INTERVALS)})
    return out


__all__ = ["INTERVALS", "scenario_summary", "scenario_totals", "weather_outlook"]
