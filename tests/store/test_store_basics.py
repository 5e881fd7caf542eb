"""Opening, schema, reference data, meta, actions and transactions — on SQLite and PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from gosplan.errors import NotFound, ValidationError
from gosplan.model import ACTION_COLUMNS, INDICATOR_COLUMNS, PLAN_COLUMNS, SECTOR_COLUMNS, UNIT_COLUMNS
from gosplan.store import Store, WriteSummary, default_url
from gosplan.store.schema import metadata

from .economy import INDICATORS, PLANS, SECTORS, UNITS


def _script_head() -> str:
    """The single head of the shipped migrations (several heads would be a packaging bug)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from gosplan.store._store import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    (head,) = ScriptDirectory.from_config(config).get_heads()
    return head


def test_open_creates_schema_at_head_and_reopening_is_harmless(empty_store_url):
    first = Store.open(empty_store_url)
    first.set_meta("dataset", "demo")
    first.close()
    again = Store.open(empty_store_url)
    with again.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == _script_head()
    assert again.get_meta("dataset") == "demo"
    assert again.dialect in ("sqlite", "postgresql")
    assert again.url == empty_store_url
    again.close()


@pytest.mark.filterwarnings("ignore:autogenerate skipping")
def test_migrations_create_exactly_the_tables_the_code_uses(store):
    """The shipped migration and schema.py must not drift apart (autogenerate finds nothing to do)."""
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'x.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    store.close()


def test_default_url_prefers_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GOSPLAN_DB", "postgresql+psycopg://x@y/z")
    assert default_url() == "postgresql+psycopg://x@y/z"
    monkeypatch.delenv("GOSPLAN_DB")
    monkeypatch.chdir(tmp_path)
    assert default_url() == f"sqlite:///{tmp_path / 'gosplan.db'}"


def test_reference_data_round_trips_with_model_columns(loaded):
    for frame, read, columns in (
        (SECTORS, loaded.sectors, SECTOR_COLUMNS),
        (UNITS, loaded.units, UNIT_COLUMNS),
        (INDICATORS, loaded.indicators, INDICATOR_COLUMNS),
        (PLANS, loaded.plans, PLAN_COLUMNS),
    ):
        stored = read()
        assert list(stored.columns) == columns
        # pandas 3 reads missing text as NaN, pandas 2 as None: compare with missing values unified.
        expected = frame.astype(object).where(frame.notna(), None)
        got = stored.astype(object).where(stored.notna(), None)
        assert got.to_dict("records") == expected.to_dict("records")


def test_reference_upsert_counts_new_updated_unchanged(loaded):
    changed = UNITS.copy()
    changed.loc[changed["code"] == "E1", "name"] = "Chollima Steel Complex"
    extra = pd.DataFrame(
        {"code": ["E4"], "name": ["Cement"], "kind": ["enterprise"], "parent": ["PY"], "sector": ["IND"]}
    )
    summary = loaded.write_units(pd.concat([changed, extra]))
    assert summary == WriteSummary(new=1, updated=1, unchanged=5)
    assert loaded.write_units(pd.concat([changed, extra])) == WriteSummary(new=0, updated=0, unchanged=7)
    units = loaded.units().set_index("code")
    assert units.loc["E1", "name"] == "Chollima Steel Complex"
    assert units.loc["E4", "parent"] == "PY"


def test_indicator_defaults_follow_the_model(store):
    store.write_indicators(pd.DataFrame({"code": ["cement"], "name": ["Cement"], "unit": ["t"]}))
    row = store.indicators().iloc[0].to_dict()
    assert row == {
        "code": "cement",
        "name": "Cement",
        "unit": "t",
        "aggregation": "sum",
        "time_aggregation": "sum",
        "direction": "higher",
        "sector": None,
        "key": False,
        "role": "output",
    }


def test_meta_set_get_overwrite(store):
    assert store.get_meta("dataset") is None
    store.set_meta("dataset", "demo")
    store.set_meta("dataset", "national")
    assert store.get_meta("dataset") == "national"


def test_actions_add_filter_update(loaded):
    ids = loaded.add_actions(
        pd.DataFrame(
            {
                "title": ["Repair blast furnace 2", "Second shift at the mine"],
                "owner_unit": ["E1", "E2"],
                "indicator": ["steel", "coal"],
                "unit": ["E1", "E2"],
                "period": ["2023-q3", "2023-09"],
                "due": ["2023-09-30", "2023-10-15"],
                "check": ["output >= 95%", ""],
                "origin": ["review 2023-H1", "review 2023-H1"],
                "details": [{"gap": 1200.0}, None],
            }
        )
    )
    assert len(ids) == 2 and ids[0] < ids[1]
    actions = loaded.actions()
    assert list(actions.columns) == ACTION_COLUMNS
    assert actions["status"].tolist() == ["proposed", "proposed"]
    assert actions["period"].tolist() == ["2023-Q3", "2023-09"]
    assert str(actions["due"].iloc[0]) == "2023-09-30"
    loaded.update_action(ids[1], status="in progress")
    assert loaded.actions(status="in progress")["id"].tolist() == [ids[1]]
    assert loaded.actions(owner_units=["E1"])["title"].tolist() == ["Repair blast furnace 2"]
    with pytest.raises(NotFound):
        loaded.update_action(99999, status="done")
    with pytest.raises(ValidationError):
        loaded.update_action(ids[0], status="finished")
    with pytest.raises(ValidationError):
        loaded.update_action(ids[0], colour="red")


def test_transaction_is_all_or_nothing(loaded):
    before = loaded.dump()
    with pytest.raises(RuntimeError), loaded.transaction() as conn:
        loaded.write_units(pd.DataFrame({"code": ["E9"], "name": ["New"], "kind": ["enterprise"]}), conn=conn)
        loaded.write_reports(
            pd.DataFrame({"indicator": ["steel"], "unit": ["E9"], "period": ["2023-01"], "value": [1.0]}),
            source="t",
            recorded_by="me",
            conn=conn,
        )
        loaded.set_meta("dataset", "half-written", conn=conn)
        raise RuntimeError("simulated failure after three writes")
    assert loaded.dump() == before


def test_transaction_commits_several_writes(loaded):
    with loaded.transaction() as conn:
        loaded.write_units(pd.DataFrame({"code": ["E9"], "name": ["New"], "kind": ["enterprise"]}), conn=conn)
        loaded.write_reports(
            pd.DataFrame({"indicator": ["steel"], "unit": ["E9"], "period": ["2023-01"], "value": [1.0]}),
            source="t",
            recorded_by="me",
            conn=conn,
        )
    assert loaded.reports(units=["E9"])["value"].tolist() == [1.0]


def test_upgrade_from_the_first_schema_keeps_the_data(empty_store_url):
    old = Store(create_engine(empty_store_url), empty_store_url)
    old.upgrade("0001")
    old.write_units(UNITS)
    old.write_indicators(INDICATORS)
    # A report as the first schema stored it (today's writer also feeds tables the old schema lacks).
    with old.engine.begin() as c:
        c.execute(text("INSERT INTO batches (kind, source, recorded_by, recorded_at) "
                       "VALUES ('reports', 'old', 'me', '2023-02-01 00:00:00')"))
        c.execute(text(
            "INSERT INTO reports (indicator_id, unit_id, month, revision, value, is_current, batch_id) "
            "SELECT i.id, u.id, :month, 1, 7.0, true, (SELECT max(id) FROM batches) "
            "FROM indicators i, units u WHERE i.code = 'steel' AND u.code = 'E1'"
        ), {"month": 2023 * 12})
    old.close()
    new = Store.open(empty_store_url)
    assert new.report_totals("2023-01", "2023-12")["total"].tolist() == [7.0]
    assert new.reports()["value"].tolist() == [7.0]
    new.close()
