"""``gosplan mail`` and ``gosplan entry`` on the demo store, read at 80 columns, with a real SMTP server
(aiosmtpd) on loopback and settings from the environment."""

from __future__ import annotations

from clienv import run_cli


def _fits(text: str) -> bool:
    return max(len(line) for line in text.splitlines()) <= 80


def test_addresses_outbox_send_and_status(db, smtp, monkeypatch):
    from gosplan.service import Service
    from gosplan.service.accounts import add_user

    inbox, settings, start, _stop = smtp
    service = Service.open(db)
    add_user(service, "sam", "a long test password", "planner", "KP-02", actor="test")
    add_user(service, "rey", "a long test password", "reporter", "coal.tokchon", actor="test")
    out = run_cli(db, "mail", "address", "sam", "sam@gosplan.test", "--kinds", "approval,alert").output
    assert out.strip() == "sam <sam@gosplan.test>: approval, alert, at once"
    run_cli(db, "mail", "address", "rey", "rey@gosplan.test", "--digest")
    refused = run_cli(db, "mail", "address", "rey", "rey@gosplan.test", "--kinds", "gossip", code=1)
    assert "unknown kind of mail 'gossip'" in str(refused.exception)
    out = run_cli(db, "mail", "addresses", width=80).output
    assert "sam@gosplan.test" in out and "digest" in out and _fits(out)
    run_cli(db, "approvals", "submit", "--unit", "coal.tokchon", "--period", "2023-05")
    assert "1 queued" in run_cli(db, "mail", "status").output
    unset = run_cli(db, "mail", "send", code=1)
    assert "mail is not configured: set GOSPLAN_SMTP_HOST" in str(unset.exception)
    monkeypatch.setenv("GOSPLAN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GOSPLAN_SMTP_PORT", str(settings.port))
    monkeypatch.setenv("GOSPLAN_SMTP_FROM", "plan@gosplan.test")
    out = run_cli(db, "mail", "send").output  # the server is not up yet
    assert "0 sent, 1 waiting for another attempt, 0 failed" in out and "Connection refused" in out
    out = run_cli(db, "mail", "status", width=80).output
    assert "Outbox: 1 queued, 0 sending, 0 sent, 0 failed" in out and "Connection" in out and _fits(out)
    assert "refused" in out
    start()
    run_cli(db, "approvals", "submit", "--unit", "coal.tokchon", "--period", "2023-04")
    assert "1 sent, 0 waiting" in run_cli(db, "mail", "send").output  # the first waits for its next attempt
    ((to, text),) = inbox.messages
    assert to == ["sam@gosplan.test"] and "Subject: Approval requested: coal.tokchon, 2023-04" in text
    assert "0 message(s) queued again" in run_cli(db, "mail", "retry").output
    assert "0 digest(s) queued" in run_cli(db, "mail", "digest").output


def test_entry_closing_grant_and_late_history(db):
    assert "Data entry never closes" in run_cli(db, "entry", "close").output
    out = run_cli(db, "entry", "close", "20", width=80).output
    assert "closes 20 days after the month's end" in out and _fits(out)
    out = run_cli(db, "entry", "grant", "--unit", "KP-02", "--period", "2023-Q2", "--reason", "floods").output
    assert "KP-02 may enter 2023-04..2023-06 late" in out
    out = run_cli(db, "entry", "permissions", "--period", "2023-06", width=80).output
    assert "KP-02" in out and "floods" in out and _fits(out)
    fix = "indicator,unit,period,value\ncoal,coal.tokchon,2023-06,1234\n"
    from pathlib import Path

    path = Path(db.removeprefix("sqlite:///")).with_name("fix.csv")
    path.write_text(fix)
    run_cli(db, "import", str(path), "--today", "2023-08-01")
    out = run_cli(db, "history", "--indicator", "coal", "--unit", "coal.tokchon", "--period", "2023-06",
                  width=80).output
    assert "yes late" in out and _fits(out)
    out = run_cli(db, "entry", "late", "--period", "2023-06", width=80).output
    assert "coal.tokchon" in out and _fits(out)
    run_cli(db, "entry", "revoke", "--unit", "KP-02", "--period", "2023-Q2")
    assert "No late-entry permission" in run_cli(db, "entry", "permissions").output
    assert "Data entry never closes" in run_cli(db, "entry", "close", "--never").output
