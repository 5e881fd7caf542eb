"""The plan-making pages: drafts, balances and deficits, counter-plans, and the reporters' counter-plan form."""

from __future__ import annotations

import pytest

from gosplan.service import plans
from webenv import OTHER, OWN, assert_no_leak, csrf_of, signed_in


@pytest.fixture(scope="module")
def env(sqlite_demo, tmp_path_factory):
    from webenv import copy_sqlite, make_env

    env = make_env(copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("drafts") / "demo.db"))
    plans.draft(env.service, 2024, created_by="planner")
    return env


@pytest.fixture(scope="module")
def app(env):
    from gosplan.api import create_app

    return create_app(env.url, refresh_interval=0.1, login_attempts=10_000)


def test_drafts_and_the_balance_page(app):
    client = signed_in(app, "planner")
    page = client.get("/drafts")
    assert page.status_code == 200 and 'href="/drafts/draft-2024"' in page.text
    page = client.get("/drafts/draft-2024")
    assert page.status_code == 200
    text = page.text
    assert "Deficit of electricity: 185.3 GWh" in text  # with the demo's projects working in 2024
    assert "nitrogen_fertilizer 1.8 TWh (33 %)" in text or "nitrogen_fertilizer 1.8 TWh (33%)" in text
    assert "Stale capacity records" in text and "metal.kimchaek" in text
    assert "18.5 Mt" in text and ">nan<" not in text and "nan " not in text
    assert_no_leak(text)
    assert client.get("/drafts/nope").status_code == 404


def test_reporter_answers_for_own_units_only(app, env):
    client = signed_in(app, "rep1")  # KP-01
    form = client.get("/drafts/draft-2024/counter")
    assert form.status_code == 200 and f"{OWN}|electricity" in form.text and OTHER not in form.text
    token = csrf_of(form.text)
    sent = client.post("/drafts/draft-2024/counter", data={"csrf_token": token, "target": f"{OWN}|electricity",
                                                           "value": "1200000000", "reason": "turbine repair"},
                       follow_redirects=False)
    assert sent.status_code == 303
    stored = env.service.store.counter_plans("draft-2024")
    assert stored[["unit", "value", "submitted_by"]].values.tolist() == [[OWN, 1.2e9, "rep1"]]
    page = client.get("/drafts/draft-2024")
    assert "turbine repair" in page.text

    # Another province's station, a negative figure, a missing reason: refused, nothing stored.
    for data, reason in (({"target": f"{OTHER}|electricity", "value": "1", "reason": "x"}, "outside the subtree"),
                         ({"target": f"{OWN}|electricity", "value": "-5", "reason": "x"}, "must not be negative"),
                         ({"target": f"{OWN}|electricity", "value": "5", "reason": " "}, "needs a reason"),
                         ({"target": f"{OWN}|electricity", "value": "<script>", "reason": "x"}, "not a finite")):
        bad = client.post("/drafts/draft-2024/counter", data={"csrf_token": token, **data})
        assert bad.status_code == 400 and reason in bad.text, (data, bad.text[:500])
        assert "<script>" not in bad.text
        assert_no_leak(bad.text)
    assert len(env.service.store.counter_plans("draft-2024", latest=False)) == 1


def test_viewers_cannot_answer(app):
    client = signed_in(app, "viewer")
    assert client.get("/drafts").status_code == 200
    assert client.get("/drafts/draft-2024/counter").status_code == 403


def test_two_versions_side_by_side_with_tautness_and_odds(app, env):
    from gosplan.service.plan_checks import version_tautness

    if "draft-2024-web-b" not in set(env.service.store.plan_versions()["code"]):
        plans.variant(env.service, "draft-2024", "draft-2024-web-b", scale={"coal": 1.05}, created_by="planner")
    client = signed_in(app, "viewer")
    listing = client.get("/drafts")
    assert 'action="/drafts/compare"' in listing.text and 'value="draft-2024-web-b"' in listing.text
    page = client.get("/drafts/compare", params={"a": "draft-2024", "b": "draft-2024-web-b"})
    assert page.status_code == 200, page.text[:500]
    text = page.text
    assert 'id="compare-tautness"' in text and "Frontier" in text and "P(attain) A" in text
    # The page shows the same figures as the service: coal's frontier and both variants' odds.
    a = version_tautness(env.service, "draft-2024").set_index("indicator").loc["coal"]
    b = version_tautness(env.service, "draft-2024-web-b").set_index("indicator").loc["coal"]
    from gosplan.service.wording import probability_label

    row = text[text.index('id="compare-tautness"'):]
    row = row[row.index("<td>Coal</td>"):]
    row = row[:row.index("</tr>")]
    assert probability_label(a["p_attain"]) in row and probability_label(b["p_attain"]) in row
    assert f"{100 * b['vs_frontier']:+.1f} %" in row and "beyond" in row
    assert ">nan<" not in text and "nan " not in text
    assert_no_leak(text)
    assert client.get("/drafts/compare", params={"a": "draft-2024", "b": "nope"}).status_code == 404


def test_a_planner_drafts_and_adopts_on_the_web(app, env):
    viewer = signed_in(app, "viewer")
    page = viewer.get("/drafts")
    assert 'id="new-draft"' not in page.text
    refused = viewer.post("/drafts", data={"csrf_token": csrf_of(page.text), "year": "2024"})
    assert refused.status_code == 403
    planner = signed_in(app, "planner")
    page = planner.get("/drafts")
    token = csrf_of(page.text)
    bad = planner.post("/drafts", data={"csrf_token": token, "year": "next"})
    assert bad.status_code in (400, 422) and "expected a year such as 2024" in bad.text
    made = planner.post("/drafts", data={"csrf_token": token, "year": "2024", "rule": "shares"},
                        follow_redirects=False)
    assert made.status_code == 303
    code = made.headers["location"].rsplit("/", 1)[1]
    assert env.service.store.plan_version(code)["created_by"] == "planner"
    page = planner.get(f"/drafts/{code}")
    assert 'id="adopt"' in page.text and 'name="accept_deficits"' in page.text   # electricity is short
    # Goods in deficit: refused unless the box is ticked, then recorded with the adoption.
    refused = planner.post(f"/drafts/{code}/adopt", data={"csrf_token": token})
    assert refused.status_code == 409 and "in deficit (electricity)" in refused.text
    assert env.service.store.plan_version(code)["status"] == "draft"
    done = planner.post(f"/drafts/{code}/adopt", data={"csrf_token": token, "accept_deficits": "yes"},
                        follow_redirects=False)
    assert done.status_code == 303
    version = env.service.store.plan_version(code)
    assert version["status"] == "adopted" and version["adopted_by"] == "planner"
    assert "electricity" in version["accepted_deficits"]
    actions = env.service.store.audit()["action"].tolist()
    assert "plan draft" in actions and "plan adopt" in actions
    page = planner.get(f"/drafts/{code}")
    assert "Adopted by planner" in page.text and 'id="adopt"' not in page.text
    assert_no_leak(page.text)
