"""``gosplan approvals`` on the demo store, read at 80 columns."""

from __future__ import annotations

from clienv import run_cli


def test_submit_approve_lock_and_refusals(db):
    assert "2023-06 submitted" in run_cli(db, "approvals", "submit", "--unit", "coal.tokchon",
                                          "--period", "2023-06").output
    run_cli(db, "approvals", "approve", "--unit", "coal.tokchon", "--period", "2023-06")
    out = run_cli(db, "approvals", "status", "--unit", "KP-02.tokchon", "--period", "2023-06", width=80).output
    assert "approved (level 1)" in out and max(len(line) for line in out.splitlines()) <= 80
    run_cli(db, "approvals", "lock", "--unit", "KP", "--period", "2023-06")
    refused = run_cli(db, "approvals", "unapprove", "--unit", "coal.tokchon", "--period", "2023-06",
                      "--reason", "late correction", code=1)
    assert "locked at KP; unlock it before unapproving" in str(refused.exception)
    missing = run_cli(db, "approvals", "approve", "--unit", "coal.tokchon", "--period", "2023-06", "--user",
                      "nobody", code=1)
    assert "no enabled account 'nobody'" in str(missing.exception)
    run_cli(db, "approvals", "unlock", "--unit", "KP", "--period", "2023-06", "--reason", "reopened")
    assert "unapproved" in run_cli(db, "approvals", "unapprove", "--unit", "coal.tokchon", "--period", "2023-06",
                                   "--reason", "late correction").output
