"""``gosplan reserves``, ``gosplan campaigns`` and the review's reserves section, on one demo store."""

import json

import pandas as pd
import pytest

from clienv import run_cli, runner
from gosplan.cli import app
from gosplan.review.document import build_review
from gosplan.service import Service

MOVEMENT = "coal-innovation-2023"


run = run_cli


def test_reserves_table_and_json(db):
    table = run(db, "reserves", "--period", "2023-H1", "--sector", "coal").output
    for expected in ("Reserves in 2023-H1 (VRS", "Malmquist against 2022-H1", "Kujang Area Coal Mining Complex",
                     "Learn from", "Untapped output: coal", "(CRS ", "CRS: against the most productive scale",
                     "Small peer groups: DEA needs at least max(m×s, 3(m+s)) units per group",
                     "Coal mining · Open-pit mining (5 of 18)", "Not controllable", "seam thickness (m)"):
        assert expected in table, expected
    assert "(CRS" in run(db, "reserves", "--period", "2023-H1", "--sector", "coal", "--rts", "crs").output
    rows = json.loads(run(db, "reserves", "--period", "2023-H1", "--sector", "coal", "--format", "json").output)
    assert len(rows) == 16 and {r["sector"] for r in rows} == {"coal"}
    assert all(r["output_reserve"] >= 0 and r["uom"] == "t" for r in rows)
    lagging = [r for r in rows if r["efficiency"] < 0.9]
    assert lagging and all(r["learn_from"].startswith("coal.") for r in lagging)


def test_reserves_refuses_a_bad_rts(db):
    result = runner.invoke(app, ["reserves", "--period", "2023-H1", "--rts", "drs", "--db", db])
    assert result.exit_code != 0 and "crs" in str(result.exception)


def test_campaigns_list_show_and_csv(db):
    # 12 of 16 mines, 4 of 5 thermal stations, 2 of 5 steel works (examples/demo/potential.py)
    assert "18 of 26 (69 %)" in run(db, "campaigns", "list").output
    shown = run(db, "campaigns", "show", MOVEMENT).output
    for expected in ("Bass fit: innovation p =", "reach by 2024-05", "Effect of joining on output per worker: +",
                     "95 % interval"):
        assert expected in shown
    forecast = pd.read_csv(pd.io.common.StringIO(run(db, "campaigns", "show", MOVEMENT, "--format", "csv").output))
    assert forecast["cumulative"].is_monotonic_increasing and (forecast["campaign"] == MOVEMENT).all()
    data = json.loads(run(db, "campaigns", "show", MOVEMENT, "--format", "json").output)
    low, high = data["effect"]["ci_percent"]
    assert low < data["effect"]["percent"] < high and len(data["members"]) == 18
    assert [r["sector"] for r in data["sectors"]] == ["coal", "electricity", "metallurgy"]
    assert "coal-innovation-2023 in electric power: 4 of 5 units joined" in " ".join(shown.split())
    assert data["bass"]["forecast"][-1]["cumulative"] == pytest.approx(forecast["cumulative"].iloc[-1])


def test_campaigns_import_a_new_movement_and_its_members(db, tmp_path):
    (tmp_path / "c.csv").write_text("name,origin_unit,start,indicator,description\n"
                                    "cement-2023,cem.sangwon,2023-02,cement,Sangwon's movement\n")
    (tmp_path / "m.csv").write_text("campaign,unit,joined\ncement-2023,cem.sangwon,2023-02\n"
                                    "cement-2023,cem.kowon,2023-03\ncement-2023,cem.haeju,2023-04\n")
    assert "1 new" in run(db, "campaigns", "import", str(tmp_path / "c.csv")).output
    assert "3 new" in run(db, "campaigns", "import", str(tmp_path / "m.csv")).output
    assert "3 of 6" in run(db, "campaigns", "list").output
    (tmp_path / "bad.csv").write_text("campaign,unit,joined\ncement-2023,cem.atlantis,2023-04\n")
    bad = runner.invoke(app, ["campaigns", "import", str(tmp_path / "bad.csv"), "--db", db])
    assert bad.exit_code != 0 and "unknown unit" in str(bad.exception)


def test_review_section_tables_agree_with_its_sentences(db):
    review = build_review(Service.open(db), "2023-H1", only=["reserves"])
    section = review.section("reserves")
    sectors = section.tables["sectors"]
    reserves = section.tables["reserves"]
    assert sectors["output_reserve"].sum() == pytest.approx(reserves["output_reserve"].sum())
    assert int(sectors["lagging"].sum()) == int((reserves["efficiency"] < 0.9).sum())
    first, *movements = section.summary
    assert f"{int(sectors['lagging'].sum())} of {len(reserves)} producing units" in first
    assert any(MOVEMENT in line and "interval" in line for line in movements)
    assert "Bass fit" in section.body_html and "Proposed experience sharing" in section.body_html
    assert section.tables["provinces"]["units"].sum() == len(reserves)
    pairs = section.tables["pairs"]
    assert (pairs["peer"].map(reserves.set_index("unit")["sector"]) == pairs["sector"]).all()


def test_review_reserves_use_peer_groups_and_variable_returns_and_say_so(db):
    section = build_review(Service.open(db), "2023-H1", only=["reserves"]).section("reserves")
    reserves = section.tables["reserves"].set_index("unit")
    assert (reserves["output_reserve"] <= reserves["crs_reserve"] + 1e-6 * reserves["output"]).all()
    pairs = section.tables["pairs"]
    assert (pairs["peer"].map(reserves["peer_group"]) == pairs["unit"].map(reserves["peer_group"])).all()
    body = section.body_html
    for expected in ("Output-oriented DEA (VRS)", "hydro stations with hydro stations", "Untapped (VRS)",
                     "At best scale (CRS)", "Electric power · Hydro power", "Small peer groups", "lower bounds"):
        assert expected in body, expected
    assert "at their present scale" in section.summary[0]
    sectors = section.tables["sectors"].set_index("indicator")
    assert sectors.loc["coal", "crs_reserve"] > sectors.loc["coal", "output_reserve"]
