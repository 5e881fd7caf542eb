"""``gosplan status --by ministry`` and importing unit groupings, through the command line."""

from __future__ import annotations

import json

from clienv import run_cli as run


def test_status_by_ministry_reads_at_80_columns(db):
    out = run(db, "status", "--period", "2023-06", "--by", "ministry", width=80).output
    for expected in ("by ministry", "Agriculture", "Construction", "Coal (Mt)", "Missing reports — Building "
                     "materials, Cement: cem.haeju"):
        assert expected in " ".join(out.split()), expected
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "nan" not in out and "e+" not in out
    rows = json.loads(run(db, "status", "--period", "2023-06", "--by", "ministry", "--format", "json").output)
    coal = next(r for r in rows if r["group_code"] == "coal_industry")
    assert coal["indicator"] == "coal" and coal["reported"] == 16


def test_groups_are_imported_and_an_unknown_grouping_is_refused(db, tmp_path):
    path = tmp_path / "groups.csv"
    path.write_text("unit,grouping,group_code,group_name\ncoal.kujang,trust,anthracite,Anthracite trust\n"
                    "coal.kaechon,trust,anthracite,Anthracite trust\n", encoding="utf-8")
    assert "unit_groups: 2 rows" in run(db, "import", str(path)).output
    out = run(db, "status", "--period", "2023-06", "--by", "trust", "--indicator", "coal").output
    assert "Anthracite trust" in out and "(none)" in out
    bad = run(db, "status", "--period", "2023-06", "--by", "trusts", code=2).output  # a usage error
    assert ("must be one of indicator, sector, unit, inflow_index, ministry, seam_thickness, soil_quality, "
            "technology, trust") in bad
