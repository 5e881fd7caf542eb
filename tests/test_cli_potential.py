"""``gosplan potential`` and the projects' lines under ``gosplan plan balance``, on one demo store."""

import json

from clienv import run_cli as run


def test_potential_by_sector_fits_80_columns_and_says_what_is_late(db):
    out = run(db, "potential", "--period", "2023-H1", width=80).output
    assert max(len(line) for line in out.splitlines()) <= 80
    text = " ".join(out.split())
    assert "Actuality, capability and potentiality in 2023-H1" in text
    assert "the delay costs 5.0 kt of rolled steel not produced" in text  # Kim Chaek, 2 months of 30 kt/yr
    assert "coal-innovation-2023 in coal mining: 12 of 16 units joined" in text and "Stalled" in text
    assert "nan" not in out and "e+" not in out


def test_potential_by_unit_as_json_and_a_bad_grouping(db):
    rows = json.loads(run(db, "potential", "--period", "2023-06", "--by", "unit", "--limit", "3",
                          "--format", "json").output)
    assert len(rows) == 3 and rows[0]["latency"] <= rows[-1]["latency"]
    for r in rows:
        assert abs(r["performance"] - r["productivity"] * r["latency"]) < 1e-8  # JSON keeps 10 digits
    assert "must be one of sector, unit" in run(db, "potential", "--period", "2023-H1", "--by", "oblast",
                                                code=2).output


def test_plan_balance_says_what_projects_add_to_the_year(db):
    run(db, "plan", "draft", "--year", "2024", "--by", "planner")
    text = " ".join(run(db, "plan", "balance", "draft-2024", width=80).output.split())
    assert "Projects commissioned by 2024 add capacity" in text and "at Orangchon Power Station" in text
