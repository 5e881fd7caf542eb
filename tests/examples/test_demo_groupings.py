"""The demo's groupings: every enterprise has a ministry from its sector; stations and mines a technology."""

from __future__ import annotations

from gosplan.examples import build_demo
from gosplan.examples.demo.groupings import unit_groups


def test_every_enterprise_answers_to_one_ministry_and_stations_know_their_technology():
    demo = build_demo(2023)
    groups = unit_groups(demo)
    enterprises = demo.units[demo.units["kind"].eq("enterprise")]
    ministry = groups[groups["grouping"].eq("ministry")].set_index("unit")
    assert sorted(ministry.index) == sorted(enterprises["code"])
    assert ministry.loc["coal.kujang", "group_name"] == "Coal industry"
    assert ministry.loc["rail.pyongyang", "group_name"] == "Rail transport"
    assert ministry["group_code"].nunique() == 11
    tech = groups[groups["grouping"].eq("technology")].set_index("unit")["group_code"]
    power = tech[tech.index.str.startswith("elec.")]
    assert (power.value_counts().to_dict()) == {"hydro": 9, "thermal": 5}
    mines = tech[tech.index.str.startswith("coal.")]
    assert set(mines) == {"open_pit", "underground"} and len(mines) == 16
    farms = tech[tech.index.str.startswith("farm.")]
    assert set(farms) == {"irrigated", "rain_fed"} and len(farms) == len(demo.farms)
    assert not groups.duplicated(["unit", "grouping"]).any()
