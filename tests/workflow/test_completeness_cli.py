"""``gosplan completeness`` on the demo store, read at 80 columns."""

from __future__ import annotations

from clienv import run_cli


def test_completeness_by_unit_names_silent_units(db):
    out = run_cli(db, "completeness", "--period", "2023-06", "--by", "unit", width=80).output
    assert "KP — 2023-06 — owed per targets; due 15 days after month end" in out
    assert "Reports expected 179, received 176 (98.3 %)" in out
    assert "3 unit(s) sent no report at all" in out
    for unit in ("fish.sonbong", "text.kanggye", "bld.ryanggang"):
        assert unit in out
    assert "nan" not in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_sets_assign_and_csv(db):
    run_cli(db, "completeness", "define-set", "energy", "--indicators", "electricity,energy_use")
    out = run_cli(db, "completeness", "assign", "energy", "--unit", "KP", "--kind", "enterprise").output
    assert "assigned to 134 unit(s)" in out
    csv = run_cli(db, "completeness", "--period", "2023-H1", "--by", "indicator", "--format", "csv").output
    header, *rows = csv.strip().splitlines()
    assert header.startswith("indicator,expected,received,on_time")
    assert {r.split(",")[0] for r in rows} == {"electricity", "energy_use"}
    bad = run_cli(db, "completeness", "define-set", "x", "--indicators", "nickel", code=1)
    assert "nickel" in str(bad.exception)
