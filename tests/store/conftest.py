"""Fixtures of the store tests."""

from __future__ import annotations

import pytest

from .economy import INDICATORS, PLANS, SECTORS, UNITS


@pytest.fixture
def loaded(store):
    """The store with the reference data written."""
    store.write_sectors(SECTORS)
    store.write_units(UNITS)
    store.write_indicators(INDICATORS)
    store.write_plans(PLANS)
    return store
