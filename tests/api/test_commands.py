"""``gosplan users``, ``gosplan tokens`` and ``gosplan serve`` (in-process with Typer's runner)."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from gosplan.cli import app
from gosplan.errors import GosplanError
from gosplan.service import Service
from gosplan.service.accounts import authenticate, principal_for_token

runner = CliRunner()


@pytest.fixture
def db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    service = Service.open(url)
    service.store.write_units(pd.DataFrame({"code": ["KP", "KP-01"], "name": ["Korea", "Pyongyang"],
                                            "kind": ["country", "province"], "parent": [None, "KP"]}))
    return url


def test_users_add_list_disable(db):
    added = runner.invoke(app, ["users", "add", "ada", "--role", "admin", "--password-stdin", "--db", db],
                          input="a secret password\n")
    assert added.exit_code == 0, added.output
    assert "a secret password" not in added.output
    prompted = runner.invoke(app, ["users", "add", "rep", "--role", "reporter", "--subtree", "KP-01", "--db", db],
                             input="another password\nanother password\n")
    assert prompted.exit_code == 0, prompted.output
    assert "another password" not in prompted.output  # the prompt does not echo
    listing = runner.invoke(app, ["users", "list", "--db", db])
    assert "ada" in listing.output and "reporter" in listing.output and "KP-01" in listing.output
    service = Service.open(db)
    assert authenticate(service, "rep", "another password").subtree == "KP-01"
    assert runner.invoke(app, ["users", "disable", "rep", "--db", db]).exit_code == 0
    assert authenticate(service, "rep", "another password") is None
    actions = service.store.audit()["action"].tolist()
    assert actions == ["user.disable", "user.add", "user.add"]


def test_users_add_rejects_weak_or_invalid_accounts(db):
    short = runner.invoke(app, ["users", "add", "bob", "--password-stdin", "--db", db], input="short\n")
    assert isinstance(short.exception, GosplanError) and "password" in str(short.exception)
    no_unit = runner.invoke(app, ["users", "add", "bob", "--role", "reporter", "--password-stdin", "--db", db],
                            input="long enough password\n")
    assert "subtree" in str(no_unit.exception)
    bad_role = runner.invoke(app, ["users", "add", "bob", "--role", "tsar", "--password-stdin", "--db", db],
                             input="long enough password\n")
    assert "role" in str(bad_role.exception)


def test_tokens_are_printed_once_and_revocable(db):
    created = runner.invoke(app, ["tokens", "create", "uploader", "--role", "reporter", "--subtree", "KP-01",
                                  "--db", db])
    assert created.exit_code == 0, created.output
    token = created.output.strip().splitlines()[-1]
    service = Service.open(db)
    assert principal_for_token(service, token).role == "reporter"
    listing = runner.invoke(app, ["tokens", "list", "--db", db])
    assert "uploader" in listing.output and token not in listing.output
    assert token not in str(service.store.dump())  # only the hash is stored
    assert runner.invoke(app, ["tokens", "revoke", "1", "--db", db]).exit_code == 0
    assert principal_for_token(service, token) is None


def test_serve_refuses_to_start_without_an_admin(db, monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: calls.append(k))
    refused = runner.invoke(app, ["serve", "--db", db])
    assert isinstance(refused.exception, GosplanError)
    assert "gosplan users add" in str(refused.exception) and "--role admin" in str(refused.exception)
    assert calls == []
    runner.invoke(app, ["users", "add", "ada", "--role", "admin", "--password-stdin", "--db", db],
                  input="a secret password\n")
    started = runner.invoke(app, ["serve", "--db", db, "--port", "8765"])
    assert started.exit_code == 0, started.output
    assert calls == [{"host": "127.0.0.1", "port": 8765, "log_level": "info", "proxy_headers": False}]
