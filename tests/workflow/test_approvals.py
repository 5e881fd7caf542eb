"""Approval along the hierarchy and period locks on SQLite and PostgreSQL: who may approve what,
approved and locked months refusing writes through the one import path, unapproving with a reason in
the audit log, official and provisional figures."""

from __future__ import annotations

import pandas as pd
import pytest

from gosplan.errors import Conflict, InvalidValue, PermissionDenied, ValidationError
from gosplan.ingest import import_frame
from gosplan.service.accounts import Principal
from gosplan.service.workflow import accept, approve, figures, lock, status, submit, unapprove, unlock

ADMIN = Principal("ada", "admin", None, "test")
PLANNER_SP = Principal("sam", "planner", "SP", "test")
PLANNER_PY = Principal("pia", "planner", "PY", "test")
REPORTER_E2 = Principal("rey", "reporter", "E2", "test")
TODAY = pd.Timestamp("2023-07-20").date()


def _write(service, rows, kind="reports"):
    columns = ["indicator", "unit", "period", "value"] if kind == "reports" else ["plan", "indicator", "unit",
                                                                                  "period", "value"]
    return import_frame(service.store, kind, pd.DataFrame(rows, columns=columns), source="form", recorded_by="t",
                        today=TODAY)


def test_submit_approve_refuse_writes_unapprove_with_reason(service):
    _write(service, [("coal", "E2", "2023-06", 10.0), ("coal", "E3", "2023-06", 5.0)])
    submit(service, "E2", "2023-06", REPORTER_E2)
    with pytest.raises(Conflict, match="already submitted"):
        submit(service, "E2", "2023-06", REPORTER_E2)
    with pytest.raises(PermissionDenied):
        approve(service, "E2", "2023-06", REPORTER_E2)  # a reporter does not approve
    assert approve(service, "E2", "2023-06", PLANNER_SP) == ["2023-06"]  # from SP, the next level up
    row = status(service, "SP", "2023-06").set_index("unit").loc["E2"]
    assert (row["state"], row["state_level"]) == ("approved", 1)
    before = service.store.dump()
    with pytest.raises(ValidationError) as caught:
        _write(service, [("coal", "E2", "2023-06", 11.0)])
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (2, "period")
    assert "2023-06 of E2 is approved (level 1, at E2); unapprove it before changing it" in problem.reason
    assert service.store.dump() == before
    with pytest.raises(InvalidValue, match="reason"):
        unapprove(service, "E2", "2023-06", PLANNER_SP, " ")
    unapprove(service, "E2", "2023-06", PLANNER_SP, "the mine reported the wrong shift")
    entry = service.store.audit(action="approval.unapprove").iloc[0]
    assert "the mine reported the wrong shift" in str(entry["after"]) and entry["actor"] == "sam"
    assert _write(service, [("coal", "E2", "2023-06", 11.0)]).revised == 1


def test_approvals_outside_the_subtree_or_below_the_level_are_refused(service):
    submit(service, "E2", "2023-06", ADMIN)
    with pytest.raises(PermissionDenied, match="may act only within 'PY'"):
        approve(service, "E2", "2023-06", PLANNER_PY, at="SP")
    with pytest.raises(PermissionDenied, match="outside its subtree"):
        approve(service, "E2", "2023-06", ADMIN, at="PY")
    with pytest.raises(PermissionDenied, match="reporting unit"):
        approve(service, "E2", "2023-06", ADMIN, at="E3")
    with pytest.raises(Conflict, match="has not submitted"):
        approve(service, "E3", "2023-06", ADMIN)
    approve(service, "E2", "2023-06", ADMIN, at="DPRK")  # level 2
    with pytest.raises(PermissionDenied, match="not above it"):
        approve(service, "E2", "2023-06", PLANNER_SP, at="SP")
    with pytest.raises(PermissionDenied, match="level 2; sam acts at 'SP', level 1, below it"):
        unapprove(service, "E2", "2023-06", PLANNER_SP, "why not")
    with pytest.raises(PermissionDenied, match="outside pia's subtree"):
        unapprove(service, "E2", "2023-06", PLANNER_PY, "why not")
    accept(service, "E2", "2023-06", ADMIN)
    assert status(service, "E2", "2023-06")["state"].tolist() == ["accepted"]
    with pytest.raises(PermissionDenied):
        accept(service, "E2", "2023-06", PLANNER_SP)


def test_a_lock_refuses_reports_and_targets_naming_it_and_cannot_be_unapproved(service):
    submit(service, "E1", "2023-06", ADMIN)
    approve(service, "E1", "2023-06", ADMIN)
    lock(service, "DPRK", "2023-Q2", ADMIN)
    before = service.store.dump()
    with pytest.raises(ValidationError, match="2023-06 is locked for DPRK and everything below it"):
        _write(service, [("coal", "E3", "2023-06", 1.0)])
    with pytest.raises(ValidationError, match="2023-04 is locked for DPRK"):
        _write(service, [("AP2023", "coal", "E3", "2023-Q2", 100.0)], kind="targets")
    with pytest.raises(Conflict, match="locked at DPRK; unlock it before unapproving"):
        unapprove(service, "E1", "2023-06", ADMIN, "late correction")
    with pytest.raises(PermissionDenied):
        unlock(service, "DPRK", "2023-Q2", PLANNER_SP, "reopen")
    assert service.store.dump() == before
    unlock(service, "DPRK", "2023-Q2", ADMIN, "the statistics office reopened the quarter")
    assert _write(service, [("coal", "E3", "2023-05", 1.0)]).new == 1
    with pytest.raises(PermissionDenied):
        lock(service, "PY", "2023-07", PLANNER_SP)


def test_official_figures_are_the_approved_ones(service):
    _write(service, [("coal", "E2", "2023-06", 10.0), ("coal", "E3", "2023-06", 5.0)])
    submit(service, "E2", "2023-06", ADMIN)
    approve(service, "E2", "2023-06", ADMIN)
    assert figures(service, "2023-06", "2023-06", "official")["unit"].tolist() == ["E2"]
    assert sorted(figures(service, "2023-06", "2023-06", "provisional")["unit"]) == ["E2", "E3"]
    approve(service, "SP", "2023-06", ADMIN, at="DPRK")  # the whole subtree at once
    assert sorted(figures(service, "2023-06", "2023-06")["unit"]) == ["E2", "E3"]
