"""Shared fixtures: a store on every backend.

``empty_store_url`` and ``store`` are parametrised over SQLite (a file in ``tmp_path``) and
PostgreSQL. PostgreSQL comes from ``GOSPLAN_TEST_PG`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``, trust auth): one fresh database
``gosplan_test_<random>`` is created per test session (other people run tests on the same server at
the same time) and dropped at the end; every test gets its own schema inside it. When the server is
unreachable the PostgreSQL cases are skipped, unless ``GOSPLAN_REQUIRE_POSTGRES=1`` (CI), where they fail.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _libpq(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    """URL of a fresh PostgreSQL database for this session, or ``None`` (with the reason) if unreachable."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = os.environ.get("GOSPLAN_TEST_PG", DEFAULT_PG)
    name = f"gosplan_test_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(_libpq(base), autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        yield None
        os.environ.setdefault("_GOSPLAN_PG_ERROR", str(exc).strip().splitlines()[0] if str(exc) else "error")
        return
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(base), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_url(database_url: str | None) -> str:
    """A new empty schema in the session database; skip (or fail in CI) without PostgreSQL."""
    if database_url is None:
        message = (
            f"PostgreSQL not reachable at {os.environ.get('GOSPLAN_TEST_PG', DEFAULT_PG)}; start it or "
            "set GOSPLAN_TEST_PG=postgresql+psycopg://user@host:port/db to run the PostgreSQL cases"
        )
        if os.environ.get("GOSPLAN_REQUIRE_POSTGRES") == "1":
            pytest.fail(message + " (GOSPLAN_REQUIRE_POSTGRES=1)")
        pytest.skip(message)
    import psycopg

    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(_libpq(database_url), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in database_url else "?"
    return f"{database_url}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(params=BACKENDS)
def empty_store_url(request, tmp_path, postgres_database) -> str:
    """A URL where nothing exists yet, on SQLite and on PostgreSQL (parametrised)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gosplan.db'}"
    return _postgres_url(postgres_database)


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory) -> Path:
    """An SQLite file with the schema at head and no data, built once; copy it for a quick empty store."""
    from gosplan.store import Store

    path = tmp_path_factory.mktemp("template") / "empty.db"
    store = Store.open(f"sqlite:///{path}")
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@pytest.fixture
def store(empty_store_url, migrated_sqlite_template):
    """An opened, empty store on each backend."""
    from gosplan.store import Store

    if empty_store_url.startswith("sqlite:///"):
        shutil.copyfile(migrated_sqlite_template, empty_store_url.removeprefix("sqlite:///"))
    opened = Store.open(empty_store_url)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def new_store_url(tmp_path_factory, postgres_database):
    """Factory for wider-scoped fixtures: ``new_store_url("sqlite" | "postgresql")`` -> a fresh URL."""

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('store') / 'gosplan.db'}"
        return _postgres_url(postgres_database)

    return make


# -- the API and web tests: one demo store per backend for the session, an app, a client --------------


@pytest.fixture(scope="session")
def sqlite_demo(tmp_path_factory):
    from webenv import sqlite_demo_file

    return sqlite_demo_file(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session", params=BACKENDS)
def env(request, sqlite_demo, new_store_url, tmp_path_factory):
    from webenv import build_demo, copy_sqlite, make_env

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


@pytest.fixture(scope="module")
def db(new_store_url):
    """A fresh SQLite demo store per test module, for the command tests (they change it)."""
    from gosplan.service import Service

    url = new_store_url("sqlite")
    Service.open(url).load_demo(2023)
    return url
