"""Accounts scoped to a ministry (a group of the grouping "ministry"), on SQLite and PostgreSQL.

The economy: Pyongyang (PY) has a steel works (E1, metal industry) and a coal mine (M1, coal industry);
South Pyongan (SP) has a coal combine (C1, coal industry) with a pit below it (C1a, no ministry of its
own) and a farm (F1, agriculture). The ministry of coal industry's account covers M1, C1 and C1a, and
nothing else: not the provinces above them (whose totals mix in other ministries' units), not E1 or F1.
"""

from __future__ import annotations

import pandas as pd
import pytest

from gosplan.errors import PermissionDenied, ValidationError
from gosplan.service import Service
from gosplan.service.accounts import (
    acts_within,
    add_user,
    authenticate,
    create_token,
    principal_for_token,
    require_read,
    require_report_rows,
    session_principal,
    set_role,
    start_session,
    visible_units,
    writable_units,
)

PASSWORD = "a long test password"
UNITS = pd.DataFrame({
    "code": ["DPRK", "PY", "SP", "E1", "M1", "C1", "C1a", "F1"],
    "name": ["Country", "Pyongyang", "South Pyongan", "Steel works", "Coal mine", "Coal combine", "Pit 1", "Farm"],
    "kind": ["country", "province", "province", "enterprise", "enterprise", "enterprise", "enterprise",
             "enterprise"],
    "parent": [None, "DPRK", "DPRK", "PY", "PY", "SP", "C1", "SP"],
})
GROUPS = pd.DataFrame([
    ("E1", "ministry", "metal_industry", "Metal industry"),
    ("M1", "ministry", "coal_industry", "Coal industry"),
    ("C1", "ministry", "coal_industry", "Coal industry"),
    ("F1", "ministry", "agriculture", "Agriculture"),
    ("M1", "technology", "open_pit", "Open pit"),
], columns=["unit", "grouping", "group_code", "group_name"])
COAL = ("ministry", "coal_industry")


@pytest.fixture
def service(store) -> Service:
    store.write_units(UNITS)
    store.write_unit_groups(GROUPS)
    return Service(store)


def test_a_ministry_reporter_reads_and_writes_exactly_its_ministrys_units(service):
    coal = add_user(service, "coal", PASSWORD, "reporter", group=COAL, actor="test")
    assert visible_units(service, coal) == {"M1", "C1", "C1a"}
    assert writable_units(service, coal) == {"M1", "C1", "C1a"}
    for unit in ("DPRK", "PY", "SP", "E1", "F1"):
        with pytest.raises(PermissionDenied):
            require_read(service, coal, unit)
    require_read(service, coal, "C1a")
    assert [acts_within(service, coal, u) for u in ("M1", "C1a", "E1", "PY")] == [True, True, False, False]


def test_a_ministry_viewer_reads_but_never_writes(service):
    viewer = add_user(service, "coalview", PASSWORD, "viewer", group=COAL, actor="test")
    assert visible_units(service, viewer) == {"M1", "C1", "C1a"}
    assert writable_units(service, viewer) == set()


def test_a_file_with_rows_outside_the_ministry_is_refused_naming_the_rows(service):
    coal = add_user(service, "coal", PASSWORD, "reporter", group=COAL, actor="test")
    require_report_rows(service, coal, pd.Series(["M1", "C1a"]), "ok.csv")
    with pytest.raises(PermissionDenied) as refused:
        require_report_rows(service, coal, pd.Series(["M1", "E1", "C1", "F1"]), "mixed.csv")
    assert "2 row(s) are outside it (rows 3, 5)" in str(refused.value)
    assert "coal_industry" in str(refused.value)


def test_the_scope_survives_the_store_in_sessions_passwords_and_tokens(service):
    add_user(service, "coal", PASSWORD, "reporter", group=COAL, actor="test")
    signed_in = authenticate(service, "coal", PASSWORD)
    assert (signed_in.grouping, signed_in.group, signed_in.subtree) == ("ministry", "coal_industry", None)
    token, _csrf = start_session(service, "coal")
    assert session_principal(service, token)[0].scope == "ministry:coal_industry"
    _id, api_token = create_token(service, "coal uploader", "reporter", group=COAL, actor="test")
    assert principal_for_token(service, api_token).scope == "ministry:coal_industry"
    row = service.store.users().set_index("name").loc["coal"]
    assert (row["scope_grouping"], row["scope_group"]) == COAL


def test_changing_the_scope_from_a_ministry_to_a_subtree_and_back(service):
    add_user(service, "ada", PASSWORD, "admin", actor="test")  # a role change keeps an admin
    add_user(service, "coal", PASSWORD, "reporter", group=COAL, actor="test")
    moved = set_role(service, "coal", "reporter", "SP", actor="test")
    assert (moved.subtree, moved.group) == ("SP", None)
    assert authenticate(service, "coal", PASSWORD).scope == "SP"
    back = set_role(service, "coal", "viewer", group=COAL, actor="test")
    assert authenticate(service, "coal", PASSWORD).scope == "ministry:coal_industry" and back.role == "viewer"


@pytest.mark.parametrize(("subtree", "group", "field", "words"), [
    ("SP", COAL, "group", "not both"),
    (None, ("branch", "coal_industry"), "group", "no unit belongs to a group of 'branch'"),
    (None, ("ministry", "fishing"), "group", "'ministry' has no group 'fishing'"),
])
def test_a_scope_that_names_nothing_is_refused(service, subtree, group, field, words):
    with pytest.raises(ValidationError) as refused:
        add_user(service, "bad", PASSWORD, "reporter", subtree, group=group, actor="test")
    assert [p.column for p in refused.value.problems] == [field]
    assert words in refused.value.problems[0].reason
    assert service.store.user("bad") is None


def test_a_ministry_account_submits_only_its_units_months(service):
    from gosplan.service.workflow import submit

    coal = add_user(service, "coal", PASSWORD, "reporter", group=COAL, actor="test")
    with pytest.raises(PermissionDenied):
        submit(service, "E1", "2023-06", coal)
    assert submit(service, "C1a", "2023-06", coal) == ["2023-06"]


def test_a_ministry_planner_approves_inside_its_ministry_only(service):
    from gosplan.service.workflow import approve, submit

    planner = add_user(service, "coalplan", PASSWORD, "planner", group=COAL, actor="test")
    submit(service, "C1a", "2023-06", planner)
    with pytest.raises(PermissionDenied, match="may act only within 'ministry:coal_industry', not at 'SP'"):
        approve(service, "C1a", "2023-06", planner, at="SP")
    assert approve(service, "C1a", "2023-06", planner) == ["2023-06"]  # at the combine C1, its own unit
    assert service.store.approval_rows()["unit"].tolist() == ["C1a"]
    with pytest.raises(PermissionDenied):
        approve(service, "E1", "2023-06", planner)


def test_a_ministry_account_hears_of_its_own_units_and_never_stands_in_for_the_top(service):
    from gosplan.service.mail import set_address
    from gosplan.service.notify import responsible

    add_user(service, "ada", PASSWORD, "admin", actor="test")
    add_user(service, "coal", PASSWORD, "viewer", group=COAL, actor="test")
    add_user(service, "south", PASSWORD, "viewer", "SP", actor="test")
    for name in ("ada", "coal", "south"):
        set_address(service, name, f"{name}@example.org")
    assert responsible(service, "C1a") == ["coal", "south"]  # its province's people and its ministry's
    assert responsible(service, "M1") == ["ada", "coal"]      # nobody for Pyongyang: the top's, and the ministry's
    assert responsible(service, "E1") == ["ada"]              # the metal works: not the coal ministry's business
