"""A submission moves the shared data generation (which tells every server process its snapshot is
stale, and the writer which snapshot it must read) in its own transaction: the write and the move commit
together or not at all, on SQLite and PostgreSQL."""

from __future__ import annotations

from unittest.mock import patch

import pytest

from gosplan.store import Store
from webenv import OWN

SINGLE = {"indicator": "electricity", "unit": OWN, "period": "2023-05"}


def _generations(app, who: str) -> tuple[int, int]:
    return app.state.gosplan.snapshots.shared.read(who)


def _stored(env, value: float) -> int:
    history = env.service.store.report_history("electricity", OWN, "2023-05")
    return int((history["value"] == value).sum())


@pytest.mark.parametrize("route", ["single", "bulk"])
def test_a_write_and_its_generation_commit_together(env, app, client, route):
    who = client.get("/api/v1/me", headers=env.bearer("rep1")).json()["name"]
    value = 70_001.0 if route == "single" else 70_002.0

    def post(key: str):
        body = {**SINGLE, "value": value}
        path, json = ("/api/v1/reports", body) if route == "single" else ("/api/v1/reports/bulk", {"rows": [body]})
        return client.post(path, json=json, headers={**env.bearer("rep1"), "Idempotency-Key": key})

    before = _generations(app, who)[0]
    real = Store.bump_generation

    def failing(self, marker=None, conn=None):
        if conn is None:
            return real(self, marker)
        raise RuntimeError("the generation could not be moved")

    with patch.object(Store, "bump_generation", failing):
        assert post(f"{route}-1").status_code == 500
    assert _stored(env, value) == 0  # the write went with its generation
    assert _generations(app, who)[0] == before

    first = post(f"{route}-2")
    assert first.status_code == 200 and first.json()["new"] + first.json()["revised"] == 1
    assert _stored(env, value) == 1
    generation, mine = _generations(app, who)
    assert generation == mine == before + 1  # one move, noted for the writer's own reads
    assert post(f"{route}-2").json()["replayed"]  # a retry writes nothing and moves nothing
    assert post(f"{route}-3").json()["unchanged"] == 1  # the same value again: nothing changed
    assert _generations(app, who) == (before + 1, before + 1)
    assert app.state.gosplan.snapshots.generation >= before + 1


def test_the_generation_moves_once_per_bump_with_or_without_a_transaction(env):
    store = env.service.store
    start = store.generations("wrote:test")[0]
    with store.transaction() as conn:
        first = store.bump_generation("wrote:test", conn)
    second = store.bump_generation("wrote:test")
    assert (first, second) == (start + 1, start + 2)
    assert store.generations("wrote:test") == (start + 2, start + 2)
    with pytest.raises(RuntimeError), store.transaction() as conn:
        store.bump_generation("wrote:test", conn)
        raise RuntimeError("rolled back")
    assert store.generations("wrote:test") == (start + 2, start + 2)
