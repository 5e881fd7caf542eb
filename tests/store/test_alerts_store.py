"""Alerts in the store, on SQLite and PostgreSQL: one row per (series, kind, period), transitions,
escalation up the hierarchy while nobody acknowledges."""

import functools

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gosplan.errors import Conflict, NotFound, ValidationError
from gosplan.service import Service
from gosplan.service.alerts import escalation, list_alerts
from gosplan.store import Store, WriteSummary, schema


def _alerts(rows):
    return pd.DataFrame(rows, columns=["indicator", "unit", "period", "kind", "severity", "score", "message"])


CHAIN = pd.DataFrame({"code": ["KP", "KP-05", "KP-05.haeju", "farm.haeju"],
                      "name": ["Country", "South Hwanghae", "Haeju", "Haeju farm"],
                      "kind": ["country", "province", "county", "enterprise"],
                      "parent": [None, "KP", "KP-05", "KP-05.haeju"]})


def test_write_is_deduplicated_and_refreshes_open_alerts(store):
    first = _alerts([("grain", "farm.haeju", "2023", "attainment", "warning", 0.7, "P = 0.30"),
                     ("coal", "mine.a", "2023-05", "step", "critical", 0.99, "step of -30 %")])
    assert store.write_alerts(first, raised="2023-06") == WriteSummary(new=2)
    # The next month detect reports the same step again and the attainment alert has worsened.
    again = _alerts([("grain", "farm.haeju", "2023", "attainment", "critical", 0.9, "P = 0.10"),
                     ("coal", "mine.a", "2023-05", "step", "critical", 0.99, "step of -30 %")])
    assert store.write_alerts(again, raised="2023-07") == WriteSummary(new=0, updated=1, unchanged=1)
    stored = store.alerts()
    assert len(stored) == 2
    grain = stored.set_index("indicator").loc["grain"]
    assert (grain["severity"], grain["message"], grain["raised"], grain["status"]) == (
        "critical", "P = 0.10", "2023-06", "open")
    assert stored["severity"].tolist() == ["critical", "critical"]
    assert store.alerts(indicators=["coal"])["unit"].tolist() == ["mine.a"]


def test_transitions_refuse_unknown_ids_and_invalid_moves(store):
    store.write_alerts(_alerts([("grain", "farm.haeju", "2023", "attainment", "warning", 0.7, "m"),
                                ("coal", "mine.a", "2023-05", "step", "critical", 0.99, "n")]), raised="2023-06")
    grain, coal = store.alerts().sort_values("id")["id"].tolist()
    store.acknowledge_alert(grain, by="kim")
    row = store.alert(grain)
    assert row["status"] == "acknowledged" and row["acknowledged_by"] == "kim" and row["acknowledged_at"]
    with pytest.raises(Conflict):
        store.acknowledge_alert(grain, by="kim")
    store.resolve_alert(grain, by="ri")
    store.resolve_alert(coal, by="ri")  # open -> resolved directly is allowed
    assert set(store.alerts()["status"]) == {"resolved"}
    for move in (store.resolve_alert, store.acknowledge_alert):
        with pytest.raises(Conflict):
            move(coal, by="ri")
        with pytest.raises(NotFound):
            move(9999, by="ri")
    with pytest.raises(NotFound):
        store.alert(9999)
    # A resolved alert is not raised again by the same key.
    again = _alerts([("coal", "mine.a", "2023-05", "step", "critical", 0.99, "n")])
    assert store.write_alerts(again, raised="2023-07") == WriteSummary(unchanged=1)


def test_write_refuses_rows_without_a_unit(store):
    with pytest.raises(ValidationError):
        store.write_alerts(_alerts([("grain", "", "2023", "attainment", "warning", 0.7, "m")]), raised="2023-06")


def test_unacknowledged_alert_climbs_to_the_top_every_n_periods(store):
    store.write_units(CHAIN)
    store.set_meta("alert_escalation_periods", "3")
    service = Service(store)
    store.write_alerts(_alerts([("grain", "farm.haeju", "2023", "attainment", "critical", 0.9, "m"),
                                ("cement", "farm.haeju", "2023-05", "step", "warning", 0.95, "n")]), raised="2023-03")
    ack = int(store.alerts(indicators=["cement"])["id"].iloc[0])
    store.acknowledge_alert(ack, by="kim")
    expected = {"2023-03": "farm.haeju", "2023-05": "farm.haeju", "2023-06": "KP-05.haeju", "2023-09": "KP-05",
                "2023-12": "KP", "2024-06": "KP"}
    for month, holder in expected.items():
        where = escalation(service, month).set_index("indicator")
        assert where.loc["grain", "escalated_to"] == holder, month
        assert where.loc["cement", "escalated_to"] == "farm.haeju"  # acknowledged: stays put
        assert bool(where.loc["grain", "reached_top"]) == (holder == "KP")
    stored = store.alerts().set_index("indicator")
    assert stored.loc["grain", "escalation_level"] == 3 and stored.loc["grain", "escalated_to"] == "KP"
    listed = list_alerts(service, open_only=True, unit="KP-05")
    assert listed["path"].tolist() == ["farm.haeju > KP-05.haeju > KP-05 > KP"]


KEYS = st.tuples(st.sampled_from(["grain", "coal"]), st.sampled_from(["a", "b", "c"]),
                 st.sampled_from(["2023", "2023-05", "2023-06"]), st.sampled_from(["attainment", "step", "outlier"]))


@settings(max_examples=25, deadline=None)
@given(batches=st.lists(st.lists(st.tuples(KEYS, st.floats(0, 1)), max_size=8), min_size=1, max_size=4))
def test_any_sequence_of_writes_keeps_one_row_per_key(batches):
    store = _memory_store()
    with store.transaction() as conn:
        conn.execute(schema.alerts.delete())
    new = 0
    for month, batch in enumerate(batches, start=1):
        frame = _alerts([(*key[:2], key[2], key[3], "warning", score, "m") for key, score in batch])
        new += store.write_alerts(frame, raised=f"2023-{month:02d}").new
    keys = {key for batch in batches for key, _ in batch}
    stored = store.alerts()
    assert len(stored) == new == len(keys)
    assert set(zip(stored["indicator"], stored["unit"], stored["period"], stored["kind"], strict=True)) == keys


@functools.cache
def _memory_store() -> Store:
    """One in-memory store for all examples (migrating a new one per example costs most of the time)."""
    return Store.open("sqlite://")
