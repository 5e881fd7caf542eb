"""Mail through a real SMTP server (aiosmtpd) on loopback, on SQLite and PostgreSQL: events queue one
message per recipient in the outbox; a server that is down or refuses loses nothing (queued, retried
with backoff, failed ones shown to the admin and retried on demand); two senders send each message once;
digest readers get one mail a day."""

from __future__ import annotations

import threading
from datetime import timedelta

import pandas as pd
import pytest

from gosplan.errors import InvalidValue, NotFound
from gosplan.service.accounts import Principal
from gosplan.service.mail import MAX_ATTEMPTS, gather_digests, retry, send_due, set_address, status
from gosplan.service.notify import alert_escalated, deadlines, responsible
from gosplan.service.workflow import approve, submit
from gosplan.store._common import utc_now

REPORTER_E2 = Principal("rey", "reporter", "E2", "test")
PLANNER_SP = Principal("sam", "planner", "SP", "test")


@pytest.fixture
def people(service):
    """A reporter of E2, a planner of SP and an admin of everything, each with a mail address."""
    for name, role, subtree in (("rey", "reporter", "E2"), ("sam", "planner", "SP"), ("ada", "admin", None)):
        service.store.add_user(name, "x", role, subtree)
        set_address(service, name, f"{name}@gosplan.test")
    return service


def _report(service, unit="E2", period="2023-06"):
    from gosplan.ingest import import_frame

    import_frame(service.store, "reports", pd.DataFrame([("coal", unit, period, 10.0)],
                                                        columns=["indicator", "unit", "period", "value"]),
                 source="t", recorded_by="t", today=pd.Timestamp("2023-07-05").date())


def test_an_approval_request_reaches_the_next_level_once(people, smtp):
    inbox, settings, start, _stop = smtp
    service = people
    assert responsible(service, "E2", ("planner", "admin")) == ["sam"]  # nobody at E2 approves: SP's planner
    assert responsible(service, "E1", ("planner", "admin")) == ["ada"]  # nobody in PY: the top
    assert responsible(service, "E2") == ["rey"]
    start()
    submit(service, "E2", "2023-06", REPORTER_E2)
    result = send_due(service, settings)
    assert (result.sent, result.deferred, result.failed) == (1, 0, 0)
    ((to, text),) = inbox.messages
    assert to == ["sam@gosplan.test"]
    assert "Subject: Approval requested: E2, 2023-06" in text and "From: plan@gosplan.test" in text
    assert "gosplan approvals approve --unit E2 --period 2023-06" in text
    assert send_due(service, settings).sent == 0  # sent once
    approve(service, "E2", "2023-06", PLANNER_SP)  # approved at SP: the country's turn
    send_due(service, settings)
    assert inbox.messages[-1][0] == ["ada@gosplan.test"]
    assert status(service)[0] == {"sent": 2}


def test_a_down_server_loses_nothing_and_delivers_once_when_back(people, smtp):
    inbox, settings, start, _stop = smtp
    service = people
    submit(service, "E2", "2023-06", REPORTER_E2)
    now = utc_now()
    result = send_due(service, settings, now=now)  # nothing listens on the port yet
    assert (result.sent, result.deferred) == (0, 1) and "Connection refused" in result.error
    (row,) = service.store.outbox().itertuples(index=False)
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.next_attempt_at == now + timedelta(minutes=1)
    start()
    assert send_due(service, settings, now=now + timedelta(seconds=30)).sent == 0  # not due yet
    assert send_due(service, settings, now=now + timedelta(minutes=2)).sent == 1
    assert send_due(service, settings, now=now + timedelta(minutes=5)).sent == 0
    assert len(inbox.messages) == 1


def test_a_refusing_server_keeps_the_message_retries_and_shows_the_admin(people, smtp):
    inbox, settings, start, _stop = smtp
    service = people
    start()
    inbox.refuse = True
    submit(service, "E2", "2023-06", REPORTER_E2)
    now = utc_now()
    for _attempt in range(MAX_ATTEMPTS):
        now += timedelta(hours=7)  # past every backoff
        result = send_due(service, settings, now=now)
        assert result.sent == 0 and "550 5.1.1 mailbox unavailable" in result.error
    counts, waiting = status(service)
    assert counts == {"failed": 1}
    (row,) = waiting.itertuples(index=False)
    assert row.attempts == MAX_ATTEMPTS and "sam@gosplan.test: 550" in row.last_error
    assert send_due(service, settings, now=now + timedelta(days=1)).sent == 0  # failed: not retried by itself
    inbox.refuse = False
    assert retry(service) == 1
    assert send_due(service, settings).sent == 1
    assert len(inbox.messages) == 1


def test_two_senders_at_once_send_each_message_once(people, smtp):
    inbox, settings, start, _stop = smtp
    service = people
    start()
    for unit in ("E2", "E3"):
        _report(service, unit)
        submit(service, unit, "2023-06", Principal("ada", "admin", None, "test"))
    for period in ("2023-04", "2023-05"):
        submit(service, "E2", period, REPORTER_E2)
    assert len(service.store.outbox()) == 4
    from gosplan.service import Service

    results = []
    threads = [threading.Thread(target=lambda: results.append(send_due(Service(service.store), settings)))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.sent for r in results) == 4
    assert len(inbox.messages) == 4
    assert sorted(t.split("Subject: ")[1].split("\n")[0].strip() for _, t in inbox.messages) == [
        "Approval requested: E2, 2023-04", "Approval requested: E2, 2023-05", "Approval requested: E2, 2023-06",
        "Approval requested: E3, 2023-06"]


def test_digest_readers_get_one_mail_and_choices_are_kept(people, smtp):
    inbox, settings, start, _stop = smtp
    service = people
    start()
    set_address(service, "sam", "sam@gosplan.test", ["approval"], digest=True)
    set_address(service, "rey", "rey@gosplan.test", ["alert"])  # no deadlines for rey
    with pytest.raises(InvalidValue, match="unknown kind of mail 'gossip'"):
        set_address(service, "rey", "rey@gosplan.test", ["gossip"])
    with pytest.raises(InvalidValue, match="not a mail address"):
        set_address(service, "rey", "rey at home")
    with pytest.raises(NotFound):
        set_address(service, "nobody", "n@gosplan.test")
    for period in ("2023-04", "2023-05"):
        submit(service, "E2", period, REPORTER_E2)
    assert send_due(service, settings).sent == 0  # held for the digest
    assert gather_digests(service) == 1
    assert gather_digests(service) == 0  # gathered once
    assert send_due(service, settings).sent == 1
    ((to, text),) = inbox.messages
    assert to == ["sam@gosplan.test"] and "2 notification(s)" in text
    assert "Approval requested: E2, 2023-04" in text and "Approval requested: E2, 2023-05" in text
    _report(service, "E2")
    assert deadlines(service, pd.Timestamp("2023-08-10").date()) == (0, 0)  # rey chose alerts only


def test_alerts_escalated_and_deadlines_reach_the_unit(people, smtp):
    inbox, settings, start, _stop = smtp
    service = people
    start()
    alerts = pd.DataFrame([{"id": 7, "indicator": "coal", "unit": "E2", "period": "2023", "message": "P = 0.30",
                            "level": 1, "escalated_to": "SP"}])
    assert alert_escalated(service, alerts) == 1
    assert alert_escalated(service, alerts) == 0  # the same escalation queues once
    send_due(service, settings)
    ((to, text),) = inbox.messages
    assert to == ["sam@gosplan.test"] and "Alert escalated to SP: coal of E2" in text and "P = 0.30" in text
    # E2 and E3 hold coal targets for 2023, so each owes a coal report every month; both sent May's,
    # only E3 June's.
    from gosplan.ingest import import_frame

    import_frame(service.store, "targets", pd.DataFrame([("AP2023", "coal", u, "2023", 120.0) for u in ("E2", "E3")],
                                                        columns=["plan", "indicator", "unit", "period", "value"]),
                 source="t", recorded_by="t")
    _report(service, "E3")
    for unit in ("E2", "E3"):
        _report(service, unit, "2023-05")
    assert deadlines(service, pd.Timestamp("2023-07-10").date()) == (0, 0)  # June closes on 15 July
    assert deadlines(service, pd.Timestamp("2023-07-13").date()) == (1, 0)
    assert deadlines(service, pd.Timestamp("2023-07-14").date()) == (0, 0)  # reminded once
    assert deadlines(service, pd.Timestamp("2023-07-16").date()) == (0, 1)
    send_due(service, settings)
    assert [(to, text.split("\n")[0]) for to, text in inbox.messages[1:]] == [
        (["rey@gosplan.test"], "Subject: Reports of 2023-06 due by 2023-07-15: 1 unit(s)"),
        (["rey@gosplan.test"], "Subject: Deadline of 2023-06 missed: 1 unit(s)")]
    assert "These units owe reports of 2023-06; the deadline was 2023-07-15.\n\n- E2 (Coal mine): 1 report(s)" \
        in inbox.messages[2][1]


def test_the_server_sends_by_itself_and_does_the_daily_work_once(people, smtp, monkeypatch):
    import time

    from fastapi.testclient import TestClient

    from gosplan.api import create_app
    from gosplan.service.mail import Mailer

    inbox, settings, start, _stop = smtp
    service = people
    start()
    set_address(service, "sam", "sam@gosplan.test", digest=True)
    submit(service, "E2", "2023-04", REPORTER_E2)  # held for sam's digest
    mailer = Mailer(service, settings, daily_hour=6)
    # tomorrow, so that the simulated hours come after every message queued now (whatever the hour of the run)
    early = (utc_now() + timedelta(days=1)).replace(hour=5, minute=0, second=0, microsecond=0)
    assert mailer.cycle(early).sent == 0  # before the daily hour: the digest waits
    assert mailer.cycle(early.replace(hour=7)).sent == 1  # the digest
    assert mailer.cycle(early.replace(hour=8)).sent == 0  # once a day
    assert "1 notification(s)" in inbox.messages[-1][1]
    set_address(service, "sam", "sam@gosplan.test")
    monkeypatch.setenv("GOSPLAN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GOSPLAN_SMTP_PORT", str(settings.port))
    monkeypatch.setenv("GOSPLAN_MAIL_SECONDS", "0.2")
    with TestClient(create_app(str(service.store.engine.url.render_as_string(hide_password=False)))):
        submit(service, "E2", "2023-05", REPORTER_E2)
        deadline = time.monotonic() + 20
        while len(inbox.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    assert inbox.messages[-1][1].startswith("Subject: Approval requested: E2, 2023-05")
