"""Server-side sessions: signing out, disabling an account and changing its password end sessions
(and enabling it again does not revive them); the sign-in limiter behind a trusted proxy; the last
admin; an idempotency key reused with other values. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from gosplan.api import create_app
from gosplan.api.auth import SESSION_COOKIE as COOKIE
from gosplan.errors import Conflict
from gosplan.service.accounts import add_user, set_disabled, set_password, set_role, start_session
from webenv import OWN, PASSWORD, build_demo, copy_sqlite, csrf_of, login, make_env


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def env(request, sqlite_demo, new_store_url, tmp_path_factory):
    if request.param == "sqlite":
        url = copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("sessions") / "demo.db")
    else:
        url = new_store_url("postgresql")
        build_demo(url)
    return make_env(url)


@pytest.fixture(scope="module")
def app(env):
    return create_app(env.url, login_attempts=5, login_window=60, trusted_proxies="10.0.0.0/8")


def client_of(app, address: str = "10.0.0.5") -> TestClient:
    return TestClient(app, raise_server_exceptions=False, client=(address, 40000))


def signed_in(app, name: str) -> tuple[TestClient, str]:
    client = client_of(app)
    assert login(client, name).status_code == 303
    return client, client.cookies[COOKIE]


def works(app, cookie: str) -> bool:
    with client_of(app) as other:
        other.cookies.set(COOKIE, cookie)
        return other.get("/api/v1/me").status_code == 200


def test_sign_out_ends_the_session_everywhere(app, env):
    client, cookie = signed_in(app, "viewer")
    assert works(app, cookie)
    page = client.get("/")
    assert client.post("/logout", data={"csrf_token": csrf_of(page.text)}).status_code == 200
    assert not works(app, cookie)  # a copy of the cookie kept from before is dead too
    # Another app over the same database (another server process) agrees.
    assert not works(create_app(env.url), cookie)


def test_disable_revokes_and_enable_does_not_revive(app, env):
    _, cookie = signed_in(app, "viewer1")
    assert works(app, cookie)
    set_disabled(env.service, "viewer1", True, actor="test")
    assert not works(app, cookie)
    set_disabled(env.service, "viewer1", False, actor="test")
    assert not works(app, cookie)
    _, fresh = signed_in(app, "viewer1")
    assert works(app, fresh)


def test_password_change_ends_the_other_sessions(app, env):
    _, first = signed_in(app, "rep2")
    _, second = signed_in(app, "rep2")
    token = app.state.gosplan.sessions.token(second)
    set_password(env.service, "rep2", PASSWORD, actor="rep2", keep_session=token)
    assert works(app, second) and not works(app, first)
    set_password(env.service, "rep2", PASSWORD, actor="admin")
    assert not works(app, second)


def test_forged_and_unknown_cookies_are_refused(app, env):
    token, _ = start_session(env.service, "viewer")
    assert not works(app, token)  # the raw token without the server's signature
    assert works(app, app.state.gosplan.sessions.cookie(token))
    assert not works(app, app.state.gosplan.sessions.cookie("made-up-token"))


def fail(client: TestClient, name: str, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    page = client.get("/login", headers=headers)
    return client.post("/login", headers=headers, follow_redirects=False,
                       data={"name": name, "password": "wrong password!", "csrf_token": csrf_of(page.text)})


def good(client: TestClient, name: str, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    page = client.get("/login", headers=headers)
    return client.post("/login", headers=headers, follow_redirects=False,
                       data={"name": name, "password": PASSWORD, "csrf_token": csrf_of(page.text)})


def test_limiter_counts_the_forwarded_client_behind_a_trusted_proxy(env):
    app = create_app(env.url, login_attempts=5, login_window=60, trusted_proxies="10.0.0.0/8")
    proxy = client_of(app, "10.0.0.5")
    for _ in range(5):
        assert fail(proxy, "planner", "203.0.113.7").status_code == 401
    assert fail(proxy, "planner", "203.0.113.7").status_code == 429  # that account is held
    for _ in range(5):  # another client through the same proxy, on its own account: not locked out
        assert fail(proxy, "admin", "198.51.100.20").status_code == 401
    assert good(proxy, "viewer", "192.0.2.1").status_code == 303
    # A client that is not a proxy cannot choose its address by sending the header.
    direct = client_of(app, "192.0.2.99")
    for i in range(20):
        fail(direct, f"nobody{i}", f"198.51.100.{i}")
    answer = fail(direct, "nobody-else", "198.51.100.250")
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) > 0


def test_a_success_does_not_reset_the_address_counter(env):
    app = create_app(env.url, login_attempts=5, login_window=60)
    client = client_of(app, "192.0.2.50")
    for i in range(19):  # 20 failures per address are allowed in the window
        assert fail(client, f"guess{i}").status_code == 401
    assert good(client, "viewer").status_code == 303
    assert fail(client, "guess-more").status_code == 401
    assert fail(client, "guess-again").status_code == 429


def test_failures_are_shared_by_server_processes(env):
    first = create_app(env.url, login_attempts=3, login_window=60)
    second = create_app(env.url, login_attempts=3, login_window=60)
    for app in (first, second, first):
        assert fail(client_of(app, "192.0.2.77"), "rep1").status_code == 401
    assert fail(client_of(second, "192.0.2.78"), "rep1").status_code == 429


def test_the_last_admin_stays(env, app):
    service = env.service
    service.store.clear_login_failures(["name:admin"])  # the limiter tests above failed on this account
    with pytest.raises(Conflict, match="last enabled admin"):
        set_disabled(service, "admin", True, actor="test")
    with pytest.raises(Conflict, match="last enabled admin"):
        set_role(service, "admin", "viewer", actor="test")
    with client_of(app) as client:
        refused = client.patch("/api/v1/users/admin", json={"disabled": True}, headers=env.bearer("admin"))
        assert refused.status_code == 409 and "last enabled admin" in refused.json()["detail"]
        assert client.delete("/api/v1/users/admin", headers=env.bearer("admin")).status_code == 409
        login(client, "admin")
        page = client.get("/admin/users")
        web = client.post("/admin/users/admin/disable", data={"csrf_token": csrf_of(page.text)})
        assert "last enabled admin" in web.text
        assert client.get("/api/v1/me").status_code == 200  # still signed in, still an admin
        # With a second admin the first may go.
        add_user(service, "admin2", PASSWORD, "admin", actor="test")
        changed = client.patch("/api/v1/users/admin2", json={"role": "planner"}, headers=env.bearer("admin"))
        assert changed.status_code == 200 and changed.json()["role"] == "planner"
        assert client.delete("/api/v1/users/admin2", headers=env.bearer("admin")).status_code == 204
        assert client.get("/api/v1/users", headers=env.bearer("planner")).status_code == 403


def test_reused_idempotency_key_with_other_values_is_a_conflict(app, env):
    body = {"indicator": "electricity", "unit": OWN, "period": "2023-02", "value": 1234.5}
    headers = {**env.bearer("rep1"), "Idempotency-Key": "feb-electricity-1"}
    with client_of(app) as client:
        first = client.post("/api/v1/reports", json=body, headers=headers)
        assert first.status_code == 200, first.text
        again = client.post("/api/v1/reports", json=body, headers=headers)
        assert again.status_code == 200 and again.json()["replayed"]
        other = client.post("/api/v1/reports", json={**body, "value": 999.0}, headers=headers)
        assert other.status_code == 409 and "feb-electricity-1" in other.json()["detail"]
        stored = client.get(f"/api/v1/reports?unit={OWN}&indicator=electricity&first=2023-02&last=2023-02",
                            headers=env.bearer("admin")).json()["items"]
        assert [r["value"] for r in stored] == [1234.5]


def test_concurrent_revisions_of_one_month_are_all_kept(env):
    # Writers racing for the next revision number of the same month: none fails, none is lost.
    from concurrent.futures import ThreadPoolExecutor

    import pandas as pd

    from gosplan.service import Service
    from gosplan.service.accounts import Principal
    from gosplan.service.audit import submit

    who = Principal("rep1", "reporter", "KP-01", "token")
    cell = {"indicator": "electricity", "unit": OWN, "period": "2022-11"}
    start = len(env.service.store.report_history("electricity", OWN, "2022-11"))

    services = [Service.open(env.url) for _ in range(8)]  # one per writer, as separate server processes

    def write(i: int) -> None:
        submit(services[i % 8], "reports", pd.DataFrame([{**cell, "value": 5000.0 + i}]), who, source="test")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(16)))
    for service in services:
        service.store.close()
    history = env.service.store.report_history("electricity", OWN, "2022-11")
    assert len(history) == start + 16
    assert set(history["value"]) >= {5000.0 + i for i in range(16)}
