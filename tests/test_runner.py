import numpy as np
import pytest

from gosplan.runner import Runner, chunk_bounds


def _square_sum(bounds):
    start, stop = bounds
    return int((np.arange(start, stop) ** 2).sum())


def test_chunk_bounds():
    assert chunk_bounds(5, 2) == [(0, 2), (2, 4), (4, 5)]
    assert chunk_bounds(0, 3) == []
    with pytest.raises(ValueError):
        chunk_bounds(3, 0)


def test_local_and_processes_agree():
    chunks = chunk_bounds(1000, 100)
    expected = [_square_sum(c) for c in chunks]
    assert Runner().map(_square_sum, chunks) == expected
    assert Runner(processes=2).map(_square_sum, chunks) == expected


def test_from_env(monkeypatch):
    monkeypatch.setenv("GOSPLAN_SCHEDULER", "processes:3")
    assert Runner.from_env().processes == 3
    monkeypatch.setenv("GOSPLAN_SCHEDULER", "tcp://127.0.0.1:8786")
    assert Runner.from_env().kind == "dask"
    assert Runner.from_env("local").kind == "local"


def test_dask_cluster_on_loopback():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        chunks = chunk_bounds(1000, 250)
        result = Runner(scheduler=cluster.scheduler_address).map(_square_sum, chunks)
    assert result == [_square_sum(c) for c in chunks]


def test_unreachable_scheduler_is_a_clear_error():
    from gosplan.errors import GosplanError

    with pytest.raises(GosplanError, match="cannot reach the Dask scheduler"):
        Runner(scheduler="tcp://127.0.0.1:1").map(_square_sum, [(0, 1)])
