"""Potentiality on small hand-made economies: a commissioned project in the capacity check and the
balance, a late project's cost in physical units, a movement across two sectors (spread, effect and
stall per sector). Every expected figure is worked out by hand in the comments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.errors import ValidationError
from gosplan.service import Service, material
from gosplan.service.campaigns import campaign_view
from gosplan.service.potentiality import commissioning, late_costs, year_capacity

MONTHS = [f"2023-{m:02d}" for m in range(1, 7)]


def _reference(service: Service, sectors: list[tuple[str, str]], units: list[tuple[str, str]],
               outputs: list[tuple[str, str, str]]) -> None:
    store = service.store
    store.write_sectors(pd.DataFrame([(c, n, None) for c, n in sectors], columns=["code", "name", "parent"]))
    rows = [("C", "Country", "country", None, None)] + [(u, u, "enterprise", "C", s) for u, s in units]
    store.write_units(pd.DataFrame(rows, columns=["code", "name", "kind", "parent", "sector"]))
    indicators = [(code, code.title(), uom, "sum", "sum", "higher", sector, True, "output")
                  for code, uom, sector in outputs]
    indicators += [("workers", "Workers", "worker", "mean", "mean", "lower", None, False, "input"),
                   ("energy_use", "Electricity consumed", "kWh", "sum", "sum", "lower", None, False, "input")]
    store.write_indicators(pd.DataFrame(indicators, columns=["code", "name", "unit", "aggregation",
                                                             "time_aggregation", "direction", "sector", "key",
                                                             "role"]))


@pytest.fixture()
def plant():
    """Two power stations and two steel works reporting January-June 2023, a 2024 draft, and two projects:
    a new power unit at p1 (+600 kWh a year, planned and on time for 2023-12) and a modernisation at s1
    (+12 t a year and 10 % less electricity per tonne, planned for 2023-06, 30 % done by then)."""
    service = Service.open("sqlite://")
    _reference(service, [("power", "Power"), ("steel", "Steel")],
               [("p1", "power"), ("p2", "power"), ("s1", "steel"), ("s2", "steel")],
               [("electricity", "kWh", "power"), ("steel", "t", "steel")])
    store = service.store
    reports = [("electricity", u, m, 100.0) for u in ("p1", "p2") for m in MONTHS]
    reports += [("steel", u, m, 10.0) for u in ("s1", "s2") for m in MONTHS]
    store.write_reports(pd.DataFrame(reports, columns=["indicator", "unit", "period", "value"]),
                        source="test", recorded_by="test")
    store.write_norms(pd.DataFrame([("electricity", "steel", 50.0, "entered")],
                                   columns=["good", "consumer", "norm", "source"]), recorded_by="test")
    store.write_physical_capacities(pd.DataFrame(
        [(u, "electricity", 1200.0, "survey", "2023-01-01") for u in ("p1", "p2")]
        + [(u, "steel", 130.0, "survey", "2023-01-01") for u in ("s1", "s2")],
        columns=["unit", "indicator", "capacity", "source", "as_of"]), recorded_by="test")
    store.write_balance_items(pd.DataFrame([("electricity", 2024, "final_uses", 0.0, "test")],
                                           columns=["good", "year", "item", "value", "source"]))
    targets = pd.DataFrame([("p1", "electricity", 1300.0), ("p2", "electricity", 1150.0),
                            ("s1", "steel", 120.0), ("s2", "steel", 120.0)], columns=["unit", "indicator", "value"])
    store.create_plan_version("v2024", 2024, targets=targets, created_by="test", rule="shares")
    store.write_projects(pd.DataFrame([
        ("p1-unit", "New unit at p1", "p1", 120.0, "2023-01", "2023-12"),
        ("s1-mod", "Modernisation of s1", "s1", 60.0, "2023-01", "2023-06")],
        columns=["code", "name", "unit", "budget", "start", "planned_end"]))
    # p1: 1/12 of the work a month, as planned; s1: 5 % a month against a planned 1/6.
    progress = [("p1-unit", m, 100 * (i + 1) / 12, 10.0 * (i + 1), 0) for i, m in enumerate(MONTHS)]
    progress += [("s1-mod", m, 5.0 * (i + 1), 3.0 * (i + 1), 0) for i, m in enumerate(MONTHS)]
    store.write_project_progress(pd.DataFrame(progress, columns=["project", "period", "percent_complete",
                                                                 "actual_cost", "dwellings_completed"]),
                                 source="test", recorded_by="test")
    return service


def _outcomes(service: Service) -> None:
    service.store.write_project_outcomes(pd.DataFrame([
        ("p1-unit", "capacity", "electricity", 600.0, None, None, None),
        ("s1-mod", "modernisation", "steel", 12.0, "electricity", -0.10, None)],
        columns=["project", "kind", "indicator", "capacity", "norm_good", "norm_change", "campaign"]))
    service.invalidate()


def test_commissioned_capacity_changes_the_capacity_check_and_the_balance(plant):
    before = material.version_balance(plant, "v2024", mark_stale=False)
    p1 = before.capacities.set_index("unit").loc["p1"]
    assert p1["draft_status"] == "over"  # 1,300 kWh asked of a 1,200 kWh record
    consumption = before.balance.table.loc["electricity", "productive_consumption"]
    assert consumption == pytest.approx(50 * 240)  # 50 kWh/t x 240 t

    _outcomes(plant)
    frame = commissioning(plant).set_index("project")
    # s1: EV 30 % of a linear 6-month baseline -> ES = 1.8 months, SPI(t) = 1.8 / 6 = 0.3, forecast end
    # = 6 + (6 - 1.8) / 0.3 = 20 months from the start month 2023-01 -> 2024-08 (Lipke's IEAC(t)).
    assert frame.loc["s1-mod", "forecast"] == "2024-08" and frame.loc["s1-mod", "status"] == "late"
    assert frame.loc["p1-unit", "forecast"] == "2023-12"
    after = material.version_balance(plant, "v2024", mark_stale=False)
    p1 = after.capacities.set_index("unit").loc["p1"]
    # Commissioned at the end of 2023-12, the unit works all of 2024: 1,200 + 600 = 1,800 kWh.
    assert p1["capacity"] == 1200 and p1["from_projects"] == 600 and p1["capacity_in_year"] == 1800
    assert p1["draft_status"] == "free"  # 1,300 / 1,800 = 72 %
    # s1 makes half the steel; its 10 % saving works September-December 2024 (4 months):
    # norm = 50 x (1 - 0.10 x 0.5 x 4/12) = 49.1667 kWh/t, consumption = 49.1667 x 240 = 11,800 kWh.
    assert after.balance.table.loc["electricity", "productive_consumption"] == pytest.approx(11_800)
    added = year_capacity(plant, 2024).set_index("unit")
    assert added.loc["s1", "capacity"] == pytest.approx(12 * 4 / 12)  # 4 t of the 12 t a year


def test_a_late_projects_cost_in_physical_units(plant):
    _outcomes(plant)
    costs = late_costs(plant, 2024).set_index("cost")
    # Planned for 2023-06 it would work all 12 months of 2024; forecast 2024-08 leaves 4: 8 months lost.
    assert costs.loc["output", "good"] == "steel" and costs.loc["output", "uom"] == "t"
    assert costs.loc["output", "lost"] == pytest.approx(12 * 8 / 12)  # 8 t of steel not made
    # s1's output a year: 60 t to June, scaled x 12/6 = 120 t; saving forgone 0.10 x 50 x 120 x 8/12 = 400 kWh.
    assert costs.loc["saving", "good"] == "electricity" and costs.loc["saving", "lost"] == pytest.approx(400)
    in_2023 = late_costs(plant, 2023).set_index("cost")
    assert in_2023.loc["output", "lost"] == pytest.approx(12 * 6 / 12)  # July-December 2023 lost
    assert "p1-unit" not in set(late_costs(plant, 2024)["project"])  # on time: costs nothing


def test_outcomes_are_checked_before_anything_is_stored(plant):
    bad = pd.DataFrame([("nope", "capacity", "electricity", 1.0), ("p1-unit", "dream", "electricity", 1.0)],
                       columns=["project", "kind", "indicator", "capacity"])
    with pytest.raises(ValidationError) as caught:
        plant.store.write_project_outcomes(bad)
    reasons = " ".join(p.reason for p in caught.value.problems)
    assert "unknown project 'nope'" in reasons and "'dream' is not one of housing" in reasons
    assert plant.store.project_outcomes().empty


MOVEMENT_MONTHS = [f"2022-{m:02d}" for m in range(7, 13)] + [f"2023-{m:02d}" for m in range(1, 8)]


@pytest.fixture()
def movement():
    """Six mines and six power stations, July 2022 - July 2023. A movement starts at mine m1 in January
    2023; mines that join produce 10 % more per worker from their join month, stations 5 % more."""
    service = Service.open("sqlite://")
    mines = [f"m{i}" for i in range(1, 7)]
    stations = [f"p{i}" for i in range(1, 7)]
    _reference(service, [("coal", "Coal"), ("power", "Power")],
               [(u, "coal") for u in mines] + [(u, "power") for u in stations],
               [("coal", "t", "coal"), ("electricity", "kWh", "power")])
    joins = {"m1": "2023-01", "m2": "2023-02", "m3": "2023-02", "m4": "2023-03",
             "p1": "2023-03", "p2": "2023-04", "p3": "2023-04"}
    rows = []
    for i, unit in enumerate(mines + stations):
        indicator, gain = ("coal", 1.10) if unit.startswith("m") else ("electricity", 1.05)
        for month in MOVEMENT_MONTHS:
            joined = unit in joins and month >= joins[unit]
            rows.append((indicator, unit, month, (100.0 + 10 * i) * (gain if joined else 1.0)))
            rows.append(("workers", unit, month, 10.0))
    service.store.write_reports(pd.DataFrame(rows, columns=["indicator", "unit", "period", "value"]),
                                source="test", recorded_by="test")
    service.store.write_campaigns(pd.DataFrame([("drive", "m1", "2023-01", "coal", "")],
                                               columns=["name", "origin_unit", "start", "indicator", "description"]))
    service.store.write_campaign_members(pd.DataFrame([("drive", u, m) for u, m in joins.items()],
                                                      columns=["campaign", "unit", "joined"]))
    service.store.write_campaign_measures(pd.DataFrame([("drive", "power", "electricity", "workers")],
                                                       columns=["campaign", "sector", "indicator", "per"]))
    return service


def test_movement_spread_and_effect_per_sector(movement):
    view = campaign_view(movement, "drive", n_boot=50)
    sectors = view.sectors.set_index("sector")
    assert view.eligible == 12 and len(view.members) == 7
    assert sectors.loc["coal", ["eligible", "joined"]].tolist() == [6, 4]
    assert sectors.loc["power", ["eligible", "joined"]].tolist() == [6, 3]
    # No noise: the difference in differences is the built-in gain, log(1.10) and log(1.05), exactly.
    assert sectors.loc["coal", "effect_percent"] == pytest.approx(10.0, abs=1e-9)
    assert sectors.loc["power", "effect_percent"] == pytest.approx(5.0, abs=1e-9)
    assert sectors.loc["power", "measure"] == "electricity/workers"
    assert view.effect_percent[0] == pytest.approx(10.0, abs=1e-9)  # the headline: the movement's own sector
    assert np.isfinite(sectors.loc["coal", "bass_m"]) and np.isfinite(sectors.loc["power", "bass_m"])


def test_a_stalled_movement_is_detected(movement):
    view = campaign_view(movement, "drive", n_boot=20)
    sectors = view.sectors.set_index("sector")
    # Last reports 2023-07: no mine joined since 2023-03 (4 months), no station since 2023-04 (3 months),
    # while 2 mines and 3 stations have not joined: both sectors, and the movement, have stalled.
    assert sectors["stalled"].all()
    assert view.stall.stalled and view.stall.months_since_last_join == 3
    assert view.stall.joined == 7 and view.stall.eligible == 12


def test_project_outcomes_import_from_a_file_all_or_nothing(plant, tmp_path):
    from gosplan.ingest.importer import import_file

    good = tmp_path / "outcomes.csv"
    good.write_text("project,kind,indicator,capacity,norm_good,norm_change,campaign\n"
                    "p1-unit,capacity,electricity,600,,,\n"
                    "s1-mod,modernisation,steel,12,electricity,-0.10,\n")
    result = import_file(plant.store, good)
    assert (result.kind, result.new) == ("project_outcomes", 2)
    stored = plant.store.project_outcomes().set_index("project")
    assert stored.loc["s1-mod", "norm_change"] == pytest.approx(-0.10) and stored.loc["p1-unit", "norm_good"] is None
    bad = tmp_path / "bad.csv"
    bad.write_text("project,kind,indicator,capacity,norm_good,norm_change\n"
                   "p1-unit,capacity,,600,,\n"
                   "s1-mod,upgrade,steel,,electricity,\n")
    with pytest.raises(ValidationError) as caught:
        import_file(plant.store, bad)
    found = {(p.row, p.column, p.reason) for p in caught.value.problems}
    assert (2, "indicator", "a capacity or a norm change needs the product (indicator) it applies to") in found
    assert (3, "kind", "must be one of housing, capacity, modernisation, research") in found
    assert (3, "norm_good", "norm_good and norm_change go together") in found
    assert all(p.source.endswith("bad.csv") for p in caught.value.problems)
    assert plant.store.project_outcomes().set_index("project").loc["p1-unit", "capacity"] == 600  # unchanged
