"""The fact table on hand-made economies: each defect of the old figures, and a property test over
small random economies that recomputes every figure from the raw reports."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gosplan.engines.facts import TOO_FEW, UNWEIGHTED, WEIGHTED, facts, index_weights, shown_digits, weighted_index
from gosplan.engines.fulfilment import FulfilmentInputs, Thresholds
from gosplan.engines.sector_facts import sector_facts

INDICATORS = pd.DataFrame({
    "code": ["coal", "cement", "irrigation"], "name": ["Coal", "Cement", "Irrigation"], "unit": ["t", "t", "hectare"],
    "aggregation": "sum", "time_aggregation": "sum", "direction": "higher",
    "sector": ["coal", "cement", "irrigation"], "key": True, "role": "output"})
SECTORS = pd.DataFrame({"code": ["economy", "coal", "cement", "irrigation"], "name": ["Economy", "Coal", "Cement",
                        "Irrigation"], "parent": [None, "economy", "economy", "economy"]})


def _units(n: int, sector: str = "coal") -> pd.DataFrame:
    codes = [f"E{i}" for i in range(1, n + 1)]
    return pd.DataFrame({"code": ["KP", *codes], "name": ["Country", *codes],
                         "kind": ["country"] + ["enterprise"] * n, "parent": [None] + ["KP"] * n,
                         "sector": [None] + [sector] * n})


def _totals(rows: list[tuple[str, str, float, int]]) -> pd.DataFrame:
    """Report totals (indicator, unit, total, months) as the store gives them."""
    frame = pd.DataFrame(rows, columns=["indicator", "unit", "total", "months"])
    mean = frame["total"] / frame["months"].clip(lower=1)
    return frame.assign(mean=mean, maximum=mean, last_value=mean)[
        ["indicator", "unit", "total", "mean", "maximum", "months", "last_value"]]


def _targets(values: dict[tuple[str, str], float], period: str = "2023") -> pd.DataFrame:
    return pd.DataFrame([{"indicator": i, "unit": u, "period": period, "value": v} for (i, u), v in values.items()])


def test_change_on_last_year_is_like_for_like():
    # E2 missed a month this year: the old figure set this year's E1 against last year's E1 + E2.
    inputs = FulfilmentInputs(_units(2), INDICATORS, _targets({("coal", "E1"): 120.0, ("coal", "E2"): 120.0}),
                              _totals([("coal", "E1", 66.0, 6), ("coal", "E2", 50.0, 5)]),
                              _totals([("coal", "E1", 60.0, 6), ("coal", "E2", 55.0, 6)]))
    kp = facts(inputs, "2023-06").set_index("unit").loc["KP"]
    assert kp["change"] == pytest.approx(66.0 / 60.0 - 1)  # E1 against E1, not 66 / 115
    assert kp["comparable_units"] == 1 and kp["change_note"] == ""
    assert kp["previous_lfl"] == 60.0 and kp["actual_lfl"] == 66.0


def test_one_early_report_is_too_few_comparable_units():
    # One mine of sixteen sent July: "vs last year" must not set it against the nation (-87.5 %).
    n = 16
    units = _units(n)
    targets = _targets({("coal", f"E{i}"): 120.0 for i in range(1, n + 1)})
    now = _totals([("coal", "E1", 75.0, 7)] + [("coal", f"E{i}", 60.0, 6) for i in range(2, n + 1)])
    before = _totals([("coal", f"E{i}", 70.0, 7) for i in range(1, n + 1)])
    kp = facts(FulfilmentInputs(units, INDICATORS, targets, now, before), "2023-07").set_index("unit").loc["KP"]
    assert np.isnan(kp["change"]) and kp["change_note"] == TOO_FEW
    assert kp["comparable_units"] == 1 and kp["comparable_share"] == pytest.approx(1 / 16)
    assert kp["produced"] == pytest.approx(75.0 + 15 * 60.0)  # every report counts in produced
    assert kp["units_missing"] == 15 and kp["months_missing"] == 15


def test_rest_of_year_keeps_one_population():
    # E2 missed a month; its target stays in the annual target, so its output must stay in what is done.
    inputs = FulfilmentInputs(_units(2), INDICATORS, _targets({("coal", "E1"): 120.0, ("coal", "E2"): 120.0}),
                              _totals([("coal", "E1", 60.0, 6), ("coal", "E2", 50.0, 5)]))
    kp = facts(inputs, "2023-06").set_index("unit").loc["KP"]
    assert kp["rest_needed"] == pytest.approx(240.0 - 110.0)
    assert kp["required_rate"] == pytest.approx((240.0 - 110.0) / 6)  # not (240 - 60) / 6
    assert kp["annual_done"] == pytest.approx(110.0 / 240.0)
    assert kp["rest_path"] == pytest.approx(120.0) and kp["rest_vs_path"] == pytest.approx(130.0 / 120.0 - 1)
    assert kp["missing_units"] == "E2"


def test_rest_of_year_follows_the_seasonal_path():
    # A harvest in the autumn: half-year target 20, year 120; the rest of the year expects 100, not 6 x 20.
    targets = pd.concat([_targets({("coal", "E1"): 120.0}), _targets({("coal", "E1"): 20.0}, "2023-H1")])
    months = pd.DataFrame({"indicator": "coal", "unit": "E1", "month": range(1, 13),
                           "total": [1, 1, 1, 2, 3, 4, 5, 10, 30, 30, 10, 3]})
    inputs = FulfilmentInputs(_units(1), INDICATORS, targets, _totals([("coal", "E1", 21.0, 6)]), month_sums=months)
    row = facts(inputs, "2023-06").set_index("unit").loc["E1"]
    assert row["rest_path"] == pytest.approx(100.0) and row["rest_needed"] == pytest.approx(99.0)
    assert row["rest_vs_path"] == pytest.approx(-0.01) and bool(row["seasonal"])


def test_shown_percentage_never_contradicts_the_status():
    # 94.7 % lagging and 95.2 % at risk both print as "95 %" with no decimal.
    t = Thresholds()
    ratios = np.array([0.947, 0.952, 0.9899, 0.99, 1.0496, 1.2])
    digits = shown_digits(ratios, None, t)
    assert digits.tolist() == [1, 0, 2, 0, 2, 0]
    shown = np.array([float(f"{r * 100:.{d}f}") / 100 for r, d in zip(ratios, digits, strict=True)])  # as printed
    assert (t.classify(shown) == t.classify(ratios)).all()


def test_weighted_index_uses_plan_prices_and_says_so():
    # Cement is worth far more than irrigation: irrigation's +34 % must not move the index by points.
    units = _units(1).assign(sector=None)
    targets = _targets({("coal", "E1"): 1200.0, ("cement", "E1"): 600.0, ("irrigation", "E1"): 12.0})
    now = _totals([("coal", "E1", 600.0, 6), ("cement", "E1", 300.0, 6), ("irrigation", "E1", 8.0, 6)])
    before = _totals([("coal", "E1", 600.0, 6), ("cement", "E1", 300.0, 6), ("irrigation", "E1", 6.0, 6)])
    io = pd.DataFrame({"indicator": ["coal", "cement", "irrigation"], "io_sector": ["mining", "cement", "land"],
                       "gross_output": [1200.0, 1200.0, 1.2]})
    table = facts(FulfilmentInputs(units, INDICATORS, targets, now, before, io_output=io), "2023-06")
    kp = table[table["unit"].eq("KP")]
    assert kp.set_index("indicator")["price"].to_dict() == pytest.approx(
        {"coal": 1e6, "cement": 2e6, "irrigation": 1e5})  # won per t / ha: output (million won) / annual target
    index = weighted_index(kp).iloc[0]
    assert index["method"] == WEIGHTED
    assert index["fulfilment"] == pytest.approx((600e9 + 600e9 + 0.8e9) / (600e9 + 600e9 + 0.6e9))
    assert index["change"] == pytest.approx(0.2e9 / 1200.6e9)
    unweighted = kp["fulfilment"].mean()
    assert unweighted - 1 > 0.1 and index["fulfilment"] - 1 < 0.001
    weights = index_weights(kp, "KP")
    assert weights["share"].sum() == pytest.approx(1.0) and weights["indicator"].iloc[-1] == "irrigation"


def test_index_without_prices_is_labelled_unweighted():
    targets = _targets({("coal", "E1"): 120.0, ("cement", "E1"): 120.0})
    now = _totals([("coal", "E1", 66.0, 6), ("cement", "E1", 54.0, 6)])
    table = facts(FulfilmentInputs(_units(1), INDICATORS, targets, now), "2023-06")
    index = weighted_index(table[table["unit"].eq("KP")]).iloc[0]
    assert index["method"] == UNWEIGHTED and index["fulfilment"] == pytest.approx(1.0)
    assert index["unpriced"] == "cement;coal" or set(index["unpriced"].split(";")) == {"coal", "cement"}


# -- property test over small random economies ------------------------------------------------------

@st.composite
def economies(draw):
    n_prov = draw(st.integers(1, 3))
    leaves = []
    parents = {"KP": None}
    for p in range(n_prov):
        parents[f"P{p}"] = "KP"
        for e in range(draw(st.integers(1, 4))):
            parents[f"P{p}E{e}"] = f"P{p}"
            leaves.append(f"P{p}E{e}")
    month = draw(st.integers(1, 12))
    rows = {}
    for year in (2022, 2023):
        for unit in leaves:
            for ind in ("coal", "cement"):
                for m in range(1, (12 if year == 2022 else month) + 1):
                    if draw(st.floats(0, 1)) < 0.85:
                        rows[(ind, unit, year, m)] = draw(st.floats(1.0, 100.0))
    targets = {(ind, unit): draw(st.floats(100.0, 1500.0)) for unit in leaves for ind in ("coal", "cement")
               if draw(st.booleans()) or unit == leaves[0]}
    return parents, leaves, month, rows, targets


def _window_totals(rows, year: int, month: int) -> pd.DataFrame:
    sums: dict[tuple[str, str], list[float]] = {}
    for (ind, unit, y, m), value in rows.items():
        if y == year and m <= month:
            sums.setdefault((ind, unit), []).append(value)
    return _totals([(i, u, float(sum(v)), len(v)) for (i, u), v in sums.items()])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(economies())
def test_every_figure_recomputed_from_the_reports(economy):
    parents, leaves, month, rows, targets = economy
    units = pd.DataFrame({"code": list(parents), "name": list(parents), "kind": "unit",
                          "parent": list(parents.values()), "sector": None})
    inputs = FulfilmentInputs(units, INDICATORS, _targets(targets), _window_totals(rows, 2023, month),
                              _window_totals(rows, 2022, month))
    period = f"2023-{month:02d}"
    table = facts(inputs, period).set_index(["unit", "indicator"])
    sectors = sector_facts(table.reset_index(), INDICATORS, SECTORS).set_index(["unit", "sector"])

    def leaf_sum(ind, under, year, complete_in=(), only=None):
        total, n = 0.0, 0
        for unit in leaves:
            if (under != "KP" and parents[unit] != under) or (only is not None and unit not in only):
                continue
            values = [rows.get((ind, unit, year, m)) for m in range(1, month + 1)]
            if any(all(rows.get((ind, unit, y, m)) is not None for m in range(1, month + 1)) is False
                   for y in complete_in):
                continue
            total += sum(v for v in values if v is not None)
            n += 1
        return total, n

    for ind in ("coal", "cement"):
        for under in ["KP", *[u for u in parents if parents[u] == "KP"]]:
            if (under, ind) not in table.index:
                continue
            row = table.loc[(under, ind)]
            produced, _ = leaf_sum(ind, under, 2023)
            sent = any(k[0] == ind and k[2] == 2023 and k[3] <= month and (under == "KP" or parents[k[1]] == under)
                       for k in rows)
            assert row["produced"] == pytest.approx(produced if sent else np.nan, nan_ok=True)  # none: not zero
            now, comparable = leaf_sum(ind, under, 2023, complete_in=(2022, 2023))
            before, _ = leaf_sum(ind, under, 2022, complete_in=(2022, 2023))
            assert row["comparable_units"] == comparable
            if row["change_note"] == "":
                assert row["change"] == pytest.approx(now / before - 1)
            else:
                assert np.isnan(row["change"])
            planned = {u for (i, u) in targets if i == ind}
            done, _ = leaf_sum(ind, under, 2023, only=planned)
            if not any(k[0] == ind and k[1] in planned and k[2] == 2023 and k[3] <= month
                       and (under == "KP" or parents[k[1]] == under) for k in rows):
                done = np.nan  # the units with a target reported nothing: nothing is done, nothing known
            if not np.isnan(row["annual_target"]):
                assert row["annual_target"] == pytest.approx(sum(v for (i, u), v in targets.items() if i == ind
                                                                 and (under == "KP" or parents[u] == under)))
                assert row["rest_needed"] == pytest.approx(row["annual_target"] - done, nan_ok=True)
                assert row["annual_done"] == pytest.approx(done / row["annual_target"], nan_ok=True)
                gaps = sorted(u for u in planned if (under == "KP" or parents[u] == under)
                              and any((ind, u, 2023, m) not in rows for m in range(1, month + 1)))
                assert row["missing_units"] == ";".join(gaps) and row["units_missing"] == len(gaps)
                assert row["months_missing"] == sum(
                    sum((ind, u, 2023, m) not in rows for m in range(1, month + 1)) for u in gaps)
            if not np.isnan(row["fulfilment"]):
                assert row["fulfilment"] == pytest.approx(row["actual_basis"] / row["target_basis"])
            # The single-indicator sector row repeats the indicator's figures.
            sector = sectors.loc[(under, ind)]
            for column in ("produced", "change", "fulfilment"):
                assert sector[column] == pytest.approx(row[column], nan_ok=True)
            assert sector["status"] == row["status"] and sector["change_note"] == row["change_note"]
