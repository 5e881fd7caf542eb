"""Hostile bodies: credentials are checked before a body is read, and bodies over a route's limit are
refused with 413 while streaming (Content-Length or chunked), as JSON for the API and a page for the web."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest
from fastapi.testclient import TestClient

from gosplan.api import create_app
from gosplan.api.guard import BodyLimits
from webenv import OWN, ServerThread, copy_sqlite, csrf_of, login, make_env

LIMITS = BodyLimits(default=4096, bulk=16384, upload=32768, login=2048)


@pytest.fixture(scope="module")
def env(sqlite_demo, tmp_path_factory):
    return make_env(copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("guard") / "demo.db"))


@pytest.fixture(scope="module")
def app(env):
    return create_app(env.url, body_limits=LIMITS)


def call(app, method: str, path: str, headers: dict[str, str], chunks: list[bytes]) -> tuple[int, dict, bytes, int]:
    """Drive the ASGI app directly; returns (status, headers, body, chunks the app read)."""
    read = 0
    sent: list[dict] = []

    async def receive():
        nonlocal read
        if read < len(chunks):
            read += 1
            return {"type": "http.request", "body": chunks[read - 1], "more_body": read < len(chunks)}
        await asyncio.sleep(3600)  # a client that never sends the rest

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "path": path,
             "raw_path": path.encode(), "query_string": b"", "root_path": "", "scheme": "http",
             "server": ("testserver", 80), "client": ("127.0.0.1", 5000),
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 60))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body, read


def test_no_credentials_no_body_read(app):
    # 200 MB announced, a few chunks offered: the answer comes before any of them is read.
    status, _, body, read = call(app, "POST", "/api/v1/reports/bulk",
                                       {"content-type": "application/json", "content-length": str(200 * 2**20)},
                                       [b"[" + b" " * 65536] * 8)
    assert (status, read) == (401, 0) and b'"not_authenticated"' in body
    chunked = call(app, "POST", "/api/v1/reports", {"content-type": "application/json",
                                                    "transfer-encoding": "chunked"}, [b"{" + b" " * 1000] * 8)
    assert chunked[0] == 401 and chunked[3] == 0
    assert b'"not_authenticated"' in chunked[2]


def test_bad_token_is_refused_before_the_body(app):
    status, _, body, read = call(app, "POST", "/api/v1/reports",
                                 {"content-type": "application/json", "content-length": "3000",
                                  "authorization": "Bearer gsp_forged"}, [b"{" + b" " * 2999])
    assert (status, read) == (401, 0) and b"Bearer" in body


def test_declared_length_over_the_limit_is_413_at_once(app, env):
    status, headers, body, read = call(app, "POST", "/api/v1/reports",
                                       {"content-type": "application/json", "content-length": "100000",
                                        **env.bearer("admin")}, [b"{" + b" " * 99999])
    assert (status, read) == (413, 0)
    assert headers["content-type"] == "application/json" and b'"too_large"' in body and b"4 KiB" in body


def test_chunked_body_over_the_limit_stops_being_read(app, env):
    chunks = [b" " * 1024] * 64  # 64 KiB chunked, limit 4 KiB
    status, _, body, read = call(app, "POST", "/api/v1/reports",
                                 {"content-type": "application/json", "transfer-encoding": "chunked",
                                  **env.bearer("admin")}, chunks)
    assert status == 413 and b'"too_large"' in body
    assert read <= 6  # stopped right after the limit, not at the end of the body


def test_bulk_route_has_its_own_larger_limit(app, env):
    rows = [{"indicator": "electricity", "unit": OWN, "period": "2023-04", "value": 100.0 + i} for i in range(1)]
    with TestClient(app) as client:
        small = client.post("/api/v1/reports/bulk", json={"rows": rows * 60}, headers=env.bearer("admin"))
        assert small.status_code in (200, 422), small.text  # ~5 KiB: over the default, under the bulk limit
        assert small.status_code != 413
        big = client.post("/api/v1/reports/bulk", json={"rows": rows * 400}, headers=env.bearer("admin"))
        assert big.status_code == 413 and big.json()["error"] == "too_large"


def test_web_form_over_the_limit_gets_a_page(app):
    with TestClient(app) as client:
        login(client, "rep1")
        page = client.get(f"/report/{OWN}")
        answer = client.post(f"/report/{OWN}", data={"csrf_token": csrf_of(page.text), "junk": "x" * 10000})
        assert answer.status_code == 413
        assert answer.headers["content-type"].startswith("text/html") and "limit" in answer.text
        anonymous = TestClient(app).post(f"/report/{OWN}", data={"junk": "x" * 100}, follow_redirects=False)
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_sign_in_page_answers_while_a_huge_body_waits(app):
    # Over a real socket: announce 200 MB without credentials, send nothing more; the refusal comes at once
    # and the sign-in page stays quick meanwhile.
    with ServerThread(app) as base:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            started = time.monotonic()
            s.sendall(b"POST /api/v1/reports/bulk HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 209715200\r\n\r\n" + b"{" * 4096)
            answer = s.recv(4096).decode("latin-1")
            assert answer.startswith("HTTP/1.1 401") and time.monotonic() - started < 5
        import httpx

        started = time.monotonic()
        assert httpx.get(base + "/login", timeout=10).status_code == 200
        assert time.monotonic() - started < 2


def test_security_headers_on_pages_api_and_errors(app, env):
    with TestClient(app) as client:
        answers = {"login page": client.get("/login"), "api": client.get("/api/v1/me", headers=env.bearer("viewer")),
                   "api error": client.get("/api/v1/me"), "docs": client.get("/api/docs")}
        login(client, "viewer")
        answers["signed-in page"] = client.get("/")
        for what, answer in answers.items():
            csp = answer.headers.get("content-security-policy", "")
            scripts = csp.split("script-src")[1].split(";")[0]
            assert scripts.strip().startswith("'self'") and "'unsafe-inline'" not in scripts, what
            assert "frame-ancestors 'none'" in csp, what
            assert answer.headers["x-content-type-options"] == "nosniff", what
            assert answer.headers["referrer-policy"] == "same-origin", what
            assert answer.headers["cache-control"] == "no-store", what
        style = client.get("/static/gosplan.css")
        assert style.status_code == 200 and style.headers.get("cache-control") != "no-store"
        assert client.get("/api/docs/assets/swagger-ui/swagger-ui-bundle.js").status_code == 200
        assert "cdn" not in answers["docs"].text.lower()
