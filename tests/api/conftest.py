"""Fixtures of the API and web tests: a demo store per module on SQLite and PostgreSQL, an app, clients."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent))
from webenv import Env, build_demo, copy_sqlite, make_env, sqlite_demo_file

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def sqlite_demo(tmp_path_factory) -> Path:
    return sqlite_demo_file(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session", params=BACKENDS)
def env(request, sqlite_demo, new_store_url, tmp_path_factory) -> Env:
    if request.param == "sqlite":
        url = copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("web") / "demo.db")
    else:
        url = new_store_url("postgresql")
        build_demo(url)
    return make_env(url)


@pytest.fixture(scope="module")
def app(env):
    from gosplan.api import create_app

    return create_app(env.url, refresh_interval=0.1, login_attempts=5, login_window=60)


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
