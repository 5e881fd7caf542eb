"""Validation rules over a store on SQLite and PostgreSQL: defining, running, follow-up, min-max, and
the import hook (an error refuses the file and writes nothing; a warning is stored)."""

from __future__ import annotations

import pandas as pd
import pytest

from gosplan.errors import Conflict, InvalidValue, ValidationError
from gosplan.ingest import import_file
from gosplan.service.rules import add_rule, follow_up, generate_minmax, resolve, run_rules, set_bounds, violations


def _reports(service, rows):
    frame = pd.DataFrame(rows, columns=["indicator", "unit", "period", "value"])
    service.store.write_reports(frame, source="test", recorded_by="test")


def test_unknown_indicator_and_bad_formula_are_refused_by_name_and_change_nothing(service):
    before = service.store.dump()
    with pytest.raises(ValidationError, match="unknown indicator 'coal_used'"):
        add_rule(service, "r1", "coal_used <= 0.7 * power")
    with pytest.raises(InvalidValue, match="attribute"):
        add_rule(service, "r2", "coal.x <= 1")
    with pytest.raises(InvalidValue, match="severity"):
        add_rule(service, "r3", "coal <= 1", severity="fatal")
    assert service.store.dump() == before


def test_run_lists_both_sides_then_follow_up_resolve_and_clear(service):
    add_rule(service, "coal_power", "coal <= 2 * power", severity="warning")
    _reports(service, [("coal", "E2", "2023-06", 50.0), ("power", "E2", "2023-06", 20.0),
                       ("coal", "E3", "2023-06", 10.0), ("power", "E3", "2023-06", 20.0)])
    found = run_rules(service, "2023-06")
    assert found[["rule", "unit", "left", "left_value", "operator", "right", "right_value"]].values.tolist() == [
        ["coal_power", "E2", "coal", 50.0, "<=", "2 * power", 40.0]]
    vid = int(found["id"].iloc[0])
    follow_up(service, vid, "asked the mine", by="ana")
    assert run_rules(service, "2023-06")["status"].tolist() == ["follow-up"]  # found again: kept as it was
    resolve(service, vid, "meter replaced", by="ana")
    with pytest.raises(Conflict):
        follow_up(service, vid, "again")
    stored = violations(service, "2023-06").set_index("id").loc[vid]
    assert (stored["status"], stored["comment"]) == ("resolved", "meter replaced")
    add_rule(service, "coal_power", "coal <= 3 * power", severity="warning")  # relaxed: nothing found now
    _reports(service, [("coal", "E3", "2023-06", 100.0)])  # E3 now breaks it
    assert run_rules(service, "2023-06")["unit"].tolist() == ["E3"]
    add_rule(service, "coal_power", "coal <= 10 * power", severity="warning")
    assert run_rules(service, "2023-06").empty
    assert violations(service, "2023-06", status="cleared")["unit"].tolist() == ["E3"]


def test_minmax_generated_from_history_and_edited_by_hand(service):
    _reports(service, [("coal", "E2", f"2022-{m:02d}", 100.0 + m) for m in range(1, 13)]
             + [("coal", "E2", "2023-01", 400.0)])
    assert generate_minmax(service, "2022-12") == 1
    found = run_rules(service, "2023-01")
    assert found[["rule", "unit", "left_value"]].values.tolist() == [["minmax:coal", "E2", 400.0]]
    set_bounds(service, "E2", "coal", 0, 500)
    generate_minmax(service, "2022-12")  # keeps the bounds set by hand
    assert run_rules(service, "2023-01").empty
    with pytest.raises(InvalidValue):
        set_bounds(service, "E2", "coal", 10, 5)


def test_an_import_breaking_an_error_rule_is_refused_with_row_and_both_sides(service, tmp_path):
    add_rule(service, "coal_power", "coal <= 2 * power", severity="error")
    add_rule(service, "coal_steel", "coal >= steel", severity="warning")
    _reports(service, [("power", "E2", "2023-06", 20.0)])
    before = service.store.dump()
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator,unit,period,value\nsteel,E1,2023-06,5\ncoal,E2,2023-06,50\n")
    with pytest.raises(ValidationError) as caught:
        import_file(service.store, bad, today=pd.Timestamp("2023-07-10").date())
    (problem,) = caught.value.problems
    assert (problem.source, problem.row, problem.column) == ("bad.csv", 3, "value")
    assert "rule coal_power broken for E2 in 2023-06: coal = 50 is not <= 2 * power = 40" in problem.reason
    assert service.store.dump() == before
    good = tmp_path / "good.csv"
    good.write_text("indicator,unit,period,value\ncoal,E2,2023-06,30\nsteel,E2,2023-06,31\n")
    result = import_file(service.store, good, today=pd.Timestamp("2023-07-10").date())
    assert result.new == 2
    stored = service.store.violations("2023-06")
    assert stored[["rule", "unit", "severity", "left_value", "right_value"]].values.tolist() == [
        ["coal_steel", "E2", "warning", 30.0, 31.0]]


def test_a_submission_goes_through_the_same_rules(service):
    from gosplan.service.accounts import SYSTEM
    from gosplan.service.audit import submit

    add_rule(service, "coal_power", "coal <= 2 * power", severity="error")
    frame = pd.DataFrame({"indicator": ["coal", "power"], "unit": ["E2", "E2"], "period": ["2023-06"] * 2,
                          "value": [50.0, 20.0]})
    with pytest.raises(ValidationError, match="rule coal_power broken"):
        submit(service, "reports", frame, SYSTEM, source="api", today=pd.Timestamp("2023-07-10").date())
    assert service.store.reports().empty
