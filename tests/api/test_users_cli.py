"""``gosplan users role|password|delete`` and the last admin, from the command line."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from gosplan.cli import app
from gosplan.errors import Conflict, PermissionDenied
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


# ------------------------------------------------------------------------------ accounts of a ministry
@pytest.fixture
def ministries(db) -> str:
    service = Service.open(db)
    service.store.write_units(pd.DataFrame({"code": ["mine", "plant"], "name": ["Coal mine", "Power plant"],
                                            "kind": ["enterprise", "enterprise"], "parent": ["KP-01", "KP-01"]}))
    service.store.write_unit_groups(pd.DataFrame([("mine", "ministry", "coal", "Coal industry"),
                                                  ("plant", "ministry", "power", "Electric power")],
                                                 columns=["unit", "grouping", "group_code", "group_name"]))
    return db


def test_users_add_with_a_ministry_or_a_group(ministries):
    db = ministries
    added = runner.invoke(app, ["users", "add", "cy", "--role", "reporter", "--ministry", "coal", "--password-stdin",
                                "--db", db], input="a long password here\n")
    assert added.exit_code == 0, added.output
    assert "User cy added (reporter, group coal of ministry)." in added.output
    same = runner.invoke(app, ["users", "add", "cz", "--role", "viewer", "--group", "ministry:coal",
                               "--password-stdin", "--db", db], input="a long password here\n")
    assert same.exit_code == 0, same.output
    users = Service.open(db).store.users().set_index("name")
    assert users.loc[["cy", "cz"], ["scope_grouping", "scope_group"]].values.tolist() == [["ministry", "coal"]] * 2
    listed = runner.invoke(app, ["users", "list", "--db", db], env={"COLUMNS": "200"})
    assert "ministry:coal" in listed.output
    both = runner.invoke(app, ["users", "add", "cx", "--role", "viewer", "--ministry", "coal", "--group",
                               "ministry:power", "--password-stdin", "--db", db], input="a long password here\n")
    assert both.exit_code != 0 and Service.open(db).store.user("cx") is None


def test_acting_as_a_ministry_account_on_the_command_line_stays_inside_it(ministries):
    db = ministries
    runner.invoke(app, ["users", "add", "cy", "--role", "reporter", "--ministry", "coal", "--password-stdin",
                        "--db", db], input="a long password here\n")
    refused = runner.invoke(app, ["approvals", "submit", "--unit", "plant", "--period", "2023-06", "--user", "cy",
                                  "--db", db])
    assert isinstance(refused.exception, PermissionDenied), refused.output
    assert Service.open(db).store.approval_rows().empty
    done = runner.invoke(app, ["approvals", "submit", "--unit", "mine", "--period", "2023-06", "--user", "cy",
                               "--db", db])
    assert done.exit_code == 0, done.output
    assert Service.open(db).store.approval_rows()["unit"].tolist() == ["mine"]
