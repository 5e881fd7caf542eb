"""Targets: upsert by key, history with the previous value, filters, canonical periods."""

from __future__ import annotations

import pandas as pd
import pytest

from gosplan.errors import ValidationError
from gosplan.model import TARGET_COLUMNS
from gosplan.store import WriteSummary


def _targets(rows):
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def test_targets_upsert_and_history(loaded):
    first = _targets(
        [
            ("AP2023", "steel", "E1", "2023", 1200.0),
            ("AP2023", "steel", "E1", "2023-h1", 600.0),
            ("AP2023", "coal", "E2", "2023-q1", 5000.0),
            ("FYP2021", "steel", "DPRK", "2025", 1e6),
        ]
    )
    assert loaded.write_targets(first, source="plan.xlsx", recorded_by="gosplan") == WriteSummary(new=4)
    assert loaded.write_targets(first, source="plan.xlsx", recorded_by="gosplan") == WriteSummary(unchanged=4)
    revised = first.copy()
    revised.loc[0, "value"] = 1300.0
    assert loaded.write_targets(revised, source="amendment-1", recorded_by="council") == WriteSummary(
        updated=1, unchanged=3
    )
    stored = loaded.targets(plan="AP2023")
    assert list(stored.columns) == TARGET_COLUMNS
    assert sorted(stored["period"]) == ["2023", "2023-H1", "2023-Q1"]
    assert stored.set_index(["indicator", "unit", "period"]).loc[("steel", "E1", "2023"), "value"] == 1300.0
    history = loaded.target_history(plan="AP2023", indicator="steel", unit="E1", period="2023")
    assert history["value"].tolist() == [1200.0, 1300.0]
    assert history["previous_value"].isna().tolist() == [True, False]
    assert history["previous_value"].iloc[1] == 1200.0
    assert history["source"].tolist() == ["plan.xlsx", "amendment-1"]
    assert history["recorded_by"].tolist() == ["gosplan", "council"]


def test_targets_filters(loaded):
    loaded.write_targets(
        _targets(
            [
                ("AP2023", "steel", "E1", "2023", 1.0),
                ("AP2023", "coal", "E2", "2023", 2.0),
                ("FYP2021", "coal", "E2", "2025", 3.0),
            ]
        ),
        source="s",
        recorded_by="r",
    )
    assert len(loaded.targets()) == 3
    assert sorted(loaded.targets(indicators=["coal"])["value"]) == [2.0, 3.0]
    assert loaded.targets(plan="AP2023", units="E2")["value"].tolist() == [2.0]
    assert loaded.targets(periods=["2025"])["plan"].tolist() == ["FYP2021"]
    assert loaded.targets(plan="nonexistent").empty


def test_bad_targets_write_nothing(loaded):
    before = loaded.dump()
    bad = _targets(
        [
            ("AP2099", "steel", "E1", "2023", 1.0),
            ("AP2023", "steel", "E1", "2023-Q5", 1.0),
            ("AP2023", "steel", "E1", "2023", float("inf")),
        ]
    )
    with pytest.raises(ValidationError) as info:
        loaded.write_targets(bad, source="t.csv", recorded_by="r")
    cells = {(p.row, p.column) for p in info.value.problems}
    assert cells == {(2, "plan"), (3, "period"), (4, "value")}
    assert loaded.dump() == before
