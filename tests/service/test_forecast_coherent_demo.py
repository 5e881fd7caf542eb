"""The demo's year-end outlook adds up over the hierarchy, and a dry year lowers hydro power only.

Every aggregate's expected total is the sum of its children's, for every indicator (the enterprises
sum to their county, the counties to their province, the provinces to the country), to 1e-9; the
views read the same reconciled figures; a dry-year rainfall scenario lowers the hydro stations'
P(attain) and leaves the thermal stations' figures as they are.
"""

import pytest

from gosplan.service import Service
from gosplan.service.forecasts import forecast, grain_outlook, hydro_stations, national_outlook, probabilities

AS_OF = "2023-06"


@pytest.fixture(scope="module")
def service(db):
    return Service.open(db)  # the module's demo store (tests/conftest.py)


def test_every_level_adds_up(service):
    table = forecast(service, AS_OF)
    parent = service.hierarchy().parent
    checked = 0
    for _, rows in table.groupby("indicator"):
        total = rows.set_index("unit")["expected_total"]
        rest = rows.set_index("unit")["expected_rest"]
        for unit in total.index:
            children = [u for u in total.index if parent.get(u) == unit]
            if children:
                assert total[unit] == pytest.approx(total[children].sum(), rel=1e-9, abs=0)
                assert rest[unit] == pytest.approx(rest[children].sum(), rel=1e-6, abs=1e-6)
                checked += 1
    assert checked > 100
    assert set(table["reconciliation"]) <= {"mint_shrink", "wls", "none"}
    assert table["reconciliation"].eq("wls").mean() > 0.9
    assert (table["lower_80"] <= table["expected_total"] + 1e-6).all()
    assert (table["expected_total"] <= table["upper_80"] + 1e-6).all()
    assert table["p_attain"].between(0, 1).all()
    # One number per fact: the overview cards, the review's probabilities and gosplan risk read these.
    root = table[table["unit"].eq(service.root())].set_index("indicator")
    cards = national_outlook(service, AS_OF).set_index("indicator")
    assert cards["expected_total"].to_dict() == root.loc[cards.index, "expected_total"].to_dict()
    assert probabilities(service, AS_OF) == pytest.approx(root["p_attain"].dropna().to_dict())
    outlook = grain_outlook(service, AS_OF)
    assert outlook.summary()["expected_total"] == pytest.approx(root.loc["grain", "expected_total"])
    provinces = outlook.provinces.set_index("province")["expected_total"]
    assert provinces.sum() == pytest.approx(root.loc["grain", "expected_total"], rel=1e-9)


def test_a_dry_year_lowers_hydro_power_and_leaves_thermal_alone(service):
    normal = forecast(service, AS_OF, indicators=["electricity"]).set_index("unit")
    dry = forecast(service, AS_OF, indicators=["electricity"], rainfall=-0.5).set_index("unit")
    stations = normal[normal["unit_kind"].eq("enterprise")].index
    hydro = [u for u in stations if u in hydro_stations(service)]
    thermal = [u for u in stations if u not in hydro_stations(service)]
    assert len(hydro) >= 5 and len(thermal) >= 3
    for unit in hydro:
        assert dry.loc[unit, "expected_total"] < normal.loc[unit, "expected_total"]
        if normal.loc[unit, "p_attain"] > 0.05:
            assert dry.loc[unit, "p_attain"] < normal.loc[unit, "p_attain"]
    assert dry.loc[thermal, ["expected_total", "p_attain", "lower_80", "upper_80"]].equals(
        normal.loc[thermal, ["expected_total", "p_attain", "lower_80", "upper_80"]])
    assert dry.loc["KP", "p_attain"] < normal.loc["KP", "p_attain"]
