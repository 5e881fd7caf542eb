"""``gosplan plan``: the 2024 demo drafted, balanced, varied, answered, compared and adopted from the CLI."""

from __future__ import annotations

import json

import pandas as pd

from clienv import run_cli


def test_plan_making_end_to_end(db, tmp_path):
    out = run_cli(db, "plan", "draft", "--year", "2024", "--by", "planner", width=80).output
    assert "Control figures 2024 — draft-2024 (distributed by shares)" in out
    assert "18.5 Mt" in out and "25.5 TWh" in out and "5-year plan" in out
    assert "nan" not in out and "e+" not in out
    assert max(len(line) for line in out.splitlines()) <= 80

    out = run_cli(db, "plan", "balance", "draft-2024", width=80).output
    text = " ".join(out.split())  # sentences wrap at 80 columns
    # 185.3 GWh: the demo's steel modernisation (8 % less power per tonne at Kim Chaek from 2024-01)
    # works in the 2024 balance (docs/plan-making.md).
    assert "Deficit of electricity generated: 185.3 GWh" in text
    assert "nitrogen fertilizer 1.8 TWh (33%)" in text
    assert "capacity records stale" in text
    assert "nan" not in out and "e+" not in out
    assert max(len(line) for line in out.splitlines()) <= 80

    rows = json.loads(run_cli(db, "plan", "balance", "draft-2024", "--format", "json").output)
    electricity = next(r for r in rows if r["good"] == "electricity")
    assert electricity["uom"] == "kWh" and electricity["surplus"] < 0

    # Adoption is refused while electricity is short; nothing changes.
    err = str(run_cli(db, "plan", "adopt", "draft-2024", code=1).exception)
    assert "deficit (electricity)" in err and "--accept-deficits" in err
    assert "draft" in run_cli(db, "plan", "versions").output

    run_cli(db, "plan", "variant", "draft-2024", "--name", "draft-2024-b", "--scale", "electricity=1.02",
            "--set", "KP-08:cement=2500000")
    out = run_cli(db, "plan", "compare", "draft-2024", "draft-2024-b", width=80).output
    assert "+2.0 %" in out and "−185.3 GWh" in out
    assert max(len(line) for line in out.splitlines()) <= 80

    counter = tmp_path / "counter.csv"
    pd.DataFrame([("draft-2024-b", "coal.kujang", "coal", "2024", 2_100_000, "new seam at Kujang")],
                 columns=["plan", "unit", "indicator", "period", "value", "reason"]).to_csv(counter, index=False)
    assert "1 counter-plans recorded" in run_cli(db, "plan", "counter", "import", str(counter), "--from",
                                                 "KP-03", "--by", "kujang").output
    out = run_cli(db, "plan", "counter", "show", "draft-2024-b", "--level", "province").output
    assert "North Pyongan" in out and "new seam at Kujang" in out

    out = run_cli(db, "plan", "adopt", "draft-2024-b", "--by", "council").output
    assert "draft-2024-b adopted by council as plan ap-2024" in out
    out = run_cli(db, "plan", "versions", width=100).output
    assert "adopted" in out and "council" in out


def test_counter_plan_errors_name_row_and_column(db, tmp_path):
    run_cli(db, "plan", "draft", "--year", "2024", "--name", "draft-x")
    bad = tmp_path / "bad.csv"
    pd.DataFrame([("draft-x", "elec.pukchang", "electricity", "2024", 5e9, "repairs"),
                  ("missing-plan", "coal.kujang", "coal", "2024", 1.0, "x")],
                 columns=["plan", "unit", "indicator", "period", "value", "reason"]).to_csv(bad, index=False)
    out = str(run_cli(db, "plan", "counter", "import", str(bad), "--from", "KP-03", code=1).exception)
    assert "bad.csv, row 2, column 'unit'" in out and "outside the subtree" in out
    assert "row 3, column 'plan': unknown plan version 'missing-plan'" in out
    out = run_cli(db, "plan", "counter", "show", "draft-x").output
    assert "No counter-plans for draft-x yet." in out


def test_unknown_version_and_implications(db):
    out = str(run_cli(db, "plan", "variant", "nope", "--name", "x", code=1).exception)
    assert "no plan version 'nope'" in out
    out = run_cli(db, "plan", "implications", "--period", "2023-H1", width=80).output
    assert "What 2023-H1 implies" in out and "Rolled steel" in out and "GWh" in out
    assert "nan" not in out
    out = run_cli(db, "plan", "norms", width=100).output
    assert "t per kWh" in out and "entered" in out and "reports" in out and "io_table" in out
    out = run_cli(db, "plan", "capacities", width=100).output
    assert "Kim Chaek Iron and Steel Complex" in out


def test_norms_and_capacities_import(db, tmp_path):
    good = tmp_path / "norms.csv"
    pd.DataFrame([("electricity", "rolled_steel", 650.0, "entered", "EAF shop after modernisation")],
                 columns=["good", "consumer", "norm", "source", "note"]).to_csv(good, index=False)
    out = run_cli(db, "plan", "norms", "--import", str(good), "--by", "gosplan-norms-dept", width=100).output
    assert "1 norms recorded" in " ".join(out.split())  # the file's path comes first and may wrap the line
    bad = tmp_path / "bad-norms.csv"
    pd.DataFrame([("coal", "cement", -0.2), ("coal", "unobtainium", 0.1)],
                 columns=["good", "consumer", "norm"]).to_csv(bad, index=False)
    err = str(run_cli(db, "plan", "norms", "--import", str(bad), code=1).exception)
    assert "bad-norms.csv, row 2, column 'norm': must not be negative" in err
    assert "row 3, column 'consumer': unknown indicator 'unobtainium'" in err
    caps = tmp_path / "caps.csv"
    pd.DataFrame([("metal.kimchaek", "rolled_steel", 160_000, "survey of 2023", "2023-10-01")],
                 columns=["unit", "indicator", "capacity", "source", "as_of"]).to_csv(caps, index=False)
    out = run_cli(db, "plan", "capacities", "--import", str(caps), width=100).output
    assert "1 capacity records written" in " ".join(out.split()) and "160.0 kt" in out  # a long path wraps
