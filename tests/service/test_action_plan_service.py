"""Adoption of the action plan as a versioned document: proposed by a planner, adopted by a named body
on a date (recorded by an admin), amended only by a new version with a reason; notices per owner."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from action_plan_economy import UNITS, economy
from gosplan.engines.action_plan import build_plan
from gosplan.errors import Conflict, InvalidValue, PermissionDenied
from gosplan.service import Service
from gosplan.service import action_plan as ap
from gosplan.store import Store


@pytest.fixture
def service(monkeypatch):
    service = Service(Store.open("sqlite://"))
    service.store.write_units(UNITS.assign(sector=None))
    plan = build_plan(economy([("plant", "electricity", "laggards"), ("mine", "coal", "laggards")]))
    monkeypatch.setattr(ap, "draft_plan", lambda service, period, settings=None: plan)
    return service


def test_a_planner_proposes_and_the_adoption_records_body_date_and_recorder(service):
    version = ap.propose_plan(service, "2023-H1", proposed_by="pat")
    assert version == 1
    stored = service.store.action_plan_version("2023-H1", 1)
    assert stored["status"] == "proposed" and stored["proposed_by"] == "pat"
    adopted = ap.adopt_plan(service, "2023-H1", 1, body="Plenary meeting", on="2023-07-20", recorded_by="ada")
    assert (adopted["status"], adopted["adopted_by_body"], adopted["adopted_on"], adopted["recorded_by"]) == \
        ("adopted", "Plenary meeting", date(2023, 7, 20), "ada")
    assert ap.adopted_plan(service, "2023-H1")["version"] == 1


def test_adoption_needs_a_body_and_a_date_and_a_proposed_version(service):
    ap.propose_plan(service, "2023-H1", proposed_by="pat")
    with pytest.raises(InvalidValue, match="body"):
        ap.adopt_plan(service, "2023-H1", 1, body=" ", on="2023-07-20", recorded_by="ada")
    with pytest.raises(InvalidValue, match="not a date"):
        ap.adopt_plan(service, "2023-H1", 1, body="Plenum", on="20 July", recorded_by="ada")
    ap.adopt_plan(service, "2023-H1", 1, body="Plenum", on="2023-07-20", recorded_by="ada")
    with pytest.raises(Conflict, match="only a proposed version"):
        ap.adopt_plan(service, "2023-H1", 1, body="Plenum", on="2023-07-21", recorded_by="ada")


def test_only_an_admin_records_an_adoption_when_the_store_has_accounts(service):
    from gosplan.service.accounts import add_user

    add_user(service, "ada", "a-long-password-1", "admin")
    add_user(service, "pat", "a-long-password-2", "planner")
    ap.propose_plan(service, "2023-H1", proposed_by="pat")
    with pytest.raises(PermissionDenied, match="not an admin"):
        ap.adopt_plan(service, "2023-H1", 1, body="Plenum", on="2023-07-20", recorded_by="pat")
    assert ap.adopt_plan(service, "2023-H1", 1, body="Plenum", on="2023-07-20", recorded_by="ada")["recorded_by"] \
        == "ada"


def test_the_adopted_plan_is_amended_only_by_a_new_version_with_a_reason(service):
    ap.propose_plan(service, "2023-H1", proposed_by="pat")
    ap.adopt_plan(service, "2023-H1", 1, body="Plenum", on="2023-07-20", recorded_by="ada")
    with pytest.raises(Conflict, match="needs --reason"):
        ap.propose_plan(service, "2023-H1", proposed_by="pat")
    assert ap.propose_plan(service, "2023-H1", proposed_by="pat", reason="Mine A's shaft flooded") == 2
    ap.adopt_plan(service, "2023-H1", 2, body="Politburo", on="2023-09-01", recorded_by="ada")
    versions = service.store.action_plan_versions("2023-H1").set_index("version")
    assert versions.loc[1, "status"] == "superseded" and versions.loc[2, "status"] == "adopted"
    assert versions.loc[2, "reason"] == "Mine A's shaft flooded"
    assert ap.adopted_plan(service, "2023-H1")["adopted_by_body"] == "Politburo"


def test_each_owner_and_co_owner_gets_one_notice_listing_its_actions(service):
    ap.propose_plan(service, "2023-H1", proposed_by="pat")
    ap.adopt_plan(service, "2023-H1", 1, body="Plenum", on="2023-07-20", recorded_by="ada")
    notices = pd.DataFrame(ap.adoption_notices(service, "2023-H1")).set_index("unit")
    document = ap.adopted_plan(service, "2023-H1")["document"]
    owners = {u for a in document["actions"] for u in [a["owner"], *a["co_owners"]]}
    assert set(notices.index) == owners
    assert "Adopted by Plenum on 2023-07-20." in notices.loc["plant", "body"]
    assert notices.loc["mine", "subject"].startswith("Action plan 2023-H1, version 1:")
    assert all("e+" not in body and "nan" not in body for body in notices["body"])


def test_adoption_queues_each_owners_notice_in_the_mail_outbox(service):
    """Owners with a mail address get their unit's notice through the outbox, once per version."""
    from gosplan.service.mail import set_address

    service.store.add_user("ada", "x", "admin", None)
    set_address(service, "ada", "ada@gosplan.test")
    ap.propose_plan(service, "2023-H1", proposed_by="pat")
    ap.adopt_plan(service, "2023-H1", 1, body="Plenum", on="2023-07-20", recorded_by="ada")
    outbox = service.store.outbox()
    notices = [n for n in ap.adoption_notices(service, "2023-H1") if n["unit"] in set(UNITS["code"])]
    # nobody has an address below the top: the admin of the whole country hears for every owner unit of
    # the hierarchy (a ministry co-owning an action has no accounts of its own here)
    assert len(outbox) == len(notices) > 0
    assert set(outbox["recipient"]) == {"ada@gosplan.test"}
    assert set(outbox["subject"]) == {n["subject"] for n in notices}
