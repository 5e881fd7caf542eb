"""Targets, monthly reports and corrections of the demo economy, calibrated to the July 2023 plenum.

Everything is drawn from one :class:`numpy.random.Generator`; the order of the draws is fixed, so
the same seed gives identical frames. The calibration of the first half of 2023 does not depend on
the seed: whatever the noise, the sector totals are scaled to the plenum's percentages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gosplan.model import TARGET_COLUMNS, month_label, month_ordinal

from .catalogue import (
    ANNUAL_PLANS,
    ENTERPRISES,
    FARMS,
    GRAIN_PROVINCE_SHARE,
    INDUSTRIAL,
    OUTPUT_INDICATORS,
    Enterprise,
)
from .figures import (
    CALIBRATED_SECTORS,
    CAMPAIGN_EFFECT,
    CAMPAIGN_JOINS,
    CAPITAL_DWELLINGS,
    INTENSITY,
    NATIONAL,
    PLENUM_H1_2023,
    WEATHER_EVENTS,
    month_shares,
)

YEARS = (2021, 2022, 2023)
FIRST_MONTH = month_ordinal("2021-01")
LAST_MONTH = month_ordinal("2023-06")  # the plenum reviews the first half of 2023: nothing later
MONTHS = np.arange(FIRST_MONTH, LAST_MONTH + 1)
AS_OF = pd.Timestamp("2023-07-20 00:00", tz="UTC")  # the data stand as on the eve of the plenum
REPORT_COLUMNS_AT = ["indicator", "unit", "period", "value", "recorded_at"]

# Units that stop reporting: (unit, month). The four calibrated sectors always report in 2023.
FORCED_MISSING = [("fish.sonbong", "2023-06"), ("text.kanggye", "2023-05"), ("text.kanggye", "2023-06"),
                  ("bld.ryanggang", "2023-06")]
# A coal mine's April 2023 figure, first reported 6 % short and revised a few weeks later.
FORCED_CORRECTION = ("coal.tokchon", "coal", "2023-04", 0.94)


@dataclass
class Activity:
    """What the generator hands back: frames plus the hidden truths later engines may check against."""

    targets: pd.DataFrame
    reports: pd.DataFrame
    corrections: pd.DataFrame
    profiles: pd.DataFrame  # unit, indicator, technology, efficiency, h1_2023_fulfilment
    missing: set[tuple[str, int]] = field(default_factory=set)


def _plan_round(value: float) -> float:
    """Round a plan figure to three significant digits, as planners state them."""
    if value <= 0:
        return 0.0
    step = 10.0 ** (np.floor(np.log10(value)) - 2)
    return float(max(step, np.round(value / step) * step))


def _quarter_split(annual: float, shares: np.ndarray) -> list[float]:
    """Quarterly targets that add up exactly to the annual one (the last quarter takes the rest)."""
    step = 10.0 ** (np.floor(np.log10(annual)) - 2) if annual > 0 else 1.0
    quarters = [float(np.round(annual * shares[q * 3:(q + 1) * 3].sum() / step) * step) for q in range(3)]
    return [*quarters, float(round(annual - sum(quarters), 6))]


def _base_weights(rng: np.random.Generator, ents: list[Enterprise], indicator: str) -> np.ndarray:
    if indicator in ("grain", "irrigation"):
        per_province = pd.Series([e.province for e in ents]).value_counts()
        base = np.array([GRAIN_PROVINCE_SHARE[e.province] / per_province[e.province] for e in ents])
        return base * rng.lognormal(0.0, 0.2, len(ents))
    return np.array([e.weight for e in ents]) * rng.lognormal(0.0, 0.15, len(ents))


def _year_shares(base: np.ndarray, ents: list[Enterprise], indicator: str, total: float,
                 rng: np.random.Generator) -> np.ndarray:
    drifted = base * rng.lognormal(0.0, 0.04, len(base))
    if indicator != "dwellings":
        return drifted / drifted.sum()
    capital = np.array([e.technology == "capital_housing" for e in ents])
    shares = np.where(capital, drifted / drifted[capital].sum() * CAPITAL_DWELLINGS,
                      drifted / drifted[~capital].sum() * (total - CAPITAL_DWELLINGS))
    return shares / total


def _missing_months(rng: np.random.Generator) -> set[tuple[str, int]]:
    """Unit-months never reported: a few random ones outside the plenum's sectors, plus forced ones."""
    eligible = [e for e in INDUSTRIAL if e.sector not in CALIBRATED_SECTORS]
    missing = {(unit, month_ordinal(label)) for unit, label in FORCED_MISSING}
    draws = rng.random((len(eligible), len(MONTHS)))
    for i, ent in enumerate(eligible):
        for j, month in enumerate(MONTHS):
            if draws[i, j] < 0.012:
                missing.add((ent.code, int(month)))
    return missing


def _calibrate_h1(values: dict[str, np.ndarray], h1_targets: dict[str, np.ndarray], desired: float,
                  leaders: dict[str, np.ndarray]) -> None:
    """Scale the middle enterprises so the sector's H1 sum over its H1 target is exactly ``desired``.

    Leaders and laggards keep their own ratio; only the others absorb the difference, so every seed
    gives the plenum's percentage and keeps its leaders above 105 % and laggards below 95 %.
    """
    fixed = sum(float(v[leaders[k]].sum()) for k, v in values.items())
    middle = sum(float(v[~leaders[k]].sum()) for k, v in values.items())
    target = sum(float(t.sum()) for t in h1_targets.values())
    scale = (desired * target - fixed) / middle
    for key, v in values.items():
        v[~leaders[key]] *= scale


def _campaign_multiplier(code: str) -> np.ndarray:
    """Output multiplier per 2023 H1 month for a mine of the innovation movement (1 before joining)."""
    multiplier = np.ones(6)
    for label, members in CAMPAIGN_JOINS.items():
        if code in members:
            joined = month_ordinal(label) - month_ordinal("2023-01")
            # The gain builds up over the month of joining and is full from the next one on.
            multiplier[joined] = 1 + CAMPAIGN_EFFECT / 2
            multiplier[joined + 1:] = 1 + CAMPAIGN_EFFECT
    return multiplier


@dataclass
class _Series:
    """One output indicator: its enterprises, targets and monthly values (NaN = never reported)."""

    indicator: str
    ents: list[Enterprise]
    annual: np.ndarray  # (n, 3) annual targets 2021..2023
    quarterly: np.ndarray | None  # (n, 3, 4) quarterly targets, None when only annual targets are set
    values: np.ndarray  # (n, 30) actual current values, 2021-01..2023-06 (NaN once `absent` is applied)
    perf_2023: np.ndarray  # (n,) H1 2023 fulfilment per enterprise (of a full set of reports)
    absent: np.ndarray  # (n, 30) True where the month is never reported


def _simulate_indicator(rng: np.random.Generator, indicator: str, missing: set[tuple[str, int]]) -> _Series:
    agricultural = indicator in ("grain", "irrigation")
    ents = FARMS if agricultural else [e for e in INDUSTRIAL if e.indicator == indicator]
    n = len(ents)
    base = _base_weights(rng, ents, indicator)
    technology = "irrigation" if indicator == "irrigation" else None
    month_share = np.array([month_shares(technology or e.technology) for e in ents])
    annual = np.zeros((n, 3))
    quarterly = None if agricultural else np.zeros((n, 3, 4))
    values = np.full((n, len(MONTHS)), np.nan)
    provinces = np.array([e.province for e in ents])
    for y, year in enumerate(YEARS):
        level = NATIONAL[indicator][y]
        # Past plans were missed or beaten by a few percent; grain plans are chronically ambitious.
        low, high = (0.88, 0.98) if indicator == "grain" else (0.93, 1.03)
        ratio = 1.0 if year == 2023 else rng.uniform(low, high)
        national_target = level / ratio
        shares = _year_shares(base, ents, indicator, national_target, rng)
        annual[:, y] = [_plan_round(national_target * share) for share in shares]
        if quarterly is not None:
            quarterly[:, y] = [_quarter_split(a, ms) for a, ms in zip(annual[:, y], month_share, strict=True)]
        months = 12 if year < 2023 else 6
        perf = rng.lognormal(0.0, 0.05, n)
        # Mines report steadier than fields and fishing fleets; that keeps the campaign effect visible.
        sigma = 0.08 if agricultural else 0.03 if indicator == "coal" else 0.05
        noise = rng.lognormal(0.0, sigma, (n, months))
        raw = annual[:, y, None] * month_share[:, :months] * perf[:, None] * noise
        if indicator == "grain":
            raw *= _grain_weather(rng, provinces, year)[:, :months]
        values[:, y * 12:y * 12 + months] = raw
    absent = np.array([[(e.code, int(month)) in missing for month in MONTHS] for e in ents])
    for y in (0, 1):  # past years, as reported, add up to the published national figures
        block = values[:, y * 12:(y + 1) * 12]
        reported = block[~absent[:, y * 12:(y + 1) * 12]].sum()
        block *= NATIONAL[indicator][y] * rng.uniform(0.995, 1.005) / reported
    return _Series(indicator, ents, annual, quarterly, values, np.ones(n), absent)


def _grain_weather(rng: np.random.Generator, provinces: np.ndarray, year: int) -> np.ndarray:
    """(n, 12) factors: yearly yield deviations by province, the recorded floods, frosts and droughts."""
    names = sorted(set(provinces))
    by_province = dict(zip(names, rng.lognormal(0.0, 0.06, len(names)), strict=True))
    factors = np.ones((len(provinces), 12))
    for i, province in enumerate(provinces):
        factors[i] *= by_province[province]
    for event in WEATHER_EVENTS:
        if int(event.period[:4]) != year:
            continue
        hit = provinces == event.province
        if event.scope == "year":
            factors[hit] *= event.factor
        elif event.scope == "early":
            factors[hit, 5:7] *= event.factor
        else:
            factors[hit, int(event.period[5:]) - 1] *= event.factor
    return factors


def _h1_targets(series: _Series) -> np.ndarray:
    assert series.quarterly is not None
    return series.quarterly[:, 2, 0] + series.quarterly[:, 2, 1]


def _calibrate_2023(rng: np.random.Generator, all_series: dict[str, _Series]) -> None:
    """Set each enterprise's H1 2023 fulfilment, then scale sectors to the plenum's percentages."""
    h1 = slice(24, 30)
    for series in all_series.values():
        if series.quarterly is None:
            continue
        block = series.values[:, h1]
        # Each enterprise's H1 sum becomes exactly perf x its H1 target; noise only shapes the months.
        sums = block.sum(axis=1)
        series.perf_2023 = rng.lognormal(0.0, 0.05, len(series.ents))
        block *= (series.perf_2023 * _h1_targets(series) / sums)[:, None]
    for sector, indicators in CALIBRATED_SECTORS.items():
        desired = PLENUM_H1_2023[sector] + rng.uniform(-0.0015, 0.0015)
        members = [(k, i) for k in indicators for i in range(len(all_series[k].ents))]
        order = rng.permutation(len(members))
        n_extreme = 1 if len(members) < 8 else 2
        leaders = [members[o] for o in order[:n_extreme]]
        laggards = [members[o] for o in order[n_extreme:2 * n_extreme]]
        if sector == "coal":  # the movement's origin leads; laggards are mines that never joined
            joined = {code for codes in CAMPAIGN_JOINS.values() for code in codes}
            coal = all_series["coal"].ents
            others = [("coal", i) for i, e in enumerate(coal) if e.code in joined and e.code != "coal.kujang"]
            outsiders = [("coal", i) for i, e in enumerate(coal) if e.code not in joined]
            kujang = next(i for i, e in enumerate(coal) if e.code == "coal.kujang")
            leaders = [("coal", kujang), others[int(rng.integers(len(others)))]]
            picks = rng.choice(len(outsiders), size=2, replace=False)
            laggards = [outsiders[int(p)] for p in picks]
        fixed = {k: np.zeros(len(all_series[k].ents), dtype=bool) for k in indicators}
        for key, i in leaders + laggards:
            fixed[key][i] = True
            lead = (key, i) in leaders
            perf = max(desired, 1.0) + rng.uniform(0.08, 0.15) if lead else rng.uniform(0.80, 0.89)
            series = all_series[key]
            series.values[i, h1] *= perf / series.perf_2023[i]
        for key in indicators:  # the middle performs near the sector's figure before scaling
            series = all_series[key]
            middle = ~fixed[key]
            target_perf = desired * rng.lognormal(0.0, 0.03, int(middle.sum()))
            series.values[middle, h1] *= (target_perf / series.perf_2023[middle])[:, None]
        if sector == "coal":
            for i, ent in enumerate(all_series["coal"].ents):
                all_series["coal"].values[i, h1] *= _campaign_multiplier(ent.code)
        _calibrate_h1({k: all_series[k].values[:, h1] for k in indicators},
                      {k: _h1_targets(all_series[k]) for k in indicators}, desired, fixed)
        for key in indicators:
            series = all_series[key]
            series.perf_2023 = series.values[:, h1].sum(axis=1) / _h1_targets(series)
    for series in all_series.values():
        if series.quarterly is None or series.ents[0].sector in CALIBRATED_SECTORS:
            continue
        # Other sectors land anywhere from 90 % to 107 % of plan, counting only what was reported.
        desired = rng.uniform(0.90, 1.07)
        block = series.values[:, h1]
        block *= desired * _h1_targets(series).sum() / block[~series.absent[:, h1]].sum()
        series.perf_2023 = block.sum(axis=1) / _h1_targets(series)
    for series in all_series.values():
        series.values[series.absent] = np.nan


def _inputs(rng: np.random.Generator, all_series: dict[str, _Series]) -> tuple[dict[str, np.ndarray],
                                                                                 dict[str, float]]:
    """Monthly inputs of every industrial enterprise, and each one's hidden technical efficiency.

    The best enterprise of an indicator works at the reference intensity of ``figures.INTENSITY``;
    the others need up to twice the workers and more energy, equipment and materials per unit, which
    is the reserve a DEA should find. Workers follow the plan, not the month's output, so a mine of
    the innovation movement shows a higher output per worker.
    """
    inputs: dict[str, np.ndarray] = {}
    efficiency: dict[str, float] = {}
    for key, series in all_series.items():
        if key not in INTENSITY:
            continue
        per_worker, kwh, machine_hours, materials = INTENSITY[key]
        # Spread evenly from 0.5 to 1 (in random order) so every sector has clear best and worst units.
        eff = rng.permutation(np.linspace(0.5, 1.0, len(series.ents)))
        planned_workers = np.repeat(series.annual, [12, 12, 6], axis=1) / (per_worker * eff[:, None])
        shape = series.values.shape
        actual = series.values
        for code, eff_i in zip((e.code for e in series.ents), eff, strict=True):
            efficiency[code] = float(eff_i)
        workers = np.round(planned_workers * rng.lognormal(0.0, 0.01, shape))
        energy = np.round(actual * kwh / eff[:, None] * rng.lognormal(0.0, 0.04, shape))
        equipment = np.round(actual * machine_hours / eff[:, None] ** 0.7 * rng.lognormal(0.0, 0.04, shape))
        material = np.round(actual * materials / eff[:, None] ** 0.5 * rng.lognormal(0.0, 0.04, shape), 1)
        workers[np.isnan(actual)] = np.nan
        for name, block in (("workers", workers), ("energy_use", energy), ("equipment_hours", equipment),
                            ("materials", material)):
            inputs[f"{key}:{name}"] = block
    return inputs, efficiency


def _recorded_at(rng: np.random.Generator) -> dict[tuple[str, int], pd.Timestamp]:
    """When each unit's report for each month arrived: ~5 days after month end, a few weeks late."""
    stamps: dict[tuple[str, int], pd.Timestamp] = {}
    days = rng.integers(3, 8, (len(ENTERPRISES), len(MONTHS)))
    hours = rng.integers(8, 18, (len(ENTERPRISES), len(MONTHS)))
    late = rng.random((len(ENTERPRISES), len(MONTHS))) < 0.02
    late_days = rng.integers(21, 46, (len(ENTERPRISES), len(MONTHS)))
    for i, ent in enumerate(ENTERPRISES):
        for j, month in enumerate(MONTHS):
            month_end = pd.Timestamp(month_label(int(month) + 1) + "-01", tz="UTC")
            delay = late_days[i, j] if late[i, j] and month <= month_ordinal("2023-04") else days[i, j]
            stamps[(ent.code, int(month))] = month_end + pd.Timedelta(days=int(delay), hours=int(hours[i, j]))
    return stamps


def _report_rows(indicator: str, ents: list[Enterprise], values: np.ndarray,
                 stamps: dict[tuple[str, int], pd.Timestamp]) -> list[tuple]:
    rows = []
    for i, ent in enumerate(ents):
        for j, month in enumerate(MONTHS):
            value = values[i, j]
            if not np.isnan(value):
                rows.append((indicator, ent.code, month_label(int(month)), float(value),
                             stamps[(ent.code, int(month))]))
    return rows


def _target_rows(series: _Series) -> list[tuple]:
    rows = []
    for i, ent in enumerate(series.ents):
        for y, year in enumerate(YEARS):
            plan = ANNUAL_PLANS[year]
            rows.append((plan, series.indicator, ent.code, str(year), float(series.annual[i, y])))
            if series.quarterly is not None:
                rows.extend((plan, series.indicator, ent.code, f"{year}-Q{q + 1}",
                             float(series.quarterly[i, y, q])) for q in range(4))
    return rows


def _corrections(rng: np.random.Generator, reports: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn a few reports into first, wrong figures and put the true value into ``corrections``.

    ``reports`` holds the current (true) values on entry; on return it holds what was first
    reported, and the corrections frame the later revision with its own, later ``recorded_at``.
    """
    reports = reports.copy()
    unit, indicator, period, factor = FORCED_CORRECTION
    picks = [(int(reports.index[(reports["unit"] == unit) & (reports["indicator"] == indicator)
                                & (reports["period"] == period)][0]), factor)]
    candidates = reports.index[reports["indicator"].isin(OUTPUT_INDICATORS) & (reports["value"] > 0)
                               & (reports["period"] < "2023-04")]
    for index in rng.choice(candidates, size=4, replace=False):
        picks.append((int(index), float(rng.choice([rng.uniform(0.85, 0.97), rng.uniform(1.03, 1.12)]))))
    rows = []
    for index, wrong in picks:
        row = reports.loc[index]
        revised_at = min(row["recorded_at"] + pd.Timedelta(days=int(rng.integers(12, 50))), AS_OF)
        rows.append((row["indicator"], row["unit"], row["period"], row["value"], revised_at))
        reports.loc[index, "value"] = round(float(row["value"]) * wrong)
    corrections = pd.DataFrame(rows, columns=REPORT_COLUMNS_AT)
    return reports, corrections


def simulate(rng: np.random.Generator) -> Activity:
    """Draw targets, reports and corrections. The order of the draws below is part of the contract."""
    missing = _missing_months(rng)
    all_series = {key: _simulate_indicator(rng, key, missing) for key in OUTPUT_INDICATORS}
    _calibrate_2023(rng, all_series)
    for series in all_series.values():
        # Whole units for counted things and tonnes; planners' reports carry no fractions.
        series.values = np.round(series.values)
    inputs, efficiency = _inputs(rng, all_series)
    stamps = _recorded_at(rng)
    rows: list[tuple] = []
    for key, series in all_series.items():
        rows.extend(_report_rows(key, series.ents, series.values, stamps))
    for name, block in inputs.items():
        key, indicator = name.split(":")
        rows.extend(_report_rows(indicator, all_series[key].ents, block, stamps))
    reports = pd.DataFrame(rows, columns=REPORT_COLUMNS_AT)
    reports = reports.sort_values(["unit", "indicator", "period"], kind="stable").reset_index(drop=True)
    reports, corrections = _corrections(rng, reports)
    targets = pd.DataFrame([row for s in all_series.values() for row in _target_rows(s)],
                           columns=TARGET_COLUMNS)
    profiles = pd.DataFrame(
        [(e.code, key, e.technology, efficiency.get(e.code, np.nan), float(s.perf_2023[i]))
         for key, s in all_series.items() for i, e in enumerate(s.ents) if key != "irrigation"],
        columns=["unit", "indicator", "technology", "efficiency", "h1_2023_fulfilment"])
    profiles.loc[profiles["indicator"] == "grain", "h1_2023_fulfilment"] = np.nan
    return Activity(targets, reports, corrections, profiles, missing)
