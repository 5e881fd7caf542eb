"""The command tests' way of running ``gosplan`` in process against a store."""

from __future__ import annotations

from typer.testing import CliRunner

from gosplan.cli import app

runner = CliRunner()


def run_cli(db: str, *args: str, code: int = 0, width: int = 200):
    """``gosplan ARGS --db DB`` with a terminal ``width`` wide; asserts its exit code."""
    result = runner.invoke(app, [*args, "--db", db], env={"COLUMNS": str(width)})
    assert result.exit_code == code, (result.output, result.exception)
    return result
