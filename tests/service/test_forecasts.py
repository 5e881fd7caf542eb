"""Forecasts, alerts, the targets-at-risk proposer and the review section on the demo economy.

Published numbers: the demo is calibrated to the plenum of July 2023 (coal at 104 % of the
half-year plan, 2023 output estimated at about 17.1 Mt against the 16.45 Mt plan) and to the
Rural Development Administration's grain series (4.69 Mt in 2021, 4.51 Mt in 2022, plan 4.90 Mt);
see ``gosplan/examples/demo/figures.py`` and its sources.
"""

import html
import re

import pandas as pd
import pytest

from gosplan.engines.forecast import detect
from gosplan.review import build_review
from gosplan.review.sentences import probability_text
from gosplan.service import Service
from gosplan.service.actions import propose_actions
from gosplan.service.alerts import list_alerts, raise_alerts, resolve
from gosplan.service.forecasts import (
    FORECAST_COLUMNS,
    OUTLOOK_COLUMNS,
    forecast,
    monthly_history,
    national_outlook,
)
from gosplan.service.wording import probability_label

AS_OF = "2023-06"


@pytest.fixture(scope="module")
def service(new_store_url):
    service = Service.open(new_store_url("sqlite"))
    service.load_demo(2023)
    return service


@pytest.fixture(scope="module")
def outlook(service):
    return forecast(service, AS_OF)


def test_every_unit_level_has_a_forecast_with_consistent_roll_ups(service, outlook):
    assert list(outlook.columns) == FORECAST_COLUMNS
    assert {"country", "province", "county", "enterprise"} <= set(outlook["unit_kind"])
    assert set(outlook["indicator"]) == set(service.indicators().query("key")["code"])
    # Actual to date of an aggregate is the sum over its enterprises, as in the plan-fact table (which
    # leaves out an enterprise with missing months, while the forecast sums what was reported).
    fulfilment = service.fulfilment(AS_OF).set_index(["indicator", "unit"])
    complete = 0
    for row in outlook[outlook["unit_kind"].ne("enterprise")].itertuples():
        if fulfilment.loc[(row.indicator, row.unit), "missing"] == 0:
            assert row.actual_to_date == pytest.approx(fulfilment.loc[(row.indicator, row.unit), "actual"])
            complete += 1
    assert complete > 100
    # Intervals nest around the expected total.
    assert (outlook["lower_95"] <= outlook["lower_80"] + 1e-6).all()
    assert (outlook["lower_80"] <= outlook["expected_total"] + 1e-6).all()
    assert (outlook["expected_total"] <= outlook["upper_80"] + 1e-6).all()
    assert outlook["p_attain"].between(0, 1).all()


def test_grain_forecast_near_plan_thanks_to_the_season(outlook):
    grain = outlook[outlook["indicator"].eq("grain") & outlook["unit"].eq("KP")].iloc[0]
    # Only ~4 % of the year's grain is in by June: doubling the first half would say 9 % of plan.
    assert grain["actual_to_date"] * 2 / grain["target"] < 0.1
    # The model puts the harvest where the season is: near the plan and the past years (4.5-4.7 Mt, RDA).
    assert 0.88 < grain["expected_fulfilment"] < 1.05
    assert 4.3e6 < grain["expected_total"] < 4.9e6
    assert grain["required_monthly_rate"] > 10 * grain["rate_to_date"]


def test_coal_will_meet_its_target(outlook):
    coal = outlook[outlook["indicator"].eq("coal") & outlook["unit"].eq("KP")].iloc[0]
    assert coal["p_attain"] > 0.95
    # Plenum, July 2023: H1 at 104 % of plan, the year estimated at about 17.1 Mt (plan 16.45 Mt).
    assert coal["expected_total"] == pytest.approx(17.1e6, rel=0.03)
    assert coal["lower_80"] > coal["target"]


def test_south_hwanghae_drought_shows(outlook):
    grain = outlook[outlook["indicator"].eq("grain") & outlook["unit_kind"].eq("province")].set_index("unit")
    share = grain["actual_to_date"] / grain["target"]
    # The granary's early crop, lost to the May-June drought, leaves it far behind the other provinces
    # (Ryanggang grows potatoes, harvested late, and is left out of the comparison).
    others = share.drop(["KP-05", "KP-10"])
    assert share["KP-05"] < 0.65 * others.median()
    assert grain.loc["KP-05", "p_attain"] < 0.1
    assert grain.loc["KP-05", "shortfall"] == grain["shortfall"].max()


def test_detect_finds_the_coal_campaign(service):
    history = monthly_history(service, AS_OF, ["coal"])
    found = detect(history, as_of=AS_OF).set_index("series_id")
    # The innovation movement started at the Kujang mine in January 2023 (figures.CAMPAIGN_START).
    assert found.loc["coal|coal.kujang", "kind"] == "step"
    assert found.loc["coal|coal.kujang", "period"] == "2023-01"
    assert found.loc["coal|coal.kujang", "size"] > 0


def test_national_outlook_for_the_overview_cards(service, outlook):
    cards = national_outlook(service, AS_OF)
    assert list(cards.columns) == OUTLOOK_COLUMNS
    national = outlook[outlook["unit"].eq("KP")].set_index("indicator")
    assert cards.set_index("indicator")["p_attain"].to_dict() == national["p_attain"].to_dict()


def test_alerts_raised_once_and_escalated(service):
    # The demo raised June's alerts when it was loaded (the monthly refresh): raising them again adds none.
    raised = len(service.store.alerts())
    assert raised > 0
    again = raise_alerts(service, AS_OF)
    assert again.new == 0 and again.unchanged == raised
    stored = service.store.alerts()
    assert not stored.duplicated(["indicator", "unit", "kind", "period"]).any()
    grain = stored[stored["indicator"].eq("grain") & stored["unit"].eq("KP-05") & stored["kind"].eq("attainment")]
    assert len(grain) == 1 and grain["severity"].iloc[0] == "critical"
    # Counties with one enterprise would repeat its alert: not stored.
    outlook = forecast(service, AS_OF)
    hierarchy = service.hierarchy()
    leaves = outlook[outlook["unit_kind"].eq("enterprise")]
    for row in stored[~stored["unit"].map(hierarchy.is_leaf)].itertuples():
        below = set(hierarchy.subtree(row.unit))
        assert leaves[leaves["indicator"].eq(row.indicator) & leaves["unit"].isin(below)]["unit"].nunique() > 1
    # One alert per problem: no unit and its parent carry the same alert with the same message.
    parent = service.units().set_index("code")["parent"]
    keyed = stored.assign(parent=stored["unit"].map(parent))
    pairs = keyed.merge(keyed, left_on=["indicator", "kind", "period", "parent"],
                        right_on=["indicator", "kind", "period", "unit"], suffixes=("", "_up"))
    assert not (pairs["message"] == pairs["message_up"]).any()
    later = list_alerts(service, as_of="2023-10", open_only=True).set_index("id")
    farm = later[later["unit"].str.startswith("farm.")].iloc[0]
    assert farm["escalation_level"] == 2 and farm["escalated_to"] == farm["path"].split(" > ")[2]
    resolve(service, int(farm.name), by="test")
    assert int(farm.name) not in set(list_alerts(service, open_only=True)["id"])
    raise_alerts(service, AS_OF)  # bring the escalation back to June for the tests that follow


def test_targets_at_risk_become_actions(service, outlook):
    proposals = propose_actions(service, AS_OF)
    mine = proposals[proposals["origin"].eq("forecast")]
    assert len(mine)
    leaves = outlook[outlook["unit_kind"].eq("enterprise")].set_index(["indicator", "unit"])
    for row in mine.itertuples():
        assert re.match(r"Raise the monthly rate of .+ at .+ to .+ from July$", row.title)
        target = leaves.loc[(row.indicator, row.unit)]
        assert row.details["required_rate"] == pytest.approx(target["required_monthly_rate"])
        assert target["p_attain"] < 0.5 and row.period == "2023" and str(row.due) == "2023-12-31"
    # Ranked by shortfall in the indicator's own unit: the largest first within each indicator.
    for _, group in mine.groupby("indicator"):
        shortfalls = [d["shortfall"] for d in group["details"]]
        assert shortfalls == sorted(shortfalls, reverse=True)


def test_review_section_numbers_are_the_tables(service, outlook):
    review = build_review(service, "2023-H1", only=["forecasts", "sectors"])
    section = review.section("forecasts")
    national = section.tables["national"]
    expected = outlook[outlook["unit"].eq("KP")].sort_values("indicator_name")
    assert national["p_attain"].tolist() == expected["p_attain"].tolist()
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", section.body_html)
    for p in national["p_attain"]:
        assert any(html.unescape(cell).split(" (")[0] == probability_label(p) for cell in cells)
    assert set(section.tables["provinces"]["unit_kind"]) == {"province"}
    assert len(section.tables["alerts"]) and section.tables["alerts"]["path"].str.endswith("KP").all()
    # The sector sentences carry the national probability through the provider.
    coal = next(line for line in review.summary if line.startswith("Coal mining"))
    p_coal = national.set_index("indicator").loc["coal", "p_attain"]
    assert coal.endswith(f"probability of meeting the annual target {probability_text(p_coal)}.")
    risky = national[national["p_attain"] < 0.5]
    assert any(f"{len(national) - len(risky)} of {len(national)} key indicators" in line for line in section.summary)
    rates = section.tables["rates"].set_index("indicator")
    facts = service.facts(AS_OF).set_index(["indicator", "unit"])
    for code, row in rates.iterrows():  # the rest of the year is the fact table's, against the plan's path
        assert row["rest_vs_path"] == pytest.approx(facts.loc[(code, "KP"), "rest_vs_path"], nan_ok=True)
        assert row["actual_to_date"] == pytest.approx(facts.loc[(code, "KP"), "produced"])
    assert "forecast 80 %" in section.body_html


def test_a_process_pool_gives_the_same_forecast(service, outlook):
    from gosplan.runner import Runner

    fresh = Service(service.store, runner=Runner.from_env("processes:2"))
    pooled = forecast(fresh, AS_OF, indicators=["coal", "grain"])
    local = outlook[outlook["indicator"].isin(["coal", "grain"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(pooled, local)


def test_a_month_an_enterprise_missed_is_missing_for_its_aggregates(service, outlook):
    # The demo's Haeju cement works did not report April 2023 (service.not_reported).
    missing = service.not_reported(AS_OF)
    assert "cem.haeju" in set(missing["unit"])
    complete = monthly_history(service, AS_OF, ["cement"]).set_index(["series_id", "period"])["value"]
    partial = monthly_history(service, AS_OF, ["cement"], complete_only=False).set_index(
        ["series_id", "period"])["value"]
    assert ("cement|KP", "2023-04") not in complete and ("cement|KP", "2023-04") in partial
    assert complete[("cement|KP", "2023-05")] == partial[("cement|KP", "2023-05")]
    reports = service.store.reports(indicators=["cement"], first="2023-01", last=AS_OF)
    national = outlook[outlook["indicator"].eq("cement") & outlook["unit"].eq("KP")].iloc[0]
    assert national["actual_to_date"] == pytest.approx(reports["value"].sum())
    assert national["required_monthly_rate"] == pytest.approx(
        (national["target"] - national["actual_to_date"]) / national["months_remaining"])
