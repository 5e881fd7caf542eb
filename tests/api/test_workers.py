"""Two server processes behind one port (``gosplan serve --workers 2``): a session made through one
worker is honoured, and its sign-out obeyed, by the other; failed sign-ins count across both; a
write through one is read back at once through the other. Sharing through the database, and through
Redis where one answers on 127.0.0.1:6379."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from webenv import OWN, PASSWORD, copy_sqlite, make_env

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/15"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module", params=["database", pytest.param("redis", marks=pytest.mark.skipif(
    not _redis_up(), reason="no Redis on 127.0.0.1:6379"))])
def server(request, sqlite_demo, tmp_path_factory):
    url = copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("workers") / "demo.db")
    env = make_env(url)
    port = _free_port()
    args = [sys.executable, "-m", "gosplan.cli", "serve", "--db", url, "--port", str(port), "--workers", "2"]
    if request.param == "redis":
        args += ["--redis", REDIS]
    process = subprocess.Popen(args, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while True:
        workers = [c for c in psutil.Process(process.pid).children(recursive=True)
                   if "spawn_main" in " ".join(c.cmdline())]
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                if len(workers) >= 2:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("gosplan serve --workers 2 did not start: " + process.stderr.read().decode()[-2000:])
        time.sleep(0.3)
    yield port, env, [w.pid for w in workers]
    process.terminate()
    process.wait(30)


def _owner(port: int, conn: http.client.HTTPConnection, pids: list[int]) -> int | None:
    local = conn.sock.getsockname()[1]
    for pid in pids:
        for c in psutil.Process(pid).net_connections(kind="tcp"):
            if c.laddr and c.laddr.port == port and c.raddr and c.raddr.port == local:
                return pid
    return None


def on_worker(port: int, pid: int) -> http.client.HTTPConnection:
    """A fresh keep-alive connection served by worker ``pid`` (used at once: idle ones are closed)."""
    for _ in range(200):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("GET", "/api/v1/openapi.json")
        conn.getresponse().read()
        if _owner(port, conn, [pid]) == pid:
            return conn
        conn.close()
    pytest.fail(f"could not reach worker {pid}")


def get(conn, path: str, cookie: str = "", headers: dict | None = None):
    conn.request("GET", path, headers={"Cookie": cookie, **(headers or {})})
    response = conn.getresponse()
    return response.status, response.read().decode(), response


def post_form(conn, path: str, fields: dict[str, str], cookie: str = ""):
    from urllib.parse import urlencode

    conn.request("POST", path, body=urlencode(fields),
                 headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    return response.status, response.read().decode(), response


def sign_in(conn, name: str, password: str = PASSWORD):
    _, html, response = get(conn, "/login")
    login_cookie = re.search(r"(gosplan_login_csrf=[^;]+)", response.getheader("set-cookie")).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    status, _, answer = post_form(conn, "/login", {"name": name, "password": password, "csrf_token": token,
                                                   "next": "/"}, login_cookie)
    session = re.search(r"(gosplan_session=[^;]+)", answer.getheader("set-cookie") or "")
    return status, session.group(1) if session else None


def test_sessions_are_shared_and_revoked_across_workers(server):
    port, _, (a, b) = server
    status, cookie = sign_in(on_worker(port, a), "viewer")
    assert status == 303 and cookie
    assert get(on_worker(port, b), "/api/v1/me", cookie)[0] == 200  # made by one worker, honoured by the other
    conn = on_worker(port, b)
    _, page, _ = get(conn, "/admin/users", cookie)  # any page with the sign-out form (403 for a viewer)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert post_form(conn, "/logout", {"csrf_token": csrf}, cookie)[0] == 303
    assert get(on_worker(port, a), "/api/v1/me", cookie)[0] == 401  # signed out through one, refused by the other


def test_failed_sign_ins_count_across_workers(server):
    port, _, (a, b) = server
    for pid in (a, b, a, b, a):
        assert sign_in(on_worker(port, pid), "planner", "not the password")[0] == 401
    assert sign_in(on_worker(port, b), "planner")[0] == 429  # even the right password waits now


def test_a_write_through_one_worker_is_read_back_through_the_other(server):
    import json

    port, env, (worker_a, worker_b) = server
    query = f"/api/v1/fulfilment?unit={OWN}&period=2023-06&indicator=electricity"

    def actual() -> float:
        status, text, _ = get(on_worker(port, worker_b), query, headers=env.bearer("rep1"))
        assert status == 200, text
        return json.loads(text)["items"][0]["actual"]

    before = actual()  # worker B has built its snapshot
    _, text, _ = get(on_worker(port, worker_a), f"/api/v1/reports?unit={OWN}&indicator=electricity&first=2023-06"
                     "&last=2023-06", headers=env.bearer("rep1"))
    month = json.loads(text)["items"][0]["value"]
    conn = on_worker(port, worker_a)
    body = json.dumps({"indicator": "electricity", "unit": OWN, "period": "2023-06", "value": month + 1000.0})
    conn.request("POST", "/api/v1/reports", body=body,
                 headers={**env.bearer("rep1"), "Content-Type": "application/json"})
    answer = conn.getresponse()
    assert answer.status == 200, answer.read()
    answer.read()
    assert actual() == pytest.approx(before + 1000.0)  # the writer reads its own write through the other worker
