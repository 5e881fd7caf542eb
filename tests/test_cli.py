"""The gosplan command end to end, in a subprocess as a user runs it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

SRC = str(Path(__file__).resolve().parents[1] / "src")


def gosplan(*args: str, cwd: Path, db: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""), "COLUMNS": "160"}
    env.pop("GOSPLAN_DB", None)
    if db:
        env["GOSPLAN_DB"] = db
    return subprocess.run([sys.executable, "-m", "gosplan.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """Run ``gosplan demo`` once in a fresh directory; later commands find its store by default."""
    path = tmp_path_factory.mktemp("cli")
    done = gosplan("demo", cwd=path)
    assert done.returncode == 0, done.stderr
    assert "Review written to" in done.stdout and (path / "gosplan-review-2023-H1.html").exists()
    assert (path / "gosplan.db").exists()
    for expected in ("Coal mining", "104 %", "Leaders", "Laggards"):
        assert expected in done.stdout
    return path


def test_status_after_demo_uses_the_same_store(workdir):
    done = gosplan("status", "--period", "2023-06", "--by", "sector", "--format", "json", cwd=workdir)
    assert done.returncode == 0, done.stderr
    rows = {r["sector"]: r for r in json.loads(done.stdout)}
    assert round(rows["metallurgy"]["fulfilment"] * 100) == 112
    table = gosplan("status", "--period", "2023-06", "--by", "unit", "--indicator", "coal", cwd=workdir)
    assert table.returncode == 0 and "South Pyongan" in table.stdout


def test_status_csv_for_machines(workdir, tmp_path):
    done = gosplan("status", "--period", "2023-H1", "--sector", "coal", "--format", "csv", cwd=workdir)
    out = tmp_path / "s.csv"
    out.write_text(done.stdout)
    frame = pd.read_csv(out)
    assert list(frame["indicator"]) == ["coal"] and frame["fulfilment"].iloc[0] > 1


def test_review_command(workdir):
    done = gosplan("review", "--period", "2023-H1", "--out", "r.html", cwd=workdir)
    assert done.returncode == 0, done.stderr
    assert "League table of units" in (workdir / "r.html").read_text()


def test_template_import_and_history(workdir):
    assert gosplan("template", "reports", "--out", "t.csv", cwd=workdir).returncode == 0
    header = (workdir / "t.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.split(",")[:4] == ["indicator", "unit", "period", "value"]
    assert gosplan("export", "reports", "--out", "cur.csv", cwd=workdir).returncode == 0
    current = pd.read_csv(workdir / "cur.csv")
    row = current[current["indicator"].eq("coal")].iloc[0]
    # a correction in kt of a stored value kept in t makes a new revision
    (workdir / "fix.csv").write_text(
        f"indicator,unit,period,value,uom\ncoal,{row['unit']},{row['period']},{row['value'] / 1000 + 1},kt\n")
    done = gosplan("import", "fix.csv", "--by", "tester", cwd=workdir)
    assert done.returncode == 0, done.stderr
    assert "1 revised" in done.stdout
    again = gosplan("import", "fix.csv", cwd=workdir)
    assert "1 unchanged" in again.stdout
    hist = gosplan("history", "--indicator", "coal", "--unit", row["unit"], "--period", row["period"],
                   "--format", "json", cwd=workdir)
    revisions = json.loads(hist.stdout)
    assert max(r["revision"] for r in revisions) >= 2
    latest = max(revisions, key=lambda r: r["revision"])
    assert latest["recorded_by"] == "tester" and latest["value"] == pytest.approx(row["value"] + 1000)


def test_bad_file_is_rejected_with_row_and_column(workdir):
    before = gosplan("export", "reports", "--out", "before.csv", cwd=workdir)
    assert before.returncode == 0
    (workdir / "bad.csv").write_text("indicator,unit,period,value\ncoal,NOPE,2023-05,10\ncoal,NOPE,2023-05,x\n")
    done = gosplan("import", "bad.csv", cwd=workdir)
    assert done.returncode == 1
    assert "bad.csv, row 2, column 'unit'" in done.stderr.replace("\n", " ")
    gosplan("export", "reports", "--out", "after.csv", cwd=workdir)
    assert (workdir / "before.csv").read_bytes() == (workdir / "after.csv").read_bytes()


def test_user_errors_have_no_traceback(workdir):
    # Exit 1: the store has no such thing; exit 2: the command line itself is wrong (a usage error).
    for code, args in ((1, ["status", "--period", "2023-13"]), (1, ["status", "--period", "2023-06", "--unit", "NOPE"]),
                       (2, ["status", "--period", "2023-06", "--by", "colour"]),
                       (2, ["export", "bogus", "--out", "x.csv"])):
        done = gosplan(*args, cwd=workdir)
        assert done.returncode == code, args
        assert "Traceback" not in done.stderr and "error:" in done.stderr


def test_demo_refuses_to_replace_other_data(tmp_path):
    other = tmp_path / "gosplan.db"
    gosplan("init", cwd=tmp_path)
    assert other.exists()
    from gosplan.store import Store

    Store.open(f"sqlite:///{other}").set_meta("dataset", "ministry")
    done = gosplan("demo", cwd=tmp_path)
    assert done.returncode == 1 and "--force" in done.stderr
