"""Plan making on the demo store: the 2024 draft, its material balances, variants, counter-plans, adoption."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import delete, func, select

from gosplan.errors import Conflict, InvalidValue, NotFound, ValidationError
from gosplan.service import Service, material, plans
from gosplan.service.potentiality import project_norms
from gosplan.store import schema


@pytest.fixture(scope="module")
def service(new_store_url):
    service = Service.open(new_store_url("sqlite"))
    service.load_demo(2023)
    return service


@pytest.fixture(scope="module")
def draft(service):
    return plans.draft(service, 2024, created_by="planner")


def _count(service, table) -> int:
    with service.store.engine.connect() as c:
        return c.execute(select(func.count()).select_from(table)).scalar_one()


def test_demo_has_norms_from_three_sources_capacities_and_items(service):
    norms = service.store.norms()
    assert set(norms["source"]) == {"entered", "reports", "io_table"}
    coal_power = norms[(norms["good"] == "coal") & (norms["consumer"] == "electricity")].iloc[0]
    assert coal_power["unit"] == "t/kWh" and coal_power["source"] == "entered"
    assert (norms["norm"] >= 0).all()
    caps = service.store.physical_capacities()
    assert {"coal", "electricity", "rolled_steel", "cement"} <= set(caps["indicator"])
    items = service.store.balance_items(2024)
    assert set(items.index) == {"coal", "electricity", "rolled_steel", "cement", "nitrogen_fertilizer", "timber"}


def test_draft_takes_the_five_year_figure_and_distributes_it_exactly(service, draft):
    cf = draft.control_figures.set_index("indicator")
    assert cf.loc["coal", "control_figure"] == 18_500_000 and cf.loc["coal", "source"] == "five_year_plan"
    assert cf.loc["irrigation", "source"] == "results_and_trend"  # no five-year figure for irrigation
    totals = service.store.version_targets(draft.code).groupby("indicator")["value"].sum()
    np.testing.assert_allclose(totals.reindex(cf.index), cf["control_figure"], atol=0.5)
    # By last year's shares: each coal mine's share of the draft is its share of 2023 to date.
    to_date = material.leaf_output(service, "2023-01", "2023-06")
    coal = to_date[to_date["indicator"] == "coal"].set_index("unit")["value"]
    drafted = service.store.version_targets(draft.code).query("indicator == 'coal'").set_index("unit")["value"]
    np.testing.assert_allclose(drafted.reindex(coal.index) / 18_500_000, coal / coal.sum(), atol=1e-6)
    assert service.store.plan_version(draft.code)["status"] == "draft"


def test_draft_by_capacity_follows_the_capacity_records(service):
    d = plans.draft(service, 2024, rule="capacity", created_by="planner", code="draft-2024-cap")
    caps = service.store.physical_capacities().query("indicator == 'cement'").set_index("unit")["capacity"]
    got = d.targets.query("indicator == 'cement'").set_index("unit")["value"]
    np.testing.assert_allclose(got.reindex(caps.index) / got.sum(), caps / caps.sum(), atol=1e-6)
    with pytest.raises(InvalidValue, match="--rule must be one of shares, capacity"):
        plans.draft(service, 2024, rule="wishes", created_by="planner")


def test_balance_identities_on_the_draft(service, draft):
    view = material.version_balance(service, draft.code)
    t = view.balance.table
    targets = service.store.version_targets(draft.code)
    # The stored norms, moved by the projects working in 2024 (gosplan.service.potentiality).
    norms = project_norms(service, service.store.norms(), targets, 2024)
    assert (norms["norm"] != norms["base_norm"]).sum() == 2  # power per t of steel, coal per kWh
    # norms x output = productive consumption, good by good, by a plain merge
    use = targets.merge(norms, left_on="indicator", right_on="consumer")
    by_hand = (use["value"] * use["norm"]).groupby(use["good"]).sum()
    np.testing.assert_allclose(t["productive_consumption"], by_hand.reindex(t.index), rtol=1e-12)
    np.testing.assert_allclose(t["production"], targets.groupby("indicator")["value"].sum().reindex(t.index))
    closed = view.balance.close()
    np.testing.assert_allclose(closed["resources"], closed["uses"], rtol=1e-12)  # resources = uses for every good


def test_deficit_is_named_with_the_consumers_it_hits(service, draft):
    view = material.version_balance(service, draft.code)
    assert view.deficits.index.tolist() == ["electricity"]
    assert view.units["electricity"] == "kWh"
    hits = view.hits[view.hits["good"] == "electricity"]
    assert hits.iloc[0]["consumer"] == "nitrogen_fertilizer"
    assert hits["share"].sum() == pytest.approx(1.0)


def test_output_above_capacity_marks_the_record_stale(service, draft):
    view = material.version_balance(service, draft.code)
    steel = view.capacities[view.capacities["indicator"] == "rolled_steel"]
    # Metallurgy runs above its 2021 survey: four of the five mills' records are stale, exactly those
    # whose observed (annualised 2023) output exceeds the record.
    assert ((steel["record_status"] == "stale") == (steel["observed"] > steel["capacity"])).all()
    assert (steel["record_status"] == "stale").sum() == 4
    stale = steel[steel["record_status"] == "stale"]
    assert (stale["draft_status"] == "record_stale").all()  # so they are not called binding
    stored = service.store.physical_capacities().set_index("unit")
    assert stored.loc[stale["unit"], "stale_since"].notna().all()
    assert stored.loc[steel.loc[steel["record_status"] != "stale", "unit"], "stale_since"].isna().all()


def test_missing_norm_is_named_with_its_consumers(service, draft, monkeypatch):
    norms = service.store.norms()
    monkeypatch.setattr(service.store, "norms", lambda: norms[~((norms["good"] == "coal")
                                                                & (norms["consumer"] == "cement"))])
    with pytest.raises(ValidationError, match="no norm for coal per unit of: cement"):
        material.version_balance(service, draft.code)


def test_what_h1_implies_through_the_norms(service):
    h1 = material.implications(service, "2023-H1")
    t = h1.table
    # Steel over-fulfilled: it used more power and coal than planned.
    assert t.loc["rolled_steel", "production_change"] > 0
    steel = h1.by_consumer[(h1.by_consumer["consumer"] == "rolled_steel")].set_index("good")["change"]
    assert steel["electricity"] > 0 and steel["coal"] > 0
    np.testing.assert_allclose(t["left_for_others_change"], t["production_change"] - t["consumption_change"])
    with pytest.raises(Exception, match="whole quarter"):
        material.implications(service, "2023-05")


def test_variants_compare_and_unknown_plans(service, draft):
    plans.variant(service, draft.code, "draft-2024-b", scale={"electricity": 1.02}, created_by="planner")
    result = plans.compare(service, draft.code, "draft-2024-b")
    row = result.targets.set_index("indicator").loc["electricity"]
    assert row["change_pct"] == pytest.approx(0.02)
    assert result.balances.set_index("good").loc["electricity", "surplus_b"] > 0  # the deficit is gone
    assert service.store.plan_version("draft-2024-b")["parent"] == draft.code
    with pytest.raises(NotFound, match="no plan version 'nope'; known versions: draft-2024"):
        plans.variant(service, "nope", "x", created_by="planner")
    with pytest.raises(Conflict, match="never overwritten"):
        plans.variant(service, draft.code, "draft-2024-b", created_by="planner")
    # A province figure spreads over its enterprises in proportion.
    before = service.store.version_targets(draft.code)
    plans.variant(service, draft.code, "draft-2024-c", set_values=[("KP-08", "cement", 3_000_000.0)],
                  created_by="planner")
    after = service.store.version_targets("draft-2024-c")
    sub = set(service.hierarchy().subtree("KP-08"))
    assert after[after["unit"].isin(sub) & (after["indicator"] == "cement")]["value"].sum() == pytest.approx(3e6)
    outside = ~before["unit"].isin(sub)
    np.testing.assert_allclose(after.set_index(["unit", "indicator"]).loc[before[outside].set_index(
        ["unit", "indicator"]).index, "value"], before[outside]["value"])


def test_counter_plans_bad_rows_are_named_and_nothing_is_written(service, draft, tmp_path):
    bad = tmp_path / "counter.csv"
    pd.DataFrame([
        ("draft-2024", "coal.kujang", "coal", "2024", 2_000_000, "new seam"),
        ("draft-2024", "elec.pukchang", "electricity", "2024", 5e9, "boiler repair"),  # outside KP-03
        ("no-such-plan", "coal.kujang", "coal", "2024", 1.0, "x"),
        ("draft-2024", "coal.ryongmun", "coal", "2024", -5, "x"),
    ], columns=["plan", "unit", "indicator", "period", "value", "reason"]).to_csv(bad, index=False)
    before = _count(service, schema.counter_plans)
    with pytest.raises(ValidationError) as exc:
        plans.import_counter_plans(service, bad, sender="KP-03", submitted_by="kujang")
    text = str(exc.value)
    assert "counter.csv, row 3, column 'unit': elec.pukchang is outside the subtree of the sender KP-03" in text
    assert "row 4, column 'plan': unknown plan version 'no-such-plan'" in text
    assert "row 5, column 'value': must not be negative: -5" in text
    assert _count(service, schema.counter_plans) == before
    plans.import_counter_plans(service, _good(tmp_path), sender="KP-03",
                               submitted_by="kujang")
    with pytest.raises(ValidationError, match="row 2, column 'value': must not be negative"):
        negative = tmp_path / "neg.csv"
        pd.DataFrame([("draft-2024", "coal.ryongmun", "coal", "2024", -5, "x")],
                     columns=["plan", "unit", "indicator", "period", "value", "reason"]).to_csv(negative, index=False)
        plans.import_counter_plans(service, negative, sender="KP-03", submitted_by="kujang")
    view = plans.counter_plan_view(service, draft.code, level="province")
    row = view.set_index(["unit", "indicator"]).loc[("KP-03", "coal")]
    assert row["counter"] == 2_000_000 and row["reason"] == "new seam"


def _good(tmp_path):
    path = tmp_path / "good.csv"
    pd.DataFrame([("draft-2024", "coal.kujang", "coal", "2024", 2_000_000, "new seam")],
                 columns=["plan", "unit", "indicator", "period", "value", "reason"]).to_csv(path, index=False)
    return path


def test_adoption_refused_with_deficits_then_recorded_then_superseded(service, draft):
    with pytest.raises(Conflict, match=r"leaves 1 good\(s\) in deficit \(electricity\).*--accept-deficits"):
        plans.adopt(service, draft.code, adopted_by="council")
    assert "ap-2024" not in set(service.store.plans()["code"])
    assert service.store.plan_version(draft.code)["status"] == "draft"
    result = plans.adopt(service, draft.code, adopted_by="council", accept_deficits=True)
    assert result.plan == "ap-2024" and result.accepted_deficits == ["electricity"]
    version = service.store.plan_version(draft.code)
    assert version["status"] == "adopted" and version["adopted_by"] == "council"
    assert json.loads(version["accepted_deficits"]) == ["electricity"]
    in_force = service.year_targets(2024)
    coal = in_force[(in_force["indicator"] == "coal") & (in_force["period"] == "2024")]
    assert set(coal["plan"]) == {"ap-2024"}  # at the top too: the annual plan wins over the five-year figure
    assert coal.set_index("unit").loc["KP", "value"] == pytest.approx(18_500_000)
    assert coal[coal["unit"] != "KP"]["value"].sum() == pytest.approx(18_500_000)
    assert plans.plan_in_force(service, 2024) == draft.code
    # A later change is a new version with a reason; adopting it supersedes the first.
    with pytest.raises(InvalidValue, match="needs --reason"):
        plans.variant(service, draft.code, "draft-2024-mid", scale={"electricity": 1.02}, created_by="planner")
    plans.variant(service, draft.code, "draft-2024-mid", scale={"electricity": 1.02}, reason="mid-year adjustment",
                  created_by="planner")
    again = plans.adopt(service, "draft-2024-mid", adopted_by="council")
    assert again.superseded == [draft.code] and not again.accepted_deficits
    assert service.store.plan_version(draft.code)["status"] == "superseded"
    assert plans.plan_in_force(service, 2024) == "draft-2024-mid"
    history = service.store.target_history(plan="ap-2024", indicator="electricity")
    assert len(history) and history["previous_value"].notna().any()  # the earlier figure is kept
    with pytest.raises(Conflict, match="only a draft can be adopted"):
        plans.adopt(service, draft.code, adopted_by="council")


def test_store_refuses_negative_norms_and_unknown_codes(service):
    with service.store.engine.begin() as c:
        before = c.execute(select(func.count()).select_from(schema.plan_norms)).scalar_one()
    bad = pd.DataFrame({"good": ["coal", "kryptonite", "coal"], "consumer": ["cement", "cement", "timber"],
                        "norm": [-0.1, 1.0, "lots"], "source": ["entered", "entered", "guess"]})
    with pytest.raises(ValidationError) as exc:
        service.store.write_norms(bad, recorded_by="t", source="norms.csv")
    text = str(exc.value)
    assert "norms.csv, row 2, column 'norm': must not be negative" in text
    assert "row 3, column 'good': unknown indicator 'kryptonite'" in text
    assert "row 4, column 'norm': not a finite number: 'lots'" in text
    assert "row 4, column 'source': must be one of io_table, reports, entered" in text
    assert _count(service, schema.plan_norms) == before
    with service.store.engine.begin() as c:  # the test leaves the store as it found it
        c.execute(delete(schema.plan_norms).where(schema.plan_norms.c.good == "kryptonite"))


def test_plan_tables_round_trip_on_every_backend(store):
    """The plan-making tables on SQLite and PostgreSQL: norms, capacities, items, versions, counter-plans."""
    store.write_indicators(pd.DataFrame({"code": ["coal", "electricity"], "name": ["Coal", "Power"],
                                         "unit": ["t", "kWh"]}))
    store.write_units(pd.DataFrame({"code": ["KP", "mine"], "name": ["Country", "Mine"], "kind": ["country",
                                    "enterprise"], "parent": [None, "KP"]}))
    norms = pd.DataFrame({"good": ["coal"], "consumer": ["electricity"], "norm": [0.0006], "source": ["entered"]})
    assert store.write_norms(norms, recorded_by="t").new == 1
    assert store.write_norms(norms.assign(norm=0.0005), recorded_by="t").updated == 1
    assert store.norms()["norm"].tolist() == [0.0005]
    caps = pd.DataFrame({"unit": ["mine", "mine"], "indicator": ["coal", "coal"], "capacity": [1e6, 1.2e6],
                         "source": ["survey", "survey"], "as_of": ["2021-01-01", "2023-01-01"]})
    store.write_physical_capacities(caps, recorded_by="t")
    current = store.physical_capacities()
    assert current["capacity"].tolist() == [1.2e6] and str(current["as_of"].iat[0]) == "2023-01-01"
    assert store.mark_capacities_stale(current) == 1 and store.mark_capacities_stale(current) == 0
    store.write_balance_items(pd.DataFrame({"good": ["coal"], "year": [2024], "item": ["exports"], "value": [5.0],
                                            "source": ["plan"]}))
    assert store.balance_items(2024).loc["coal", "exports"] == 5.0
    store.create_plan_version("v1", 2024, targets=pd.DataFrame({"unit": ["mine"], "indicator": ["coal"],
                                                                "value": [9e5]}), created_by="t", rule="shares")
    assert store.version_targets("v1")["value"].tolist() == [9e5]
    store.write_counter_plans("v1", pd.DataFrame({"unit": ["mine"], "indicator": ["coal"], "period": ["2024"],
                                                  "value": [8e5], "reason": ["flooded seam"]}),
                              submitted_by="mine", source="c.csv")
    store.write_counter_plans("v1", pd.DataFrame({"unit": ["mine"], "indicator": ["coal"], "period": ["2024"],
                                                  "value": [8.5e5], "reason": ["pumps repaired"]}),
                              submitted_by="mine", source="c2.csv")
    assert store.counter_plans("v1")["value"].tolist() == [8.5e5]  # the latest answer counts
    assert len(store.counter_plans("v1", latest=False)) == 2  # and every answer is kept
    store.set_version_status("v1", "adopted", adopted_by="council")
    assert store.plan_version("v1")["status"] == "adopted"
    # The version a target belongs to must exist (checked by a trigger, once per statement on PostgreSQL),
    # and a version with targets cannot be deleted.
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError, match="plan version that does not exist"), store.engine.begin() as c:
        c.execute(schema.plan_version_targets.insert().values(version_id=987654, unit="mine", indicator="coal",
                                                              value=1.0))
    store.create_plan_version("v2", 2024, targets=pd.DataFrame({"unit": ["mine"], "indicator": ["coal"],
                                                                "value": [7e5]}), created_by="t", rule="shares")
    with pytest.raises(DBAPIError, match="a version with targets cannot be deleted"), store.engine.begin() as c:
        c.execute(delete(schema.plan_versions).where(schema.plan_versions.c.code == "v2"))
    assert store.version_targets("v2")["value"].tolist() == [7e5]


def test_tautness_against_trend_capacity_frontier_and_the_odds(service):
    from gosplan.service.forecasts import attainment_of
    from gosplan.service.plan_checks import frontier_potential, version_tautness
    from gosplan.service.reserves import reserves

    code = plans.draft(service, 2024, created_by="planner", code="draft-2024-t").code
    plans.variant(service, code, "draft-2024-t2", scale={"coal": 1.05}, created_by="planner")
    t = version_tautness(service, code).set_index("indicator")
    assert t.loc["coal", "target"] == pytest.approx(18_500_000)
    assert t.loc["coal", "vs_trend"] == pytest.approx(
        18_500_000 / service.store.version_control_figures(code).set_index("indicator").loc["coal", "from_results"] - 1)
    # Capacity: the targets of the units with a current (not stale) record over those records.
    caps = material.version_balance(service, code, mark_stale=False).capacities
    current = caps[(caps["indicator"] == "coal") & (caps["record_status"] == "current")]
    assert t.loc["coal", "capacity_ratio"] == pytest.approx(current["target"].sum() / current["capacity"].sum())
    # The frontier: 2023's expected output of the mines plus their DEA reserve share (2023-H1, the latest half).
    expected = material.annualised_output(service, 2023).query("indicator == 'coal'").set_index("unit")["value"]
    share = reserves(service, "2023-H1").table.query("indicator == 'coal'").set_index("unit")["reserve_share"]
    frontier = (expected * (1 + share.reindex(expected.index).fillna(0.0))).sum()
    assert t.loc["coal", "frontier_output"] == pytest.approx(frontier) and frontier > expected.sum()
    assert t.loc["coal", "vs_frontier"] == pytest.approx(18_500_000 / frontier - 1)
    province = frontier_potential(service, 2024).query("indicator == 'coal' and unit == 'KP-08'")
    assert len(province) == 1 and 0 < province["frontier_output"].iloc[0] < frontier
    # P(attain) is the forecast engine's, the one function the outlook uses, over 2024 from mid-2023.
    odds = attainment_of(service, "2023-06", pd.DataFrame({"indicator": ["coal"], "unit": [service.root()],
                                                           "year": [2024], "target": [18_500_000.0]}))
    assert t.loc["coal", "p_attain"] == pytest.approx(odds["p_attain"].iloc[0])
    assert t.loc["grain", "vs_normal"] == t.loc["grain", "vs_normal"]   # grain against normal weather
    # Side by side: the tauter variant is further beyond the frontier and less likely to be met.
    both = plans.compare(service, code, "draft-2024-t2").targets.set_index("indicator").loc["coal"]
    assert both["vs_frontier_b"] > both["vs_frontier_a"] == pytest.approx(t.loc["coal", "vs_frontier"])
    assert 0 < both["p_attain_b"] < both["p_attain_a"] < 1
    assert both["code_a"] == t.loc["coal", "code"]
