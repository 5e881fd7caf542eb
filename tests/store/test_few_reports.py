"""The writer of a few checked report rows (the path of single submissions): new keys, revisions and
unchanged values, the batch, the month table and the first arrivals, alike on SQLite and PostgreSQL
(where it writes them all in one statement)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text

from gosplan.store import WriteSummary, schema
from gosplan.store._common import code_map


def _ids(store) -> tuple[dict[str, int], dict[str, int]]:
    with store.engine.connect() as c:
        return code_map(c, schema.indicators).to_dict(), code_map(c, schema.units).to_dict()


def _few(store, rows, who: str = "ana"):
    indicators, units = _ids(store)
    keyed = [(indicators[i], units[u], int(p[:4]) * 12 + int(p[5:]) - 1, v) for i, u, p, v in rows]
    with store.transaction() as conn:
        return store.write_few_reports(keyed, source="api:token", recorded_by=who, conn=conn)


def _table(store, name: str) -> list[tuple]:
    with store.engine.connect() as c:
        return sorted(tuple(r) for r in c.execute(text(f"SELECT * FROM {name}")).all())


def test_a_few_rows_write_revisions_months_and_first_arrivals(loaded):
    summary, before = _few(loaded, [("coal", "E2", "2023-01", 10.0), ("coal", "E2", "2023-02", 11.0),
                                    ("steel", "E1", "2023-01", 5.0)])
    assert (summary, before) == (WriteSummary(new=3), {})
    arrivals = _table(loaded, "report_arrivals")
    assert len(arrivals) == 2  # (2023, coal, E2) with January and February, (2023, steel, E1)
    coal_e2 = next(r for r in arrivals if r[3] is not None and r[4] is not None)
    first_time = coal_e2[3]
    assert coal_e2[4] == first_time and all(m is None for m in coal_e2[5:])

    summary, before = _few(loaded, [("coal", "E2", "2023-01", 12.0), ("coal", "E2", "2023-02", 11.0),
                                    ("coal", "E2", "2023-03", 3.0)], who="bo")
    assert summary == WriteSummary(new=1, updated=1, unchanged=1)
    assert sorted(before.values()) == [10.0, 11.0]
    history = loaded.report_history("coal", "E2")
    assert history[["period", "value", "revision", "recorded_by", "current"]].values.tolist() == [
        ["2023-01", 10.0, 1, "ana", False], ["2023-01", 12.0, 2, "bo", True],
        ["2023-02", 11.0, 1, "ana", True], ["2023-03", 3.0, 1, "bo", True]]
    arrivals = _table(loaded, "report_arrivals")
    coal_e2 = next(r for r in arrivals if r[3] is not None and r[4] is not None)
    assert coal_e2[3] == first_time and coal_e2[4] == first_time  # a correction keeps the first arrival
    assert coal_e2[5] is not None and coal_e2[5] > first_time  # March arrived with the second batch

    batches = _table(loaded, "batches")
    assert _few(loaded, [("coal", "E2", "2023-01", 12.0)])[0] == WriteSummary(unchanged=1)
    assert _table(loaded, "batches") == batches  # nothing changed: no batch
    assert [(b[1], b[2], b[3]) for b in batches] == [("reports", "api:token", "ana"), ("reports", "api:token", "bo")]

    current = loaded.reports(indicators="coal", units="E2", first="2023-01", last="2023-12")
    assert current[["period", "value"]].values.tolist() == [["2023-01", 12.0], ["2023-02", 11.0], ["2023-03", 3.0]]
    assert loaded.refresh_report_months() > 0
    assert _table(loaded, "report_months_pending") == []
    months = pd.DataFrame(_table(loaded, "report_months"))
    assert sorted(months[[3, 4, 5]].fillna(-1).values.tolist()) == [[5.0, -1, -1], [12.0, 11.0, 3.0]]
