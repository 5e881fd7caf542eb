"""Chunked batch work: in this process, in a local process pool, or on a Dask cluster.

Engines that work on many independent pieces (series, units, scenarios, extraction sets) split
their input into chunks and hand a function and the chunks to a :class:`Runner`. They never talk
to Dask themselves, so the same engine code runs in a notebook, on a laptop's cores, or on a
cluster::

    >>> runner = Runner()                       # local, in this process
    >>> runner.map(sum, [[1, 2], [3, 4]])
    [3, 7]

``Runner(scheduler="tcp://10.0.0.5:8786")`` sends the chunks to a running Dask scheduler;
``Runner(processes=4)`` uses a local process pool. ``Runner.from_env()`` reads
``GOSPLAN_SCHEDULER`` (an address, or ``processes`` / ``processes:N``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from gosplan.errors import GosplanError

T = TypeVar("T")
R = TypeVar("R")


def chunk_bounds(n: int, chunk_size: int) -> list[tuple[int, int]]:
    """Split ``range(n)`` into ``[start, stop)`` pairs of at most ``chunk_size`` items.

    >>> chunk_bounds(5, 2)
    [(0, 2), (2, 4), (4, 5)]
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    return [(start, min(start + chunk_size, n)) for start in range(0, n, chunk_size)]


class Runner:
    """Run ``fn(chunk)`` for each chunk and return the results in input order.

    Parameters
    ----------
    scheduler:
        Address of a Dask scheduler (``tcp://host:8786``); ``None`` runs locally.
    processes:
        With no scheduler, the number of local worker processes; ``None`` or 1 runs in this process.
    progress:
        Show a Rich progress bar for work with more than one chunk.
    """

    def __init__(
        self, scheduler: str | None = None, processes: int | None = None, progress: bool = False
    ) -> None:
        self.scheduler = scheduler or None
        self.processes = processes
        self.progress = progress

    @classmethod
    def from_env(cls, scheduler: str | None = None, progress: bool = False) -> Runner:
        """Build from an explicit ``--scheduler`` value, else ``GOSPLAN_SCHEDULER``, else local."""
        value = scheduler or os.environ.get("GOSPLAN_SCHEDULER", "")
        if not value or value == "local":
            return cls(progress=progress)
        if value.startswith("processes"):
            _, _, count = value.partition(":")
            return cls(processes=int(count) if count else os.cpu_count() or 1, progress=progress)
        return cls(scheduler=value, progress=progress)

    @property
    def kind(self) -> str:
        if self.scheduler:
            return "dask"
        return "processes" if self.processes and self.processes > 1 else "local"

    def map(self, fn: Callable[[T], R], chunks: Iterable[T], description: str = "working") -> list[R]:
        items: Sequence[T] = list(chunks)
        if self.kind == "dask":
            return self._map_dask(fn, items)
        if self.kind == "processes":
            with ProcessPoolExecutor(max_workers=self.processes) as pool:
                return self._collect(pool.map(fn, items), len(items), description)
        return self._collect((fn(item) for item in items), len(items), description)

    def _collect(self, results: Iterable[R], total: int, description: str) -> list[R]:
        if not self.progress or total <= 1:
            return list(results)
        out: list[R] = []
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, transient=True) as bar:
            task = bar.add_task(description, total=total)
            for result in results:
                out.append(result)
                bar.advance(task)
        return out

    def _map_dask(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        try:
            from dask.distributed import Client
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise GosplanError(
                "a Dask scheduler was given but dask.distributed is not installed: "
                "pip install 'gosplan[dask]'"
            ) from exc
        client: Any
        try:
            client = Client(self.scheduler, timeout="10s", set_as_default=False)
        except OSError as exc:
            raise GosplanError(f"cannot reach the Dask scheduler at {self.scheduler}: {exc}") from exc
        try:
            futures = client.map(fn, items, pure=False)
            return client.gather(futures)
        finally:
            client.close()

    def __repr__(self) -> str:
        return f"Runner(kind={self.kind!r}, scheduler={self.scheduler!r}, processes={self.processes!r})"
