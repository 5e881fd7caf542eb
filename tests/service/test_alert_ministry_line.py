"""Alerts escalate along the ministry line as well as the territorial one: an enterprise's open alert
climbs to its ministry, then to the top, on the same clock; the ministry's accounts hear of it once."""

from __future__ import annotations

import pytest

from gosplan.errors import NotFound
from gosplan.service import Service
from gosplan.service.accounts import add_user
from gosplan.service.alerts import escalation, escalation_along, list_alerts
from gosplan.service.mail import set_address
from webenv import copy_sqlite

PASSWORD = "a long test password"


@pytest.fixture(scope="module")
def service(sqlite_demo, tmp_path_factory) -> Service:
    return Service.open(copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("line") / "demo.db"))


def test_an_open_alert_climbs_the_ministry_line_on_the_territorial_clock(service):
    territorial = escalation(service, "2023-09").set_index("id")
    along = escalation_along(service, "ministry", "2023-09").set_index("id")
    groups = service.store.unit_groups("ministry").set_index("unit")
    assert len(along) and set(along["unit"]) <= set(groups.index)  # only the ministries' units
    for alert_id, row in along.iterrows():
        steps = row["path"].split(" > ")
        assert steps == [row["unit"], groups.loc[row["unit"], "group_name"], "KP"]  # unit > ministry > top
        assert row["level"] == min(territorial.loc[alert_id, "level"], 2)
        assert row["escalated_to"] == steps[row["level"]]
    with pytest.raises(NotFound, match="no grouping 'nope'"):
        list_alerts(service, line="nope")


def test_the_ministrys_accounts_hear_once_when_an_alert_reaches_it(service):
    add_user(service, "coal-planner", PASSWORD, "planner", group=("ministry", "coal_industry"))
    set_address(service, "coal-planner", "coal@example.org")
    escalation(service, "2023-09")
    along = escalation_along(service, "ministry", "2023-09")
    reached = along[along["group"].eq("coal_industry") & along["status"].eq("open") & along["level"].ge(1)]
    assert len(reached)  # the demo's coal mines have open alerts that reached their ministry by September
    mail = service.store.outbox()
    mine = mail[mail["user_name"].eq("coal-planner")]
    assert len(mine) == len(reached) and mine["subject"].str.startswith("Alert for Coal industry").all()
    escalation(service, "2023-09")  # brought up to date again: nothing is queued twice
    assert len(service.store.outbox().query("user_name == 'coal-planner'")) == len(reached)
