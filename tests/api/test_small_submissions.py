"""Small report submissions (the path of single reports) against the path of files and big submissions:
the same rows accepted and refused with the same problems, the same revisions and audit entries written;
and concurrent single reports on PostgreSQL stored exactly once."""

from __future__ import annotations

import json
import math
import threading
from datetime import date
from unittest.mock import patch

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gosplan.errors import GosplanError, ValidationError
from gosplan.service import Service
from gosplan.service import audit as audit_module
from gosplan.service.accounts import Principal
from gosplan.service.audit import submit
from gosplan.service.quick_submit import SMALL_ROWS, is_small
from gosplan.service.rules import add_rule, set_bounds
from webenv import OTHER, OWN, copy_sqlite

ADMIN = Principal("admin", "admin", None, "token")
TODAY = date(2023, 12, 31)
ROLLUP = "KP-01.ryongsong"  # the county above OWN

rows = st.fixed_dictionaries({
    "indicator": st.sampled_from(["electricity", "energy_use", "workers", "nope", " electricity "]),
    "unit": st.sampled_from([OWN, OWN, OTHER, ROLLUP, "KP-01", "nope"]),
    "period": st.sampled_from(["2023-04", "2023-04", "2023-07", "2023-09", "2024-01", "2023-13", "2023-Q1", ""]),
    "value": st.one_of(st.sampled_from([0.0, 1.0, -5.0, math.nan, 31415.0, 9e9]),
                       st.floats(min_value=-10, max_value=1e7, allow_nan=False)),
    "uom": st.sampled_from([None, None, "kWh", "MWh", "t", "furlong"]),
})

good_rows = st.fixed_dictionaries({
    "indicator": st.sampled_from(["electricity", "energy_use", "workers"]),
    "unit": st.sampled_from([OWN, OTHER]),
    "period": st.sampled_from(["2023-04", "2023-07", "2023-09", "2023-10"]),
    "value": st.one_of(st.sampled_from([0.0, 31415.0, 2718.0, 1e7]), st.floats(min_value=0, max_value=1e9)),
    "uom": st.just(None),
})


@pytest.fixture(scope="module")
def twins(sqlite_demo, tmp_path_factory):
    """Two identical demo stores with an error rule and bounds: one written by each path."""
    folder = tmp_path_factory.mktemp("twins")
    services = []
    for name in ("small", "frame"):
        service = Service.open(copy_sqlite(sqlite_demo, folder / f"{name}.db"))
        add_rule(service, "energy_below_output", "energy_use <= electricity", severity="error")
        set_bounds(service, OWN, "workers", 100, 5000)
        services.append(service)
    return services


def _outcome(service: Service, frame: pd.DataFrame, small: bool):
    with patch.object(audit_module, "is_small", side_effect=lambda *a: small and is_small(*a)):
        try:
            result = submit(service, "reports", frame.copy(), ADMIN, source="api:token", today=TODAY)
        except ValidationError as exc:
            return "refused", [str(p) for p in exc.problems]
        except GosplanError as exc:
            return "error", str(exc)
    entry = service.store.audit(limit=1).iloc[0]
    history = service.store.report_history(unit=None).drop(columns=["recorded_at"])
    written = history.tail(len(frame) + 5).reset_index(drop=True)
    warnings = service.store.violations()
    return ("saved", {k: v for k, v in result.as_dict().items() if k != "audit_id"},
            json.loads(entry["before"]), json.loads(entry["after"]), entry["object"], written,
            None if warnings is None else len(warnings))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(good_rows, good_rows, good_rows, good_rows, rows), min_size=1, max_size=4))
def test_both_paths_accept_refuse_and_write_alike(twins, given_rows):
    frame = pd.DataFrame(given_rows)
    if frame["uom"].isna().all():
        frame = frame.drop(columns="uom")
    small, big = twins
    a, b = _outcome(small, frame, True), _outcome(big, frame, False)
    assert a[0] == b[0], (a, b)
    event(a[0])
    if a[0] != "saved":
        assert a[1] == b[1]
        return
    assert a[1:5] == b[1:5]
    pd.testing.assert_frame_equal(a[5], b[5])
    assert a[6] == b[6]


def test_a_file_sized_submission_takes_the_frame_path():
    assert is_small("reports", 1) and is_small("reports", SMALL_ROWS)
    assert not is_small("reports", SMALL_ROWS + 1)
    assert not is_small("reports", 1, ["indicator", "unit", "period", "value", "recorded_at"])
    assert not is_small("targets", 1)


def test_a_refused_small_submission_names_row_column_and_reason(twins):
    small, _ = twins
    frame = pd.DataFrame([{"indicator": "electricity", "unit": OWN, "period": "2023-05", "value": -1.0}])
    with pytest.raises(ValidationError) as caught:
        submit(small, "reports", frame, ADMIN, source="api:token", today=TODAY)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "value")]
    assert "negative" in str(caught.value.problems[0])


def test_concurrent_single_reports_are_stored_once(env):
    """Eight writers revise the same month of one unit at once (PostgreSQL: races for the revision
    number are retried): every accepted value becomes exactly one revision."""
    service = Service.open(env.url)
    values = [50_000.0 + n for n in range(16)]
    errors: list[BaseException] = []

    def send(chunk: list[float]) -> None:
        try:
            for value in chunk:
                frame = pd.DataFrame([{"indicator": "workers", "unit": OWN, "period": "2023-01", "value": value}])
                submit(Service(service.store), "reports", frame, ADMIN, source="api:token", today=TODAY)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(values[n::8],)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    history = service.store.report_history("workers", OWN, "2023-01")
    stored = history[history["value"].isin(values)]
    assert sorted(stored["value"]) == values
    assert history["revision"].is_unique and history["current"].sum() == 1
    assert history.loc[history["current"], "revision"].item() == history["revision"].max()


def test_queued_submissions_leave_threads_to_the_pages(sqlite_demo, tmp_path):
    """Far more submissions than worker threads wait for their turn; a page still answers meanwhile."""
    import asyncio

    import httpx

    from gosplan.api import create_app
    from gosplan.api import routes as api_routes
    from gosplan.service.audit import Submission
    from webenv import make_env

    env = make_env(copy_sqlite(sqlite_demo, tmp_path / "queue.db"))
    app = create_app(env.url, refresh_interval=0.1)
    release = threading.Event()

    def slow_submit(*args, **kwargs):  # a writer that takes long (a slow disk, a big lock)
        release.wait(20)
        return Submission("reports", 1, 1, 0, 0, None)

    async def scenario() -> tuple[int, float]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=30) as client:
            body = {"indicator": "electricity", "unit": OWN, "period": "2023-05", "value": 1.0}
            queued = [asyncio.create_task(client.post("/api/v1/reports", json=body, headers=env.bearer("rep1")))
                      for _ in range(60)]  # more than the thread pool's 40 threads
            await asyncio.sleep(0.5)
            started = asyncio.get_running_loop().time()
            page = await asyncio.wait_for(client.get("/api/v1/me", headers=env.bearer("viewer")), 10)
            took = asyncio.get_running_loop().time() - started
            release.set()
            answers = await asyncio.gather(*queued)
            assert all(a.status_code == 200 for a in answers)
            return page.status_code, took

    with patch.object(api_routes, "submit", slow_submit):
        status, took = asyncio.run(scenario())
    release.set()
    assert status == 200 and took < 5


def _old_fingerprint(kind: str, frame: pd.DataFrame) -> str:
    """The fingerprint as first made (through pandas' object conversion): keys stored with it must match."""
    import hashlib

    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    text = json.dumps([kind, rows], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@settings(max_examples=60, deadline=None)
@given(st.lists(rows, min_size=1, max_size=5))
def test_the_request_fingerprint_is_the_one_stored_keys_were_made_with(given_rows):
    frame = pd.DataFrame(given_rows)
    if frame["uom"].isna().all():
        frame = frame.drop(columns="uom")
    variants = [frame, frame.assign(count=range(len(frame)), when=pd.Timestamp("2023-05-01"), gap=pd.NaT)]
    for one in variants:
        assert audit_module.request_fingerprint("reports", one) == _old_fingerprint("reports", one)
