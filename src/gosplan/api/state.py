"""What the server keeps between requests: the service, a read snapshot with bounded staleness,
the session secret and the failed-login counter.

Computing the plan-fact table of the demo economy takes about a second; a page must take well under
300 ms. Reads therefore go to a *snapshot* service whose frames are cached. A write bumps a
generation counter; the next read starts a rebuild in a background thread (at most one per
``refresh_interval`` while writes keep coming) and gets the previous snapshot meanwhile, except the
writer itself, who waits for a snapshot that contains its own write ("read your writes").
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque

from gosplan.service import Service
from gosplan.service.operations import current_period
from gosplan.store import Store


class Snapshots:
    """A read-only :class:`Service` per generation of the data; see the module docstring."""

    def __init__(self, store: Store, refresh_interval: float = 1.0, writers: int = 3) -> None:
        self.store = store
        # Submissions are mostly Python and pandas work that holds the interpreter lock; letting only
        # a few run at once keeps pages responsive while the rest wait their turn (throughput is the same).
        self.write_slots = threading.BoundedSemaphore(max(1, writers))
        self.writer = Service(store)
        self.refresh_interval = refresh_interval
        self._generation = 0
        self._reader = Service(store)
        self._reader_generation = 0
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._last_write: dict[str, int] = {}
        self._build_lock = threading.Lock()
        self._ready = threading.Event()  # set once the first snapshot is built

    @property
    def generation(self) -> int:
        return self._generation

    def wrote(self, who: str) -> None:
        """Record that ``who`` changed the data: later reads by ``who`` see it at once, others soon."""
        with self._lock:
            self._generation += 1
            self._last_write[who] = self._generation
        self.writer.invalidate()  # rebuilt lazily: only when someone reads (see reader)

    def reader(self, who: str | None = None) -> Service:
        """The service to read from: fresh enough for ``who``'s own writes; others may get a snapshot
        up to ``refresh_interval`` old while a newer one is built in the background."""
        needed = self._last_write.get(who, 0) if who else 0
        if self._reader_generation < needed:
            return self._refresh_now(needed)
        if not self._ready.is_set() and self._generation > 0:
            # The first snapshot is being built: wait for it rather than compute it once more per request.
            return self._refresh_now(1)
        if self._reader_generation < self._generation:
            self._start_refresh()
        return self._reader

    def warm(self) -> None:
        """Build the first snapshot in the background (server start-up)."""
        self._generation += 1
        self._start_refresh()

    def _build(self) -> tuple[Service, int]:
        generation = self._generation
        service = Service(self.store)
        period = current_period(service)
        service.fulfilment(period)  # warm the expensive frames before readers see this snapshot
        service.sector_fulfilment(period)
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
            time.sleep(max(0.0, self.refresh_interval - (time.monotonic() - started)))


class LoginLimiter:
    """At most ``attempts`` failed logins per client address and per account name in ``window`` seconds."""

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def retry_after(self, *keys: str) -> int:
        """Seconds until a blocked key may try again; 0 when none of ``keys`` is blocked."""
        now = time.monotonic()
        with self._lock:
            waits = [self.window - (now - t[0]) for k in keys if len(t := self._recent(k, now)) >= self.attempts]
        return int(max(waits)) + 1 if waits else 0

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


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
