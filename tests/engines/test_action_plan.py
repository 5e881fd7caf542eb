"""The definite action plan engine on small hand-made economies (tests/action_plan_economy.py): one
rule per test."""

from __future__ import annotations

import pandas as pd
import pytest

from action_plan_economy import economy, fact, flat_path
from gosplan.engines.action_plan import Settings, build_plan
from gosplan.engines.action_plan.stocktake import escalation, rate_milestones


def test_one_action_per_unit_indicator_and_measure_type_however_many_engines_found_it():
    plan = build_plan(economy([("mine", "coal", "laggards"), ("mine", "coal", "forecast"),
                               ("mine", "coal", "reserves")]))
    assert len(plan.findings) == 1 and plan.findings.loc[0, "causes"] == ["forecast", "laggards", "reserves"]
    assert not plan.actions.duplicated(["unit", "indicator", "measure"]).any()
    assert len(plan.actions) >= 1


def test_no_action_whose_check_is_met_when_proposed():
    # The plant is ahead (100 %): its pace meets the target, so a capacity finding proposes nothing.
    capacities = pd.DataFrame({"owner_unit": ["plant"], "indicator": ["electricity"], "sector_name": ["Power"],
                               "limit": [10.0], "required_output": [12.0], "shadow_price": [0.4]})
    inputs = economy([("plant", "electricity", "balance")], plant_actual=1049.0)
    inputs.capacities = capacities
    plan = build_plan(inputs)
    assert plan.actions.empty
    assert plan.decisions["kind"].tolist() == ["capacity"]  # the investment goes to the plenum instead


def test_no_quota_in_a_month_the_seasonal_path_asks_nothing():
    months = {"2023-07": 0.0, "2023-08": 0.0, "2023-09": 300.0, "2023-10": 300.0, "2023-11": 0.0, "2023-12": 0.0}
    path = [{"unit": "mine", "indicator": "coal", "month": m, "target": t} for m, t in months.items()]
    plan = build_plan(economy([("mine", "coal", "laggards")], path=path + flat_path("mine2", "coal", 100.0)))
    assert set(plan.milestones["month"]) == {"2023-09", "2023-10"}
    for milestones in plan.actions["milestones"]:
        assert set(milestones) <= {"2023-09", "2023-10"}


def test_every_action_has_a_milestone_before_its_due_date_and_milestones_grow():
    plan = build_plan(economy([("mine", "coal", "laggards")]))
    for action in plan.actions.itertuples():
        assert action.milestones[0] < action.due
    planned = plan.milestones["planned"].tolist()
    assert planned == sorted(planned) and planned[-1] > 0


PLANT_PEER = pd.DataFrame({"unit": ["plant"], "rank": [1], "peer": ["mine2"], "peer_name": ["Plant B"],
                           "efficiency": [0.5], "output_per_worker": [16.0], "peer_output_per_worker": [32.0]})


def test_owner_chain_names_supplier_ministry_and_province():
    plan = build_plan(economy([("plant", "electricity", "laggards")], peers=PLANT_PEER))
    delivery = plan.actions[plan.actions["measure"].eq("supplier_delivery")].iloc[0]
    assert delivery["owner"] == "plant"
    assert {"mine", "power", "P1"} <= set(delivery["co_owners"])
    coal = delivery["resource"]["deliveries"][0]
    assert coal["supplier"] == "mine" and coal["good"] == "coal"  # the mine in the plant's own county
    assert coal["quantity"] == pytest.approx(0.4 * delivery["effect"])


def test_a_laggard_whose_supplier_lags_co_owns_the_suppliers_actions():
    plan = build_plan(economy([("plant", "electricity", "laggards"), ("mine", "coal", "laggards")]))
    delivery = plan.actions[plan.actions["measure"].eq("supplier_delivery")].iloc[0]
    assert delivery["depends_on"] == ["mine:coal"]
    mine_actions = plan.actions[plan.actions["unit"].eq("mine")]
    assert len(mine_actions) and all("plant" in co for co in mine_actions["co_owners"])
    # The plant's own pace comes back with the coal (within 1.3x): the delivery covers 240 kWh of 400.
    assert delivery["effect"] == pytest.approx(0.3 * 800.0)


def test_workers_move_only_from_a_unit_ahead_of_plan_and_only_what_it_can_spare():
    plan = build_plan(economy([("mine", "coal", "laggards")]))
    move = plan.actions[plan.actions["measure"].eq("move_workers")].iloc[0]
    # Mine B at 125 % can lend 20 of its 100 workers and still meet its plan.
    assert move["resource"]["source"] == "mine2" and move["resource"]["quantity"] == 20
    assert move["resource"]["source_fulfilment_after"] == pytest.approx(1.0)


def test_an_infeasible_need_becomes_a_decision_for_the_plenum_not_an_order():
    # No unit ahead of plan, no peer: the mine at 80 % needs 1.5x its pace; the plenum decides.
    plan = build_plan(economy([("mine", "coal", "laggards")], mine2_actual=600.0))
    assert plan.actions.empty
    decision = plan.decisions.iloc[0]
    assert decision["kind"] == "uncovered" and decision["quantity"] == pytest.approx(240.0)
    assert decision["details"]["workers"] == 50  # 240 t at 4.8 t a worker for the rest of the year


def test_own_effort_is_bounded_by_the_pace_multiple():
    peers = pd.DataFrame({"unit": ["mine"], "rank": [1], "peer": ["mine2"], "peer_name": ["Mine B"],
                          "efficiency": [0.5], "output_per_worker": [0.8], "peer_output_per_worker": [1.25]})
    for multiple in (1.1, 1.3):
        plan = build_plan(economy([("mine", "coal", "reserves")], mine2_actual=600.0, peers=peers),
                          Settings(pace_multiple=multiple))
        peer = plan.actions[plan.actions["measure"].eq("peer_learning")].iloc[0]
        assert peer["effect"] == pytest.approx((multiple - 1) * 480.0)


def test_drainage_only_in_the_field_work_season_and_within_the_pace_shown():
    weather = pd.DataFrame({"province": ["P1"], "indicator": ["grain"], "measure": ["drainage in P1"],
                            "kind": ["flood"], "area": [1000.0], "cost": [1200.0], "shortfall_reduction": [50.0]})
    field = {"2023-07": 0.0, "2023-08": 0.0, "2023-09": 100.0, "2023-10": 100.0, "2023-11": 50.0, "2023-12": 0.0}
    inputs = economy([])
    inputs.facts = pd.concat([inputs.facts, pd.DataFrame([fact("farm", "grain", "t", 10.0, 8.0, 100.0, 90.0)])])
    inputs.weather = weather
    inputs.field_path = pd.DataFrame([{"unit": "P1", "indicator": "irrigation", "month": m, "target": t}
                                      for m, t in field.items()])
    inputs.field_done = pd.DataFrame({"unit": ["P1"], "done": [600.0], "months": [6]})  # 100 ha a month
    plan = build_plan(inputs)
    action = plan.actions.iloc[0]
    schedule = action["resource"]["schedule"]
    assert schedule["2023-07"] == schedule["2023-08"] == 0  # the monsoon
    assert schedule["2023-09"] == pytest.approx(30.0)  # 1.3 x 100 ha less the 100 ha of the plan
    assert action["effect"] == pytest.approx(30 + 30 + 80)
    assert action["co_owners"] == ["agriculture"]
    assert plan.decisions.iloc[0]["quantity"] == pytest.approx(1000 - 140)


def test_milestones_rated_and_an_action_that_slips_twice_goes_up_its_chain():
    milestones = pd.DataFrame({"key": ["k"] * 3, "month": ["2023-07", "2023-08", "2023-09"],
                               "planned": [100.0, 200.0, 300.0]})
    chain = [{"role": "supplier", "link": "mine"}, {"role": "ministry", "link": "power"},
             {"role": "province", "link": "P1"}]
    actual = pd.DataFrame({"key": ["k"] * 3, "month": ["2023-07", "2023-08", "2023-09"],
                           "actual": [100.0, 196.0, 250.0]})
    rated = rate_milestones(milestones, actual, "2023-07")
    assert rated["rating"].tolist() == ["green"] and escalation(rated, chain) == (None, 0)
    rated = rate_milestones(milestones, actual, "2023-08")
    assert rated["rating"].tolist() == ["green", "amber"] and escalation(rated, chain) == (None, 1)
    rated = rate_milestones(milestones, actual, "2023-09")
    assert rated["rating"].tolist() == ["green", "amber", "red"]
    assert escalation(rated, chain) == ("power", 2)  # the ministry first, never back to the supplier
    assert escalation(pd.concat([rated, rated]), chain) == ("plenum", 4)


def test_a_unit_outside_the_movement_joins_it_within_its_pace():
    movements = pd.DataFrame({"campaign": ["drive"], "name": ["Drive"], "origin_unit": ["mine2"],
                              "indicator": ["coal"], "effect": [0.05], "members": [["mine2"]]})
    inputs = economy([("mine", "coal", "laggards")], mine2_actual=600.0)
    inputs.movements = movements
    plan = build_plan(inputs)
    join = plan.actions[plan.actions["measure"].eq("join_movement")].iloc[0]
    assert join["effect"] == pytest.approx(0.05 * 480.0) and "mine2" in join["co_owners"]
    inputs.movements = movements.assign(members=[["mine", "mine2"]])  # already a member: nothing to join
    assert "join_movement" not in set(build_plan(inputs).actions["measure"])


def test_a_delivery_is_capped_at_what_the_supplier_can_spare_and_the_rest_goes_to_the_plenum():
    # The plant needs 400 kWh more (0.4 t of coal each: 160 t). Mine A's 1,020 t a year give 510 t for the
    # second half; at its pace (80 % of the 600 t path) it makes 480 t, so it can spare 30 t: 75 kWh of output.
    plan = build_plan(economy([("plant", "electricity", "laggards")], peers=PLANT_PEER, capacity={"mine": 1020.0}))
    delivery = plan.actions[plan.actions["measure"].eq("supplier_delivery")].iloc[0]
    coal = delivery["resource"]["deliveries"][0]
    assert coal["quantity"] == pytest.approx(30.0) and delivery["effect"] == pytest.approx(75.0)
    assert plan.actions["effect"].groupby(plan.actions["measure"]).sum()["peer_learning"] == pytest.approx(75.0)
    supply = plan.decisions[plan.decisions["kind"].eq("supply")].iloc[0]
    assert supply["quantity"] == pytest.approx(400.0 - 75.0)  # kWh the coal cannot feed
    short = supply["details"]["inputs"]
    assert [(s["supplier"], s["good"]) for s in short] == [("mine", "coal")]
    assert short[0]["short"] == pytest.approx(160.0 - 30.0) and short[0]["spare"] == pytest.approx(30.0)
    assert plan.findings.loc[0, "covered"] == pytest.approx(75.0)


def test_a_supplier_with_room_delivers_in_full_and_one_without_a_record_is_not_capped():
    needs = build_plan(economy([("plant", "electricity", "laggards")], peers=PLANT_PEER))
    roomy = build_plan(economy([("plant", "electricity", "laggards")], peers=PLANT_PEER, capacity={"mine": 3000.0}))
    assert roomy.actions["effect"].tolist() == pytest.approx(needs.actions["effect"].tolist())
    assert "supply" not in set(roomy.decisions["kind"]) and "supply" not in set(needs.decisions["kind"])


def test_a_lagging_suppliers_own_catch_up_takes_its_spare_capacity_first():
    causes = [("plant", "electricity", "laggards"), ("mine", "coal", "laggards")]
    plan = build_plan(economy(causes, peers=PLANT_PEER, capacity={"mine": 1020.0}))
    mine = plan.findings.set_index("unit").loc["mine"]
    assert mine["covered"] > 30.0  # Mine A's own measures use more than the 30 t it had spare
    assert not plan.actions["measure"].eq("supplier_delivery").any()
    supply = plan.decisions[plan.decisions["kind"].eq("supply")].iloc[0]
    assert supply["unit"] == "plant" and supply["details"]["inputs"][0]["spare"] == 0.0


def test_a_capacity_record_below_the_output_already_made_caps_nothing():
    # Mine A made 480 t in the first half: a record of 900 t a year (450 t a half) is stale.
    stale = build_plan(economy([("plant", "electricity", "laggards")], peers=PLANT_PEER, capacity={"mine": 900.0}))
    assert "supply" not in set(stale.decisions["kind"])
    assert stale.actions["measure"].eq("supplier_delivery").any()
