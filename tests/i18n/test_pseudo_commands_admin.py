"""The administrative commands speak the reader's language throughout: under the pseudo-language ``qps`` no
English word is left outside ⟦…⟧ in their tables, messages, errors and help.

Every read-only invocation runs on a copy of the demo store, then the cheap writes (accounts, tokens,
rules, approvals, mail, imports of a good and a bad file) and the listings that show what they wrote.
The commands run through :func:`gosplan.cli.main`, as from a terminal, so that usage errors and the
errors of the store are printed the way a user sees them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_pseudo_locale import ALLOWED, _names, english_outside_brackets
from typer.testing import CliRunner

#: Words the user types, shown back as they are: codes (of rules, sets, kinds of unit, files to export, roles),
#: names, comments and addresses the tests give, the source of the demo's reports.
TYPED = {"demo", "correction", "admin", "planner", "reporter", "viewer", "cli", "ops", "uploader", "feed", "fix",
         "fixed", "check", "share", "minmax", "example", "org", "sdmx", "csv", "xml", "xlsx", "db", "reports",
         "targets", "structure", "fulfilment", "energy", "enterprise", "province", "country", "template", "bad",
         "missing"}

READ = [
    ["alerts"], ["alerts", "--open"], ["alerts", "--open", "--unit", "coal.kujang"],
    ["approvals", "status", "--unit", "KP", "--period", "2023-06"], ["approvals", "chain"],
    ["completeness", "--period", "2023-06"], ["completeness", "--period", "2023-06", "--by", "unit"],
    ["completeness", "--period", "2023-06", "--by", "indicator"], ["completeness", "silent", "--period", "2023-06"],
    ["completeness", "sets"], ["completeness", "deadline"],
    ["entry", "close"], ["entry", "permissions"], ["entry", "late", "--period", "2023-06"],
    ["indicators"], ["indicators", "show", "coal"],
    ["mail", "addresses"], ["mail", "status"],
    ["rules"], ["rules", "run", "--period", "2023-06"], ["rules", "violations", "--period", "2023-06"],
    ["tokens", "list"], ["users", "list"],
    ["status", "--period", "2023-06", "--window", "period"], ["status", "--period", "2023-06", "--basis", "official"],
    ["status", "--period", "2023-H1", "--unit", "KP-02", "--sector", "energy"],
    ["status", "--period", "2023-06", "--by", "technology"],
    ["status", "--period", "2023-06", "--by", "unit", "--unit", "KP-02", "--depth", "2"],
    ["history", "--indicator", "coal", "--unit", "coal.kujang"],
    ["history", "--indicator", "coal", "--unit", "coal.kujang", "--period", "1999-01"],
]
WRITE = [
    ["users", "add", "ops", "--role", "admin", "--password-stdin"],
    ["users", "add", "feed", "--role", "reporter", "--subtree", "KP-02", "--password-stdin"],
    ["users", "disable", "feed"], ["users", "enable", "feed"], ["users", "role", "feed", "--role", "viewer"],
    ["users", "list"],
    ["tokens", "create", "uploader", "--role", "reporter", "--subtree", "KP-02"], ["tokens", "revoke", "1"],
    ["tokens", "list"],
    ["rules", "add", "coal_share", "coal <= 100 * electricity", "--severity", "warning"], ["rules"],
    ["rules", "set-bounds", "--unit", "coal.kujang", "--indicator", "coal", "--low", "1", "--high", "2"],
    ["rules", "run", "--period", "2023-06"], ["rules", "violations", "--period", "2023-06", "--status", "open"],
    ["rules", "follow-up", "1", "--comment", "check"], ["rules", "resolve", "1", "--comment", "fixed"],
    ["rules", "generate-minmax", "--as-of", "2023-06"],
    ["approvals", "submit", "--unit", "coal.kujang", "--period", "2023-06"],
    ["approvals", "approve", "--unit", "coal.kujang", "--period", "2023-06"],
    ["approvals", "status", "--unit", "KP-02", "--period", "2023-06"],
    ["approvals", "unapprove", "--unit", "coal.kujang", "--period", "2023-06", "--reason", "fix"],
    ["approvals", "lock", "--unit", "KP-05", "--period", "2023-05"],
    ["approvals", "unlock", "--unit", "KP-05", "--period", "2023-05", "--reason", "fix"],
    ["completeness", "define-set", "energy", "--indicators", "coal,electricity"],
    ["completeness", "assign", "energy", "--unit", "coal.kujang"], ["completeness", "sets"],
    ["approvals", "chain", "--set", "energy", "--kinds", "enterprise,province,country"], ["approvals", "chain"],
    ["completeness", "deadline", "12"],
    ["entry", "close", "10"], ["entry", "grant", "--unit", "coal.kujang", "--period", "2023-06", "--reason", "fix"],
    ["entry", "permissions"], ["entry", "revoke", "--unit", "coal.kujang", "--period", "2023-06"],
    ["entry", "close", "--never"],
    ["mail", "address", "ops", "ops@example.org", "--digest"], ["mail", "addresses"],
    ["mail", "deadlines", "--today", "2023-07-20"], ["mail", "digest"], ["mail", "status"], ["mail", "retry"],
    ["mail", "address", "ops", "--remove"],
    ["alerts", "raise", "--as-of", "2023-06"], ["alerts", "ack", "1"], ["alerts", "resolve", "2"],
    ["export", "reports", "--out", "{tmp}/reports.csv"],
    ["export", "fulfilment", "--period", "2023-06", "--out", "{tmp}/fulfilment.xlsx"],
    ["export", "structure", "--format", "sdmx", "--out", "{tmp}/structure.xml"],
    ["template", "reports", "--out", "{tmp}/template.csv"], ["import", "{tmp}/template.csv"],
    ["import", "{tmp}/bad.csv", "{tmp}/missing.csv"],
]
#: Errors a user meets: usage errors of the command line, a missing store, a bad --db, a refused value. (The
#: service layer's own refusals, such as an unknown unit or alert, are not these commands' words.)
ERRORS = [
    ["no-such"], ["statu"], ["status"], ["status", "--period"], ["status", "--period", "2023-06", "--by", "colour"],
    ["users", "list", "--db", "{tmp}/nowhere.db"], ["alerts", "--db", "mysql://me@host/db"],
    ["indicators", "show", "nothing"], ["completeness"], ["rules", "resolve", "1"], ["mail", "address", "ops"],
    ["template", "nothing"], ["export", "nothing", "--out", "x.csv"], ["export", "fulfilment", "--out", "x.csv"],
    ["import", "{tmp}/template.csv", "--today", "June"], ["serve", "--db", "{tmp}/empty.db"],
    ["status", "--period", "2023-06", "--format", "xml"],
]
COMMANDS = ["alerts", "approvals", "completeness", "entry", "export", "import", "indicators", "init", "mail", "rules",
            "serve", "template", "tokens", "users", "demo", "history", "status"]
BAD_FILE = ("unit,indicator,period,value,uom\n"
            "coal.kujang,coal,2023-06,abc,t\n"
            "nowhere,coal,2023-13,5,t\n"
            ",nothing,2023-05,-1,furlong\n")


@pytest.fixture(scope="module")
def demo(sqlite_demo, tmp_path_factory) -> tuple[str, Path, set[str]]:
    """A copy of the demo store, a folder for files, and the words allowed outside the brackets."""
    from gosplan.service import Service
    from gosplan.service.alerts import list_alerts
    from gosplan.store import Store
    from webenv import copy_sqlite

    folder = tmp_path_factory.mktemp("qps-admin")
    url = copy_sqlite(sqlite_demo, folder / "demo.db")
    service = Service(Store.open(url))
    allowed = ALLOWED | _names(service.store) | TYPED | _words(str(folder))
    # Data, not words of the program: the alerts' messages (written in the language of whoever raised them)
    # and the indicators' metadata as their bodies wrote it (definition, method, source, responsible body).
    for column in ("message", "kind"):
        allowed |= _words(*list_alerts(service)[column].astype(str))
    meta = service.store.indicator_metadata()
    allowed |= _words(*(str(v) for c in ("definition", "method", "source", "responsible") for v in meta[c]))
    allowed |= _words(*service.store.projects()["name"].astype(str))  # in the demo's review summary
    (folder / "bad.csv").write_text(BAD_FILE)
    return url, folder, allowed


def _words(*texts: str) -> set[str]:
    return {w for text in texts for w in re.findall(r"[A-Za-z]+", text)}


def gosplan(*args: str, stdin: str = "secret-password\n") -> tuple[int, str]:
    """``gosplan ARGS`` as from a terminal, in the pseudo-language, 200 columns wide: exit status and output."""
    from typer import rich_utils

    from gosplan.cli import main
    from gosplan.commands._language import _RICH_WORDS

    kept = {name: getattr(rich_utils, name) for name in _RICH_WORDS}  # main() sets them for the run's language
    with CliRunner().isolation(input=stdin, env={"GOSPLAN_LANG": "qps", "COLUMNS": "200"}) as (_out, _err, output):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        else:
            code = 0
        finally:
            for name, value in kept.items():
                setattr(rich_utils, name, value)
        text = output.getvalue().decode()
    return code, text


def _filled(args: list[str], folder: Path) -> list[str]:
    return [a.replace("{tmp}", str(folder)) for a in args]


def _check(args: list[str], text: str, allowed: set[str]) -> None:
    failure = _left(args, text, allowed)
    assert failure is None, failure


def _left(args: list[str], text: str, allowed: set[str]) -> str | None:
    """Why the output of ``gosplan ARGS`` fails the check (None when it passes)."""
    if "⟦" not in text:
        return f"gosplan {' '.join(args)}: nothing translated:\n{text}"
    left = english_outside_brackets(text, allowed)
    return f"gosplan {' '.join(args)}: words outside the catalogue: {left}\n{text}" if left else None


def _run(args: list[str], url: str, folder: Path, allowed: set[str]) -> str | None:
    code, text = gosplan(*_filled(args, folder), "--db", url)
    expected = 1 if args[0] == "import" and "{tmp}/bad.csv" in args else 0
    if code != expected:
        return f"gosplan {' '.join(args)}: exit status {code}:\n{text}"
    return _left(args, re.sub(r"^gsp_\S+$", " ", text, flags=re.M), allowed)  # a new token is shown once


@pytest.mark.parametrize("args", READ, ids=" ".join)
def test_admin_commands_pass_their_words_through_the_catalogue(demo, args):
    url, folder, allowed = demo
    failure = _run(args, url, folder, allowed)
    assert failure is None, failure


def test_writes_pass_their_words_through_the_catalogue(demo):
    """The writes in order (a set is defined before its chain, a rule added before it runs), each checked."""
    url, folder, allowed = demo
    failures = [f for f in (_run(args, url, folder, allowed) for args in WRITE) if f]
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("args", ERRORS, ids=" ".join)
def test_errors_pass_their_words_through_the_catalogue(demo, args, tmp_path):
    url, folder, allowed = demo
    if args[0] == "serve":
        assert gosplan("init", "--db", str(tmp_path / "empty.db"))[0] == 0
        folder = tmp_path
    line = _filled(args, folder)
    if "--db" not in line and args[0] not in ("no-such", "statu"):
        line += ["--db", url]
    code, text = gosplan(*line)
    assert code in (1, 2), text
    _check(args, text, allowed | _words(str(folder)) | {"nowhere", "mysql", "me", "host", "colour", "no", "such",
                                                        "statu", "nothing", "June", "x", "empty"})


def test_init_and_demo_speak_the_readers_language(demo, tmp_path):
    _url, _folder, allowed = demo
    allowed = allowed | _words(str(tmp_path)) | {"review", "html", "sqlite"}
    code, text = gosplan("init", "--db", str(tmp_path / "new.db"))
    assert code == 0, text
    _check(["init"], text, allowed)
    code, text = gosplan("demo", "--db", str(tmp_path / "demo.db"), "--out", str(tmp_path / "review.html"))
    assert code == 0, text
    commands = re.findall(r"^  gosplan .*$", text, flags=re.M)  # what to try next: commands to type
    assert len(commands) == 4, text
    _check(["demo"], re.sub(r"^  gosplan .*$", " ", text, flags=re.M), allowed)


def _help_words(text: str) -> str:
    """The help without what is typed: options, metavars, command paths, defaults and the names of subcommands
    and arguments."""
    text = re.sub(r"(?<![\w⟦])--?[A-Za-z][\w-]*", " ", text)  # --db, -f, --no-open
    text = re.sub(r"<[\w\[\], .]+>|\{\w+\}|\[[a-z_]+(\.\.\.)?\]|\b[A-Z][A-Z_]+\b", " ", text)  # <int>, {id}, [days]
    text = re.sub(r"gosplan( [a-z][\w-]*)*", " ", text)  # the command's path, commands to type
    text = re.sub(r"^([│ ]*\*?) +[a-z][\w-]*(\.\.\.)?(?=\s)", " ", text, flags=re.M)  # subcommands, arguments
    return re.sub(r"(⟦default⟧|default): [^\]]*\]", " ", text)  # [default: table]


def _help_lines() -> list[list[str]]:
    from gosplan.cli import load_command

    lines = [["--help"]]
    for name in COMMANDS:
        lines.append([name, "--help"])
        lines += [[name, sub, "--help"] for sub in sorted(getattr(load_command(name), "commands", {}))]
    return lines


@pytest.mark.parametrize("args", _help_lines(), ids=" ".join)
def test_help_passes_its_words_through_the_catalogue(demo, args):
    _url, _folder, allowed = demo
    code, text = gosplan(*args)
    assert code == 0, text
    _check(args, _help_words(text), allowed)
