"""Report revisions and the SQL aggregations, checked against pandas on the same rows."""

from __future__ import annotations

import shutil
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gosplan.errors import ValidationError
from gosplan.store import Store, WriteSummary

from .economy import INDICATORS, UNITS, reports_frame

FIRST_HALF = (
    [("steel", "E1", f"2023-{m:02d}", 100.0 + m) for m in range(1, 7)]
    + [("coal", "E2", f"2023-{m:02d}", 2000.0 * m) for m in range(1, 7)]
    + [("coal", "E3", "2022-12", 5.0), ("power", "E1", "2023-03", 1.5e6)]
)


def test_new_unchanged_and_revised_rows(loaded):
    frame = reports_frame(FIRST_HALF)
    assert loaded.write_reports(frame, source="jan-jun.csv", recorded_by="ana") == WriteSummary(new=14)
    before = loaded.dump()
    assert loaded.write_reports(frame, source="jan-jun.csv", recorded_by="ana") == WriteSummary(unchanged=14)
    assert loaded.dump() == before, "re-importing the same rows must not write anything"

    corrected = frame.copy()
    corrected.loc[(corrected["unit"] == "E1") & (corrected["period"] == "2023-03"), "value"] = 99.0
    corrected.loc[len(corrected)] = ["steel", "E1", "2023-07", 110.0]
    summary = loaded.write_reports(corrected, source="fix.csv", recorded_by="bo")
    assert summary == WriteSummary(new=1, updated=2, unchanged=12)  # steel and power of E1 in March


def test_history_keeps_every_revision_with_who_and_where(loaded):
    loaded.write_reports(
        reports_frame([("steel", "E1", "2023-03", 103.0)]), source="a.csv", recorded_by="ana"
    )
    loaded.write_reports(reports_frame([("steel", "E1", "2023-03", 99.0)]), source="b.csv", recorded_by="bo")
    loaded.write_reports(
        reports_frame([("steel", "E1", "2023-03", 101.0)]), source="c.xlsx", recorded_by="cy"
    )
    history = loaded.report_history(indicator="steel", unit="E1", period="2023-03")
    assert history["revision"].tolist() == [1, 2, 3]
    assert history["value"].tolist() == [103.0, 99.0, 101.0]
    assert history["source"].tolist() == ["a.csv", "b.csv", "c.xlsx"]
    assert history["recorded_by"].tolist() == ["ana", "bo", "cy"]
    assert history["current"].tolist() == [False, False, True]
    assert history["recorded_at"].is_monotonic_increasing
    current = loaded.reports(indicators=["steel"], units=["E1"])
    assert current[["period", "value", "revision"]].values.tolist() == [["2023-03", 101.0, 3]]


def test_relative_tolerance_decides_unchanged(loaded):
    loaded.write_reports(reports_frame([("power", "E1", "2023-01", 1.5e9)]), source="a", recorded_by="x")
    tiny = 1.5e9 * (1 + 1e-14)
    assert loaded.write_reports(
        reports_frame([("power", "E1", "2023-01", tiny)]), source="b", recorded_by="x"
    ) == WriteSummary(unchanged=1)
    assert loaded.write_reports(
        reports_frame([("power", "E1", "2023-01", 1.5e9 + 1)]), source="c", recorded_by="x"
    ) == WriteSummary(updated=1)


def test_recorded_at_from_the_frame_for_late_reports(loaded):
    frame = reports_frame([("steel", "E1", "2023-01", 1.0), ("steel", "E1", "2023-02", 2.0)])
    frame["recorded_at"] = [datetime(2023, 2, 3, 9, 30), pd.Timestamp("2023-03-20T12:00:00+09:00")]
    loaded.write_reports(frame, source="demo", recorded_by="demo")
    stamps = loaded.reports()["recorded_at"].tolist()
    assert stamps == [pd.Timestamp("2023-02-03 09:30"), pd.Timestamp("2023-03-20 03:00")]  # naive UTC


def test_reports_filters(loaded):
    loaded.write_reports(reports_frame(FIRST_HALF), source="s", recorded_by="r")
    assert set(loaded.reports(units=["E2"])["unit"]) == {"E2"}
    assert loaded.reports(indicators="coal", units="E3")["period"].tolist() == ["2022-12"]
    march_to_april = loaded.reports(first="2023-03", last="2023-04")
    assert sorted(set(march_to_april["period"])) == ["2023-03", "2023-04"]
    assert loaded.reports(first="2023-Q2", last="2023-Q2")["period"].min() == "2023-04"
    assert loaded.reports(units=["nowhere"]).empty
    assert list(loaded.reports(units=["nowhere"]).columns) == [
        "indicator",
        "unit",
        "period",
        "value",
        "revision",
        "recorded_at",
    ]


def _expected_totals(rows, first, last):
    frame = reports_frame(rows)
    frame = frame[(frame["period"] >= first) & (frame["period"] <= last)].sort_values("period")
    grouped = frame.groupby(["indicator", "unit"], sort=True)
    return pd.DataFrame(
        {
            "total": grouped["value"].sum(),
            "mean": grouped["value"].mean(),
            "maximum": grouped["value"].max(),
            "months": grouped["value"].size(),
            "last_period": grouped["period"].last(),
            "last_value": grouped["value"].last(),
        }
    )


def test_report_totals_match_pandas_and_use_current_values(loaded):
    loaded.write_reports(reports_frame(FIRST_HALF), source="s", recorded_by="r")
    loaded.write_reports(reports_frame([("steel", "E1", "2023-06", 50.0)]), source="fix", recorded_by="r")
    rows = [
        r if r[:3] != ("steel", "E1", "2023-06") else ("steel", "E1", "2023-06", 50.0) for r in FIRST_HALF
    ]
    totals = loaded.report_totals("2023-01", "2023-06")
    assert list(totals.columns) == [
        "indicator",
        "unit",
        "total",
        "mean",
        "maximum",
        "months",
        "last_period",
        "last_value",
    ]
    expected = _expected_totals(rows, "2023-01", "2023-06")
    got = totals.set_index(["indicator", "unit"]).sort_index()
    pd.testing.assert_frame_equal(got, expected.sort_index(), check_dtype=False, check_names=False)
    steel = got.loc[("steel", "E1")]
    assert steel["last_value"] == 50.0 and steel["maximum"] == 105.0 and steel["months"] == 6


def test_report_totals_filters_and_quarter_bounds(loaded):
    loaded.write_reports(reports_frame(FIRST_HALF), source="s", recorded_by="r")
    q2 = loaded.report_totals("2023-Q2", "2023-Q2", indicators=["coal"])
    assert q2[["unit", "total", "months", "last_period"]].values.tolist() == [
        ["E2", 2000.0 * 15, 3, "2023-06"]
    ]
    assert loaded.report_totals("2023-01", "2023-06", units=["nobody"]).empty


def test_report_month_sums_count_years(loaded):
    rows = [
        ("coal", "E2", f"{y}-{m:02d}", float(y - 2020) * m) for y in (2021, 2022, 2023) for m in range(1, 13)
    ]
    rows = [r for r in rows if r[2] != "2022-02"]  # one missing month
    loaded.write_reports(reports_frame(rows), source="s", recorded_by="r")
    sums = loaded.report_month_sums("2021-01", "2023-12", indicators=["coal"])
    assert list(sums.columns) == ["indicator", "unit", "month", "total", "years"]
    assert sums["month"].tolist() == list(range(1, 13))
    february = sums[sums["month"] == 2].iloc[0]
    assert february["total"] == 1 * 2 + 3 * 2 and february["years"] == 2
    assert sums[sums["month"] == 12]["total"].iloc[0] == (1 + 2 + 3) * 12


def test_invalid_rows_are_rejected_and_nothing_is_written(loaded):
    before = loaded.dump()
    bad = reports_frame(
        [
            ("steel", "E1", "2023-01", 1.0),
            ("iron", "E1", "2023-01", 1.0),
            ("steel", "E7", "2023-02", 1.0),
            ("steel", "E1", "2023-13", 1.0),
            ("steel", "E1", "2023-01", 2.0),
            ("steel", "E1", "2023-04", float("nan")),
        ]
    )
    with pytest.raises(ValidationError) as info:
        loaded.write_reports(bad, source="bad.csv", recorded_by="x")
    reasons = {(p.row, p.column): p.reason for p in info.value.problems}
    assert reasons[(3, "indicator")] == "unknown indicator 'iron'"
    assert reasons[(4, "unit")] == "unknown unit 'E7'"
    assert (5, "period") in reasons and (7, "value") in reasons
    assert reasons[(6, None)].startswith("duplicate")
    assert loaded.dump() == before


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.lists(
            st.tuples(
                st.sampled_from(["steel", "coal"]),
                st.sampled_from(["E1", "E2", "E3"]),
                st.integers(0, 5),
                st.sampled_from([0.0, 1.0, 2.5, 1e9]),
            ),
            min_size=1,
            max_size=12,
            unique_by=lambda r: r[:3],
        ),
        min_size=1,
        max_size=4,
    )
)
def test_property_current_value_is_the_last_written_and_revisions_count_changes(
    tmp_path_factory, migrated_sqlite_template, batches
):
    path = tmp_path_factory.mktemp("prop") / "p.db"
    shutil.copyfile(migrated_sqlite_template, path)
    store = Store.open(f"sqlite:///{path}")
    store.write_units(UNITS)
    store.write_indicators(INDICATORS)
    last: dict[tuple, float] = {}
    changes: dict[tuple, int] = {}
    for batch in batches:
        rows = [(i, u, f"2023-{m + 1:02d}", v) for i, u, m, v in batch]
        store.write_reports(reports_frame(rows), source="p", recorded_by="h")
        for i, u, period, v in rows:
            if last.get((i, u, period)) != v:
                changes[(i, u, period)] = changes.get((i, u, period), 0) + 1
            last[(i, u, period)] = v
        # Reads between writes: the month table must follow every batch, corrections included.
        running = store.report_totals("2023-01", "2023-12").set_index(["indicator", "unit"])["total"]
        expected_now = pd.Series(last).groupby(level=[0, 1]).sum()
        assert np.allclose(running.sort_index().to_numpy(), expected_now.sort_index().to_numpy())
    current = store.reports()
    got = {(r.indicator, r.unit, r.period): (r.value, r.revision) for r in current.itertuples()}
    assert got == {k: (v, changes[k]) for k, v in last.items()}
    totals = store.report_totals("2023-01", "2023-12").set_index(["indicator", "unit"])["total"]
    expected = pd.Series(last).groupby(level=[0, 1]).sum()
    assert np.allclose(totals.sort_index().to_numpy(), expected.sort_index().to_numpy())
    store.close()


@pytest.mark.parametrize("cell_limit", [0, 1_000_000], ids=["month-pairs", "cells"])
def test_windows_across_a_year_end_follow_corrections(loaded, monkeypatch, cell_limit):
    # Big writes record (month, indicator) pairs, small ones single cells: both must stay exact.
    monkeypatch.setattr("gosplan.store._report_months.CELL_LIMIT", cell_limit)
    rows = [("coal", "E2", p, v) for p, v in [("2022-11", 1.0), ("2022-12", 2.0), ("2023-01", 4.0), ("2023-02", 8.0)]]
    rows += [("coal", "E3", "2022-12", 16.0), ("steel", "E1", "2023-02", 32.0)]
    loaded.write_reports(reports_frame(rows), source="s", recorded_by="r")
    first = loaded.report_totals("2022-11", "2023-02").set_index(["indicator", "unit"])
    assert first.loc[("coal", "E2"), ["total", "months", "last_period", "last_value", "maximum"]].tolist() == [
        15.0, 4, "2023-02", 8.0, 8.0]
    assert first.loc[("coal", "E3"), ["total", "months", "last_period"]].tolist() == [16.0, 1, "2022-12"]
    loaded.write_reports(reports_frame([("coal", "E2", "2022-12", 64.0), ("coal", "E3", "2023-01", 3.0)]),
                         source="fix", recorded_by="r")
    again = loaded.report_totals("2022-11", "2023-02").set_index(["indicator", "unit"])
    assert again.loc[("coal", "E2"), ["total", "maximum"]].tolist() == [77.0, 64.0]
    assert again.loc[("coal", "E3"), ["total", "months", "last_period", "last_value"]].tolist() == [
        19.0, 2, "2023-01", 3.0]
    assert loaded.report_totals("2023-03", "2023-12").empty
    sums = loaded.report_month_sums("2022-07", "2023-06", indicators=["coal"]).set_index(["unit", "month"])
    assert sums.loc[("E2", 12), ["total", "years"]].tolist() == [64.0, 1]
    assert sums.loc[("E3", 1), "total"] == 3.0 and len(sums) == 6


def test_the_month_table_is_derived_and_not_part_of_the_dump(loaded):
    loaded.write_reports(reports_frame(FIRST_HALF), source="s", recorded_by="r")
    before = loaded.dump()
    loaded.report_totals("2023-01", "2023-06")  # refreshes report_months
    assert loaded.dump() == before
    assert "report_months" not in before and "report_months_pending" not in before


def test_readers_refreshing_the_month_table_and_a_writer_do_not_lock_each_other_out(
    tmp_path, migrated_sqlite_template
):
    # Reads write too (they copy pending reports into report_months): on SQLite every writing
    # transaction must take the lock first, or a reader's copy makes the writer fail at once.
    import threading

    path = tmp_path / "busy.db"
    shutil.copyfile(migrated_sqlite_template, path)
    stores = [Store.open(f"sqlite:///{path}") for _ in range(4)]
    stores[0].write_units(UNITS)
    stores[0].write_indicators(INDICATORS)
    errors: list[str] = []

    def read(store: Store) -> None:
        for _ in range(25):
            try:
                store.report_totals("2023-01", "2023-12")
            except Exception as error:
                errors.append(repr(error))

    def write(store: Store) -> None:
        for k in range(25):
            try:
                store.write_reports(reports_frame([("steel", "E1", f"2023-{k % 12 + 1:02d}", float(k))]),
                                    source="w", recorded_by="w")
            except Exception as error:
                errors.append(repr(error))

    threads = [threading.Thread(target=read, args=(s,)) for s in stores[1:]]
    threads.append(threading.Thread(target=write, args=(stores[0],)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    totals = stores[1].report_totals("2023-01", "2023-12")
    assert totals["total"].tolist() == [sum(range(13, 25))]  # the last value written for each month
    for store in stores:
        store.close()
