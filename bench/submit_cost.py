"""What one single-report submission costs the server, independent of the machine's other load: CPU
time and round trips to the database per ``POST /api/v1/reports``.

    python bench/submit_cost.py [--db postgresql+psycopg://postgres@127.0.0.1:5432/test] [--n 200]
                                [--profile 25]

A fresh database with the demo economy and one reporter token per province (as ``bench/serve.py``);
the app runs in this process under Starlette's ``TestClient`` (no network, no uvicorn). After 30
warm-up submissions, ``--n`` single submissions with fresh ``Idempotency-Key`` values are sent one
after another (every tenth re-sent with its key, as ``bench/serve.py`` does; the retries are counted
apart). Printed per submission:

* CPU milliseconds of this process (server and the in-process client; ``time.process_time``);
* round trips to PostgreSQL, counted from libpq's own protocol trace of every pooled connection
  (each ``Query`` or ``Sync`` message the client sends waits for the server's answer), so the pool's
  liveness check, ``BEGIN`` and ``COMMIT`` are counted as well as the statements;
* transactions committed (from ``pg_stat_database``) and the statements SQLAlchemy ran, by kind.

``--profile N`` prints the top of a cProfile of N more submissions.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from serve import drop_database, fresh_database, prepare  # noqa: E402

_ROUND_TRIP = re.compile(r"\tF\t\d+\t(Query|Sync)\b")


class Counter:
    """Round trips (libpq trace files, one per pooled connection) and SQLAlchemy statements."""

    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.folder = Path(tempfile.mkdtemp(prefix="gosplan_trace_"))
        self.files: list = []
        self.statements: collections.Counter[str] = collections.Counter()
        event.listen(engine, "connect", lambda dbapi, record: self._trace(dbapi))
        event.listen(engine, "before_cursor_execute", self._statement)
        engine.pool.dispose()  # reconnect: every connection from now on is traced

    def _trace(self, dbapi) -> None:
        handle = open(self.folder / f"{len(self.files)}.trace", "wb")  # noqa: SIM115 - kept open while traced
        self.files.append(handle)
        dbapi.pgconn.trace(handle.fileno())

    def _statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        words = statement.split()
        kind = " ".join(words[:1]).upper()
        table = next((w.strip('"') for w, before in zip(words[1:], words[:-1], strict=True)
                      if before.upper() in ("FROM", "INTO", "UPDATE")), "")
        self.statements[f"{kind} {table}".strip()] += 1

    def round_trips(self) -> int:
        total = 0
        for handle in self.files:
            handle.flush()
            total += len(_ROUND_TRIP.findall((self.folder / Path(handle.name).name).read_text(errors="replace")))
        return total


def commits(url: str) -> int:
    import psycopg
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    libpq = make_url(url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as c:
        c.execute("SELECT pg_stat_clear_snapshot()")
        return int(c.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = %s", (database,)).fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=os.environ.get("GOSPLAN_TEST_PG",
                                                       "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--other-writes", action="store_true",
                        help="Before each submission another server process writes and a page of this one "
                             "notices it (the shared generation moves): what --workers N with viewers costs.")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from gosplan.api.app import create_app
    from gosplan.store import Store

    url, name = fresh_database(args.db)
    try:
        tokens, pairs = prepare(url)
        app = create_app(url, warm=False)
        engine = app.state.gosplan.snapshots.store.engine
        cells = [(token, i, u, f"2023-{m:02d}") for p, token in tokens.items() for i, u in pairs[p]
                 for m in range(1, 7)]
        sent = iter(range(10**9))

        snapshots = app.state.gosplan.snapshots
        other = Store.open(url) if args.other_writes else None

        def submit(retry_every: int = 10) -> tuple[int, int]:
            if other is not None:  # (not timed apart: the bump and the read are a page's and a writer's work)
                other.bump_generation("wrote:other")
                snapshots._sync(None)
            number = next(sent)
            token, i, u, p = cells[(number * 7919) % len(cells)]
            body = {"indicator": i, "unit": u, "period": p, "value": number * 100_000 + 0.25}
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"cost-{number}"}
            answer = client.post("/api/v1/reports", json=body, headers=headers)
            assert answer.status_code == 200 and answer.json()["new"] + answer.json()["revised"] == 1, answer.text
            if retry_every and number % retry_every == 0:
                again = client.post("/api/v1/reports", json=body, headers=headers)
                assert again.status_code == 200 and again.json()["replayed"], again.text
                return 1, 1
            return 1, 0

        with TestClient(app) as client:
            for _ in range(30):
                submit(0)
            counter = Counter(engine) if engine.dialect.name == "postgresql" else None
            for _ in range(5):
                submit(0)  # the pool's connections are traced from here
            trips0 = counter.round_trips() if counter else 0
            counter and counter.statements.clear()
            commits0 = commits(url) if counter else 0
            cpu0, wall0 = time.process_time(), time.perf_counter()
            fresh = sum(submit(0)[0] for _ in range(args.n))
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            trips = (counter.round_trips() - trips0) if counter else 0
            transactions = (commits(url) - commits0) if counter else 0
            statements = dict(counter.statements) if counter else {}
            # Retries, measured apart: answered from the key, writing nothing.
            trips1 = counter.round_trips() if counter else 0
            cpu1 = time.process_time()
            replayed = 0
            for _ in range(args.n // 10):
                replayed += submit(1)[1]
            retry_cpu = (time.process_time() - cpu1 - cpu / args.n * replayed) / replayed
            retry_trips = ((counter.round_trips() - trips1) / replayed - trips / fresh) if counter else 0
            print(f"backend: {engine.dialect.name}; {fresh} submissions one after another"
                  + ("; before each, another process's write seen by a page" if other else ""))
            print(f"CPU per submission (server + in-process client): {cpu / fresh * 1000:.1f} ms; "
                  f"wall {wall / fresh * 1000:.1f} ms")
            if counter:
                print(f"round trips per submission: {trips / fresh:.2f}; transactions committed: "
                      f"{transactions / fresh:.2f}")
                print("statements per submission:", ", ".join(
                    f"{k} {v / fresh:.2f}" for k, v in sorted(statements.items(), key=lambda kv: -kv[1])))
            print(f"a retry answered from its key: about {retry_cpu * 1000:.1f} ms CPU, {retry_trips:.1f} round trips")
            if args.profile:
                profile = cProfile.Profile()
                profile.enable()
                for _ in range(args.profile):
                    submit(0)
                profile.disable()
                pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        app.state.gosplan.snapshots.store.close()
    finally:
        drop_database(args.db, name)


if __name__ == "__main__":
    main()
