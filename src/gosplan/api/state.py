"""What the server keeps between requests: the service, a read snapshot with bounded staleness,
the session secret and the failed-login counter.

Several server processes (``gosplan serve --workers 4``) share what must be shared through the
database, or through Redis where ``GOSPLAN_REDIS_URL`` is set: the data generation that tells each
process its snapshot is stale (and which generation a writer must see), and the failed sign-ins.
Sessions always live in the database (:mod:`gosplan.api.auth`).

Computing the plan-fact table of the demo economy takes about a second; a page must take well under
300 ms. Reads therefore go to a *snapshot* service whose frames are cached. A write bumps a
generation counter; the next read starts a rebuild in a background thread (at most one per
``refresh_interval`` while writes keep coming) and gets the previous snapshot meanwhile, except the
writer itself, who waits for a snapshot that contains its own write ("read your writes").
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import threading
import time
import weakref
from collections.abc import Callable
from datetime import timedelta
from typing import Protocol

from sqlalchemy import Connection

from gosplan.service import Service
from gosplan.service.audit import forget_data
from gosplan.service.operations import current_period
from gosplan.store import Store
from gosplan.store._common import utc_now


class Shared(Protocol):
    """What the server processes share: a data generation and failed sign-ins (database or Redis)."""

    def bump(self, who: str) -> int: ...
    def read(self, who: str | None) -> tuple[int, int]: ...
    def add_failure(self, keys: list[str], window: float) -> None: ...
    def failures(self, keys: list[str], window: float) -> dict[str, list[float]]: ...
    def clear(self, keys: list[str]) -> None: ...


def _marker(who: str) -> str:
    return "wrote:" + hashlib.sha256(who.encode("utf-8")).hexdigest()[:40]


class DatabaseShared:
    """Shared state in the store's ``meta`` and ``login_failures`` tables."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # The checks version seen by the last read (reference data: units, indicators, rules...).
        self.checks: str | None = None

    def bump(self, who: str) -> int:
        return self.store.bump_generation(_marker(who))

    def read(self, who: str | None) -> tuple[int, int]:
        generation, mine, self.checks = self.store.generations_and_checks(_marker(who) if who else None)
        return generation, mine

    def add_failure(self, keys: list[str], window: float) -> None:
        self.store.add_login_failure(keys)

    def failures(self, keys: list[str], window: float) -> dict[str, list[float]]:
        now = utc_now()
        found = self.store.login_failures_since(keys, now - timedelta(seconds=window))
        if secrets.randbelow(50) == 0:  # now and then, forget everyone's old failures
            self.store.clear_login_failures([], before=now - timedelta(seconds=window))
        return {k: [(now - t).total_seconds() for t in times] for k, times in found.items()}

    def clear(self, keys: list[str]) -> None:
        self.store.clear_login_failures(keys)


class GenerationNote:
    """Moves the shared data generation inside a submission's own transaction, last before its commit
    (``submit(..., on_write=note)``): the write and its generation commit together, in one transaction
    instead of two. ``generation`` is the new generation once a write has committed."""

    def __init__(self, store: Store, who: str) -> None:
        self.store = store
        self.marker = _marker(who)
        self.generation: int | None = None

    def __call__(self, conn: Connection) -> None:
        self.generation = self.store.bump_generation(self.marker, conn)


class RedisShared:
    """Shared state in Redis (``GOSPLAN_REDIS_URL``): a counter, markers and one sorted set per key."""

    def __init__(self, url: str, prefix: str = "gosplan:") -> None:
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix

    def bump(self, who: str) -> int:
        generation = int(self.redis.incr(self.prefix + "generation"))
        self.redis.set(self.prefix + _marker(who), generation, ex=86400)
        return generation

    def read(self, who: str | None) -> tuple[int, int]:
        keys = [self.prefix + "generation"] + ([self.prefix + _marker(who)] if who else [])
        values = self.redis.mget(keys)
        return int(values[0] or 0), int(values[1] or 0) if who else 0

    def add_failure(self, keys: list[str], window: float) -> None:
        now = time.time()
        pipe = self.redis.pipeline()
        for key in keys:
            pipe.zadd(self.prefix + "fail:" + key, {f"{now}:{secrets.token_hex(4)}": now})
            pipe.expire(self.prefix + "fail:" + key, int(window) + 1)
        pipe.execute()

    def failures(self, keys: list[str], window: float) -> dict[str, list[float]]:
        now = time.time()
        pipe = self.redis.pipeline()
        for key in keys:
            pipe.zrangebyscore(self.prefix + "fail:" + key, now - window, "+inf", withscores=True)
        return {k: [now - score for _, score in rows] for k, rows in zip(keys, pipe.execute(), strict=True) if rows}

    def clear(self, keys: list[str]) -> None:
        if keys:
            self.redis.delete(*(self.prefix + "fail:" + k for k in keys))


def shared_state(store: Store, redis_url: str | None) -> Shared:
    """Redis when ``redis_url`` is given (keys prefixed per database, so that stores sharing one Redis
    stay apart), else the database."""
    if not redis_url:
        return DatabaseShared(store)
    database = store.engine.url.render_as_string(hide_password=True)
    return RedisShared(redis_url, prefix=f"gosplan:{hashlib.sha256(database.encode()).hexdigest()[:16]}:")


class Snapshots:
    """A read-only :class:`Service` per generation of the data; see the module docstring."""

    def __init__(self, store: Store, refresh_interval: float = 1.0, writers: int = 3,
                 shared: Shared | None = None) -> None:
        self.store = store
        self.shared = shared or DatabaseShared(store)
        # Submissions are mostly Python and pandas work that holds the interpreter lock; letting only
        # a few run at once keeps pages responsive while the rest wait their turn (throughput is the same).
        self.write_slots = threading.BoundedSemaphore(max(1, writers))
        self._writers = max(1, writers)
        self._turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = \
            weakref.WeakKeyDictionary()
        self.writer = Service(store)
        self._writer_checks: str | None = None  # the checks version the writer's reference data follow
        self.refresh_interval = refresh_interval
        self._generation = 0
        self._reader = Service(store)
        self._reader_generation = 0  # generations come from the shared counter
        self._warming = False
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._last_write: dict[str, int] = {}
        self._build_lock = threading.Lock()
        self._ready = threading.Event()  # set once the first snapshot is built
        # What else a new snapshot computes before readers see it (the web adds its overview page's context):
        # under a stream of writes the first viewer after each rebuild would otherwise pay for it.
        self.warmers: list[Callable[[Service], object]] = []

    def write_turn(self) -> asyncio.Semaphore:
        """Where an async submission route waits for its turn, holding no worker thread meanwhile (as
        many places as :attr:`write_slots`): queued submissions must not take the threads the pages
        need. One gate per event loop."""
        loop = asyncio.get_running_loop()
        with self._lock:
            turn = self._turns.get(loop)
            if turn is None:
                turn = self._turns[loop] = asyncio.Semaphore(self._writers)
        return turn

    @property
    def generation(self) -> int:
        return self._generation

    def note(self, who: str) -> GenerationNote | None:
        """For a submission by ``who``: what moves the generation in its own transaction (then pass
        :attr:`GenerationNote.generation` to :meth:`wrote`), or ``None`` when the generation is kept
        in Redis."""
        return GenerationNote(self.store, who) if isinstance(self.shared, DatabaseShared) else None

    def wrote(self, who: str, generation: int | None = None) -> None:
        """Record that ``who`` changed the data: later reads by ``who`` see it at once (in every server
        process), others soon. ``generation``: the one the write's own transaction moved to
        (:meth:`note`); without it the generation is moved here."""
        if generation is None:
            generation = self.shared.bump(who)
        with self._lock:
            self._generation = max(self._generation, generation)
            self._last_write[who] = max(self._last_write.get(who, 0), generation)
        forget_data(self.writer)  # rebuilt lazily: only when someone reads (see reader)

    def _sync(self, who: str | None) -> int:
        """Catch up with writes made by other server processes; the generation ``who`` must see."""
        generation, mine = self.shared.read(who)
        if generation > self._generation:
            with self._lock:
                if generation > self._generation:
                    self._generation = generation
                    self._forget_writes_elsewhere()
        return max(mine, self._last_write.get(who, 0) if who else 0)

    def _forget_writes_elsewhere(self) -> None:
        """Another process changed the data: the writer forgets its cached frames. It keeps its reference
        data (units, the hierarchy, subtrees) while the checks version read with the generation is the
        one it was loaded under, since every write of those changes it; the submissions of a process
        would otherwise rebuild the hierarchy after every page that notices another worker's write."""
        version = getattr(self.shared, "checks", None)
        if version is not None and version == self._writer_checks:
            forget_data(self.writer)
        else:
            self.writer.invalidate()
            self._writer_checks = version

    def reader(self, who: str | None = None) -> Service:
        """The service to read from: fresh enough for ``who``'s own writes; others may get a snapshot
        up to ``refresh_interval`` old while a newer one is built in the background."""
        needed = self._sync(who)
        if self._reader_generation < needed:
            return self._refresh_now(needed)
        if self._warming and not self._ready.is_set():
            # The first snapshot is being built: wait for it rather than compute it once more per request.
            self._first_build()
            return self._reader
        if self._reader_generation < self._generation:
            self._start_refresh()
        return self._reader

    def warm(self) -> None:
        """Build the first snapshot in the background (server start-up)."""
        self._generation = max(self._generation, self.shared.read(None)[0])
        self._warming = True
        threading.Thread(target=self._first_build, name="gosplan-warm", daemon=True).start()

    def _first_build(self) -> None:
        with self._build_lock:
            if not self._ready.is_set():
                self._swap(*self._build())

    def _build(self) -> tuple[Service, int]:
        generation = self._generation
        service = Service(self.store)
        period = current_period(service)
        service.fulfilment(period)  # warm the expensive frames before readers see this snapshot
        service.sector_fulfilment(period)
        for warm in self.warmers:
            try:
                warm(service)
            except Exception:  # a page that cannot be warmed is built by its first reader, who sees the error
                logging.getLogger(__name__).exception("warming a snapshot failed")
        return service, generation

    def _swap(self, service: Service, generation: int) -> None:
        with self._lock:
            if generation >= self._reader_generation:
                self._reader, self._reader_generation = service, generation
        self._ready.set()

    def _refresh_now(self, needed: int) -> Service:
        # One build at a time: a request that waited on the lock usually finds its data built.
        with self._build_lock:
            if self._reader_generation < needed:
                self._swap(*self._build())
        return self._reader

    def _start_refresh(self) -> None:
        with self._lock:
            if self._worker is not None and self._worker.is_alive():
                return
            self._worker = threading.Thread(target=self._refresh_loop, name="gosplan-snapshot", daemon=True)
            self._worker.start()

    def _refresh_loop(self) -> None:
        while self._reader_generation < self._generation:
            started = time.monotonic()
            try:
                with self._build_lock:
                    if self._reader_generation < self._generation:
                        self._swap(*self._build())
            except Exception:  # the next request rebuilds synchronously; never kill the server thread
                return
            # Under a steady stream of writes, rebuilding takes at most a third of the time: wait at least
            # twice as long as the build took (and at least refresh_interval) before the next one.
            took = time.monotonic() - started
            time.sleep(max(self.refresh_interval, 3 * took) - took)


class LoginLimiter:
    """Failed sign-ins, shared by every server process: at most ``attempts`` per account name and
    ``address_attempts`` per client address in ``window`` seconds. A success forgets only the failures
    of its own account, never those of the address (which other accounts' failures share)."""

    def __init__(self, attempts: int = 5, window: float = 300.0, shared: Shared | None = None, *,
                 address_attempts: int | None = None) -> None:
        if shared is None:
            raise ValueError("LoginLimiter needs the shared state (database or Redis)")
        self.attempts = attempts
        self.address_attempts = address_attempts or 4 * attempts
        self.window = window
        self.shared = shared

    def _limit(self, key: str) -> int:
        return self.address_attempts if key.startswith("ip:") else self.attempts

    def retry_after(self, *keys: str) -> int:
        """Seconds until a blocked key may try again; 0 when none of ``keys`` is blocked."""
        found = self.shared.failures(list(keys), self.window)
        # A key is free again once enough of its failures have aged out to be under its limit.
        waits = [self.window - sorted(ages, reverse=True)[len(ages) - self._limit(key)]
                 for key, ages in found.items() if len(ages) >= self._limit(key)]
        return int(max(waits)) + 1 if waits else 0

    def failed(self, *keys: str) -> None:
        self.shared.add_failure(list(keys), self.window)

    def succeeded(self, *keys: str) -> None:
        """Forget the failures of ``keys`` (pass the account's key only)."""
        self.shared.clear(list(keys))


def session_secret(store: Store, configured: str | None) -> str:
    """The key that signs session cookies: ``GOSPLAN_SECRET_KEY`` if set, else one made on first start
    and kept in the store's meta table (so restarts and several workers share it)."""
    if configured:
        return configured
    secret = store.get_meta("session_secret")
    if not secret:
        store.set_meta("session_secret", secrets.token_urlsafe(48))
        secret = store.get_meta("session_secret")
    return str(secret)
