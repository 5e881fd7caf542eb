"""``gosplan projects``, ``risk``, ``actions`` and ``review --format md|pdf`` (in process, one demo store)."""

import json
import re

import pandas as pd

from clienv import run_cli, runner
from gosplan.cli import app

run = run_cli


def test_projects_table_and_late_json(db):
    table = run(db, "projects", "--as-of", "2023-06").output
    for expected in ("SPI(t)", "Hwasong district phase 2", "2024-02 (2023-12..2024-04)", "late"):
        assert expected in table
    rows = json.loads(run(db, "projects", "--late", "--format", "json").output)
    # The rural housing programmes and the steel modernisation of the demo's development (potential.py).
    assert {r["project"] for r in rows} == {"rural-npyongan", "rural-shwanghae", "kimchaek-modern"}
    assert all(r["spi_t"] < 0.9 for r in rows)


def test_risk_with_a_measures_file(db, tmp_path):
    path = tmp_path / "measures.csv"
    pd.DataFrame({"name": ["irrigate South Hwanghae", "drain Kangwon"], "province": ["KP-05", "KP-07"],
                  "kind": ["irrigation", "drainage"], "area": [20_000, 5_000], "cost": [40_000, 6_000]}
                 ).to_csv(path, index=False)
    rows = json.loads(run(db, "risk", "--year", "2023", "--as-of", "2023-06", "--measures", str(path),
                          "--scenarios", "3000", "--format", "json").output)
    assert {r["measure"] for r in rows} == {"irrigate South Hwanghae", "drain Kangwon"}
    assert all(0 <= r["p_target_met"] <= 1 and r["n_scenarios"] == 3000 for r in rows)
    table = run(db, "risk", "--year", "2023", "--as-of", "2023-06", "--scenarios", "3000").output
    assert "P(target met)" in table and "South Hwanghae" in table and "Candidate measures" in table


def test_actions_propose_accept_edit_status_list(db):
    proposed = json.loads(run(db, "actions", "propose", "--period", "2023-H1", "--format", "json").output)
    assert {a["origin"] for a in proposed} == {"laggards", "projects", "risk", "forecast", "reserves", "balance"}
    again = run(db, "actions", "propose", "--period", "2023-H1").output
    assert "No new proposals" in again
    first = proposed[0]["id"]
    assert "accepted" in run(db, "actions", "accept", str(first)).output
    run(db, "actions", "edit", str(first), "--due", "2023-10-31", "--owner", "KP", "--title", "Close the coal gap")
    run(db, "actions", "status", str(first), "--set", "in progress")
    assert "rejected" in run(db, "actions", "reject", str(proposed[1]["id"])).output
    listed = json.loads(run(db, "actions", "list", "--status", "in progress", "--format", "json").output)
    assert [(a["id"], a["title"], a["owner_unit"], a["due"][:10]) for a in listed] == \
        [(first, "Close the coal gap", "KP", "2023-10-31")]
    tracked = json.loads(run(db, "actions", "track", "--period", "2023-H1", "--format", "json").output)
    assert tracked[0]["id"] == first and tracked[0]["verdict"] in ("recovered", "improving", "not recovered")
    bad = runner.invoke(app, ["actions", "status", str(first), "--set", "finished", "--db", db])
    assert bad.exit_code != 0


def test_review_markdown(db, tmp_path):
    """The PDF route itself is tested in tests/review (one Chromium run is enough)."""
    md = tmp_path / "review.md"
    run(db, "review", "--period", "2023-H1", "--format", "md", "--out", str(md))
    text = md.read_text()
    # Page one (the stocktake) first, the detail in lettered annexes.
    assert text.index("## Stocktake") < text.index("Action plan")
    assert re.search(r"^## Annex [A-Z]\. Action plan$", text, re.MULTILINE)
    assert re.search(r"^## Annex [A-Z]\. The engines' proposals$", text, re.MULTILINE)
    assert "| Project |" in text and "Plotly" not in text
    bad = runner.invoke(app, ["review", "--period", "2023-H1", "--format", "docx", "--db", db])
    assert bad.exit_code != 0
