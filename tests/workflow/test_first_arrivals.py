"""The first-arrival table that completeness reads stays equal to the first revisions in ``reports``
through every write path (a new month in bulk, a mixed file with corrections, a web submission, a
re-import), on SQLite and PostgreSQL."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text

from gosplan.engines.completeness import deadlines
from gosplan.store import schema
from gosplan.store._common import code_map


def _write(service, rows):
    frame = pd.DataFrame(rows, columns=["indicator", "unit", "period", "value", "recorded_at"])
    return service.store.write_reports(frame, source="test", recorded_by="test")


def _first_revisions(service) -> dict[tuple[str, str, str], pd.Timestamp]:
    """What the table must hold: the arrival of revision 1 of every key, from the full history."""
    history = service.store.report_history()
    first = history[history["revision"] == 1]
    return {(r.indicator, r.unit, r.period): pd.Timestamp(r.recorded_at) for r in first.itertuples()}


def _table(service) -> dict[tuple[str, str, str], pd.Timestamp]:
    with service.store.engine.connect() as c:
        indicators = {v: k for k, v in code_map(c, schema.indicators).items()}
        units = {v: k for k, v in code_map(c, schema.units).items()}
        rows = c.execute(text("SELECT * FROM report_arrivals")).mappings().all()
    out = {}
    for row in rows:
        for month in range(1, 13):
            stamp = row[f"m{month}"]
            if stamp is not None:
                key = (indicators[row["indicator_id"]], units[row["unit_id"]], f"{row['year']}-{month:02d}")
                out[key] = pd.Timestamp(stamp)
    return out


def test_first_arrival_survives_corrections_submissions_and_reimports(service):
    first_file = [("coal", "E2", "2023-01", 10.0, "2023-02-05 10:00"),
                  ("coal", "E2", "2023-02", 11.0, "2023-03-20 10:00"),
                  ("steel", "E1", "2023-12", 5.0, "2024-01-10 08:00")]
    assert _write(service, first_file).new == 3  # bulk path: nothing reported yet in these months
    # A correction of January (late) beside a new key in the same month: the staged path.
    second_file = [("coal", "E2", "2023-01", 12.0, "2023-04-01 10:00"),
                   ("coal", "E1", "2023-01", 3.0, "2023-02-10 09:00")]
    summary = _write(service, second_file)
    assert (summary.new, summary.updated) == (1, 1)
    # A web submission: one new key, one correction, without a staging table.
    with service.store.transaction() as conn:
        ids = code_map(conn, schema.indicators), code_map(conn, schema.units)
        coal, e1, e2 = int(ids[0]["coal"]), int(ids[1]["E1"]), int(ids[1]["E2"])
        service.store.write_few_reports([(coal, e1, 2023 * 12 + 1, 4.0), (coal, e2, 2023 * 12 + 1, 13.0)],
                                        source="web", recorded_by="test", conn=conn)
    assert _write(service, second_file).unchanged == 2  # a re-import changes nothing
    table = _table(service)
    assert table == _first_revisions(service)
    assert table[("coal", "E2", "2023-01")] == pd.Timestamp("2023-02-05 10:00")  # not the correction's
    assert table[("coal", "E2", "2023-02")] == pd.Timestamp("2023-03-20 10:00")  # not the submission's
    assert len(table) == 5


def test_arrival_masks_across_a_new_year(service):
    _write(service, [("coal", "E2", "2022-12", 1.0, "2023-01-05 00:00"),   # on time
                     ("coal", "E2", "2023-01", 1.0, "2023-03-01 00:00")])  # late
    first = 2022 * 12 + 11
    masks = service.store.report_arrivals(first, first + 2, deadlines(first, first + 2, 15))
    assert masks[["indicator", "unit", "received", "on_time"]].values.tolist() == [["coal", "E2", 0b011, 0b001]]
