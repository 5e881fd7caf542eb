"""``gosplan rules`` on the demo store, read at 80 columns."""

from __future__ import annotations

from clienv import run_cli


def test_add_run_follow_up_resolve(db):
    run_cli(db, "rules", "add", "hours_per_worker", "equipment_hours <= 40 * workers")
    bad = run_cli(db, "rules", "add", "x", "coal_used <= 0.7 * electricity", code=1)
    assert "unknown indicator 'coal_used'" in str(bad.exception)
    out = run_cli(db, "rules", "run", "--period", "2023-06", width=80).output
    assert "hours_per_worker (warning): equipment_hours <= 40 * workers" in out
    assert "bld.chagang" in out and "202,881" in out and "171,800" in out
    assert "e+" not in out and "nan" not in out
    assert max(len(line) for line in out.splitlines()) <= 80
    csv = run_cli(db, "rules", "run", "--period", "2023-06", "--format", "csv").output
    first_id = csv.splitlines()[1].split(",")[0]
    run_cli(db, "rules", "follow-up", first_id, "--comment", "check the meters")
    run_cli(db, "rules", "resolve", first_id, code=1)
    run_cli(db, "rules", "resolve", first_id, "--comment", "meters replaced")
    out = run_cli(db, "rules", "violations", "--period", "2023-06", "--status", "resolved", width=80).output
    assert "resolved" in out and "1 violation(s)" in out


def test_generate_minmax_and_listing(db):
    out = run_cli(db, "rules", "generate-minmax", "--as-of", "2023-05").output
    assert "bounds generated from the 3 years up to 2023-05" in out
    out = run_cli(db, "rules", "run", "--period", "2023-06", width=80).output
    assert "within bounds" in out
    assert "hours_per_worker" in run_cli(db, "rules").output
