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


def test_targets_of_periods_read_period_by_period_match_the_full_read(loaded):
    rows = [
        ("AP2023", ind, unit, period, float(k))
        for k, (ind, unit, period) in enumerate(
            (i, u, p) for i in ("steel", "coal") for u in ("E2", "E1", "DPRK") for p in ("2023-Q2", "2023", "2023-03")
        )
    ] + [("FYP2021", "coal", "E2", "2023", 99.0), ("FYP2021", "coal", "E2", "2024", 98.0)]
    loaded.write_targets(_targets(rows), source="s", recorded_by="r")
    everything = loaded.targets()
    of_2023 = loaded.targets(periods=["2023", "2023-q2", "2023-03"])  # any spelling of a period
    expected = everything[everything["period"].isin(["2023", "2023-Q2", "2023-03"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(of_2023, expected)
    assert of_2023.columns.tolist() == TARGET_COLUMNS
    only = loaded.targets(plan="AP2023", indicators=["coal"], units=["E1", "E2"], periods=["2023"])
    assert only[["indicator", "unit", "value"]].values.tolist() == [["coal", "E1", 13.0], ["coal", "E2", 10.0]]
    assert loaded.targets(periods=["2022"]).empty


def test_literal_queries_quote_texts_and_refuse_other_values():
    from gosplan.store._fetch import _inline

    sql = "SELECT 1 FROM t WHERE a = :a AND b IN :b AND c = :c AND d::text = 'x'"
    assert _inline(sql, {"a": 3, "b": [1, 2], "c": "O'Hara"}) == (
        "SELECT 1 FROM t WHERE a = 3 AND b IN (1,2) AND c = 'O''Hara' AND d::text = 'x'"
    )
    with pytest.raises(TypeError):
        _inline("SELECT :x", {"x": 1.5})


def test_reads_without_the_arrow_driver_give_the_same_frames(loaded, monkeypatch):
    # PostgreSQL falls back to one CSV text per query when adbc-driver-postgresql is missing.
    from gosplan.store import _fetch

    from .economy import reports_frame

    loaded.write_targets(_targets([("AP2023", "steel", "E1", "2023", 1.5), ("AP2023", "coal", "E2", "2023-Q1", 0.1)]),
                         source="s", recorded_by="r")
    loaded.write_reports(reports_frame([("coal", "E2", "2023-01", 0.1 + 0.2), ("coal", "E2", "2023-03", 7.0)]),
                         source="s", recorded_by="r")
    with_driver = (loaded.targets(periods=["2023", "2023-Q1"]), loaded.report_totals("2023-01", "2023-06"))
    monkeypatch.setattr(_fetch, "_arrow_frames", lambda *args: None)
    without = (loaded.targets(periods=["2023", "2023-Q1"]), loaded.report_totals("2023-01", "2023-06"))
    for a, b in zip(with_driver, without, strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert without[1]["total"].tolist() == [0.1 + 0.2 + 7.0]  # floats survive the text round trip exactly
