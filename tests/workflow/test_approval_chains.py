"""Approval chains per indicator set on SQLite and PostgreSQL: a set's own chain (enterprise submits,
the country approves and accepts) beside the hierarchy's levels, writes refused per chain, official
figures per chain, and bad input refused with the store unchanged."""

from __future__ import annotations

import pandas as pd
import pytest

from clienv import run_cli
from gosplan.errors import Conflict, InvalidValue, NotFound, PermissionDenied, ValidationError
from gosplan.ingest import import_frame
from gosplan.service.accounts import Principal
from gosplan.service.completeness import define_set
from gosplan.service.workflow import accept, approve, define_chain, figures, lock, status, submit

ADMIN = Principal("ada", "admin", None, "test")
PLANNER_SP = Principal("sam", "planner", "SP", "test")
REPORTER_E2 = Principal("rey", "reporter", "E2", "test")
TODAY = pd.Timestamp("2023-07-20").date()


def _write(service, rows):
    frame = pd.DataFrame(rows, columns=["indicator", "unit", "period", "value"])
    return import_frame(service.store, "reports", frame, source="form", recorded_by="t", today=TODAY)


@pytest.fixture
def fuel(service):
    """Set "fuel" (coal) with its own chain: enterprises submit, the country approves and accepts."""
    define_set(service, "fuel", "Fuel balance", ["coal"])
    define_set(service, "metal", "Metal", ["steel"])
    define_chain(service, "fuel", ["enterprise", "country"], ADMIN)
    _write(service, [("coal", "E2", "2023-06", 10.0), ("steel", "E2", "2023-06", 4.0)])
    return service


def test_a_set_follows_its_own_chain_and_the_rest_the_hierarchy(fuel):
    service = fuel
    submit(service, "E2", "2023-06", REPORTER_E2, set_code="fuel")
    with pytest.raises(PermissionDenied, match="'SP' has no level in the approval chain of 'fuel'"):
        approve(service, "E2", "2023-06", ADMIN, at="SP", set_code="fuel")
    with pytest.raises(PermissionDenied, match="no unit above the level in force"):
        approve(service, "E2", "2023-06", PLANNER_SP, set_code="fuel")  # the province is not in the chain
    assert approve(service, "E2", "2023-06", ADMIN, set_code="fuel") == ["2023-06"]
    row = status(service, "E2", "2023-06", set_code="fuel").iloc[0]
    assert (row["state"], row["state_level"], row["held_at"]) == ("approved", 1, "E2")
    assert status(service, "E2", "2023-06").iloc[0]["state"] == "open"  # the hierarchy's chain is untouched
    with pytest.raises(ValidationError, match="2023-06 of E2 is approved"):
        _write(service, [("coal", "E2", "2023-06", 11.0)])
    assert _write(service, [("steel", "E2", "2023-06", 5.0)]).revised == 1  # steel follows the hierarchy
    official = figures(service, "2023-06", "2023-06", "official")
    assert official[["indicator", "unit"]].values.tolist() == [["coal", "E2"]]
    accept(service, "E2", "2023-06", ADMIN, set_code="fuel")
    assert status(service, "E2", "2023-06", set_code="fuel").iloc[0]["state"] == "accepted"
    lock(service, "DPRK", "2023-06", ADMIN)  # a lock without a set closes every indicator's month
    assert status(service, "E2", "2023-06", set_code="fuel").iloc[0]["state"] == "locked"


def test_bad_chains_and_moves_are_refused_and_change_nothing(fuel):
    service = fuel
    before = service.store.dump()
    with pytest.raises(NotFound, match="no indicator set 'nope'"):
        submit(service, "E2", "2023-06", ADMIN, set_code="nope")
    with pytest.raises(InvalidValue, match="'metal' has no approval chain of its own"):
        approve(service, "E2", "2023-06", ADMIN, set_code="metal")
    with pytest.raises(PermissionDenied, match="units of kind 'enterprise' submit"):
        submit(service, "SP", "2023-06", ADMIN, set_code="fuel")
    with pytest.raises(InvalidValue, match="unknown unit kind 'ministry'"):
        define_chain(service, "metal", ["enterprise", "ministry"], ADMIN)
    with pytest.raises(InvalidValue, match="at least two"):
        define_chain(service, "metal", ["enterprise"], ADMIN)
    with pytest.raises(PermissionDenied):
        define_chain(service, "metal", ["enterprise", "country"], PLANNER_SP)
    define_set(service, "mixed", "Mixed", ["coal", "steel"])
    before = service.store.dump()
    with pytest.raises(Conflict, match="indicator 'coal' is also in set 'fuel'"):
        define_chain(service, "mixed", ["enterprise", "country"], ADMIN)
    assert service.store.dump() == before


def test_chains_on_the_command_line(fuel):
    url = fuel.store.url
    out = run_cli(url, "approvals", "chain", width=80).output
    assert "fuel" in out and "enterprise > country" in out
    run_cli(url, "approvals", "submit", "--unit", "E2", "--period", "2023-06", "--set", "fuel")
    run_cli(url, "approvals", "approve", "--unit", "E2", "--period", "2023-06", "--set", "fuel")
    out = run_cli(url, "approvals", "status", "--unit", "SP", "--period", "2023-06", "--set", "fuel", width=80).output
    assert "set fuel" in out and "approved (level 1)" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    refused = run_cli(url, "approvals", "approve", "--unit", "E2", "--period", "2023-06", "--set", "nope", code=1)
    assert "no indicator set 'nope'" in str(refused.exception)
