"""Workflow pages: a unit's approval moves, completeness and rule violations — who sees which button,
who may act (a reporter cannot approve; a user outside the subtree can neither see nor act), and the
moves themselves in headless Chromium at a phone's width."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from webenv import CHROMIUM, OWN, PASSWORD, ServerThread, csrf_of, signed_in

MONTH = "2023-06"


@pytest.fixture(scope="module")
def app(sqlite_demo, tmp_path_factory):
    from gosplan.api import create_app
    from gosplan.service import Service
    from gosplan.service.rules import add_rule, run_rules
    from webenv import copy_sqlite

    url = copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("workflow") / "demo.db")
    service = Service.open(url)
    add_rule(service, "power_per_worker", "electricity <= 0.3 * workers")  # broken by some power stations
    run_rules(service, MONTH)
    service.store.close()
    return create_app(url, refresh_interval=0.1, login_attempts=10_000)


def _moves(html: str, month: str) -> list[str]:
    row = re.search(rf'<tr data-period="{month}">(.*?)</tr>', html, re.S).group(1)
    return re.findall(r'class="move-(\w+)"', row)


def _move(client, unit: str, action: str, reason: str = "", month: str = MONTH):
    csrf = csrf_of(client.get(f"/units/{unit}").text)
    return client.post(f"/units/{unit}/approvals", data={"csrf_token": csrf, "period": month, "action": action,
                                                         "reason": reason}, follow_redirects=False)


def test_approval_buttons_follow_role_and_subtree(app):
    rep1, rep2, planner, viewer = (signed_in(app, n) for n in ("rep1", "rep2", "planner", "viewer"))
    page = rep1.get(f"/units/{OWN}?period={MONTH}").text
    assert _moves(page, MONTH) == ["submit"]
    assert _moves(planner.get(f"/units/{OWN}?period={MONTH}").text, MONTH) == ["submit", "lock"]
    assert _moves(viewer.get(f"/units/{OWN}?period={MONTH}").text, MONTH) == []
    assert rep2.get(f"/units/{OWN}").status_code == 403  # outside rep2's province: not even seen
    csrf = csrf_of(rep2.get("/units/KP-02").text)
    refused = rep2.post(f"/units/{OWN}/approvals", data={"csrf_token": csrf, "period": MONTH, "action": "submit"})
    assert refused.status_code == 403
    done = _move(rep1, OWN, "submit")
    assert done.status_code == 303 and "submitted" in done.headers["location"]
    assert _move(rep1, OWN, "approve").status_code == 403  # a reporter does not approve
    page = planner.get(f"/units/{OWN}?period={MONTH}").text
    assert _moves(page, MONTH) == ["approve", "lock"] and "submitted" in page
    assert _move(planner, OWN, "approve").status_code == 303
    page = planner.get(f"/units/{OWN}?period={MONTH}").text
    assert "approved (level 1)" in page and _moves(page, MONTH) == ["approve", "accept", "lock", "unapprove"]
    refused = _move(planner, OWN, "unapprove", reason=" ")
    assert refused.status_code == 400 and "reason" in refused.text
    assert _move(planner, OWN, "unapprove", reason="the meter was misread").status_code == 303
    assert _moves(rep1.get(f"/units/{OWN}?period={MONTH}").text, MONTH) == ["submit"]  # open again: resubmit
    assert _move(rep1, OWN, "submit").status_code == 303
    assert _move(rep1, OWN, "submit").status_code == 409  # already submitted


def test_completeness_page_is_scoped_to_the_readers_subtree(app):
    rep1, admin = signed_in(app, "rep1"), signed_in(app, "admin")
    page = admin.get(f"/completeness?period={MONTH}")
    assert page.status_code == 200
    assert re.search(r"Expected</h3><div class=\"big\">179</div>", page.text)  # docs/reporting.md: 179 owed
    assert "Rason" in page.text and "fish.sonbong" in page.text  # a province and a unit never reporting, named
    own = rep1.get(f"/completeness?period={MONTH}")
    assert own.status_code == 200 and "Pyongyang" in own.text and "Rason" not in own.text
    assert rep1.get(f"/completeness?period={MONTH}&unit=KP-13").status_code == 403


def test_violations_show_both_sides_and_follow_up_needs_the_subtree(app):
    rep2, planner, viewer = (signed_in(app, n) for n in ("rep2", "planner", "viewer"))
    page = planner.get(f"/rules/violations?period={MONTH}").text
    ids = re.findall(r'<tr id="violation-(\d+)">', page)
    assert ids and "electricity</span> =" in page and "0.3 * workers</span> =" in page
    first = ids[0]
    unit = re.search(rf'<tr id="violation-{first}">.*?href="/units/([^"]+)"', page, re.S).group(1)
    assert 'action="/rules/violations/' not in viewer.get(f"/rules/violations?period={MONTH}").text
    csrf = csrf_of(viewer.get("/").text)
    assert viewer.post(f"/rules/violations/{first}", data={"csrf_token": csrf, "action": "resolve",
                                                           "comment": "x"}).status_code == 403
    if not unit.startswith("elec.pukchang"):  # rep2 sees only South Pyongan's
        assert f'id="violation-{first}"' not in rep2.get(f"/rules/violations?period={MONTH}").text
    csrf = csrf_of(page)
    empty = planner.post(f"/rules/violations/{first}", data={"csrf_token": csrf, "action": "resolve", "comment": ""})
    assert empty.status_code == 400
    done = planner.post(f"/rules/violations/{first}", data={"csrf_token": csrf, "action": "follow-up",
                                                            "comment": "asked the station"}, follow_redirects=False)
    assert done.status_code == 303
    page = planner.get(f"/rules/violations?period={MONTH}&status=follow-up").text
    assert f'id="violation-{first}"' in page and "asked the station" in page


def test_late_entry_needs_a_planners_permission_and_is_marked(app):
    from gosplan.service.deadlines import set_entry_close_days

    writer = app.state.gosplan.snapshots.writer
    set_entry_close_days(writer, 20)
    try:
        rep1, planner = signed_in(app, "rep1"), signed_in(app, "planner")
        form = rep1.get(f"/report/{OWN}?period=2023-04")
        data = {"csrf_token": csrf_of(form.text), "period": "2023-04", "value.workers": "2001"}
        refused = rep1.post(f"/report/{OWN}", data=data)
        assert refused.status_code == 422
        assert "data entry for 2023-04 closed on 2023-05-20 (20 days after the month&#39;s end)" in refused.text
        page = planner.get(f"/units/{OWN}?period=2023-04").text
        assert "entry closed on 2023-05-20" in page and "grant" in _moves(page, "2023-04")
        assert "grant" not in _moves(rep1.get(f"/units/{OWN}?period=2023-04").text, "2023-04")
        assert _move(rep1, OWN, "grant", reason="please", month="2023-04").status_code == 403
        assert _move(planner, OWN, "grant", reason="the line was down", month="2023-04").status_code == 303
        assert "late entry allowed by planner" in rep1.get(f"/units/{OWN}?period=2023-04").text
        checked = rep1.post(f"/report/{OWN}", data=data)
        assert checked.status_code == 200
        assert rep1.post("/confirm", data={"csrf_token": csrf_of(checked.text),
                                           "draft": re.search(r'name="draft" value="([^"]+)"', checked.text).group(1)},
                         follow_redirects=False).status_code == 303
        history = rep1.get(f"/indicators/workers?unit={OWN}").text
        row = re.search(r"<tr><td>2023-04</td>.*?</tr>", history, re.S).group(0)
        assert "permitted by planner" in row and ">late</span>" in row
    finally:
        set_entry_close_days(writer, None)


def test_the_admin_sees_the_outbox_and_queues_failed_mail_again(app):
    admin, planner = signed_in(app, "admin"), signed_in(app, "planner")
    assert planner.get("/admin/mail").status_code == 403
    writer = app.state.gosplan.snapshots.writer
    writer.store.queue_mail([{"key": "web-test", "kind": "approval", "user_name": "planner",
                              "recipient": "planner@gosplan.test", "subject": "Approval requested: KP-01, 2023-06",
                              "body": "b", "status": "failed", "last_error": "550 5.1.1 mailbox unavailable"}])
    page = admin.get("/admin/mail").text
    assert "1 failed" in page and "550 5.1.1 mailbox unavailable" in page and 'id="retry"' in page
    done = admin.post("/admin/mail/retry", data={"csrf_token": csrf_of(page)}, follow_redirects=False)
    assert done.status_code == 303 and "1%20message%28s%29%20queued%20again" in done.headers["location"]
    assert "1 queued" in admin.get("/admin/mail").text


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)")
def test_a_reporter_submits_and_a_planner_resolves_on_a_phone(app, browser):
    with ServerThread(app) as base:
        context = browser.new_context(base_url=base, viewport={"width": 390, "height": 844})
        page = context.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
        visits = (("rep1", f"/units/{OWN}?period=2023-05"), ("planner", f"/rules/violations?period={MONTH}"))
        for account, path in visits:
            context.clear_cookies()
            page.goto("/login")
            page.fill("#name", account)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.goto(path, wait_until="networkidle")
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 390, path
            if account == "rep1":
                page.click('tr[data-period="2023-05"] button.move-submit')
                page.wait_for_load_state("networkidle")
                assert "2023-05 submitted" in page.inner_text("#saved")
                assert "submitted" in page.inner_text('tr[data-period="2023-05"]')
            else:
                row = page.locator("table#violations tbody tr").first
                row.locator('input[name="comment"]').fill("corrected by the station")
                row.locator('button[value="resolve"]').click()
                page.wait_for_load_state("networkidle")
                assert "resolved" in page.inner_text("#saved")
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 390, path
        assert not errors, errors  # no CSP refusal, no script error
        context.close()
