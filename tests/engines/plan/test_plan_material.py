"""Material balances: the identities, the norms, closing, what output changes imply."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.engines.plan import (
    TABLE_COLUMNS,
    implications,
    material_balance,
    missing_norms,
    norms_from_io,
    norms_from_reports,
)
from gosplan.engines.plan.norms import combine_norms
from gosplan.errors import InvalidValue


def _economy(goods: int = 12, units: int = 300, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    names = [f"g{i}" for i in range(goods)]
    pairs = [(g, c) for g in names for c in names if rng.random() < 0.4]
    norms = pd.DataFrame(pairs, columns=["good", "consumer"]).assign(norm=lambda f: rng.uniform(0.0, 0.2, len(f)))
    output = pd.DataFrame({"unit": [f"u{j}" for j in range(units)],
                           "indicator": rng.choice(names, units), "value": rng.uniform(10, 1000, units)})
    items = pd.DataFrame({"final_uses": rng.uniform(0, 25_000, goods), "exports": rng.uniform(0, 500, goods),
                          "imports": rng.uniform(0, 300, goods), "stock_drawdown": rng.uniform(0, 50, goods),
                          "stock_build": rng.uniform(0, 50, goods)}, index=names)
    return norms, output, items


def test_norms_times_output_is_productive_consumption() -> None:
    norms, output, items = _economy()
    b = material_balance(norms, output, items)
    # A plain loop over every unit and every norm.
    expected = {g: 0.0 for g in b.goods}
    per_unit: dict[tuple[str, str], float] = {}
    for row in output.itertuples():
        for n in norms[norms["consumer"] == row.indicator].itertuples():
            expected[n.good] += n.norm * row.value
            per_unit[(n.good, row.unit)] = per_unit.get((n.good, row.unit), 0.0) + n.norm * row.value
    np.testing.assert_allclose(b.table["productive_consumption"], pd.Series(expected)[b.goods], rtol=1e-12)
    for (good, unit), value in list(per_unit.items())[:50]:
        assert b.consumption[b.goods.get_loc(good), b.units.get_loc(unit)] == pytest.approx(value, rel=1e-12)
    # by consumer sums to the same total
    np.testing.assert_allclose(b.by_consumer.groupby("good")["amount"].sum().reindex(b.goods, fill_value=0.0),
                               b.table["productive_consumption"], rtol=1e-12)


def test_resources_and_uses_add_up_and_closing_balances_every_good() -> None:
    norms, output, items = _economy()
    b = material_balance(norms, output, items)
    t = b.table
    assert list(t.columns) == list(TABLE_COLUMNS)
    np.testing.assert_allclose(t["resources"], t["production"] + t["stock_drawdown"] + t["imports"])
    np.testing.assert_allclose(t["uses"], t["productive_consumption"] + t["final_uses"] + t["exports"]
                               + t["stock_build"])
    np.testing.assert_allclose(t["surplus"], t["resources"] - t["uses"])
    assert len(b.deficits()) and (b.deficits()["surplus"] < 0).all()
    for deficit_to, surplus_to in (("imports", "stock_build"), ("stock_drawdown", "exports")):
        closed = b.close(deficit_to=deficit_to, surplus_to=surplus_to)
        np.testing.assert_allclose(closed["resources"], closed["uses"], rtol=1e-12)
        np.testing.assert_allclose(closed["surplus"], 0.0, atol=1e-9 * closed["uses"].max())
        np.testing.assert_allclose(closed["balancing"], t["surplus"].abs())
    assert (b.table["surplus"] == t["surplus"]).all()  # the balance itself is untouched


def test_balance_of_the_docstring_by_hand() -> None:
    norms = pd.DataFrame({"good": ["coal", "electricity", "electricity"],
                          "consumer": ["electricity", "coal", "rolled_steel"], "norm": [0.0006, 20.0, 600.0]})
    output = pd.DataFrame({"unit": ["plant", "mine", "mill", "mill2"],
                           "indicator": ["electricity", "coal", "rolled_steel", "rolled_steel"],
                           "value": [1.0e9, 700_000.0, 1_000.0, 500.0]})
    items = pd.DataFrame({"final_uses": [50_000.0, 900e6], "exports": [100_000.0, 0.0]},
                         index=["coal", "electricity"])
    b = material_balance(norms, output, items)
    assert b.table.loc["coal", "productive_consumption"] == pytest.approx(600_000.0)
    assert b.table.loc["coal", "surplus"] == pytest.approx(700_000 - 600_000 - 50_000 - 100_000)
    assert b.table.loc["electricity", "productive_consumption"] == pytest.approx(14e6 + 900_000)
    assert b.deficits().index.tolist() == ["coal"]
    assert b.consumers("electricity")["consumer"].tolist() == ["coal", "rolled_steel"]
    assert b.top_units("electricity", 2).to_dict() == {"mine": pytest.approx(14e6), "mill": pytest.approx(600_000)}


def test_implications_of_overfulfilled_steel() -> None:
    norms = pd.DataFrame({"good": ["electricity", "coal", "coal"], "consumer": ["rolled_steel", "rolled_steel",
                                                                                 "electricity"],
                          "norm": [600.0, 0.7, 0.0006]})
    plan = pd.DataFrame({"unit": ["mill", "plant"], "indicator": ["rolled_steel", "electricity"],
                         "value": [100_000.0, 1e9]})
    fact = plan.assign(value=[112_000.0, 1e9])  # steel at 112 %, power on plan
    imp = implications(norms, plan, fact, goods=["electricity", "coal", "rolled_steel"])
    t = imp.table
    assert t.loc["electricity", "consumption_change"] == pytest.approx(12_000 * 600.0)
    assert t.loc["electricity", "left_for_others_change"] == pytest.approx(-7.2e6)
    assert t.loc["coal", "left_for_others_change"] == pytest.approx(-12_000 * 0.7)
    assert t.loc["rolled_steel", "production_change"] == pytest.approx(12_000)
    steel = imp.by_consumer[(imp.by_consumer["good"] == "electricity")]
    assert steel.iloc[0]["consumer"] == "rolled_steel" and steel.iloc[0]["change"] == pytest.approx(7.2e6)


def test_negative_norm_and_bad_output_are_refused() -> None:
    norms = pd.DataFrame({"good": ["coal"], "consumer": ["electricity"], "norm": [-0.1]})
    output = pd.DataFrame({"unit": ["p"], "indicator": ["electricity"], "value": [1.0]})
    with pytest.raises(InvalidValue, match="norm of coal per unit of electricity must be a non-negative"):
        material_balance(norms, output)
    with pytest.raises(InvalidValue, match="output of p in electricity is not a number"):
        material_balance(norms.assign(norm=0.1), output.assign(value="x"))
    with pytest.raises(InvalidValue, match="unknown balance items"):
        material_balance(norms.assign(norm=0.1), output, pd.DataFrame({"losses": [1.0]}, index=["coal"]))


def test_missing_norms_are_named() -> None:
    norms = pd.DataFrame({"good": ["coal"], "consumer": ["electricity"], "norm": [0.5]})
    required = pd.DataFrame({"good": ["coal", "coal"], "consumer": ["electricity", "cement"]})
    assert missing_norms(norms, required).to_dict("records") == [{"good": "coal", "consumer": "cement"}]


def test_norms_from_io_turn_value_coefficients_into_physical_ones() -> None:
    # Miller & Blair's two-sector table (section 2.3): A = [[.15, .25], [.20, .05]].
    Z = pd.DataFrame([[150.0, 500.0], [200.0, 100.0]], index=["agri", "manuf"], columns=["agri", "manuf"])
    x = pd.Series([1000.0, 2000.0], index=["agri", "manuf"])
    goods = pd.DataFrame({"indicator": ["grain"], "sector": ["agri"], "price": [2.0], "share": [0.5]})
    consumers = pd.DataFrame({"indicator": ["fabric", "grain"], "sector": ["manuf", "agri"], "price": [10.0, 2.0]})
    n = norms_from_io(Z, x, goods, consumers).set_index("consumer")["norm"]
    # grain per m2 of fabric: 0.25 won of agri per won of manuf, half of it grain, at 10 won/m2 and 2 won/t
    assert n["fabric"] == pytest.approx(0.25 * 0.5 * 10.0 / 2.0)
    assert n["grain"] == pytest.approx(0.15 * 0.5)
    with pytest.raises(InvalidValue, match="positive number"):
        norms_from_io(Z, x, goods.assign(price=0.0), consumers)
    with pytest.raises(InvalidValue, match="not in the input-output table"):
        norms_from_io(Z, x, goods.assign(sector="mining"), consumers)


def test_norms_from_reports_and_combining_sources() -> None:
    use = pd.DataFrame({"unit": ["a", "b", "c"], "value": [600.0, 1300.0, 99.0]})
    out = pd.DataFrame({"unit": ["a", "b", "c", "c"], "indicator": ["steel", "steel", "steel", "cement"],
                        "value": [1.0, 2.0, 5.0, 5.0]})
    rep = norms_from_reports("electricity", use, out)
    assert rep["norm"].tolist() == [pytest.approx(1900 / 3)]  # c makes two things and is left out
    entered = pd.DataFrame({"good": ["electricity"], "consumer": ["steel"], "norm": [550.0], "source": ["entered"]})
    both = combine_norms(entered, rep)
    assert both.loc[0, "norm"] == 550.0 and both.loc[0, "source"] == "entered"
