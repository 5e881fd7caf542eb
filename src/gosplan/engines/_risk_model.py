"""The vocabulary of the weather risk model: parameters, exposure, measures.

The model itself is described in :mod:`gosplan.engines.risk`; this module holds its inputs and
their validation so the simulation reads on its own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gosplan.errors import Problem, ValidationError
from gosplan.model import Period

KINDS: tuple[str, ...] = ("drought", "flood", "cold")
EVENT_ALIASES = {"heavy rain": "flood", "rain": "flood", "typhoon": "flood", "cold spell": "cold",
                 "cold snap": "cold", "frost": "cold", "dry spell": "drought"}
MEASURE_ALIASES = {"irrigation": "drought", "drainage": "flood", "embankment": "flood", "seedbeds": "cold"}
MEASURE_COLUMNS = ["name", "province", "kind", "area", "cost"]
FARM_COLUMNS = ["province", "area", "normal_output", "irrigated_area", "drained_area", "cold_protected_area"]
WEATHER_EVENT_COLUMNS = ["province", "period", "kind", "severity"]
RANKING_COLUMNS = ["rank", "measure", "province", "kind", "area", "cost", "expected_shortfall",
                   "shortfall_reduction", "reduction_se", "reduction_per_cost", "p_target_met",
                   "expected_total_gain"]
_FARM_ALIASES = {"crop_area_ha": "area", "irrigated_ha": "irrigated_area", "drained_ha": "drained_area",
                 "cold_protected_ha": "cold_protected_area"}
DEFAULT_QUANTILES: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)


def _months(values: Mapping[int, float]) -> list[float]:
    return [values.get(m, 0.0) for m in range(1, 13)]


# Default monthly event probabilities per province (rows: drought, flood, cold; columns Jan..Dec).
# Rationale: on the Korean peninsula spring droughts come April-June before the monsoon (2001,
# 2014-15, 2017), floods and typhoons July-September (2007, 2012, 2016, 2020), cold spells at rice
# transplanting (May) and ripening (September). Magnitudes are set so that, with typical
# protection, national grain output varies by about 3 % a year, as RDA's estimates of North
# Korean grain output did in 2014-2025 (4.40-4.90 Mt, see tests/engines/projects/data/README.md).
DEFAULT_PROBABILITY = np.array([
    _months({4: 0.08, 5: 0.12, 6: 0.12, 7: 0.06, 8: 0.04}),
    _months({7: 0.12, 8: 0.12, 9: 0.05}),
    _months({5: 0.06, 8: 0.02, 9: 0.06}),
])
# Share of a province's output lost on unprotected land to an event of severity 1, by crop stage.
DEFAULT_STAGE_LOSS = np.array([
    _months({4: 0.10, 5: 0.20, 6: 0.25, 7: 0.30, 8: 0.20}),
    _months({7: 0.20, 8: 0.25, 9: 0.15}),
    _months({5: 0.10, 8: 0.10, 9: 0.15}),
])


@dataclass(frozen=True, eq=False)  # array fields: compare the arrays, not the objects
class WeatherRiskParameters:
    """Parameters of the weather scenario model, with documented defaults.

    ``probability`` (3 × 12): chance of an abnormal event of each kind (:data:`KINDS`) per month and
    province. ``stage_loss`` (3 × 12): share of output lost on unprotected land to a severity-1 event
    in that month. ``severity_mean`` and ``severity_concentration``: the Beta distribution of an
    event's severity (mean 0.5, a + b = 4: most events moderate, a few near total); an infinite
    concentration fixes severity at its mean. ``protection_effect``: share of the loss protected
    land avoids (irrigation removes most drought damage, 0.8; drainage and embankments less of a
    flood's, 0.6; cold-protected seedbeds half a cold spell's, 0.5). ``spatial_correlation``: of
    the Gaussian copula linking provinces (0 = independent, 1 = the whole country at once).
    ``other_sd``: relative standard deviation of the variation weather events do not explain.
    """

    probability: np.ndarray = field(default_factory=lambda: DEFAULT_PROBABILITY.copy())
    stage_loss: np.ndarray = field(default_factory=lambda: DEFAULT_STAGE_LOSS.copy())
    severity_mean: tuple[float, float, float] = (0.5, 0.5, 0.5)
    severity_concentration: float = 4.0
    protection_effect: tuple[float, float, float] = (0.8, 0.6, 0.5)
    spatial_correlation: float = 0.5
    other_sd: float = 0.015

    def __post_init__(self) -> None:
        probability = np.asarray(self.probability, dtype=float)
        stage_loss = np.asarray(self.stage_loss, dtype=float)
        problems = []
        if probability.shape != (len(KINDS), 12) or stage_loss.shape != (len(KINDS), 12):
            problems.append("probability and stage_loss must have shape (3, 12): kinds × months")
        elif not all(((a >= 0) & (a <= 1)).all() for a in (probability, stage_loss)):
            problems.append("probabilities and stage losses must lie in 0..1")
        if not all(0 < s < 1 for s in self.severity_mean):
            problems.append("severity_mean must lie strictly between 0 and 1")
        if not all(0 <= e <= 1 for e in self.protection_effect):
            problems.append("protection_effect must lie in 0..1")
        if not 0 <= self.spatial_correlation < 1:
            problems.append("spatial_correlation must lie in 0..1 (1 excluded)")
        if self.other_sd < 0 or self.severity_concentration <= 0:
            problems.append("other_sd must be >= 0 and severity_concentration > 0")
        if problems:
            raise ValidationError(Problem("weather risk parameters", None, None, p) for p in problems)
        object.__setattr__(self, "probability", probability)
        object.__setattr__(self, "stage_loss", stage_loss)

    def expected_loss_share(self) -> np.ndarray:
        """Expected share of output lost per kind on unprotected land, to first order (3,)."""
        return (self.probability * self.stage_loss).sum(axis=1) * np.asarray(self.severity_mean)


@dataclass(frozen=True, eq=False)
class Exposure:
    """What weather can hit: provinces, their normal-weather output, area and protection.

    ``protected_share`` maps a kind to the share of each province's area protected against it
    (irrigated for drought); ``risk_multiplier`` maps a kind to a per-province factor on the event
    probability (coastal provinces flood more often). Missing kinds mean 0 and 1.
    """

    provinces: tuple[str, ...]
    normal_output: np.ndarray
    area: np.ndarray
    protected_share: Mapping[str, Sequence[float]] | np.ndarray = field(default_factory=dict)
    risk_multiplier: Mapping[str, Sequence[float]] | np.ndarray = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.provinces)
        object.__setattr__(self, "provinces", tuple(str(p) for p in self.provinces))
        object.__setattr__(self, "normal_output", np.asarray(self.normal_output, dtype=float).reshape(n))
        object.__setattr__(self, "area", np.asarray(self.area, dtype=float).reshape(n))
        object.__setattr__(self, "protected_share", _by_kind(self.protected_share, n, 0.0))
        object.__setattr__(self, "risk_multiplier", _by_kind(self.risk_multiplier, n, 1.0))
        problems = []
        if len(set(self.provinces)) != n:
            problems.append("province names must be unique")
        if (self.normal_output < 0).any() or (self.area <= 0).any():
            problems.append("normal output must be >= 0 and area > 0 in every province")
        shares = np.asarray(self.protected_share)
        if ((shares < 0) | (shares > 1)).any() or (np.asarray(self.risk_multiplier) < 0).any():
            problems.append("protected shares must lie in 0..1 and risk multipliers be >= 0")
        if problems:
            raise ValidationError(Problem("exposure", None, None, p) for p in problems)

    @classmethod
    def from_farms(cls, farms: pd.DataFrame, province_of: Mapping[str, str] | None = None,
                   normal_output: Mapping[str, float] | None = None) -> Exposure:
        """Sum a farms frame (:data:`FARM_COLUMNS`) by province.

        A frame keyed by farm ``unit`` without a ``province`` column is mapped through
        ``province_of`` (farm → province; without it each unit is its own province). Areas may be
        named ``crop_area_ha``/``irrigated_ha``/``drained_ha``/``cold_protected_ha``, protection may be
        given as shares (``irrigated_share``…). Normal output comes from a ``normal_output``
        column, from ``area × yield`` (t/ha), or from the ``normal_output`` mapping by farm unit
        (e.g. the year's grain plan of each farm).
        """
        frame = farms.rename(columns=_FARM_ALIASES)
        if "province" not in frame:
            if "unit" not in frame:
                raise ValidationError([Problem("farms", None, "province", "required column is missing")])
            units = frame["unit"].astype(str)
            frame = frame.assign(province=units.map(province_of) if province_of is not None else units)
        problems = []
        if "area" not in frame:
            problems.append(Problem("farms", None, "area", "required column is missing"))
        if "normal_output" not in frame:
            if "yield" in frame:
                frame = frame.assign(normal_output=frame["area"] * frame["yield"])
            elif normal_output is not None and "unit" in frame:
                frame = frame.assign(normal_output=frame["unit"].astype(str).map(normal_output))
            else:
                problems.append(Problem("farms", None, "normal_output",
                                        "give normal_output, yield or a normal_output mapping by unit"))
        if problems:
            raise ValidationError(problems)
        unknown = frame["province"].isna().to_numpy() | frame["normal_output"].isna().to_numpy()
        for row in np.flatnonzero(unknown):
            problems.append(Problem("farms", int(row) + 2, "unit", "no province or normal output"))
        if problems:
            raise ValidationError(problems)
        protected = {}
        for kind, stem in zip(KINDS, ("irrigated", "drained", "cold_protected"), strict=True):
            if f"{stem}_area" in frame:
                protected[kind] = frame[f"{stem}_area"].fillna(0.0)
            elif f"{stem}_share" in frame:
                protected[kind] = frame[f"{stem}_share"].fillna(0.0) * frame["area"]
            else:
                protected[kind] = pd.Series(0.0, index=frame.index)
        columns = pd.DataFrame({"province": frame["province"].astype(str), "area": frame["area"],
                                "normal_output": frame["normal_output"], **protected})
        sums = columns.groupby("province", sort=True).sum()
        return cls(tuple(sums.index), sums["normal_output"].to_numpy(), sums["area"].to_numpy(),
                   {k: (sums[k] / sums["area"]).clip(upper=1.0).to_numpy() for k in KINDS})

    def index(self, province: str) -> int:
        try:
            return self.provinces.index(str(province))
        except ValueError:
            raise ValidationError([Problem("measures", None, "province",
                                           f"unknown province {province!r}")]) from None


def _by_kind(values: Mapping[str, Sequence[float]] | np.ndarray, n: int, default: float) -> np.ndarray:
    if isinstance(values, np.ndarray):
        return np.broadcast_to(np.asarray(values, dtype=float), (len(KINDS), n)).copy()
    unknown = set(values) - set(KINDS)
    if unknown:
        raise ValidationError([Problem("exposure", None, None, f"unknown weather kinds {sorted(unknown)}")])
    return np.array([np.broadcast_to(np.asarray(values.get(k, default), dtype=float), (n,)) for k in KINDS])


@dataclass(frozen=True)
class Measure:
    """A candidate measure: protect ``area`` more hectares of ``province`` against ``kind``.

    ``kind`` is a weather kind or an alias (``irrigation`` = drought, ``drainage``/``embankment`` =
    flood, ``seedbeds`` = cold). ``cost`` is in any money unit, the same for all measures compared.
    """

    name: str
    province: str
    kind: str
    area: float
    cost: float

    @property
    def risk(self) -> str:
        return MEASURE_ALIASES.get(self.kind, self.kind)


def measures_from_frame(frame: pd.DataFrame) -> list[Measure]:
    """Measures from a frame with :data:`MEASURE_COLUMNS`, every problem reported at once."""
    problems = [Problem("measures", None, c, "required column is missing")
                for c in MEASURE_COLUMNS if c not in frame.columns]
    if problems:
        raise ValidationError(problems)
    measures = []
    for row, record in enumerate(frame.to_dict("records")):
        measure = Measure(str(record["name"]), str(record["province"]), str(record["kind"]),
                          float(record["area"]), float(record["cost"]))
        if measure.risk not in KINDS:
            problems.append(Problem("measures", row + 2, "kind", f"unknown kind {measure.kind!r}"))
        if not (measure.area >= 0 and measure.cost > 0):
            problems.append(Problem("measures", row + 2, "cost", "area must be >= 0 and cost > 0"))
        measures.append(measure)
    if problems:
        raise ValidationError(problems)
    return measures


def parse_events(events: pd.DataFrame) -> pd.DataFrame:
    """Weather events (:data:`WEATHER_EVENT_COLUMNS`) as ``province, year, k, m, severity`` rows.

    ``k`` indexes :data:`KINDS` (aliases such as ``heavy rain`` or ``frost`` are accepted), ``m``
    is the month 0..11; ``unit`` may stand for ``province``. Every problem is reported at once.
    """
    frame = events.rename(columns={"unit": "province"}) if "province" not in events else events
    problems = [Problem("weather_events", None, c, "required column is missing")
                for c in WEATHER_EVENT_COLUMNS if c not in frame.columns]
    if problems:
        raise ValidationError(problems)
    rows = []
    for row, record in enumerate(frame[WEATHER_EVENT_COLUMNS].to_dict("records")):
        try:
            month = Period.parse(str(record["period"]))
        except ValueError as exc:
            problems.append(Problem("weather_events", row + 2, "period", str(exc)))
            continue
        kind = str(record["kind"]).strip().lower()
        kind = EVENT_ALIASES.get(kind, kind)
        try:
            severity = float(record["severity"])
        except (TypeError, ValueError):
            severity = math.nan
        if kind not in KINDS or month.kind != "M" or not 0 <= severity <= 1:
            problems.append(Problem("weather_events", row + 2, None,
                                    f"need a month, a kind in {KINDS} and a severity in 0..1"))
            continue
        rows.append((str(record["province"]), month.year, KINDS.index(kind), month.index - 1, severity))
    if problems:
        raise ValidationError(problems)
    return pd.DataFrame(rows, columns=["province", "year", "k", "m", "severity"])
