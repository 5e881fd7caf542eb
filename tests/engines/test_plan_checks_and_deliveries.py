"""Tautness, five-year progress and project deliveries against reports, on hand-made economies."""

import pandas as pd
import pytest

from gosplan.engines.plan_checks import PROGRESS_COLUMNS, TAUTNESS_COLUMNS, five_year_progress, tautness
from gosplan.engines.project_reconciliation import FINDING_COLUMNS, monthly_deliveries, reconcile_deliveries
from gosplan.errors import ValidationError


def _history(unit, outputs, indicator="coal", first=2020):
    return pd.DataFrame({"indicator": indicator, "unit": unit, "year": range(first, first + len(outputs)),
                         "output": outputs})


def test_tautness_codes_against_history_capacity_and_weather():
    targets = pd.DataFrame({"indicator": ["coal", "coal", "coal", "coal", "grain", "energy"],
                            "unit": ["a", "b", "c", "d", "f", "e"],
                            "target": [110.0, 104.0, 90.0, 99.0, 105.0, 80.0]})
    history = pd.concat([_history("a", [95.0, 100.0, 100.0]),           # ceiling 100 x 1.0526 = 105.3
                         _history("b", [95.0, 100.0, 100.0]),           # 104: above the best, below the ceiling
                         _history("c", [95.0, 100.0, 98.0]),            # 90: below the worst year
                         _history("d", [95.0, 100.0, 98.0]),
                         _history("f", [100.0, 100.0, 100.0], "grain"),
                         _history("e", [100.0, 95.0, 90.0], "energy")], ignore_index=True)
    capacity = pd.DataFrame({"indicator": ["coal"], "unit": ["d"], "capacity_ratio": [1.05]})
    normal = pd.DataFrame({"indicator": ["grain"], "unit": ["f"], "normal_output": [102.0]})
    frame = tautness(targets, history, capacity, normal, direction={"energy": "lower"})
    assert list(frame.columns) == TAUTNESS_COLUMNS
    out = frame.set_index("unit")
    assert out["code"].to_dict() == {"a": "beyond history", "b": "taut", "c": "slack", "d": "beyond capacity",
                                     "f": "beyond normal weather", "e": "beyond history"}
    assert out.loc["a", "history_ceiling"] == pytest.approx(100 * 100 / 95)
    assert out.loc["a", "vs_ceiling"] == pytest.approx(110 / (100 * 100 / 95) - 1)
    # A ceiling on consumption: the record's best is its lowest year, improved by its best fall (-5.3 %).
    assert out.loc["e", "last_best"] == 90.0 and out.loc["e", "history_ceiling"] == pytest.approx(90 * 90 / 95)
    no_record = tautness(pd.DataFrame({"indicator": ["coal"], "unit": ["new"], "target": [5.0]}), history)
    assert no_record["code"].tolist() == ["no history"]


def test_tautness_against_the_efficiency_frontier():
    # b's target (104) is within its record's ceiling (105.3) but above what its units could make at
    # best practice (102): beyond the frontier; a's 101 is within both.
    targets = pd.DataFrame({"indicator": "coal", "unit": ["a", "b"], "target": [101.0, 104.0]})
    history = pd.concat([_history("a", [95.0, 100.0, 100.0]), _history("b", [95.0, 100.0, 100.0])])
    frontier = pd.DataFrame({"indicator": "coal", "unit": ["a", "b"], "frontier_output": [103.0, 102.0]})
    out = tautness(targets, history, frontier=frontier).set_index("unit")
    assert out["code"].to_dict() == {"a": "taut", "b": "beyond frontier"}
    assert out.loc["b", "vs_frontier"] == pytest.approx(104 / 102 - 1)
    assert tautness(targets, history)["vs_frontier"].isna().all()     # no frontier given: no comparison


def test_five_year_progress_and_the_growth_still_needed():
    levels = pd.DataFrame({"indicator": ["coal", "coal", "grain", "grain"], "year": [2021, 2022, 2021, 2022],
                           "output": [100.0, 110.0, 50.0, 48.0]})
    targets = pd.DataFrame({"indicator": ["coal", "grain"], "target": [130.0, 55.0]})
    expected = pd.DataFrame({"indicator": ["coal", "grain"], "expected": [120.0, 47.0]})
    frame = five_year_progress(levels, targets, 2021, 2025, 2023, expected)
    assert list(frame.columns) == PROGRESS_COLUMNS
    out = frame.set_index("indicator")
    assert out.loc["coal", "share_done"] == pytest.approx(20 / 30)
    assert out.loc["coal", "growth_achieved"] == pytest.approx((120 / 100) ** 0.5 - 1)
    assert out.loc["coal", "growth_needed"] == pytest.approx((130 / 120) ** 0.5 - 1)
    assert out.loc["coal", "code"] == "on course" and out.loc["grain", "code"] == "needs faster growth"
    assert out.loc["grain", "share_done"] < 0                     # it went backwards
    done = five_year_progress(levels, targets.assign(target=[100.0, 40.0]), 2021, 2025, 2022)
    assert set(done["code"]) == {"reached"} and not done["latest_is_expected"].any()


def test_deliveries_beyond_the_builders_reports_are_findings():
    projects = pd.DataFrame({"code": ["H1", "R1", "R2"], "unit": ["bld.a", "bld.b", "bld.b"]})
    progress = pd.DataFrame({"project": ["H1", "H1", "R1", "R1", "R2"],
                             "period": ["2023-03", "2023-04", "2023-05", "2023-06", "2023-06"],
                             "dwellings_completed": [0, 10_000, 200, 300, 50]})
    reports = pd.DataFrame({"unit": ["bld.a", "bld.a", "bld.b", "bld.b"],
                            "period": ["2023-03", "2023-04", "2023-05", "2023-06"],
                            "value": [419.0, 959.0, 210.0, 100.0]})
    delivered = monthly_deliveries(projects, progress)
    assert delivered[["unit", "period", "projects", "delivered"]].values.tolist() == [
        ["bld.a", "2023-04", "H1", 10_000.0], ["bld.b", "2023-05", "R1", 200.0], ["bld.b", "2023-06", "R1;R2", 150.0]]
    found = reconcile_deliveries(projects, progress, reports)
    assert list(found.columns) == FINDING_COLUMNS
    rows = found.set_index(["unit", "period"])
    assert rows.loc[("bld.a", "2023-04"), ["delivered", "reported", "difference"]].tolist() == [10_000, 959, 9_041]
    assert rows.loc[("bld.a", "2023-04"), "reported_year"] == 1_378.0
    assert rows.loc[("bld.b", "2023-06"), "delivered"] == 150 and ("bld.b", "2023-05") not in rows.index
    # A month the builder did not report at all.
    silent = reconcile_deliveries(projects, progress, reports[reports["period"] != "2023-04"])
    assert silent.set_index("period").loc["2023-04", "kind"] == "no report"
    # Records that agree give no finding; unknown projects are an error naming them.
    assert reconcile_deliveries(projects, progress, reports.assign(value=20_000.0)).empty
    with pytest.raises(ValidationError, match="X9"):
        monthly_deliveries(projects, progress.assign(project="X9"))
