"""Status by ministry (a grouping beside the provinces) on the demo economy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.errors import GosplanError, NotFound
from gosplan.service import Service
from gosplan.service.groupings import group_table


@pytest.fixture(scope="module")
def service(new_store_url):
    service = Service.open(new_store_url("sqlite"))
    service.load_demo(2023)
    return service


@pytest.mark.parametrize("period", ["2023-06", "2023-03"])
def test_the_ministries_add_up_to_the_nation_for_every_indicator(service, period):
    view = service.status(period, by="ministry")
    assert set(view.table["group_code"]) >= {"coal_industry", "electric_power", "agriculture"}
    assert "" not in set(view.table["group_code"])  # every demo enterprise has a ministry
    nation = service.facts(period).set_index(["unit", "indicator"]).loc[service.root()]
    summed = view.table.groupby("indicator")[["target_basis", "actual_basis", "produced", "expected",
                                                "reported", "units_missing"]].sum()
    with_target = nation[nation["expected"].gt(0)]
    assert sorted(summed.index) == sorted(with_target.index)
    for column in summed.columns:
        np.testing.assert_allclose(summed[column].to_numpy(float),
                                   with_target.loc[summed.index, column].to_numpy(float), rtol=1e-9)  # summing order


def test_a_ministry_row_is_like_for_like_and_names_its_missing_units(service):
    table = service.status("2023-06", by="ministry").table.set_index(["group_code", "indicator"])
    cement = table.loc[("building_materials", "cement")]
    facts = service.facts("2023-06").set_index(["unit", "indicator"])
    reporting = [f"cem.{c}" for c in ("sangwon", "sunchon", "chonnae", "kowon", "hyesan")]
    assert cement["missing_units"] == "cem.haeju"
    assert cement["target_basis"] == pytest.approx(sum(facts.loc[(u, "cement"), "target"] for u in reporting))
    assert cement["fulfilment"] == pytest.approx(cement["actual_basis"] / cement["target_basis"])
    assert cement["produced"] > cement["actual_basis"]


def test_technology_splits_electricity_into_hydro_and_thermal_within_a_province(service):
    table = group_table(service, "2023-06", "KP-04", "technology", ["electricity"])  # Chagang: hydro only
    assert table["group_code"].tolist() == ["hydro"]
    assert table["expected"].tolist() == [3]


def test_an_unknown_grouping_is_refused_with_the_choices(service):
    choices = "indicator, sector, unit, ministry, technology"  # natural conditions are not groupings to split by
    with pytest.raises(GosplanError, match=f"{choices}, not 'minstry'"):
        service.status("2023-06", by="minstry")
    with pytest.raises(NotFound, match="groupings in the store: ministry, technology"):
        group_table(service, "2023-06", "KP", "sector_group")


def test_units_without_a_group_fall_into_one_row_and_still_add_up(service):
    from gosplan.engines.groupings import group_fulfilment

    facts = service.facts("2023-06")
    hierarchy = service.hierarchy()
    leaves = facts[np.array([hierarchy.is_leaf(u) for u in facts["unit"]]) & facts["indicator"].eq("coal")]
    groups = service.store.unit_groups("technology")
    table = group_fulfilment(leaves, groups[groups["unit"].str.startswith("coal.")], "technology")
    assert table["group_name"].tolist() == ["Open-pit mining", "Underground mining"]
    everyone = group_fulfilment(leaves, pd.DataFrame(columns=["unit", "group_code", "group_name"]), "technology")
    assert everyone["group_name"].tolist() == ["(none)"]
    assert everyone["actual_basis"].iloc[0] == pytest.approx(table["actual_basis"].sum())
