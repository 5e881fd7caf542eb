"""The plan-side commands (actions, balance, campaigns, forecast, plan, potential, projects, reserves, risk,
review) in the pseudo-language ``qps``: every word they print passes through the catalogue.

Each command runs on the demo store with ``GOSPLAN_LANG=qps`` at 200 columns; any English word left outside
the ⟦…⟧ brackets (other than names, codes and units of measure) is a message that is not translated. The
commands that change the store run in order on a copy of the demo, one copy per workflow. Help texts and the
errors users meet run through ``gosplan.cli.main`` in one child process, as a user would see them (the
translation of click's own words is global state, not to be left behind in the test process)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_pseudo_locale import ALLOWED, _names, english_outside_brackets

SRC = str(Path(__file__).resolve().parents[2] / "src")
IO_TABLE = str(Path(__file__).resolve().parents[1] / "data" / "io" / "BEL2020ttl.csv")
#: Words of the data rather than of the program: who did it (the default of --by), the body that adopts.
DATA_WORDS = {"demo", "correction", "cli", "planner", "admin", "Plenum"}

READS = [
    ["actions", "list"],
    ["balance", "tables"],
    ["balance", "key-sectors"],
    ["balance", "implications", "--period", "2023-H1"],
    ["balance", "bottlenecks", "--year", "2023"],
    ["balance", "bottlenecks", "--year", "2023", "--plan"],
    ["campaigns", "list"],
    ["campaigns", "show", "coal-innovation-2023"],
    ["forecast", "--as-of", "2023-06"],
    ["forecast", "--as-of", "2023-06", "--unit", "KP-02", "--depth", "1"],
    ["forecast", "--as-of", "2023-06", "--indicator", "grain"],
    ["forecast", "--as-of", "2023-06", "--tautness"],
    ["forecast", "--as-of", "2023-06", "--five-year"],
    ["plan", "versions"],
    ["plan", "norms"],
    ["plan", "capacities"],
    ["plan", "implications", "--period", "2023-H1"],
    ["potential", "--period", "2023-H1"],
    ["potential", "--period", "2023-H1", "--by", "unit"],
    ["projects"],
    ["projects", "--late", "--as-of", "2023-06"],
    ["reserves", "--period", "2023-H1"],
    ["reserves", "--period", "2023-H1", "--sector", "coal", "--rts", "crs"],
    ["risk", "--year", "2023", "--scenarios", "2000"],
]

#: Commands that change the store, in the order a planner runs them; each workflow on its own copy.
WORKFLOWS: dict[str, list[list[str]]] = {
    "actions": [
        ["actions", "propose", "--period", "2023-H1"],
        ["actions", "accept", "1"],
        ["actions", "edit", "1", "--due", "2023-12-31"],
        ["actions", "status", "1", "--set", "in progress"],
        ["actions", "reject", "2"],
        ["actions", "list", "--status", "accepted"],
        ["actions", "track", "--period", "2023-H1"],
        ["actions", "plan", "propose", "--period", "2023-H1"],
        ["actions", "plan", "adopt", "--period", "2023-H1", "--version", "1", "--body", "Plenum",
         "--on", "2023-07-15"],
        ["actions", "plan", "versions", "--period", "2023-H1"],
        ["actions", "plan", "show", "--period", "2023-H1"],
        ["actions", "stocktake", "--period", "2023-H1", "--through", "2023-09"],
        ["actions", "stocktake", "--period", "2023-H1", "--through", "2023-09", "--action", "1"],
    ],
    "plan": [
        ["plan", "draft", "--year", "2024", "--name", "v24"],
        ["plan", "balance", "v24"],
        ["plan", "variant", "v24", "--name", "v24b", "--scale", "electricity=1.02", "--set", "KP-08:cement=2500000"],
        ["plan", "compare", "v24", "v24b"],
        ["plan", "counter", "import", "{counter}", "--from", "KP-03"],
        ["plan", "counter", "show", "v24b", "--level", "province"],
        ["plan", "counter", "show", "v24"],
        ["plan", "counter", "accept", "v24b", "--name", "v24c"],
        ["plan", "adopt", "v24c", "--accept-deficits"],
        ["plan", "versions"],
    ],
    "balance": [
        ["balance", "update-table", "--year", "2023"],
        ["balance", "tables"],
        ["plan", "draft", "--year", "2024", "--name", "v24"],
        ["plan", "balance", "v24"],
    ],
    "review": [
        ["review", "--period", "2023-H1", "--format", "md", "--out", "{tmp}/review.md"],
    ],
}

#: The input-output commands on a table file (no store).
FILES = [
    ["balance", "check", IO_TABLE],
    ["balance", "analyse", IO_TABLE],
    ["balance", "extract", IO_TABLE],
    ["balance", "shock", IO_TABLE, "--capacity", "D01=100"],
    ["balance", "plan", IO_TABLE],
]

#: Every subcommand, for its --help.
HELP = [["actions"], *(["actions", c] for c in ("propose", "list", "accept", "reject", "edit", "status", "track",
                                                "stocktake", "plan")),
        *(["actions", "plan", c] for c in ("propose", "adopt", "versions", "show")),
        ["balance"], *(["balance", c] for c in ("check", "analyse", "extract", "shock", "plan", "import", "capacities",
                                                "tables", "update-table", "key-sectors", "implications",
                                                "bottlenecks")),
        ["campaigns"], *(["campaigns", c] for c in ("list", "show", "import")),
        ["forecast"], ["potential"], ["projects"], ["reserves"], ["risk"], ["review"],
        ["plan"], *(["plan", c] for c in ("draft", "balance", "variant", "compare", "adopt", "versions", "norms",
                                          "capacities", "implications", "counter")),
        *(["plan", "counter", c] for c in ("import", "show", "accept"))]

#: Mistakes users make, and what the store refuses: each must come out in the reader's language.
ERRORS = [
    ["forecast"],
    ["forecast", "--as-of", "2023-06", "--indicator", "nope"],
    ["forecast", "--as-of", "2023-06", "--unit", "nowhere"],
    ["forecast", "--as-of", "June"],
    ["potential", "--period", "2023-H1", "--by", "planet"],
    ["reserves", "--period", "2023-H1", "--rts", "drs"],
    ["review", "--period", "2023-H1", "--format", "docx"],
    ["plan", "variant", "nope", "--name", "x"],
    ["plan", "balance", "nope"],
    ["plan", "adopt", "nope"],
    ["plan", "counter", "show", "nope"],
    ["plan", "draft"],
    ["actions", "accept", "999"],
    ["actions", "plan", "show", "--period", "2023-H1"],
    ["actions", "stocktake", "--period", "2023-H1", "--through", "2023-09"],
    ["balance", "update-table", "--year", "2031"],
    ["balance", "bottlenecks"],
    ["balance", "shock", IO_TABLE, "--capacity", "D01"],
    ["campaigns", "show", "zzq"],
    ["risk"],
]


#: What the users typed (wrong), and the choices the errors name, as they are typed.
TYPED_IN_ERRORS = {"nope", "nowhere", "June", "planet", "drs", "docx", "zzq", "html", "pdf", "md", "vrs", "crs"}


@pytest.fixture(scope="module")
def demo_copy(sqlite_demo, tmp_path_factory):
    """A copy of the demo store for each caller, and the names in it (allowed outside the brackets)."""
    from webenv import copy_sqlite

    def copy(name: str) -> str:
        return copy_sqlite(sqlite_demo, tmp_path_factory.mktemp(name) / "demo.db")

    return copy, ALLOWED | DATA_WORDS | _store_words(copy("names"))


def _store_words(url: str) -> set[str]:
    """Names in the store: of units, indicators, ..., and of its projects, movements and input-output tables
    (with the movements' descriptions: texts of the store as their originator wrote them, in one language)."""
    from gosplan.store import Store

    store = Store.open(url)
    words = _names(store)
    texts = [*store.campaigns()["name"], *store.campaigns()["description"], *store.io_tables()["name"],
             *store.io_tables()["source"],
             *store.projects()["name"]]
    return words | {w for text in texts for w in re.findall(r"[A-Za-z]+", str(text))}


@pytest.fixture(scope="module")
def read_store(demo_copy):
    copy, allowed = demo_copy
    return copy("reads"), allowed


def _run(args: list[str], db: str | None):
    from typer.testing import CliRunner

    from gosplan.cli import app

    line = [*args, "--db", db] if db else args
    return CliRunner().invoke(app, line, env={"GOSPLAN_LANG": "qps", "COLUMNS": "200"})


def _check(result, args: list[str], allowed: set[str]) -> None:
    assert result.exit_code == 0, (args, result.output, result.exception)
    assert "⟦" in result.output, (args, result.output)
    left = english_outside_brackets(result.output, allowed)
    assert not left, f"gosplan {' '.join(args)}: words outside the catalogue: {left}\n{result.output}"


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_read_commands_pass_their_words_through_the_catalogue(read_store, args):
    db, allowed = read_store
    _check(_run(args, db), args, allowed)


@pytest.mark.parametrize("name", WORKFLOWS)
def test_commands_that_change_the_store_pass_their_words_through_the_catalogue(demo_copy, tmp_path, name):
    copy, allowed = demo_copy
    db = copy(f"workflow-{name}")
    counter = tmp_path / "counter.csv"
    counter.write_text("plan,unit,indicator,period,value,reason\n"
                       "v24b,coal.kujang,coal,2024,2100000,KP03\n", encoding="utf-8")
    for step in WORKFLOWS[name]:
        args = [a.format(counter=counter, tmp=tmp_path) for a in step]
        path_words = set(re.findall(r"[A-Za-z]+", str(tmp_path)))  # where the review is written
        _check(_run(args, db), args, allowed | _store_words(db) | path_words)


@pytest.mark.parametrize("args", FILES, ids=lambda a: " ".join(a[:2]))
def test_table_file_commands_pass_their_words_through_the_catalogue(demo_copy, args):
    _copy, allowed = demo_copy
    from gosplan.engines.balance.readers import read_table

    labels = {w for label in read_table(Path(IO_TABLE)).labels for w in str(label).replace("_", " ").split()}
    result = _run(args, None)
    if args[1] == "check" and result.exit_code == 1:  # errors found in the table: still in the reader's words
        result.exit_code = 0
    _check(result, args, allowed | labels)


def _without_pairs(text: str) -> str:
    """``text`` without the bracketed (translated) messages, innermost first."""
    before = None
    while text != before:
        before, text = text, re.sub(r"⟦[^⟦⟧]*⟧", " ", text)
    return text


_MAIN = """
import json, sys
from gosplan.cli import main
for line in json.loads(sys.argv[1]):
    print("\\n@@@ " + " ".join(line), flush=True)
    print("\\n@@@ " + " ".join(line), file=sys.stderr, flush=True)
    try:
        main(line)
    except SystemExit:
        pass
    sys.stdout.flush()
    sys.stderr.flush()
"""


def _through_main(lines: list[list[str]], db: str | None = None) -> dict[str, str]:
    """What ``gosplan LINE`` prints (stdout and stderr) for each line, run in one child process."""
    env = {**os.environ, "PYTHONPATH": SRC, "COLUMNS": "200", "GOSPLAN_LANG": "qps"}
    if db:
        env["GOSPLAN_DB"] = db
    done = subprocess.run([sys.executable, "-c", _MAIN, json.dumps(lines)], env=env, capture_output=True,
                          text=True, timeout=600)
    outputs: dict[str, str] = {}
    for stream in (done.stdout, done.stderr):
        for part in stream.split("\n@@@ ")[1:]:
            key, _newline, text = part.partition("\n")
            outputs[key] = outputs.get(key, "") + text
    assert "Traceback" not in done.stderr, done.stderr
    return outputs


def test_every_help_passes_its_words_through_the_catalogue(demo_copy):
    _copy, allowed = demo_copy
    outputs = _through_main([[*h, "--help"] for h in HELP])
    # Help shows what to type: commands, options, metavariables and choices stay as they are typed.
    typed = {"TABLE", "NAME", "ID", "ACTION", "FILE", "PATH", "VERSION", "A", "B", "COMMAND", "ARGS", "OPTIONS",
             "str", "int", "bool", "path", "float"}
    for line in HELP:
        key = " ".join([*line, "--help"])
        text = outputs[key]
        assert "⟦" in text, (key, text)
        # Strip what is typed: the usage line's command path, option names and the names of subcommands.
        words = re.sub(r"--?[a-z][\w-]*|gosplan( [a-z-]+)*", " ", text)
        words = re.sub(r"^(│\s+(?:\*\s+)?)[a-z][\w-]*(?=\s{2,})", r"\1", words, flags=re.M)
        words = re.sub(r"\{\w+\}|<[\w\[\]]+>", " ", words)  # arguments and the types of options
        # A help of several paragraphs is listed by its first: the pseudo-language's closing bracket is cut off.
        words = re.sub(r"⟦[^\n]*", " ", _without_pairs(words))
        left = english_outside_brackets(words, allowed | typed)
        assert not left, f"gosplan {key}: words outside the catalogue: {left}\n{text}"


def test_errors_users_meet_come_out_in_the_readers_language(demo_copy):
    copy, allowed = demo_copy
    outputs = _through_main(ERRORS, db=copy("errors"))
    for line in ERRORS:
        key = " ".join(line)
        text = outputs[key]
        assert "⟦" in text, (key, text)
        left = english_outside_brackets(text, allowed | TYPED_IN_ERRORS)
        assert not left, f"gosplan {key}: words outside the catalogue: {left}\n{text}"


KOREAN_AT_80 = [["balance", "bottlenecks", "--year", "2023"], ["balance", "key-sectors"],
                ["plan", "implications", "--period", "2023-H1"], ["forecast", "--as-of", "2023-06", "--five-year"],
                ["forecast", "--as-of", "2023-06", "--tautness"], ["campaigns", "list"],
                ["potential", "--period", "2023-H1"]]


@pytest.mark.parametrize("args", KOREAN_AT_80, ids=" ".join)
def test_korean_tables_fit_80_columns_with_units_and_korean_names(read_store, args):
    """Korean characters take two cells: the tables still fit 80 columns; no nan; names in Korean."""
    from rich.cells import cell_len
    from typer.testing import CliRunner

    from gosplan.cli import app

    db, _allowed = read_store
    result = CliRunner().invoke(app, [*args, "--db", db], env={"GOSPLAN_LANG": "ko", "COLUMNS": "80"})
    assert result.exit_code == 0, (result.output, result.exception)
    out = result.output
    assert max(cell_len(line) for line in out.splitlines()) <= 80, out
    assert "nan" not in out and "e+" not in out
    assert re.search(r"[가-힣]", out)
    # Names of the store in Korean, not in English (석탄: coal; 평양: Pyongyang).
    assert not re.search(r"\b(Coal|Electricity generated|Cement|Metallurgy|Pyongyang)\b", out), out
