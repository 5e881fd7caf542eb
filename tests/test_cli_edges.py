"""The command line at its edges: usage mistakes, missing or wrong stores, start-up cost, 80-column output.

Most cases run the real ``gosplan`` console script in a subprocess (with this checkout's ``src`` first on
``PYTHONPATH``), as a user meets it, so that import-time problems and tracebacks show.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gosplan import __version__

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
_SCRIPT = Path(sys.executable).with_name("gosplan")
COMMAND = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-c", "from gosplan.cli import main; main()"]
NO_STORE = "there is no gosplan store"


def gosplan(*args: str, cwd: Path, columns: int = 80, timeout: int = 600, stdin: str | None = None,
            command: list[str] | None = None) -> subprocess.CompletedProcess:
    """``gosplan ARGS`` in ``cwd`` with output to a pipe (not a terminal)."""
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "COLUMNS": str(columns)}
    env.pop("GOSPLAN_DB", None)
    return subprocess.run([*(command or COMMAND), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, input=stdin)


def assert_clean_error(done: subprocess.CompletedProcess, code: int, *phrases: str) -> None:
    """Exit ``code``, no traceback, at most two lines on stderr (message and hint), each phrase present."""
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 2, done.stderr
    assert lines[0].startswith("error: "), done.stderr
    for phrase in phrases:
        assert phrase in done.stderr, (phrase, done.stderr)


@pytest.fixture
def demo_dir(tmp_path, sqlite_demo) -> Path:
    """A folder holding a copy of the demo store as ./gosplan.db."""
    from webenv import copy_sqlite

    copy_sqlite(sqlite_demo, tmp_path / "gosplan.db")
    return tmp_path


# -- usage errors ---------------------------------------------------------------------------------------------


def test_version_prints_the_version(tmp_path):
    done = gosplan("--version", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"gosplan {__version__}"


@pytest.mark.parametrize(
    ("args", "phrases"),
    [
        (["status"], ["Missing option '--period'", "gosplan status --help"]),
        (["stauts"], ["No such command 'stauts'", "Did you mean 'status'?"]),
        (["status", "--period", "2023-06", "--window", "decade"], ["'--window'", "ytd, period"]),
        (["status", "--period", "2023-06", "--format", "xml"], ["'--format'", "table, csv, json"]),
        (["review", "--period", "2023-H1", "--format", "docx"], ["html, pdf, md"]),
        (["template", "nonsense"], ["reports", "nonsense"]),
        (["import", "--today", "2023-13-01", "x.csv"], ["not a date"]),
        (["--db", "x.db", "status"], ["No such option: --db", "go after the command"]),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(tmp_path, args, phrases):
    done = gosplan(*args, cwd=tmp_path)
    assert_clean_error(done, 2, *phrases)
    assert not (tmp_path / "gosplan.db").exists()


def test_usage_errors_of_click_and_typer_copies_are_caught(monkeypatch, capsys):
    """Whichever copy of click's exceptions a command raises (typer >= 0.29 carries its own), main catches it."""
    import click

    from gosplan import cli

    copies = [click.UsageError("bad thing"), click.BadParameter("not good")]
    try:
        from typer._click import exceptions as typer_click
    except ImportError:  # typer before 0.29 uses click itself
        typer_click = None
    if typer_click is not None:
        copies += [typer_click.UsageError("bad thing"), typer_click.BadParameter("not good")]
    for exc in copies:
        def boom(*_args, exc=exc, **_kwargs):
            raise exc

        monkeypatch.setattr(cli, "app", boom)
        with pytest.raises(SystemExit) as ended:
            cli.main(["x"])
        assert ended.value.code == 2
        assert "error:" in capsys.readouterr().err


# -- user errors ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "phrases"),
    [
        (["status", "--period", "2023-13"], ["not a period", "2023-13"]),
        (["status", "--period", "2023-06", "--unit", "NOPE"], ["unknown unit 'NOPE'"]),
        (["status", "--period", "2023-06", "--indicator", "nope"], ["unknown indicator 'nope'"]),
        (["forecast", "--as-of", "June"], ["not a period"]),
        (["alerts", "ack", "99999"], ["no alert with id 99999"]),
    ],
)
def test_user_errors_are_one_line_with_exit_1(demo_dir, args, phrases):
    assert_clean_error(gosplan(*args, cwd=demo_dir), 1, *phrases)


def test_usage_errors_on_a_store_exit_2(demo_dir):
    assert_clean_error(gosplan("export", "fulfilment", "--out", "f.csv", cwd=demo_dir), 2, "'--period'")
    assert_clean_error(gosplan("export", "fulfilment", "--period", "2023-06", "--out", "f.txt", cwd=demo_dir), 2,
                       ".csv, .xlsx or .parquet")


def test_import_of_a_missing_file_creates_no_store(tmp_path):
    done = gosplan("import", "nope.csv", cwd=tmp_path)
    assert done.returncode == 1 and "nope.csv: file not found" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "gosplan.db").exists()


# -- no store, wrong store ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["status", "--period", "2023-06"],
        ["alerts", "--open"],
        ["history", "--indicator", "coal", "--unit", "KP"],
        ["forecast", "--as-of", "2023-06"],
        ["users", "list"],
        ["export", "reports", "--out", "r.csv"],
        ["review", "--period", "2023-H1"],
    ],
)
def test_read_commands_never_create_a_store(tmp_path, args):
    done = gosplan(*args, cwd=tmp_path)
    assert_clean_error(done, 1, NO_STORE, "gosplan demo", "gosplan init")
    assert not list(tmp_path.iterdir())


def test_demo_runs_after_a_read_command_and_on_an_empty_store(tmp_path):
    from clienv import runner
    from gosplan.cli import app

    url = f"sqlite:///{tmp_path / 'g.db'}"
    assert runner.invoke(app, ["status", "--period", "2023-06", "--db", url]).exit_code == 1
    assert not (tmp_path / "g.db").exists()
    assert runner.invoke(app, ["init", "--db", url]).exit_code == 0  # an empty store: the demo may replace it
    done = runner.invoke(app, ["demo", "--db", url, "--out", str(tmp_path / "r.html")], env={"COLUMNS": "80"})
    assert done.exit_code == 0, (done.output, done.exception)
    assert "Review written to" in done.output


def test_a_plain_path_is_an_sqlite_file(tmp_path):
    done = gosplan("init", "--db", "plain.db", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "plain.db").exists()
    listed = gosplan("users", "list", "--db", str(tmp_path / "plain.db"), cwd=tmp_path)
    assert listed.returncode == 0 and "Traceback" not in listed.stderr


def test_a_store_in_a_missing_folder_is_refused(tmp_path):
    assert_clean_error(gosplan("init", "--db", str(tmp_path / "nowhere" / "g.db"), cwd=tmp_path), 1,
                       "does not exist")
    assert_clean_error(gosplan("status", "--period", "2023-06", "--db", "nowhere/g.db", cwd=tmp_path), 1, NO_STORE)


def test_unknown_url_schemes_say_what_a_url_looks_like(tmp_path):
    assert_clean_error(gosplan("init", "--db", "mysql://me@host/db", cwd=tmp_path), 1, "postgresql+psycopg://")


@pytest.fixture
def pg_server(postgres_database) -> str:
    if postgres_database is None:
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432")
    from sqlalchemy.engine import make_url

    return make_url(postgres_database).set(database="gosplan_no_such_database_x").render_as_string(False)


@pytest.mark.postgres
def test_a_missing_postgres_database_says_createdb(tmp_path, pg_server):
    for args in (["status", "--period", "2023-06"], ["init"]):
        done = gosplan(*args, "--db", pg_server, cwd=tmp_path)
        assert_clean_error(done, 1, "gosplan_no_such_database_x", "does not exist",
                           "createdb -h 127.0.0.1 -p 5432 gosplan_no_such_database_x")


@pytest.mark.postgres
def test_an_unreachable_server_says_so_with_host_and_port(tmp_path, pg_server):
    url = pg_server.replace(":5432/", ":1/")
    assert_clean_error(gosplan("status", "--period", "2023-06", "--db", url, cwd=tmp_path), 1,
                       "cannot reach the PostgreSQL server at 127.0.0.1:1")


@pytest.mark.postgres
def test_an_empty_postgres_database_is_not_made_a_store_by_a_read(tmp_path, new_store_url):
    url = new_store_url("postgresql")
    done = gosplan("alerts", "--open", "--db", url, cwd=tmp_path)
    assert_clean_error(done, 1, "holds no gosplan store", "gosplan init --db")
    from gosplan.store import Store

    assert not Store(__import__("sqlalchemy").create_engine(url), url).has_schema()


# -- the demo on PostgreSQL -----------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.slow
def test_demo_on_postgres_rebuilds_and_every_hint_carries_db(tmp_path, new_store_url):
    from gosplan.service import Service

    url = new_store_url("postgresql")
    Service.open(url).load_demo(2023)  # a first demo run
    done = gosplan("demo", "--db", url, "--out", str(tmp_path / "r.html"), cwd=tmp_path, timeout=900)
    assert done.returncode == 0, done.stderr
    hints = [line.strip() for line in done.stdout.split("Next:", 1)[1].splitlines() if line.strip()]
    assert hints and all(line.startswith("gosplan ") and line.endswith(f"--db {shlex.quote(url)}") for line in hints)
    assert len(Service.open(url).units()) == 197  # rebuilt, not loaded twice


@pytest.mark.postgres
def test_demo_refuses_a_postgres_database_holding_other_data(tmp_path, new_store_url):
    import pandas as pd

    from gosplan.store import Store

    url = new_store_url("postgresql")
    store = Store.open(url)
    store.write_units(pd.DataFrame({"code": ["X"], "name": ["Someone's data"], "kind": ["country"]}))
    done = gosplan("demo", "--db", url, cwd=tmp_path)
    assert_clean_error(done, 1, "holds data other than the demo", "--force")
    assert store.units()["code"].tolist() == ["X"]


def test_next_hints_carry_db():
    from gosplan.commands.demo import next_commands

    assert all(c.endswith(" --db 'my store.db'") for c in next_commands("my store.db"))
    assert not any("--db" in c for c in next_commands(None))


# -- the tour: template and import on the demo ----------------------------------------------------------------


def test_tour_template_then_import_on_the_demo(demo_dir):
    made = gosplan("template", "reports", "--out", "my-reports.csv", cwd=demo_dir)
    assert made.returncode == 0, made.stderr
    text = (demo_dir / "my-reports.csv").read_text()
    assert "PY" not in text and "steel" not in text  # the demo has neither
    imported = gosplan("import", "my-reports.csv", cwd=demo_dir)
    assert imported.returncode == 0, imported.stderr
    assert "reports: 1 row — 1 new" in imported.stdout


@pytest.mark.parametrize("kind", ["targets", "units", "indicators", "sectors", "plans"])
def test_templates_of_other_kinds_import_into_the_demo(demo_dir, kind):
    assert gosplan("template", kind, "--out", f"{kind}.csv", cwd=demo_dir).returncode == 0
    done = gosplan("import", f"{kind}.csv", cwd=demo_dir)
    assert done.returncode == 0, done.stderr


def test_template_without_a_store_keeps_the_fixed_example(tmp_path):
    assert gosplan("template", "reports", "--out", "r.csv", cwd=tmp_path).returncode == 0
    assert "steel,PY,2023-06" in (tmp_path / "r.csv").read_text()
    assert not (tmp_path / "gosplan.db").exists()


# -- messages -------------------------------------------------------------------------------------------------


def test_no_alerts_says_how_alerts_are_raised(tmp_path):
    # The demo opens with its alerts raised; a store whose months raised nothing says how alerts come about.
    assert gosplan("init", cwd=tmp_path).returncode == 0
    done = gosplan("alerts", "--open", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "gosplan alerts raise --as-of" in done.stdout.replace("\n", " ")


# -- 80 columns -----------------------------------------------------------------------------------------------

NUMBER_CUT = re.compile(r"\d…|…\d")


@pytest.mark.parametrize(
    "args",
    [
        ["status", "--period", "2023-06", "--by", "unit", "--indicator", "coal"],
        ["status", "--period", "2023-06"],
        ["status", "--period", "2023-06", "--by", "sector"],
        ["history", "--indicator", "coal", "--unit", "coal.tokchon"],
        ["projects"],
        ["campaigns", "list"],
        ["balance", "key-sectors"],
    ],
)
def test_tables_fit_80_columns_when_piped(demo_dir, args):
    done = gosplan(*args, cwd=demo_dir)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80, done.stdout
    assert not NUMBER_CUT.search(done.stdout), done.stdout


def test_coal_league_table_keeps_whole_numbers_on_one_line(demo_dir):
    done = gosplan("status", "--period", "2023-06", "--by", "unit", "--indicator", "coal", cwd=demo_dir)
    row = next(line for line in done.stdout.splitlines() if line.startswith("South Pyongan"))
    # 104.9 % keeps its decimal: rounded to 105 % it would read as "exceeding" beside "on track".
    assert re.search(r"5,318\.0\s+5,578\.9\s+104\.9 %\s+\+5\.0 %\s+53 %\s+on track", row), row
    assert "Coal (kt)" in done.stdout.splitlines()[0]


def test_fit_shares_the_room_and_never_cuts_numbers():
    from rich.console import Console

    from gosplan import terminal

    grid = terminal.table("t")
    terminal.text(grid, "Name", min_width=6)
    terminal.number(grid, "Value")
    terminal.number(grid, "Quantity")
    grid.add_row("A rather long name of an enterprise that goes on", "1,234,567.8", "16,390 dwellings")
    console = Console(width=40, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    terminal.show(console, grid)
    out = console.export_text()
    assert max(len(line.rstrip()) for line in out.splitlines()) <= 40, out
    assert "1,234,567.8" in out and "16,390" in out and "dwellings" in out and "…" in out


# -- start-up -------------------------------------------------------------------------------------------------


def _imported(*args: str, cwd: Path) -> set[str]:
    done = gosplan(*args, cwd=cwd, command=[sys.executable, "-X", "importtime", "-c",
                                            "from gosplan.cli import main; main()"])
    return {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["stauts"]])
def test_help_and_version_import_neither_pandas_nor_the_service(tmp_path, args):
    loaded = _imported(*args, cwd=tmp_path)
    assert "typer" in loaded
    for heavy in ("pandas", "numpy", "sqlalchemy", "pint", "gosplan.service", "gosplan.store", "rich.table"):
        assert heavy not in loaded, heavy


@pytest.mark.parametrize("name", ["status", "alerts", "balance", "forecast", "users", "tokens", "reserves",
                                  "projects", "risk", "actions", "campaigns", "demo", "import", "review"])
def test_a_commands_help_and_a_missing_store_load_no_pandas(tmp_path, name):
    loaded = _imported(name, "--help", cwd=tmp_path)
    assert "pandas" not in loaded and "gosplan.service" not in loaded and "pint" not in loaded
    missing = _imported("status", "--period", "2023-06", cwd=tmp_path)
    assert "pandas" not in missing and "sqlalchemy" not in missing


# -- the command table ----------------------------------------------------------------------------------------


def test_command_table_is_alphabetical_and_every_entry_loads():
    from gosplan import cli

    names = list(cli.COMMANDS)
    assert names == sorted(names)
    source = (SRC / "gosplan" / "cli.py").read_text()
    for name in names:
        assert source.count(f'    "{name}": (') == 1  # one entry per line
        command = cli.load_command(name)
        assert command.name == name
        assert CliRunner().invoke(cli.app, [name, "--help"]).exit_code == 0


def test_help_lists_every_command_with_its_line(tmp_path):
    from gosplan import cli

    done = gosplan("--help", cwd=tmp_path, columns=120)
    assert done.returncode == 0
    for name, (_, line) in cli.COMMANDS.items():
        assert re.search(rf"^\s+{name}\s+{re.escape(line)}", done.stdout, re.MULTILINE), name


def test_a_command_whose_dependency_is_missing_says_what_to_install(monkeypatch, tmp_path):
    from gosplan import cli

    module = tmp_path / "gosplan_fake_command.py"
    module.write_text("import surely_not_installed_pkg\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(cli.COMMANDS, "fake", ("gosplan_fake_command", "A command needing a missing package."))
    result = CliRunner().invoke(cli.app, ["fake"])
    assert result.exit_code == 1
    assert "pip install surely_not_installed_pkg" in str(result.exception)


def test_role_help_matches_the_roles():
    from gosplan.commands._common import ROLE_HELP
    from gosplan.service.accounts import ROLES

    assert f"{', '.join(ROLES[:-1])} or {ROLES[-1]}." == ROLE_HELP


# -- .gitignore -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["gosplan.db", "gosplan.db-wal", "gosplan.db-shm", "gosplan-review-2023-H1.html",
                                  "gosplan-review-2023-H1.pdf", "gosplan-review-2023-H1.md"])
def test_gitignore_covers_the_files_gosplan_leaves(name):
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    done = subprocess.run(["git", "check-ignore", "--no-index", "-q", name], cwd=ROOT, capture_output=True)
    assert done.returncode == 0, f"{name} is not ignored"
