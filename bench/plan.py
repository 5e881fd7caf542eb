"""Benchmark of material balances: goods x enterprises with input norms, and the distribution of control figures.

    python bench/plan.py [--goods 200] [--enterprises 10000] [--indicators 50] [--repeat 3] [--store sqlite:///x.db]

Each enterprise produces one or two indicators; each indicator consumes about ten balanced goods
by its norms. Timed: the material balance of every good (production, productive consumption per
enterprise and per consuming indicator, surplus), closing the balances, and distributing 50
control figures over the enterprises by last year's shares. The peer is a pandas merge-and-groupby
of norms onto output rows (how one writes it without the sparse product). With ``--store URL`` (an
empty database) it also times a draft's store side: writing a version of every enterprise x every
indicator (500,000 targets) and reading it back. Taken on a shared, loaded 2-core machine: compare the
ratios.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from _timing import best_of
from gosplan.engines.plan import distribute, material_balance


def _problem(goods: int, enterprises: int, indicators: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    names = [f"k{i:03d}" for i in range(max(goods, indicators))]
    good_names = names[:goods]
    pairs = {(g, c) for c in names for g in rng.choice(good_names, 10, replace=False)}
    norms = pd.DataFrame(sorted(pairs), columns=["good", "consumer"])
    norms["norm"] = rng.lognormal(0.0, 1.0, len(norms))
    units = [f"e{j:05d}" for j in range(enterprises)]
    first = rng.choice(names, enterprises)
    second = rng.choice(names, enterprises)
    two = rng.random(enterprises) < 0.3
    output = pd.concat([pd.DataFrame({"unit": units, "indicator": first}),
                        pd.DataFrame({"unit": np.array(units)[two], "indicator": second[two]})], ignore_index=True)
    output = output.drop_duplicates(["unit", "indicator"])
    output["value"] = rng.lognormal(8.0, 1.0, len(output))
    items = pd.DataFrame({"final_uses": rng.uniform(0, 1e6, goods), "exports": rng.uniform(0, 1e5, goods),
                          "imports": rng.uniform(0, 1e5, goods)}, index=good_names)
    plan_indicators = names[:indicators]
    weights = output[output["indicator"].isin(plan_indicators)].rename(columns={"value": "weight"})
    totals = weights.groupby("indicator")["weight"].sum() * 1.05
    return norms, output, items, weights, totals


def _pandas_peer(norms: pd.DataFrame, output: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    used = output.merge(norms, left_on="indicator", right_on="consumer")
    used["amount"] = used["value"] * used["norm"]
    per_unit = used.groupby(["good", "unit"])["amount"].sum()
    table = items.copy()
    table["production"] = output.groupby("indicator")["value"].sum().reindex(items.index, fill_value=0.0)
    table["productive_consumption"] = per_unit.groupby(level="good").sum().reindex(items.index, fill_value=0.0)
    table["surplus"] = (table["production"] + table["imports"] - table["productive_consumption"]
                        - table["final_uses"] - table["exports"])
    return table


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--goods", type=int, default=200)
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--store", help="an empty database URL: also time writing and reading a full version")
    args = parser.parse_args()
    norms, output, items, weights, totals = _problem(args.goods, args.enterprises, args.indicators)
    balance = material_balance(norms, output, items, goods=items.index)
    peer = _pandas_peer(norms, output, items)
    gap = float(np.abs(balance.table["surplus"] - peer["surplus"]).max() / peer["surplus"].abs().max())
    runs = [
        ("material balances (gosplan, sparse N Q)", lambda: material_balance(norms, output, items, goods=items.index)),
        ("  + closing every balance", lambda: material_balance(norms, output, items, goods=items.index).close()),
        ("pandas merge + groupby (peer)", lambda: _pandas_peer(norms, output, items)),
        (f"distribute {len(totals)} control figures", lambda: distribute(totals, weights)),
    ]
    table = Table(title=f"Material balances: {args.goods} goods x {args.enterprises:,} enterprises, "
                        f"{len(norms):,} norms, {len(output):,} output rows (best of {args.repeat})")
    table.add_column("step")
    table.add_column("seconds", justify="right")
    table.add_column("ratio", justify="right")
    base = None
    for name, fn in runs:
        seconds, _ = best_of(args.repeat, fn)
        base = base or seconds
        table.add_row(name, f"{seconds:.3f}", f"{seconds / base:.1f}")
    if args.store:
        for name, seconds in _store_times(args.store, args.enterprises, args.indicators):
            table.add_row(name, f"{seconds:.3f}", f"{seconds / base:.1f}")
    table.caption = f"largest surplus difference from the peer: {gap:.1e} of the largest surplus"
    Console().print(table)


def _store_times(url: str, enterprises: int, indicators: int) -> list[tuple[str, float]]:
    """Write a version with a target for every enterprise and indicator into ``url``, and read it back."""
    import time

    from gosplan.store import Store

    store = Store.open(url)
    units = [f"e{j:05d}" for j in range(enterprises)]
    codes = [f"k{i:03d}" for i in range(indicators)]
    store.write_indicators(pd.DataFrame({"code": codes, "name": codes, "unit": "t"}))
    store.write_units(pd.DataFrame({"code": units, "name": units, "kind": "enterprise"}))
    targets = pd.DataFrame({"unit": np.repeat(units, indicators), "indicator": np.tile(codes, enterprises)})
    targets["value"] = np.random.default_rng(0).uniform(1, 1e6, len(targets)).round()
    start = time.perf_counter()
    store.create_plan_version("bench", 2024, targets=targets, created_by="bench", rule="shares")
    wrote = time.perf_counter() - start
    start = time.perf_counter()
    back = store.version_targets("bench")
    read = time.perf_counter() - start
    assert len(back) == len(targets)
    return [(f"store: write a version of {len(targets):,} targets", wrote),
            (f"store: read the {len(back):,} targets back", read)]


if __name__ == "__main__":
    main()
