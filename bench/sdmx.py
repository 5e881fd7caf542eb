"""Benchmark: SDMX-ML 2.1 export of a year of reports, against sdmx1 as the peer.

A year of N enterprises x M indicators x 12 months (default 10,000 x 50 x 12 = 6 million
observations) is written as structure-specific data by gosplan's streaming writer and read back by
gosplan's reader; sdmx1 (an independent SDMX library) writes the first ``--peer`` observations of the
same data from its object model, as a ratio. With ``--db URL`` the export runs end to end from a
store's year of reports (e.g. the store bench/completeness.py builds). Goal: at least 200,000
observations per second.

    python bench/sdmx.py                                         # full size
    python bench/sdmx.py --enterprises 1000 --indicators 10      # a quick try

On a shared machine the wall clock and the CPU time differ; both are printed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from gosplan.ingest.sdmx import read_sdmx, write_data

console = Console()
# This script's own name would shadow the sdmx1 package (imported as ``sdmx``) for the peer.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]


def year(n_enterprises: int, n_indicators: int) -> pd.DataFrame:
    units = np.array([f"P{i % 10}C{i // 10 % 10}E{i // 100}" for i in range(n_enterprises)], dtype=object)
    codes = np.array([f"ind{i:02d}" for i in range(n_indicators)], dtype=object)
    unit, indicator, month = (a.ravel() for a in np.meshgrid(units, codes, np.arange(1, 13), indexing="ij"))
    rng = np.random.default_rng(5)
    return pd.DataFrame({"indicator": indicator, "unit": unit,
                         "period": pd.Series(month).map(lambda m: f"2023-{m:02d}").to_numpy(),
                         "value": rng.uniform(1, 1e6, len(unit)).round(3)})


def peer(frame: pd.DataFrame, path: Path) -> float:
    """sdmx1 building and writing the same structure-specific message."""
    from sdmx.model import common
    from sdmx.model import v21 as m

    import sdmx

    dsd = m.DataStructureDefinition(id="DSD_REPORTS")
    for dim in ("REPORTING_UNIT", "INDICATOR"):
        dsd.dimensions.getdefault(dim)
    dsd.dimensions.getdefault("TIME_PERIOD", cls=common.TimeDimension)
    measure = dsd.measures.getdefault("OBS_VALUE")
    start = time.perf_counter()
    ds = m.StructureSpecificDataSet(structured_by=dsd)
    for (unit, indicator), group in frame.groupby(["unit", "indicator"], sort=True):
        key = dsd.make_key(m.SeriesKey, {"REPORTING_UNIT": unit, "INDICATOR": indicator})
        ds.add_obs([m.Observation(dimension=dsd.make_key(m.Key, {"TIME_PERIOD": p}), value=v, value_for=measure)
                    for p, v in zip(group["period"], group["value"], strict=True)], key)
    message = sdmx.message.DataMessage(data=[ds], observation_dimension=dsd.dimensions.get("TIME_PERIOD"))
    message.header = sdmx.message.Header(id="PEER")
    path.write_bytes(sdmx.to_xml(message))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument("--peer", type=int, default=60_000, help="Observations the peer writes (0: none).")
    parser.add_argument("--db", default=None, help="Also export the year 2023 from this store end to end.")
    args = parser.parse_args()
    frame = year(args.enterprises, args.indicators)
    measures = pd.Series("t", index=frame["indicator"].unique())
    n = len(frame)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "year.xml"
        start, cpu = time.perf_counter(), time.process_time()
        write_data(path, "reports", frame, measures)
        written, written_cpu = time.perf_counter() - start, time.process_time() - cpu
        rows.append(("gosplan write", n, written, path.stat().st_size))
        rows.append(("gosplan write, CPU time", n, written_cpu, path.stat().st_size))
        start, cpu = time.perf_counter(), time.process_time()
        back = read_sdmx(path)
        rows.append(("gosplan read", len(back), time.perf_counter() - start, path.stat().st_size))
        rows.append(("gosplan read, CPU time", len(back), time.process_time() - cpu, path.stat().st_size))
        if args.peer:
            part = frame.head(args.peer)
            small = Path(tmp) / "gosplan-part.xml"
            start = time.perf_counter()
            write_data(small, "reports", part, measures)
            seconds = time.perf_counter() - start
            rows.append((f"gosplan write ({len(part):,})", len(part), seconds, small.stat().st_size))
            peer_path = Path(tmp) / "peer.xml"
            rows.append((f"sdmx1 write ({len(part):,})", len(part), peer(part, peer_path), peer_path.stat().st_size))
        if args.db:
            from gosplan.service import Service
            from gosplan.service.sdmx import export_sdmx

            start = time.perf_counter()
            _, count = export_sdmx(Service.open(args.db), "reports", Path(tmp) / "store.xml", "2023")
            rows.append(("gosplan export from the store", count, time.perf_counter() - start,
                         (Path(tmp) / "store.xml").stat().st_size))
    table = Table(title=f"SDMX-ML 2.1 structure-specific data: a year of {n:,} observations", title_justify="left")
    for name in ("step", "observations", "time", "observations/s", "file"):
        table.add_column(name, justify="left" if name == "step" else "right")
    for step, count, seconds, size in rows:
        table.add_row(step, f"{count:,}", f"{seconds:.2f} s", f"{count / seconds:,.0f}", f"{size / 1e6:,.0f} MB")
    console.print(table)
    rate = n / written
    console.print(f"Write rate {rate:,.0f} observations/s wall clock ({n / written_cpu:,.0f}/s of CPU time): "
                  f"{'meets' if rate >= 200_000 else 'misses'} the goal of 200,000/s")


if __name__ == "__main__":
    main()
