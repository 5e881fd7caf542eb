"""A ministry's accounts on the workflow pages and routes: rule violations and approval moves stay
inside the ministry (the demo's rule "electricity <= 0.3 * workers" is broken by power stations only)."""

from __future__ import annotations

import re

import pytest

from webenv import PASSWORD, signed_in

MONTH = "2023-06"


@pytest.fixture(scope="module")
def app(sqlite_demo, tmp_path_factory):
    from gosplan.api import create_app
    from gosplan.service import Service
    from gosplan.service.accounts import add_user
    from gosplan.service.rules import add_rule, run_rules
    from webenv import copy_sqlite

    url = copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("ministry_workflow") / "demo.db")
    service = Service.open(url)
    add_rule(service, "power_per_worker", "electricity <= 0.3 * workers")
    run_rules(service, MONTH)
    add_user(service, "coalrep", PASSWORD, "reporter", group=("ministry", "coal_industry"), actor="test")
    add_user(service, "powerview", PASSWORD, "viewer", group=("ministry", "electric_power"), actor="test")
    add_user(service, "coalplan", PASSWORD, "planner", group=("ministry", "coal_industry"), actor="test")
    service.store.close()
    return create_app(url, refresh_interval=0.1, login_attempts=10_000)


def _units(html: str) -> set[str]:
    return set(re.findall(r'<tr id="violation-\d+">.*?href="/units/([^"?]+)"', html, re.S))


def test_violations_stay_inside_the_ministry(app):
    planner, coal, power = (signed_in(app, n) for n in ("planner", "coalrep", "powerview"))
    everything = _units(planner.get(f"/rules/violations?period={MONTH}").text)
    assert everything and all(u.startswith("elec.") for u in everything)
    assert _units(coal.get(f"/rules/violations?period={MONTH}").text) == set()
    assert _units(power.get(f"/rules/violations?period={MONTH}").text) == everything
    listed = coal.get(f"/api/v1/rules/violations?period={MONTH}").json()
    assert listed["total"] == 0


def test_a_ministry_planners_approval_moves_stay_inside_the_ministry(app):
    planner = signed_in(app, "coalplan")
    page = planner.get(f"/units/coal.anju?period={MONTH}")
    assert page.status_code == 200
    row = re.search(rf'<tr data-period="{MONTH}">(.*?)</tr>', page.text, re.S).group(1)
    assert re.findall(r'class="move-(\w+)"', row) == ["submit", "lock"]  # no approving at the county
