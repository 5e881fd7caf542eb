"""Data entry closing N days after the month's end, on SQLite and PostgreSQL: a reporter's late value is
refused naming the day entry closed; a planner's permission (or the planner entering it) lets it in, and
the revision is marked late with who allowed it."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from gosplan.errors import InvalidValue, PermissionDenied, ValidationError
from gosplan.service.accounts import Principal
from gosplan.service.audit import submit
from gosplan.service.deadlines import closes_on, grant, permissions, revoke, set_entry_close_days

PLANNER_SP = Principal("sam", "planner", "SP", "test")
PLANNER_PY = Principal("pia", "planner", "PY", "test")
REPORTER_E2 = Principal("rey", "reporter", "E2", "test")


def _send(service, principal, value, today, period="2023-06"):
    frame = pd.DataFrame([("coal", "E2", period, value)], columns=["indicator", "unit", "period", "value"])
    return submit(service, "reports", frame, principal, source="form", today=today)


def test_entry_closes_and_a_planner_lets_a_late_value_in(service):
    set_entry_close_days(service, 20)
    assert closes_on("2023-06", 20) == date(2023, 7, 20)
    _send(service, REPORTER_E2, 10.0, date(2023, 7, 20))  # the last day: still open
    assert service.store.late_reports().empty
    before = service.store.dump()
    with pytest.raises(ValidationError) as caught:
        _send(service, REPORTER_E2, 11.0, date(2023, 7, 21))
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (2, "period")
    assert "data entry for 2023-06 closed on 2023-07-20 (20 days after the month's end)" in problem.reason
    assert service.store.dump() == before
    with pytest.raises(PermissionDenied):
        grant(service, "E2", "2023-06", REPORTER_E2, "no")
    with pytest.raises(PermissionDenied, match="within 'PY'"):
        grant(service, "E2", "2023-06", PLANNER_PY, "not mine")
    with pytest.raises(InvalidValue, match="reason"):
        grant(service, "E2", "2023-06", PLANNER_SP, " ")
    grant(service, "SP", "2023-06", PLANNER_SP, "the mine's line was down")  # a unit above covers E2
    assert permissions(service, "2023-06")[["unit", "period", "granted_by"]].values.tolist() == [
        ["SP", "2023-06", "sam"]]
    assert _send(service, REPORTER_E2, 11.0, date(2023, 7, 25)).revised == 1
    late = service.store.late_reports()
    assert late[["unit", "period", "revision", "entered_by", "permitted_by"]].values.tolist() == [
        ["E2", "2023-06", 2, "rey", "sam"]]
    assert _send(service, REPORTER_E2, 11.0, date(2023, 7, 25)).unchanged == 1  # unchanged: no new mark
    assert len(service.store.late_reports()) == 1
    revoke(service, "SP", "2023-06", PLANNER_SP)
    with pytest.raises(ValidationError, match="closed on 2023-07-20"):
        _send(service, REPORTER_E2, 12.0, date(2023, 7, 25))
    _send(service, PLANNER_SP, 12.0, date(2023, 8, 2))  # the planner entering it is its own permission
    assert service.store.late_reports()["permitted_by"].tolist() == ["sam", "sam"]
    assert service.store.audit(action="entry.grant_late").iloc[0]["actor"] == "sam"


def test_entry_never_closes_without_the_setting(service):
    assert _send(service, REPORTER_E2, 10.0, date(2025, 1, 1)).new == 1
    assert service.store.late_reports().empty
