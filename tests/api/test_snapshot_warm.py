"""A new read snapshot comes with the overview page's context built (in the background thread that builds
it), so that under a stream of writes no viewer's request pays for it; a warmer that fails stops nothing."""

from __future__ import annotations

from gosplan.api.app import create_app
from gosplan.service.operations import current_period
from webenv import copy_sqlite


def test_a_new_snapshot_has_the_overview_built(sqlite_demo, tmp_path):
    app = create_app(copy_sqlite(sqlite_demo, tmp_path / "warm.db"), warm=False)
    snapshots = app.state.gosplan.snapshots

    def broken(service):
        raise RuntimeError("no page today")
    snapshots.warmers.insert(0, broken)
    service, _ = snapshots._build()
    overview = [key[1:] for key in service._cache if key[1] == "overview"]  # keys start with the language
    assert overview == [("overview", current_period(service), overview[0][2])] and overview[0][2]
