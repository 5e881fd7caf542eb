"""Completeness over a store on SQLite and PostgreSQL: arrivals by deadline, indicator sets and their
assignments, the fallback on targets, and bad input that leaves the store unchanged."""

from __future__ import annotations

import pandas as pd
import pytest

from gosplan.errors import InvalidValue, NotFound, ValidationError
from gosplan.service.completeness import (
    assign_set,
    completeness,
    deadline_days,
    define_set,
    set_deadline_days,
)


def _reports(service, rows):
    frame = pd.DataFrame(rows, columns=["indicator", "unit", "period", "value", "recorded_at"])
    service.store.write_reports(frame, source="test", recorded_by="test")


def test_sets_arrivals_and_deadline(service):
    define_set(service, "monthly", "Monthly output", ["coal", "steel"])
    assert assign_set(service, "monthly", "DPRK", kind="enterprise") == 3
    _reports(service, [
        ("coal", "E2", "2023-01", 10.0, "2023-02-05 10:00"),   # on time
        ("coal", "E2", "2023-02", 11.0, "2023-03-20 10:00"),   # 20 days after the month's end: late
        ("steel", "E1", "2023-01", 5.0, "2023-02-15 23:59"),   # the last minute of the 15th day
        ("steel", "E1", "2023-02", 6.0, "2023-03-16 00:01"),   # one minute late
        ("power", "E1", "2023-01", 1.0, "2023-02-01 00:00"),   # not owed: changes no rate
    ])
    view = completeness(service, "2023-Q1", as_of="2023-02")
    assert view.basis == "indicator sets" and view.deadline_days == 15 and view.period == "2023-01..2023-02"
    s = view.summary
    assert (s["expected"], s["received"], s["on_time"], s["unexpected"]) == (12, 4, 2, 1)
    assert s["reporting_rate"] == pytest.approx(100 * 4 / 12)
    assert view.silent["unit"].tolist() == ["E3"]
    by_unit = completeness(service, "2023-Q1", as_of="2023-02", by="unit").table.set_index("unit")
    assert by_unit.loc["PY", ["expected", "received", "on_time"]].tolist() == [4, 2, 1]
    set_deadline_days(service, 30)
    assert deadline_days(service) == 30
    assert completeness(service, "2023-Q1", as_of="2023-02").summary["on_time"] == 4


def test_a_correction_keeps_the_first_arrival(service):
    define_set(service, "c", "Coal", ["coal"])
    assign_set(service, "c", "E2")
    _reports(service, [("coal", "E2", "2023-01", 10.0, "2023-02-05 10:00")])
    _reports(service, [("coal", "E2", "2023-01", 12.0, "2023-04-01 10:00")])  # a late correction
    s = completeness(service, "2023-01").summary
    assert (s["expected"], s["received"], s["on_time"]) == (1, 1, 1)


def test_without_sets_targets_say_what_is_owed(service):
    targets = pd.DataFrame({"plan": ["AP2023"] * 2, "indicator": ["coal", "steel"], "unit": ["E2", "E1"],
                            "period": ["2023", "2023-Q1"], "value": [100.0, 50.0]})
    service.store.write_targets(targets, source="t", recorded_by="t")
    _reports(service, [("coal", "E2", "2023-01", 10.0, "2023-02-01 00:00")])
    view = completeness(service, "2023-H1", as_of="2023-03", by="level")
    assert view.basis == "targets"
    assert (view.summary["expected"], view.summary["received"]) == (6, 1)
    assert view.table[["kind", "units", "expected"]].values.tolist() == [["enterprise", 2, 6]]


def test_bad_input_is_refused_and_leaves_the_store_unchanged(service):
    define_set(service, "monthly", "Monthly", ["coal"])
    before = service.store.dump()
    with pytest.raises(ValidationError, match="unknown indicator 'nickel'"):
        define_set(service, "other", "Other", ["coal", "nickel"])
    with pytest.raises(NotFound, match="unknown unit 'XX'"):
        assign_set(service, "monthly", "XX")
    with pytest.raises(NotFound, match="no indicator set 'nope'"):
        assign_set(service, "nope", "E1")
    with pytest.raises(InvalidValue, match="ends"):
        assign_set(service, "monthly", "E1", first="2023-05", last="2023-02")
    with pytest.raises(InvalidValue):
        set_deadline_days(service, -1)
    assert service.store.dump() == before


def test_unknown_unit_and_by(service):
    with pytest.raises(NotFound):
        completeness(service, "2023-01", unit="XX")
    with pytest.raises(Exception, match="--by must be one of"):
        completeness(service, "2023-01", by="sector")
