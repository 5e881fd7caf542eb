"""Fixtures of the workflow tests: the store tests' small economy, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from store.economy import INDICATORS, PLANS, SECTORS, UNITS


@pytest.fixture
def service(store):
    """A service over a store holding the small economy (two provinces, three enterprises)."""
    from gosplan.service import Service

    store.write_sectors(SECTORS)
    store.write_units(UNITS)
    store.write_indicators(INDICATORS)
    store.write_plans(PLANS)
    return Service(store)
