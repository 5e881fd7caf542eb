"""Benchmark of earned-value tracking: many projects, two years of monthly reports.

    python bench/projects.py [--projects 1000] [--repeat 3]

There is no established Python earned-value library to run side by side; the number to watch is
projects per second for the status table (track_projects) and the monthly S-curves
(project_history). Taken on a shared, loaded 2-core machine: best of the repeats.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from _timing import best_of
from gosplan.engines.projects import project_history, track_projects


def _frames(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    codes = [f"P{i:05d}" for i in range(n)]
    starts = rng.integers(0, 12, n)
    durations = rng.integers(12, 30, n)
    projects = pd.DataFrame({
        "code": codes, "name": codes, "unit": [f"bld.{i % 20}" for i in range(n)],
        "budget": rng.uniform(1e3, 5e5, n).round(1),
        "start": [f"2022-{s + 1:02d}" for s in starts],
        "planned_end": [str(pd.Period("2022-01", "M") + int(s + d - 1))
                        for s, d in zip(starts, durations, strict=True)],
        "dwellings": rng.integers(0, 3000, n)})
    milestones, progress = [], []
    for code, s, d, dwellings in zip(codes, starts, durations, projects.dwellings, strict=True):
        first = pd.Period("2022-01", "M") + int(s)
        for j, share in enumerate((0.2, 0.35, 0.3, 0.15)):
            milestones.append((code, f"m{j}", str(first + round((j + 1) * (d - 1) / 4)), share,
                               dwellings if j == 3 else 0))
        pace = rng.uniform(0.7, 1.1)
        done = 0.0
        for month in range(24 - int(s)):
            done = min(100.0, done + 100 * pace / d * rng.uniform(0.6, 1.4))
            progress.append((code, str(first + month), round(done, 1), rng.uniform(0.5, 1.5) * 1e3, 0))
    return (projects,
            pd.DataFrame(milestones, columns=["project", "milestone", "planned_date", "planned_value",
                                              "dwellings"]),
            pd.DataFrame(progress, columns=["project", "period", "percent_complete", "actual_cost",
                                            "dwellings_completed"]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    projects, milestones, progress = _frames(args.projects)
    table = Table(title=f"Earned value, {args.projects:,} projects, {len(progress):,} monthly reports "
                        f"(best of {args.repeat})")
    for column in ("call", "seconds", "projects/s"):
        table.add_column(column)
    for name, fn in (("track_projects as of 2023-12", lambda: track_projects(projects, milestones, progress,
                                                                             "2023-12")),
                     ("project_history through 2023-12", lambda: project_history(projects, milestones,
                                                                                 progress, "2023-12"))):
        seconds = best_of(args.repeat, fn)[0]
        table.add_row(name, f"{seconds:.2f}", f"{args.projects / seconds:,.0f}")
    Console().print(table)


if __name__ == "__main__":
    main()
