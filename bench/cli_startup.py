"""Benchmark: the fixed cost of the ``gosplan`` command — start-up, help, version, a command failing fast.

Each case runs the real console entry point in a fresh Python process (``python -c "from gosplan.cli import
main; main()" ARGS``, with this checkout's ``src`` first on ``PYTHONPATH``) ``--repeat`` times in an empty
folder and reports the best and the median wall-clock time. Goals: ``gosplan --help`` and ``--version``
under 0.5 s; any command's own help, or a command failing on a missing store, under 1 s. A bare
``python -c pass`` and ``import typer`` are timed alongside as the floor no command can go below.

Then ``python -X importtime`` shows the modules that cost the most to import (cumulative) for
``gosplan --help`` and for ``gosplan status --help``: the first place to look when start-up slows down.

    python bench/cli_startup.py                    # every command's --help, 5 runs each
    python bench/cli_startup.py --repeat 3 --top 8
    python bench/cli_startup.py --compare ../main/src   # also the same cases on another checkout, side by side
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
ENTRY = "from gosplan.cli import main; main()"
GOALS = {"help": 0.5, "version": 0.5}
COMMAND_GOAL = 1.0


def _env(src: Path = SRC) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}", "COLUMNS": "80"}
    env.pop("GOSPLAN_DB", None)
    return env


def _run(argv: list[str], cwd: str, extra: list[str] | None = None, src: Path = SRC) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *(extra or []), *argv], cwd=cwd, env=_env(src), capture_output=True,
                          text=True, timeout=300)


def time_case(argv: list[str], cwd: str | None, repeat: int, src: Path = SRC) -> tuple[float, float, int]:
    """Best and median wall time of ``repeat`` runs (each in a fresh empty folder unless ``cwd``), and the exit
    status of the last."""
    times, code = [], 0
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as fresh:
            start = time.perf_counter()
            done = _run(argv, cwd or fresh, src=src)
            times.append(time.perf_counter() - start)
        code = done.returncode
    return min(times), statistics.median(times), code


def top_imports(args: list[str], cwd: str, top: int) -> list[tuple[float, str]]:
    """The ``top`` modules with the largest cumulative import time (seconds) for ``gosplan ARGS``."""
    done = _run(["-c", ENTRY, *args], cwd, extra=["-X", "importtime"])
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        rows.append((int(cumulative) / 1e6, name.strip()))
    rows.sort(reverse=True)
    return rows[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each case (best and median are shown)")
    parser.add_argument("--top", type=int, default=10, help="modules shown from -X importtime")
    parser.add_argument("--compare", type=Path, help="src folder of another checkout to time alongside")
    options = parser.parse_args()
    sys.path.insert(0, str(SRC))
    from gosplan.cli import COMMANDS

    cases: list[tuple[str, list[str], float | None]] = [
        ("python -c pass (floor)", ["-c", "pass"], None),
        ("python -c 'import typer' (floor)", ["-c", "import typer"], None),
        ("gosplan --help", ["-c", ENTRY, "--help"], GOALS["help"]),
        ("gosplan --version", ["-c", ENTRY, "--version"], GOALS["version"]),
        ("gosplan stauts (usage error)", ["-c", ENTRY, "stauts"], GOALS["help"]),
        ("gosplan status --period 2023-06 (no store)", ["-c", ENTRY, "status", "--period", "2023-06"], COMMAND_GOAL),
        ("gosplan alerts --open (no store)", ["-c", ENTRY, "alerts", "--open"], COMMAND_GOAL),
    ]
    cases += [(f"gosplan {name} --help", ["-c", ENTRY, name, "--help"], COMMAND_GOAL) for name in sorted(COMMANDS)]
    print(f"gosplan start-up, {options.repeat} runs per case, in an empty folder (python {sys.version.split()[0]})")
    other = f"  {'compare median':>14}" if options.compare else ""
    print(f"{'case':<46} {'best s':>7} {'median s':>9} {'goal s':>7}  exit{other}")
    failures = 0
    with tempfile.TemporaryDirectory() as empty:
        for label, argv, goal in cases:
            best, median, code = time_case(argv, None, options.repeat)
            over = goal is not None and median > goal
            failures += over
            mark = "  OVER" if over else "      "
            compared = ""
            if options.compare and "floor" not in label:
                compared = f"  {time_case(argv, None, options.repeat, src=options.compare.resolve())[1]:>14.3f}"
            print(f"{label:<46} {best:>7.3f} {median:>9.3f} {goal if goal else '':>7}  {code:>4}{mark}{compared}")
        for args in (["--help"], ["status", "--help"]):
            print(f"\nLargest cumulative imports for gosplan {' '.join(args)} (python -X importtime):")
            for seconds, name in top_imports(args, empty, options.top):
                print(f"  {seconds:7.3f} s  {name}")
    print(f"\n{failures} case(s) over their goal (medians; the machine may be loaded: compare with the floor).")


if __name__ == "__main__":
    main()
