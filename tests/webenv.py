"""A demo store with one account per role, an app over it, and helpers: shared by tests/api and tests/web.

Loading the demo takes seconds, so the SQLite demo is built once per session and copied per module;
PostgreSQL gets one demo per module in a fresh schema.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from gosplan.service import Service
from gosplan.service.accounts import add_user, create_token

PASSWORD = "a long test password"
# name -> (role, subtree)
ACCOUNTS = {
    "admin": ("admin", None),
    "planner": ("planner", None),
    "rep1": ("reporter", "KP-01"),
    "rep2": ("reporter", "KP-02"),
    "viewer": ("viewer", None),
    "viewer1": ("viewer", "KP-01"),
}
# Enterprises of the demo economy in two provinces (electric power stations).
OWN = "elec.eastpy"       # KP-01 (Pyongyang)
OTHER = "elec.pukchang"   # KP-02 (South Pyongan)


def build_demo(url: str) -> None:
    service = Service.open(url)
    service.load_demo()
    for name, (role, subtree) in ACCOUNTS.items():
        add_user(service, name, PASSWORD, role, subtree, actor="test")
    service.store.close()


_BUILT: dict[str, Path] = {}


def sqlite_demo_file(folder: Path) -> Path:
    """The session's one SQLite demo (built on first use; tests/api and tests/web share it)."""
    if "sqlite" not in _BUILT:
        path = folder / "demo.db"
        build_demo(f"sqlite:///{path}")
        _BUILT["sqlite"] = path
    return _BUILT["sqlite"]


def copy_sqlite(source: Path, target: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{target}{suffix}")
    return f"sqlite:///{target}"


@dataclass
class Env:
    url: str
    service: Service
    tokens: dict[str, str] = field(default_factory=dict)

    def bearer(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}


def make_env(url: str) -> Env:
    service = Service.open(url)
    env = Env(url, service)
    for name, (role, subtree) in ACCOUNTS.items():
        env.tokens[name] = create_token(service, f"{name} token", role, subtree, actor="test")[1]
    return env


def login(client, name: str, password: str = PASSWORD):
    """Sign in through the form (with its CSRF cookie); returns the response after the redirect."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token, "next": "/"},
                       follow_redirects=False)


def signed_in(app, name: str, password: str = PASSWORD):
    """A TestClient of ``app`` signed in as ``name`` (the sign-in itself asserted)."""
    from fastapi.testclient import TestClient

    client = TestClient(app, raise_server_exceptions=False)
    assert login(client, name, password).status_code == 303
    return client


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


LEAKS = ("Traceback", "sqlalchemy", "psycopg", "sqlite3", "SELECT ", "INSERT INTO", 'File "/')


def assert_no_leak(text: str) -> None:
    for word in LEAKS:
        assert word not in text, f"{word!r} leaked into a response"


class ServerThread:
    """uvicorn serving ``app`` on 127.0.0.1 and a free port, in a thread (for browser tests and screenshots).

    >>> # with ServerThread(app) as base_url: ...
    """

    def __init__(self, app) -> None:
        import socket

        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = None

    def __enter__(self) -> str:
        import threading
        import time

        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start within 30 s")
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


SCREENSHOTS = [("overview", "admin", "/"), ("province", "admin", "/units/KP-01"),
               ("enterprise", "admin", f"/units/{OWN}"), ("indicator", "admin", "/indicators/coal?unit=KP"),
               ("sectors", "admin", "/sectors/industry"), ("report-entry", "rep1", f"/report/{OWN}"),
               ("plan", "planner", "/plans/ap-2023"), ("audit", "admin", "/admin/audit")]


def take_screenshots(page, folder: Path) -> list[Path]:
    """PNG screenshots of the main pages (laptop width) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    out, signed_in = [], None
    for name, who, path in SCREENSHOTS:
        if who != signed_in:
            page.context.clear_cookies()
            page.goto("/login")
            page.fill("#name", who)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            signed_in = who
        page.goto(path)
        page.wait_for_load_state("networkidle")
        target = folder / f"{name}.png"
        page.screenshot(path=str(target), full_page=False)
        out.append(target)
    return out
