"""``gosplan balance`` on the store: import, capacities, tables, key-sectors, implications, bottlenecks."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from clienv import run_cli, runner
from gosplan.cli import app
from gosplan.engines.balance.readers import write_flows_csv
from gosplan.errors import ValidationError
from gosplan.service import Service
from gosplan.service.balance import h1_implications, key_sectors, load_table

run = run_cli


def test_key_sectors_and_implications_equal_the_service(db):
    service = Service.open(db)
    rows = json.loads(run(db, "balance", "key-sectors", "--format", "json").output)
    assert [r["sector"] for r in rows if r["class"] == "key"] == key_sectors(service).key
    table = run(db, "balance", "key-sectors").output
    assert "3 of 12 sectors are key sectors" in table
    frame = pd.read_csv(io.StringIO(run(db, "balance", "implications", "--period", "2023-H1", "-f", "csv").output))
    expected = h1_implications(service, "2023-H1").table
    got = frame.set_index("sector").loc[expected.index]
    pd.testing.assert_series_equal(got["total_change"], expected["total_change"], check_names=False)


def test_bottlenecks_json_and_table(db):
    rows = json.loads(run(db, "balance", "bottlenecks", "--year", "2023", "--growth", "0.03", "-f", "json").output)
    assert {r["sector"] for r in rows} == {"coal", "electricity", "metallurgy"}
    assert all(r["shadow_price"] > 0 for r in rows)
    text = run(db, "balance", "bottlenecks", "--year", "2023").output
    assert "Binding constraints and their shadow prices" in text and "capacity: coal" in text
    # Readable numbers with units, labour utilisation included: no nan, no 1.284e+07.
    assert "nan" not in text and "e+" not in text and "workers" in text and "trillion won" in text
    labour = next(line for line in text.splitlines() if line.strip("│ ").startswith("labour"))
    assert "100 %" in labour
    plan = json.loads(run(db, "balance", "bottlenecks", "--year", "2023", "--growth", "0.03", "--plan",
                          "-f", "json").output)
    assert len(plan) == 12 and {"output", "capacity", "capacity_shadow_price", "growth"} <= set(plan[0])


def test_import_a_flows_file_and_capacities(db, tmp_path):
    service = Service.open(db)
    path = tmp_path / "copy.csv"
    write_flows_csv(load_table(service), path)
    caps = tmp_path / "caps.csv"
    service.store.capacities(2023).drop(columns="year").to_csv(caps, index=False)
    assert "stored 'copy-2024'" in run(db, "balance", "import", str(path), "--name", "copy-2024").output
    assert "12 new" in run(db, "balance", "capacities", str(caps), "--year", "2024").output
    listed = json.loads(run(db, "balance", "tables", "-f", "json").output)
    assert {(r["name"], r["year"], r["sectors"]) for r in listed} == {("demo-2023", 2023, 12), ("copy-2024", 2024, 12)}
    rows = json.loads(run(db, "balance", "bottlenecks", "--year", "2024", "--table", "copy-2024", "--growth", "0.03",
                          "-f", "json").output)
    assert {r["sector"] for r in rows} == {"coal", "electricity", "metallurgy"}


def test_a_bad_file_is_refused_with_its_problems(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("sector,a,b,final_demand\na,1,2,3\nb,4,lots,6\n")
    result = runner.invoke(app, ["balance", "import", str(path), "--name", "bad-2023", "--db", db])
    assert isinstance(result.exception, ValidationError)
    problem = result.exception.problems[0]
    assert (problem.source, problem.row, problem.column) == ("bad.csv", 3, "b")
    assert "bad-2023" not in {r["name"] for r in json.loads(run(db, "balance", "tables", "-f", "json").output)}


def test_no_highs_banner_on_standard_output(db):
    """highspy prints a banner to file descriptor 1 on first use; the CLI keeps it out of csv/json."""
    src = Path(__file__).resolve().parents[1] / "src"
    env = {**os.environ, "PYTHONPATH": str(src), "GOSPLAN_DB": db}
    out = subprocess.run([sys.executable, "-m", "gosplan.cli", "balance", "bottlenecks", "--year", "2023",
                          "--growth", "0.03", "-f", "csv"], capture_output=True, text=True, env=env, check=True)
    assert "HiGHS" not in out.stdout
    assert out.stdout.splitlines()[0].startswith("constraint,kind,sector")
