"""IO tables and capacities in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.errors import NotFound, ValidationError
from gosplan.examples.demo.io_table import io_frames
from gosplan.store import Store


@pytest.fixture
def frames():
    tables, capacities = io_frames(np.random.default_rng(7))
    return tables, capacities


def test_io_table_round_trip_and_replace(empty_store_url, frames):
    tables, _ = frames
    with Store.open(empty_store_url) as store:
        summary = store.write_io_table("t-2023", 2023, tables, source="test")
        # Zero flows are not stored.
        assert summary.new == int((tables["Z"].to_numpy() != 0).sum()) + 12 * 4 + 12 + 12 + 12
        year, back = store.io_table("t-2023")
        assert year == 2023
        order = sorted(tables["Z"].index)
        pd.testing.assert_frame_equal(back["Z"], tables["Z"].loc[order, order], check_names=False,
                                      check_column_type=False, check_index_type=False)
        np.testing.assert_allclose(back["Y"].loc[order, list(tables["Y"].columns)], tables["Y"].loc[order])
        np.testing.assert_allclose(back["x"].loc[order, "gross_output"], tables["x"].loc[order, "gross_output"])
        np.testing.assert_allclose(back["V"][order].to_numpy(), tables["V"][order].to_numpy())
        # Writing the same name again replaces the table whole.
        doubled = {k: v * 2 for k, v in tables.items()}
        assert store.write_io_table("t-2023", 2023, doubled).updated == summary.new
        np.testing.assert_allclose(store.io_table("t-2023")[1]["Z"].to_numpy().sum(), 2 * tables["Z"].to_numpy().sum())
        listed = store.io_tables()
        assert listed[["name", "year", "sectors"]].to_dict("records") == [{"name": "t-2023", "year": 2023,
                                                                          "sectors": 12}]
        # Without a name: the most recent table.
        store.write_io_table("t-2022", 2022, tables)
        assert store.io_table()[0] == 2023


def test_capacities_upsert_by_sector_and_year(empty_store_url, frames):
    _, capacities = frames
    with Store.open(empty_store_url) as store:
        assert store.write_capacities(capacities.assign(year=2023)).new == 12
        again = capacities.assign(year=2023, capacity=capacities["capacity"] * 1.1)
        summary = store.write_capacities(again)
        assert (summary.new, summary.updated) == (0, 12)
        stored = store.capacities(2023).set_index("sector")
        expected = again.set_index("sector")
        np.testing.assert_allclose(stored.loc[expected.index, "capacity"], expected["capacity"])
        assert store.capacities(2024).empty


def test_bad_tables_are_refused_with_problems(empty_store_url, frames):
    tables, capacities = frames
    with Store.open(empty_store_url) as store:
        with pytest.raises(NotFound):
            store.io_table()
        bad = dict(tables)
        bad["Z"] = tables["Z"].astype(object)
        bad["Z"].iloc[1, 2] = "lots"
        with pytest.raises(ValidationError) as info:
            store.write_io_table("bad", 2023, bad, source="bad.csv")
        problem = info.value.problems[0]
        assert (problem.row, problem.column) == (3, tables["Z"].columns[2]) and "lots" in problem.reason
        with pytest.raises(ValidationError):
            store.write_io_table("bad", 2023, {"Z": tables["Z"]})
        with pytest.raises(ValidationError):
            store.write_capacities(capacities.assign(year=2023, capacity=-1.0))
        assert store.io_tables().empty
