"""Fixtures of the importer tests: stores holding the small test economy, and a file writer."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from gosplan.store import Store
from store.economy import INDICATORS, PLANS, SECTORS, UNITS

TODAY = date(2023, 7, 15)  # the mid-year review: reports up to 2023-07 are allowed
HOUSING = pd.DataFrame(
    {"code": ["housing"], "name": ["Dwellings completed"], "unit": ["dwelling"], "role": ["output"]}
)


def fill(store: Store) -> Store:
    store.write_sectors(SECTORS)
    store.write_units(UNITS)
    store.write_indicators(pd.concat([INDICATORS, HOUSING], ignore_index=True))
    store.write_plans(PLANS)
    return store


@pytest.fixture
def loaded(store):
    """Both backends, with the reference data written."""
    return fill(store)


@pytest.fixture(scope="session")
def _loaded_sqlite_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "loaded.db"
    store = fill(Store.open(f"sqlite:///{path}"))
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@pytest.fixture
def sqlite_loaded(tmp_path, _loaded_sqlite_file):
    """SQLite only, copied from a file built once: for the many small validation cases, where the
    backend does not matter."""
    path = tmp_path / "v.db"
    shutil.copyfile(_loaded_sqlite_file, path)
    store = Store.open(f"sqlite:///{path}")
    yield store
    store.close()


@pytest.fixture
def write(tmp_path):
    """Write text (or bytes) to a file in tmp_path and return its path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write


@pytest.fixture(scope="session")
def demo():
    """The demo economy's frames (built once): the reference data of the project and campaign tests."""
    from gosplan.examples import build_demo

    return build_demo(2023)


@pytest.fixture()
def demo_store(tmp_path, demo):
    """An SQLite store holding the demo's sectors, units and indicators."""
    opened = Store.open(f"sqlite:///{tmp_path / 'g.db'}")
    opened.write_sectors(demo.sectors)
    opened.write_units(demo.units)
    opened.write_indicators(demo.indicators)
    yield opened
    opened.close()


def problems_of(excinfo) -> list[tuple[int | None, str | None, str]]:
    """(row, column, reason) of each problem of a raised ValidationError."""
    return [(p.row, p.column, p.reason) for p in excinfo.value.problems]
