"""The demo economy's extra tables: campaign, weather, farms, projects, IO table and capacities.

Sources (``src/gosplan/examples/demo/FIGURES.md``): Bank of Korea, shares of North Korea's nominal
GDP 2023 (agriculture 22.0, mining 9.0, manufacturing 21.6, electricity 5.4, construction 11.0,
services 30.9 %; 40.2 trillion won); KCNA on the January 2023 coal innovation movement at Kujang and
the 10,000 flats a year in Pyongyang (Songhwa Street 2022, Hwasong phase 1 2023, phase 2 2024).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from demo_checks import current_values, demo_for

from gosplan.examples import DemoEconomy


@pytest.fixture(scope="module")
def demo() -> DemoEconomy:
    return demo_for(2023)


def test_tables_lists_every_frame(demo: DemoEconomy) -> None:
    names = set(demo.tables())
    assert {"sectors", "units", "indicators", "plans", "targets", "reports", "corrections", "farms",
            "campaigns", "campaign_members", "weather_events", "projects", "project_milestones",
            "project_progress", "capacities", "io_Z", "io_Y", "io_V", "io_x", "io_labour"} <= names
    assert all(isinstance(frame, pd.DataFrame) for frame in demo.tables().values())


def test_farms_are_the_grain_units_with_plausible_areas(demo: DemoEconomy) -> None:
    units = demo.units.set_index("code")
    assert (units.loc[demo.farms["unit"], "sector"] == "grain").all()
    annual = demo.targets[demo.targets["plan"].str.startswith("ap-")]  # the five-year plan is national
    assert set(demo.farms["unit"]) == set(annual.loc[annual["indicator"] == "grain", "unit"])
    assert (demo.farms["irrigated_ha"] <= demo.farms["crop_area_ha"]).all()
    # About 1.5 million ha of grain at 3 t/ha gives the ~4.7 Mt of the RDA estimates.
    assert 1.2e6 <= demo.farms["crop_area_ha"].sum() <= 2.0e6


def test_campaign_spreads_from_kujang_month_by_month(demo: DemoEconomy) -> None:
    campaign = demo.campaigns.iloc[0]
    assert campaign["origin_unit"] == "coal.kujang" and campaign["start"] == "2023-01"
    members = demo.campaign_members
    assert members.loc[members["joined"] == "2023-01", "unit"].tolist() == ["coal.kujang"]
    joins = members.groupby("joined").size()
    assert joins["2023-02"] == 3 and joins["2023-03"] == 5
    assert members["joined"].between("2023-01", "2023-06").all()
    sectors = demo.units.set_index("code")["sector"]
    assert (sectors[members["unit"]] == "coal").all()
    assert (sectors == "coal").sum() > len(members)  # some mines never join: the comparison group


@pytest.mark.parametrize("seed", [2023, 11])
def test_joining_the_campaign_raises_output_per_worker(seed: int) -> None:
    """Two-way fixed effects on log output per worker in 2023 H1: mine, month, and having joined."""
    demo = demo_for(seed)
    reports = current_values(demo).pivot_table(index=["unit", "period"], columns="indicator", values="value")
    coal = reports.loc[reports["coal"].notna(), ["coal", "workers"]].reset_index()
    coal = coal[coal["period"].between("2023-01", "2023-06")].reset_index(drop=True)
    joined = dict(zip(demo.campaign_members["unit"], demo.campaign_members["joined"], strict=True))
    # Members join during a month: half the effect that month, all of it from the next month on.
    treated = [1.0 if u in joined and p > joined[u] else 0.5 if joined.get(u) == p else 0.0
               for u, p in zip(coal["unit"], coal["period"], strict=True)]
    design = pd.concat([pd.get_dummies(coal["unit"], dtype=float),
                        pd.get_dummies(coal["period"], dtype=float, drop_first=True)], axis=1)
    design["treated"] = treated
    coefficients, *_ = np.linalg.lstsq(design.to_numpy(), np.log(coal["coal"] / coal["workers"]), rcond=None)
    effect = coefficients[-1]
    assert 0.02 < effect < 0.10, effect  # built in: +6 % output per worker once joined


def test_spring_drought_in_south_hwanghae_lowers_its_early_crop(demo: DemoEconomy) -> None:
    events = demo.weather_events
    drought = events[(events["province"] == "KP-05") & (events["kind"] == "drought")]
    assert {"2023-05", "2023-06"} <= set(drought["period"])
    assert events["severity"].between(0, 1).all() and set(events["kind"]) <= {"drought", "flood", "cold"}
    counties = demo.units.set_index("code")["parent"]
    grain = demo.reports[demo.reports["indicator"] == "grain"].copy()
    grain["province"] = grain["unit"].map(counties).str[:5]
    june = grain[grain["period"].isin(["2021-06", "2023-06"])]
    june = june.pivot_table(index="province", columns="period", values="value", aggfunc="sum")
    change = june["2023-06"] / june["2021-06"]
    assert change["KP-05"] < 0.8 * change.drop("KP-05").median()


def test_grain_yields_deviate_by_province_from_year_to_year(demo: DemoEconomy) -> None:
    counties = demo.units.set_index("code")["parent"]
    grain = demo.reports[demo.reports["indicator"] == "grain"].copy()
    grain["province"] = grain["unit"].map(counties).str[:5]
    grain["year"] = grain["period"].str[:4]
    yearly = grain.pivot_table(index="province", columns="year", values="value", aggfunc="sum")
    assert (yearly["2022"] / yearly["2021"]).std() > 0.03


def test_housing_projects_on_time_and_slipping(demo: DemoEconomy) -> None:
    assert set(demo.projects["unit"]) <= set(demo.units["code"])
    milestones, progress = demo.project_milestones, demo.project_progress
    for code, group in milestones.groupby("project"):
        assert group["planned_value"].is_monotonic_increasing and group["planned_value"].iloc[-1] == 1.0, code
        assert group["planned_date"].is_monotonic_increasing, code
    for code, group in progress.groupby("project"):
        assert group["percent_complete"].is_monotonic_increasing, code
        assert group["dwellings_completed"].is_monotonic_increasing, code
    assert progress["period"].max() <= "2023-06"
    last = progress.groupby("project").last()
    ends = demo.projects.set_index("code")["planned_end"]
    dwellings = demo.projects.set_index("code")["dwellings"]
    hwasong_1 = last.loc["hwasong-1"]
    assert hwasong_1["period"] == ends["hwasong-1"] == "2023-04"
    assert hwasong_1["percent_complete"] == 100 and hwasong_1["dwellings_completed"] == dwellings["hwasong-1"]
    # Phase 2 is on schedule: within 5 points of the straight line between its milestones.
    phase_2 = milestones[milestones["project"] == "hwasong-2"]
    month = pd.Period("2023-06", "M")
    dates = [pd.Period(d, "M") for d in phase_2["planned_date"]]
    months = [(d - dates[0]).n for d in dates]
    planned = np.interp([(month - dates[0]).n + 1], months, phase_2["planned_value"])
    assert last.loc["hwasong-2", "percent_complete"] == pytest.approx(100 * planned[0], abs=5)
    # South Hwanghae's rural housing was due by June 2023 and is far behind.
    assert ends["rural-shwanghae"] == "2023-06"
    assert last.loc["rural-shwanghae", "percent_complete"] < 85


def test_io_table_is_balanced_productive_and_matches_gdp_shares(demo: DemoEconomy) -> None:
    io = demo.io_table
    z, y, v = io["Z"], io["Y"], io["V"]
    x = io["x"]["gross_output"]
    assert list(z.index) == list(z.columns) == list(x.index) == list(y.index) == list(v.columns)
    assert 10 <= len(x) <= 13 and set(x.index) <= set(demo.sectors["code"])
    assert (z.to_numpy() >= 0).all() and (y.to_numpy() >= 0).all() and (v.to_numpy() > 0).all()
    np.testing.assert_allclose(z.sum(axis=1) + y.sum(axis=1), x, rtol=1e-9)  # rows balance
    np.testing.assert_allclose(z.sum(axis=0) + v.sum(axis=0), x, rtol=1e-9)  # columns balance
    a = z.to_numpy() / x.to_numpy()
    assert (a.sum(axis=0) < 1).all()
    assert np.abs(np.linalg.eigvals(a)).max() < 1
    leontief = np.linalg.solve(np.eye(len(x)) - a, np.eye(len(x)))
    assert (leontief >= -1e-12).all()
    # Bank of Korea 2023 shares of nominal GDP (%), nominal GDP 40.2 trillion won = 40.2e6 million won.
    shares = 100 * v.loc["value_added"] / 40.2e6
    groups = {"agri": (["agriculture", "fisheries", "forestry"], 22.0),
              "electricity": (["electricity"], 5.4), "construction": (["construction"], 11.0),
              "services": (["transport", "services"], 30.9),
              "mining and manufacturing": (["coal", "metallurgy", "chemicals", "building_materials",
                                            "light_industry"], 9.0 + 21.6)}
    for name, (members, share) in groups.items():
        assert shares[members].sum() == pytest.approx(share, abs=0.05), name
    assert (io["labour"]["workers"] > 0).all()
    assert 11e6 <= io["labour"]["workers"].sum() <= 14e6


def test_capacities_bind_for_some_sectors_and_leave_room_for_others(demo: DemoEconomy) -> None:
    x = demo.io_table["x"]["gross_output"]
    capacity = demo.capacities.set_index("sector")
    headroom = capacity["capacity"] / x[capacity.index]
    assert (headroom >= 1 - 1e-12).all()
    assert (headroom < 1 + 1e-9).sum() >= 2 and (headroom > 1.02).sum() >= 5
    assert (capacity["labour"] >= demo.io_table["labour"]["workers"][capacity.index]).all()


def test_enterprises_differ_in_efficiency_so_dea_finds_reserves(demo: DemoEconomy) -> None:
    reports = demo.reports[demo.reports["period"].str.startswith("2022")]
    sectors = demo.units.set_index("code")["sector"]
    pairs = (("coal", "coal"), ("cement", "building_materials"), ("rolled_steel", "metallurgy"))
    for indicator, sector in pairs:
        output = reports[reports["indicator"] == indicator].groupby("unit")["value"].sum()
        workers = reports[(reports["indicator"] == "workers") & reports["unit"].isin(output.index)]
        per_worker = output / workers.groupby("unit")["value"].mean()
        energy = reports[reports["indicator"] == "energy_use"].groupby("unit")["value"].sum()[output.index]
        assert (sectors[output.index] == sector).all()
        assert per_worker.max() / per_worker.min() > 1.5, indicator
        assert (energy / output).max() / (energy / output).min() > 1.3, indicator
