"""The completeness engine on hand-made masks: DHIS2's definitions of reporting rate and reporting rate
on time (actual reports / expected reports x 100, and actual reports on time / expected reports x 100,
DHIS2 user manual, "Reporting rate summary"), roll-ups, and what does not count."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from gosplan.engines.completeness import (
    by_indicator,
    completeness,
    deadlines,
    expected_from_assignments,
    expected_from_targets,
    popcount,
    window_mask,
)
from gosplan.engines.hierarchy import Hierarchy

H = Hierarchy(pd.DataFrame({"code": ["KP", "P1", "P2", "E1", "E2", "E3"],
                            "parent": [None, "KP", "KP", "P1", "P2", "P2"]}))


def test_rates_follow_dhis2_definitions_and_roll_up():
    # Six months owed of two indicators by E1, of one by E2 and E3.
    expected = pd.DataFrame({"unit": ["E1", "E1", "E2", "E3"], "indicator": ["coal", "steel", "coal", "coal"],
                             "expected": [0b111111] * 4})
    arrived = pd.DataFrame({"unit": ["E1", "E1", "E2"], "indicator": ["coal", "steel", "coal"],
                            "received": [0b111111, 0b000111, 0b110000], "on_time": [0b011111, 0b000111, 0]})
    result = completeness(expected, arrived, H)
    units = result.units.set_index("unit")
    assert units.loc["E1", ["expected", "received", "on_time"]].tolist() == [12, 9, 8]
    assert units.loc["P2", ["expected", "received", "on_time"]].tolist() == [12, 2, 0]
    assert units.loc["KP", ["expected", "received", "on_time", "missing", "late"]].tolist() == [24, 11, 8, 13, 3]
    assert units.loc["KP", "reporting_rate"] == pytest.approx(100 * 11 / 24)
    assert units.loc["KP", "on_time_rate"] == pytest.approx(100 * 8 / 24)
    assert units.loc["KP", "units_expected"] == 3 and units.loc["KP", "units_silent"] == 1
    assert result.silent["unit"].tolist() == ["E3"]


def test_unexpected_reports_change_no_rate_and_a_late_month_is_received_not_on_time():
    expected = pd.DataFrame({"unit": ["E1"], "indicator": ["coal"], "expected": [0b0011]})
    arrived = pd.DataFrame({"unit": ["E1", "E1"], "indicator": ["coal", "power"],
                            "received": [0b1111, 0b0001], "on_time": [0b1101, 0b0001]})
    result = completeness(expected, arrived, H)
    e1 = result.units.set_index("unit").loc["E1"]
    assert (e1["expected"], e1["received"], e1["on_time"], e1["unexpected"]) == (2, 2, 1, 3)
    assert e1["reporting_rate"] == 100.0 and e1["on_time_rate"] == 50.0
    assert result.silent.empty


def test_nothing_expected_gives_no_rate_rather_than_zero():
    arrived = pd.DataFrame({"unit": ["E1"], "indicator": ["coal"], "received": [1], "on_time": [1]})
    empty = pd.DataFrame({"unit": [], "indicator": [], "expected": np.array([], dtype=np.int64)})
    units = completeness(empty, arrived, H).units.set_index("unit")
    assert units.loc["E1", "expected"] == 0 and np.isnan(units.loc["E1", "reporting_rate"])


def test_assignments_give_months_within_the_window_and_overlapping_sets_owe_once():
    first, last = 2023 * 12, 2023 * 12 + 5  # 2023-01..2023-06
    assignments = pd.DataFrame({"set": ["A", "B", "A"], "unit": ["E1", "E1", "E2"],
                                "first_month": [np.nan, 2023 * 12 + 3, np.nan],
                                "last_month": [np.nan, np.nan, 2023 * 12 + 1]})
    members = pd.DataFrame({"set": ["A", "A", "B"], "indicator": ["coal", "steel", "coal"]})
    out = expected_from_assignments(assignments, members, first, last).set_index(["unit", "indicator"])
    assert out.loc[("E1", "coal"), "expected"] == 0b111111
    assert out.loc[("E1", "steel"), "expected"] == 0b111111
    assert out.loc[("E2", "coal"), "expected"] == 0b000011


def test_targets_make_every_month_of_their_year_owed():
    targets = pd.DataFrame({"unit": ["E1", "E1", "E2"], "indicator": ["coal", "coal", "steel"],
                            "year": [2022, 2023, 2024]})
    out = expected_from_targets(targets, 2022 * 12 + 10, 2023 * 12 + 1).set_index(["unit", "indicator"])
    assert out.loc[("E1", "coal"), "expected"] == 0b1111  # 2022-11, 2022-12, 2023-01, 2023-02
    assert ("E2", "steel") not in out.index


def test_deadlines_masks_and_popcount():
    assert deadlines(2023 * 12 + 11, 2023 * 12 + 11, 10) == {2023 * 12 + 11: datetime(2024, 1, 11)}
    assert window_mask(10, 20, 25, None) == 0
    assert popcount(np.array([2**62 - 1])).tolist() == [62]


def test_by_indicator_counts_silent_units_per_indicator():
    expected = pd.DataFrame({"unit": ["E2", "E3"], "indicator": ["coal", "coal"], "expected": [0b11, 0b11]})
    arrived = pd.DataFrame({"unit": ["E2"], "indicator": ["coal"], "received": [0b01], "on_time": [0b01]})
    table = by_indicator(completeness(expected, arrived, H).cells, H, "P2").set_index("indicator")
    assert table.loc["coal", ["expected", "received", "units_expected", "units_silent"]].tolist() == [4, 1, 2, 1]
    assert table.loc["coal", "reporting_rate"] == 25.0
