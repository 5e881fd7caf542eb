"""Potentiality on the demo: the projects move the 2024 draft balance, the late steel modernisation's
cost in tonnes reaches the review, Beer's ratios per sector, the coal movement per sector."""

from __future__ import annotations

import pandas as pd
import pytest

from gosplan.review.document import ReviewContext
from gosplan.review.sections.potential import potential_section
from gosplan.service import Service, material, plans
from gosplan.service.campaigns import campaign_view
from gosplan.service.potentiality import late_costs, potential


@pytest.fixture(scope="module")
def service(sqlite_demo, tmp_path_factory):
    from webenv import copy_sqlite

    service = Service.open(copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("potential") / "demo.db"))
    plans.draft(service, 2024, created_by="planner")
    return service


def test_the_projects_change_the_2024_draft_balance(service, monkeypatch):
    with_projects = material.version_balance(service, "draft-2024", mark_stale=False)
    outcomes = service.store.project_outcomes()
    monkeypatch.setattr(service.store, "project_outcomes", lambda: outcomes.iloc[0:0])
    service.invalidate()
    without = material.version_balance(service, "draft-2024", mark_stale=False)
    monkeypatch.undo()
    service.invalidate()
    short = -with_projects.balance.table.loc["electricity", "surplus"]
    short_before = -without.balance.table.loc["electricity", "surplus"]
    # Kim Chaek's 8 % less power per tonne (from 2024-01) makes the deficit smaller; the combustion
    # technology at four thermal stations burns less coal.
    assert 0 < short < short_before
    assert (with_projects.balance.table.loc["coal", "productive_consumption"]
            < without.balance.table.loc["coal", "productive_consumption"])
    orangchon = with_projects.capacities.set_index("unit").loc["elec.orangchon"]
    before = without.capacities.set_index("unit").loc["elec.orangchon"]
    assert before["draft_status"] == "over" and orangchon["draft_status"] != "over"
    assert orangchon["from_projects"] == pytest.approx(120e6 * 9 / 12)  # commissioned 2024-03: 9 months


def test_the_late_steel_projects_cost_in_tonnes_is_in_the_review(service):
    costs = late_costs(service, 2023).set_index(["project", "cost"])
    steel = costs.loc[("kimchaek-modern", "output")]
    assert steel["uom"] == "t" and steel["lost"] > 0
    section = potential_section(ReviewContext(service, "2023-H1"))
    line = next(s for s in section.summary if s.startswith("Kim Chaek steel"))
    assert "kt of rolled steel not produced" in line and "2023" in line


def test_potentiality_ratios_per_sector(service):
    view = potential(service, "2023-H1")
    sectors = view.sectors.set_index(["sector", "indicator"])
    assert {"coal", "electricity", "metallurgy"} <= set(view.sectors["sector"])
    assert ((sectors["productivity"] <= 1 + 1e-9) & (sectors["latency"] <= 1 + 1e-9)).all()
    pd.testing.assert_series_equal(sectors["performance"], sectors["productivity"] * sectors["latency"],
                                   check_names=False)
    # Steel's potential holds the modernisation still to come (30 kt a year: 15 kt in a half-year).
    steel = sectors.loc[("metallurgy", "rolled_steel")]
    assert steel["from_projects"] == pytest.approx(15_000) and steel["latency"] < 1
    # Mines that have not joined the coal movement could gain its measured effect.
    assert sectors.loc[("coal", "coal"), "from_technology"] > 0


def test_the_coal_movement_per_sector(service):
    view = campaign_view(service, "coal-innovation-2023")
    sectors = view.sectors.set_index("sector")
    assert list(sectors.index) == ["coal", "electricity", "metallurgy"]
    assert sectors["joined"].tolist() == [12, 4, 2]
    assert sectors["effect_percent"].notna().all()
    assert sectors.loc["metallurgy", "lower_is_better"]  # steel works: electricity per tonne
    # In the mines the fitted potential equals the twelve joined while four have not: stalled, and said so.
    assert sectors.loc["coal", "stalled"] and sectors.loc["coal", "stall_reason"] == "no_room"
    section = potential_section(ReviewContext(service, "2023-H1"))
    assert any("in coal mining" in s and "Stalled" in s for s in section.summary)
