"""Projects, weather risk and the action plan on the demo economy, through the service layer."""

import math

import numpy as np
import pandas as pd
import pytest

from gosplan.engines import actions as engine
from gosplan.errors import GosplanError, InvalidValue
from gosplan.service import Service
from gosplan.service.actions import (
    accept_action,
    collect_findings,
    edit_action,
    list_actions,
    propose_actions,
    reject_action,
    set_action_status,
    store_proposals,
    track_actions,
)
from gosplan.service.projects import dwellings_against_target, project_status
from gosplan.service.risk import normal_and_expected, past_output, province_of_units, weather_risk


@pytest.fixture(scope="module")
def service(new_store_url):
    service = Service.open(new_store_url("sqlite"))
    service.load_demo(2023)
    return service


def test_demo_projects_one_on_time_one_slipping(service):
    status = project_status(service, "2023-06").set_index("project")
    # Hwasong phase 2 runs ahead of its schedule (earned schedule > time elapsed) and is on time.
    assert status.loc["hwasong-2", "status"] == "on time" and status.loc["hwasong-2", "spi_t"] > 1.1
    # The rural housing programmes slip: SPI(t) well below 1 and a forecast end after the planned end.
    for code in ("rural-npyongan", "rural-shwanghae"):
        row = status.loc[code]
        assert row["status"] in ("slipping", "late") and row["spi_t"] < 0.9
        assert row["forecast_end"] > row["planned_end"]
    assert set(status.loc[["songhwa", "hwasong-1", "samjiyon-3"], "status"]) == {"on time"}
    late = project_status(service, "2023-06", late_only=True)
    # With them the Kim Chaek modernisation (examples/demo/potential.py: 80 % of its planned pace).
    assert set(late["project"]) == {"rural-npyongan", "rural-shwanghae", "kimchaek-modern"}


def test_dwellings_from_projects_against_the_target(service):
    table = dwellings_against_target(service, "2023-06")
    national = table.iloc[-1]
    assert national["unit"] == "KP"
    assert national["target"] == pytest.approx(36_000)  # the demo's 2023 annual plan, all builders
    builders = table.iloc[:-1]
    assert national["dwellings_expected_year"] == pytest.approx(builders["dwellings_expected_year"].sum())
    assert (builders["dwellings_expected_year"] >= builders["dwellings_completed_year"]).all()
    hwasong = builders.set_index("unit").loc["bld.hwasong"]
    assert hwasong["dwellings_completed_year"] == 10_000  # phase 1 handed over in April 2023


def test_abnormal_weather_episode_shows_in_the_risk_output(service):
    risk = weather_risk(service, 2023, as_of="2023-06", n_scenarios=4000)
    assert list(risk.observed["province"]) == ["KP-05", "KP-05"]  # the South Hwanghae spring drought
    provinces = normal_and_expected(risk).set_index("province")
    assert provinces.loc["KP-05", "observed_loss"] > 0.1 * provinces.loc["KP-05", "normal_output"]
    assert (provinces.drop(index="KP-05")["observed_loss"] == 0).all()
    assert provinces["loss_share"].idxmax() == "KP-05"
    result = risk.result
    assert 0 <= result.p_target_met <= 1 and result.expected_shortfall >= result.target - result.expected_total
    # Without the observed drought (weather drawn for the whole year) South Hwanghae expects a far smaller loss.
    whole_year = normal_and_expected(weather_risk(service, 2023, n_scenarios=4000)).set_index("province")
    assert whole_year.loc["KP-05", "loss_share"] < 0.5 * provinces.loc["KP-05", "loss_share"]
    # Normal output undoes the recorded past losses: above the plain mean where 2022 had a drought, equal to
    # it where no event was recorded in 2021-2022 (Pyongyang).
    farms = service.store.farms()["unit"].tolist()
    past = past_output(service, 2023, farms)
    past["province"] = past["unit"].map(province_of_units(service, farms))
    mean = past.groupby(["province", "year"])["output"].sum().groupby("province").mean()
    assert provinces.loc["KP-05", "normal_output"] > 1.01 * mean["KP-05"]
    assert provinces.loc["KP-01", "normal_output"] == pytest.approx(mean["KP-01"])
    assert result.measures["rank"].tolist() == list(range(1, len(result.measures) + 1))


def test_proposals_cover_laggards_projects_and_weather(service):
    proposals = propose_actions(service, "2023-H1")
    # Each capability adds its own origins (forecast, reserves, balance...).
    assert set(proposals["origin"]) >= {"laggards", "projects", "risk", "forecast", "reserves", "balance"}
    assert proposals["owner_unit"].notna().all() and proposals["due"].notna().all()
    assert (proposals["check"].str.len() > 20).all()
    projects = proposals[proposals["origin"].eq("projects")]
    assert {d["project"] for d in projects["details"]} == {"rural-npyongan", "rural-shwanghae", "kimchaek-modern"}
    laggards = proposals[proposals["origin"].eq("laggards")]
    fulfilment = service.fulfilment("2023-H1").set_index(["indicator", "unit"])
    for row in laggards.itertuples():
        assert row.details["baseline"] == pytest.approx(fulfilment.loc[(row.indicator, row.unit), "fulfilment"])
        assert row.details["baseline"] < 1
        assert row.details["required_rate"] == pytest.approx(fulfilment.loc[(row.indicator, row.unit),
                                                                           "required_rate"])


def test_propose_accept_edit_track(service):
    ids = store_proposals(service, "2023-Q1")
    assert ids and store_proposals(service, "2023-Q1") == []  # proposing again adds nothing
    stored = list_actions(service, "proposed")
    first = stored[stored["origin"].eq("laggards")].iloc[0]
    accepted = accept_action(service, int(first["id"]))
    assert accepted["status"] == "accepted"
    baseline = accepted["details"]["accepted_baseline"]
    q1 = service.fulfilment("2023-Q1").set_index(["indicator", "unit"])
    assert baseline == pytest.approx(q1.loc[(first["indicator"], first["unit"]), "fulfilment"])
    edited = edit_action(service, int(first["id"]), due="2023-11-30", owner="KP", title="Close it")
    assert (str(edited["due"]), edited["owner_unit"], edited["title"]) == ("2023-11-30", "KP", "Close it")
    assert set_action_status(service, int(first["id"]), "in progress")["status"] == "in progress"
    with pytest.raises(InvalidValue):
        set_action_status(service, int(first["id"]), "finished")
    other = int(stored.iloc[-1]["id"])
    assert reject_action(service, other)["status"] == "rejected"
    with pytest.raises(GosplanError):
        set_action_status(service, other, "done")
    tracked = track_actions(service, "2023-H1").set_index("id")
    row = tracked.loc[int(first["id"])]
    h1 = service.fulfilment("2023-H1").set_index(["indicator", "unit"])
    assert row["now"] == pytest.approx(h1.loc[(first["indicator"], first["unit"]), "fulfilment"])
    expected = ("recovered" if row["now"] >= 1 else "improving" if row["now"] > baseline else "not recovered")
    assert row["verdict"] == expected and other not in tracked.index


def test_project_action_tracks_spi_t(service):
    store_proposals(service, "2023-H1")
    frame = list_actions(service, "proposed")
    from_h1 = frame["details"].map(lambda d: d.get("baseline_period") == "2023-06")
    project = frame[frame["origin"].eq("projects") & from_h1].iloc[0]
    accepted = accept_action(service, int(project["id"]))
    spi = project_status(service, "2023-06").set_index("project").loc[accepted["details"]["project"], "spi_t"]
    assert accepted["details"]["accepted_baseline"] == pytest.approx(spi)
    row = track_actions(service, "2023-H1").set_index("id").loc[int(project["id"])]
    assert row["metric"] == "spi_t" and row["change"] == pytest.approx(0) and row["verdict"] == "not recovered"


def test_a_new_proposer_plugs_in_without_touching_the_others(service):
    @engine.proposer("peers-test", needs=("pairs_test",))
    def learn(findings):
        return [engine.ProposedAction(f"Learn from {p}", u, engine.month_end(findings.as_of), "coal", u,
                                      findings.period, "output per worker up", "peers-test")
                for u, p in findings.tables["pairs_test"].itertuples(index=False)]

    try:
        findings = collect_findings(service, "2023-H1")
        assert "peers-test" not in set(engine.propose(findings)["origin"])  # no peers table: not run
        findings.tables["pairs_test"] = pd.DataFrame({"unit": ["coal.tanchon"], "peer": ["coal.kujang"]})
        out = engine.propose(findings, only=["peers-test"])
        assert out["title"].tolist() == ["Learn from coal.kujang"]
    finally:
        engine._PROPOSERS.pop("peers-test")


def test_laggard_proposer_on_a_synthetic_case():
    table = pd.DataFrame([
        {"unit": "a", "unit_name": "A", "indicator": "coal", "indicator_name": "Coal", "uom": "t", "target": 100.0,
         "actual": 70.0, "fulfilment": 0.7, "status": "lagging", "required_rate": 21.67, "rate_to_date": 11.67,
         "key": True},
        {"unit": "b", "unit_name": "B", "indicator": "coal", "indicator_name": "Coal", "uom": "t", "target": 100.0,
         "actual": 120.0, "fulfilment": 1.2, "status": "exceeding", "required_rate": 13.3, "rate_to_date": 20.0,
         "key": True}])
    out = engine.propose(engine.Findings("2023-H1", {"laggards": table}), only=["laggards"])
    assert out["unit"].tolist() == ["a"] and out.loc[0, "details"]["gap"] == 30.0
    assert str(out.loc[0, "due"]) == "2023-12-31" and out.loc[0, "period"] == "2023"
    details = out.loc[0, "details"]
    assert math.isclose(details["required_rate"], 21.67) and np.isfinite(details["baseline"])


def test_next_review_reports_stored_proposals_and_accepted_actions(service):
    """Runs after the tests above have stored and accepted actions in this module's store."""
    from gosplan.review import build_review

    review = build_review(service, "2023-H1", only=["actions", "action_proposals"])
    section = review.section("actions")
    proposals, tracked = review.section("action_proposals").tables["proposals"], section.tables["tracked"]
    stored = list_actions(service, "proposed")
    stored_h1 = stored[stored["details"].map(lambda d: d.get("proposed_for")).eq("2023-H1")]
    assert sorted(proposals["id"]) == sorted(stored_h1["id"])  # the planners' stored proposals, not fresh ones
    assert len(tracked) == len(track_actions(service, "2023-H1")) >= 2
    recovered = int(tracked["verdict"].eq("recovered").sum())
    assert section.summary[1].startswith(f"Of {len(tracked)} actions accepted earlier, {recovered} reached")
