"""What single submissions are checked against (units, indicators, rules, bounds, approvals and locks) is
read once per checks version and kept: a change of any of them, by the same process, by another process
on the same store, or by the CLI, is honoured by the very next submission."""

from __future__ import annotations

from datetime import date
from unittest.mock import patch

import pandas as pd
import pytest

from clienv import run_cli
from gosplan.errors import ValidationError
from gosplan.service import Service
from gosplan.service.accounts import Principal
from gosplan.service.audit import submit
from gosplan.service.rules import add_rule, set_bounds
from gosplan.service.workflow import lock
from gosplan.store import Store

ADMIN = Principal("admin", "admin", None, "token")
TODAY = date(2023, 12, 31)


def _send(service: Service, value: float, unit: str = "E1", indicator: str = "steel", period: str = "2023-05",
          key: str | None = None):
    frame = pd.DataFrame([{"indicator": indicator, "unit": unit, "period": period, "value": value}])
    return submit(service, "reports", frame, ADMIN, source="api:token", key=key, today=TODAY)


def _refusal(service: Service, value: float, **where) -> str:
    with pytest.raises(ValidationError) as caught:
        _send(service, value, **where)
    return str(caught.value.problems[0])


@pytest.fixture
def other(service):
    """The same store opened a second time: another server process, as far as caches go."""
    opened = Store.open(service.store.url)
    yield Service(opened)
    opened.close()


def test_report_writes_keep_the_checks_cached(service):
    _send(service, 10.0)
    _send(service, 10.0, unit="E2", indicator="coal", period="2023-04")  # each month's approvals: read once
    version = service.store.checks_version()
    with patch.object(Store, "rules", side_effect=AssertionError("rules read again")), \
         patch.object(Store, "approval_rows", side_effect=AssertionError("approvals read again")), \
         patch.object(Store, "units", side_effect=AssertionError("units read again")):
        assert _send(service, 11.0).revised == 1
        assert _send(service, 12.0, period="2023-04").new == 1
        assert _send(service, 12.0, unit="E2", indicator="coal", period="2023-05").new == 1
    assert service.store.checks_version() == version


def test_a_rule_added_by_this_process_refuses_the_next_submission(service):
    _send(service, 10.0)
    add_rule(service, "steel_small", "steel <= 100", severity="error")
    assert "rule steel_small broken for E1 in 2023-05" in _refusal(service, 500.0)


@pytest.mark.parametrize("writer", ["process", "cli"])
def test_a_rule_added_elsewhere_refuses_the_next_submission(service, other, writer):
    _send(service, 10.0)  # the checks are cached now
    if writer == "process":
        add_rule(other, "steel_small", "steel <= 100", severity="error")
    else:
        run_cli(service.store.url, "rules", "add", "steel_small", "steel <= 100", "--severity", "error")
    assert "rule steel_small broken" in _refusal(service, 500.0)
    assert _send(service, 50.0).revised == 1


@pytest.mark.parametrize("writer", ["same", "process", "cli"])
def test_a_lock_is_honoured_by_the_next_submission(service, other, writer):
    _send(service, 10.0)
    if writer == "cli":
        run_cli(service.store.url, "approvals", "lock", "--unit", "PY", "--period", "2023-05")
    else:
        lock(service if writer == "same" else other, "PY", "2023-05", ADMIN)
    assert "2023-05 is locked for PY" in _refusal(service, 11.0)
    assert _send(service, 11.0, unit="E2", indicator="coal").new == 1  # another province is open


@pytest.mark.parametrize("writer", ["same", "process"])
def test_an_edited_bound_is_honoured_by_the_next_submission(service, other, writer):
    _send(service, 10.0)
    assert service.store.violations().empty
    set_bounds(service if writer == "same" else other, "E1", "steel", 0, 20)
    _send(service, 30.0)  # a bound warns and stores the warning; it does not refuse
    found = service.store.violations()
    assert list(found["rule"]) == ["minmax:steel"] and list(found["unit"]) == ["E1"]


def test_a_unit_added_elsewhere_is_known_to_the_next_submission(service, other):
    assert "unknown unit 'E4'" in _refusal(service, 1.0, unit="E4")
    other.store.write_units(pd.DataFrame({"code": ["E4"], "name": ["New mine"], "kind": ["enterprise"],
                                          "parent": ["SP"], "sector": ["IND"]}))
    assert _send(service, 1.0, unit="E4", indicator="coal").new == 1


def test_a_refused_small_submission_leaves_its_key_free(service):
    add_rule(service, "steel_small", "steel <= 100", severity="error")
    with pytest.raises(ValidationError):
        _send(service, 500.0, key="k1")
    first = _send(service, 50.0, key="k1")
    again = _send(service, 50.0, key="k1")
    assert (first.new, first.replayed, again.replayed, again.audit_id) == (1, False, True, first.audit_id)


def test_cli_writes_move_the_generation_the_server_processes_follow(service, tmp_path):
    """A server process rebuilds its snapshot when the store's data generation moves: a CLI import of
    reports, a rule or a lock made from the CLI move it as a server's own writes do."""
    from gosplan.api.state import Snapshots

    snapshots = Snapshots(service.store)
    start = snapshots.shared.read(None)[0]
    path = tmp_path / "reports.csv"
    pd.DataFrame([{"indicator": "steel", "unit": "E1", "period": "2023-05", "value": 7.0}]).to_csv(path, index=False)
    run_cli(service.store.url, "import", str(path))
    after_import = snapshots.shared.read(None)[0]
    run_cli(service.store.url, "rules", "add", "steel_small", "steel <= 100")
    after_rule = snapshots.shared.read(None)[0]
    run_cli(service.store.url, "import", str(path))  # nothing new: nothing to rebuild
    assert start < after_import < after_rule == snapshots.shared.read(None)[0]
    snapshots.reader()
    assert snapshots.generation == after_rule


def test_entry_closing_is_read_once_per_checks_version(service):
    _send(service, 10.0)
    with patch.object(Store, "get_meta", side_effect=AssertionError("the meta table read again")):
        assert _send(service, 11.0).revised == 1


@pytest.mark.parametrize("writer", ["same", "process", "cli"])
def test_entry_closing_set_elsewhere_is_honoured_by_the_next_submission(service, other, writer):
    from gosplan.service.deadlines import set_entry_close_days

    reporter = Principal("rey", "reporter", "E1", "token")
    frame = pd.DataFrame([{"indicator": "steel", "unit": "E1", "period": "2023-05", "value": 10.0}])
    assert submit(service, "reports", frame, reporter, source="api:token", today=TODAY).new == 1
    if writer == "cli":
        run_cli(service.store.url, "entry", "close", "20")
    else:
        set_entry_close_days(service if writer == "same" else other, 20)
    with pytest.raises(ValidationError, match="closed on 2023-06-20"):
        submit(service, "reports", frame.assign(value=11.0), reporter, source="api:token", today=TODAY)
    assert _send(service, 11.0).revised == 1  # an admin's late value is let in and marked late
    assert service.store.late_reports()["entered_by"].tolist() == ["admin"]
    if writer == "cli":
        run_cli(service.store.url, "entry", "close", "--never")
    else:
        set_entry_close_days(service if writer == "same" else other, None)
    assert submit(service, "reports", frame.assign(value=12.0), reporter, source="api:token",
                  today=TODAY).revised == 1


def test_a_server_keeps_its_reference_data_across_other_processes_data_writes(service, other):
    """A page that notices another process's write makes the writer forget its data frames; the units and
    the hierarchy are kept until the reference data change (then the checks version moves too)."""
    from gosplan.api.state import Snapshots

    snapshots = Snapshots(service.store)
    snapshots._sync(None)
    kept = snapshots.writer.hierarchy()
    other.store.bump_generation("wrote:other")  # another process wrote reports
    snapshots._sync(None)
    assert snapshots.writer.hierarchy() is kept
    other.store.write_units(pd.DataFrame({"code": ["E4"], "name": ["New mine"], "kind": ["enterprise"],
                                          "parent": ["SP"], "sector": ["IND"]}))
    snapshots._sync(None)
    assert "E4" in snapshots.writer.hierarchy().parent
