"""``gosplan users role|password|delete`` and the last admin, from the command line."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from gosplan.cli import app
from gosplan.errors import Conflict
from gosplan.service import Service
from gosplan.service.accounts import session_principal, start_session

runner = CliRunner()


@pytest.fixture
def db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    service = Service.open(url)
    service.store.write_units(pd.DataFrame({"code": ["KP", "KP-01"], "name": ["Korea", "Pyongyang"],
                                            "kind": ["country", "province"], "parent": [None, "KP"]}))
    added = runner.invoke(app, ["users", "add", "ada", "--role", "admin", "--password-stdin", "--db", url],
                          input="a secret password\n")
    assert added.exit_code == 0, added.output
    return url


def test_the_last_admin_cannot_be_disabled_demoted_or_deleted(db):
    for args in (["users", "disable", "ada"], ["users", "role", "ada", "--role", "viewer"], ["users", "delete", "ada"]):
        refused = runner.invoke(app, [*args, "--db", db])
        assert isinstance(refused.exception, Conflict), refused.output
        assert "ada is the last enabled admin; add or enable another admin first" in str(refused.exception)
    users = Service.open(db).store.users()
    assert users.set_index("name").loc["ada", "role"] == "admin" and not users["disabled"].any()
    runner.invoke(app, ["users", "add", "bo", "--role", "admin", "--password-stdin", "--db", db],
                  input="another long password\n")
    assert runner.invoke(app, ["users", "role", "ada", "--role", "reporter", "--subtree", "KP-01",
                               "--db", db]).exit_code == 0
    assert runner.invoke(app, ["users", "delete", "ada", "--db", db]).exit_code == 0
    assert list(Service.open(db).store.users()["name"]) == ["bo"]


def test_a_new_password_ends_the_sessions(db):
    service = Service.open(db)
    token, _ = start_session(service, "ada")
    assert session_principal(service, token) is not None
    changed = runner.invoke(app, ["users", "password", "ada", "--password-stdin", "--db", db],
                            input="a brand new password\n")
    assert changed.exit_code == 0, changed.output
    assert session_principal(service, token) is None
