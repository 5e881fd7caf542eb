"""Load test of the web server on loopback: reporters submit reports while viewers load the overview.

    python bench/serve.py [--db postgresql+psycopg://postgres@127.0.0.1:5432/test] [--seconds 30]
                          [--mode single --rate 50 | --mode bulk --reporters 6 --batch 500]
                          [--viewers 4] [--workers 1]

``--mode single`` (the default) sends single-report submissions (POST /api/v1/reports) at a steady
``--rate`` per second, whatever the latency (an open loop, as many clients reporting independently
would): the goal is 50 submissions/s with p95 under 300 ms while the overview keeps p95 under 300 ms.
``--rate 0`` runs ``--reporters`` writers sending single submissions back to back instead (a closed
loop). ``--mode bulk`` runs ``--reporters`` closed-loop writers sending ``--batch`` values each time.
``--workers`` runs the server as that many uvicorn worker processes (as ``gosplan serve --workers``).

A fresh PostgreSQL database (or, with ``--db sqlite:///folder/x.db``, a fresh SQLite file in that folder)
is created (and dropped at the end), the demo economy loaded, one API token
made per province (a reporter limited to that province) and a viewer account. ``gosplan``'s app runs
under uvicorn in its own process; the load comes from this process (httpx, asyncio). Each reporter
sends bulk submissions of ``--batch`` values for its province's enterprises with a fresh
Idempotency-Key, and re-sends every tenth submission with the same key (a retry, which must be
answered from the key and write nothing). Every value submitted is unique, so afterwards the store
is checked: each accepted value is present exactly once among all report revisions, and nothing
else was added.

Prints report values accepted per second, p50/p95/p99 latencies of submissions and overview pages, and
the CPU seconds used by the server (with its worker processes) and by the load generator during the run,
and the load average at its start and end (the machine's other work decides how much CPU the server gets).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

console = Console()
PASSWORD = "bench viewer password"


def fresh_database(base: str) -> tuple[str, str]:
    if base.startswith("sqlite"):  # a new file next to the one named (which need not exist)
        from sqlalchemy.engine import make_url

        folder = Path(make_url(base).database or "bench.db").resolve().parent
        path = folder / f"gosplan_bench_{secrets.token_hex(5)}.db"
        return f"sqlite:///{path}", str(path)
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"gosplan_bench_{secrets.token_hex(5)}"
    libpq = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return make_url(base).set(database=name).render_as_string(hide_password=False), name


def drop_database(base: str, name: str) -> None:
    if base.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
        return
    import psycopg
    from sqlalchemy.engine import make_url

    libpq = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(url: str) -> tuple[dict[str, str], dict[str, list[tuple[str, str]]]]:
    """Demo, accounts and tokens; the (indicator, enterprise) pairs each province reports."""
    from gosplan.service import Service
    from gosplan.service.accounts import add_user, create_token

    service = Service.open(url)
    service.load_demo()
    add_user(service, "admin", PASSWORD, "admin", actor="bench")
    add_user(service, "viewer", PASSWORD, "viewer", actor="bench")
    hierarchy = service.hierarchy()
    reports = service.store.reports(first="2021-01", last="2023-06")
    pairs: dict[str, list[tuple[str, str]]] = {}
    tokens = {}
    for province in hierarchy.children[service.root()]:
        leaves = {u for u in hierarchy.subtree(province) if hierarchy.is_leaf(u)}
        mine = reports[reports["unit"].isin(leaves)][["indicator", "unit"]].drop_duplicates()
        if len(mine):
            pairs[province] = list(mine.itertuples(index=False, name=None))
            tokens[province] = create_token(service, f"bench {province}", "reporter", province, actor="bench")[1]
    service.store.close()
    return tokens, pairs


def start_server(url: str, port: int, workers: int = 1) -> subprocess.Popen:
    env = {**os.environ, "GOSPLAN_DB": url, "PYTHONPATH": str(ROOT / "src"), "GOSPLAN_WARM": "1"}
    return subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "gosplan.api.app:create_app",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                             "--workers", str(workers)], env=env)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its (uvicorn worker) children, from /proc (Linux)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for one in pids:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Load:
    def __init__(self, base: str, seconds: float, batch: int) -> None:
        self.base, self.seconds, self.batch = base, seconds, batch
        self.submit_ms: list[float] = []
        self.overview_ms: list[float] = []
        self.accepted: list[float] = []      # every value of every accepted, first-time submission
        self.rejected = 0
        self.replays = 0
        self.replays_wrong = 0
        self.errors: list[str] = []
        self.counter = 0

    async def reporter(self, client, token: str, pairs: list[tuple[str, str]], deadline: float) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        # Two and a half years of months: a province's bulk upload of corrections and late reports.
        months = [f"{y}-{m:02d}" for y in (2021, 2022) for m in range(1, 13)] + [f"2023-{m:02d}" for m in range(1, 7)]
        cells = [(i, u, p) for i, u in pairs for p in months]
        rng = np.random.default_rng(len(pairs))
        while time.monotonic() < deadline:
            self.counter += 1
            sub = self.counter
            chosen = rng.choice(len(cells), size=min(self.batch, len(cells)), replace=False)
            # Unique values: submission number and row number encoded in the value.
            rows = [{"indicator": cells[c][0], "unit": cells[c][1], "period": cells[c][2],
                     "value": sub * 100_000 + k + 0.25} for k, c in enumerate(chosen)]
            key = f"bench-{sub}"
            started = time.perf_counter()
            response = await client.post("/api/v1/reports/bulk", json={"rows": rows},
                                         headers={**headers, "Idempotency-Key": key})
            self.submit_ms.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                self.rejected += 1
                self.errors.append(f"{response.status_code}: {response.text[:200]}")
                continue
            body = response.json()
            if body["new"] + body["revised"] != len(rows):
                self.errors.append(f"submission {sub}: {body}")
            self.accepted.extend(r["value"] for r in rows)
            if sub % 10 == 0:  # a client retry after a lost answer
                again = await client.post("/api/v1/reports/bulk", json={"rows": rows},
                                          headers={**headers, "Idempotency-Key": key})
                self.replays += 1
                if again.status_code != 200 or not again.json()["replayed"]:
                    self.replays_wrong += 1

    async def single(self, client, token: str, cells: list[tuple[str, str, str]], sub: int) -> None:
        """One single-report submission (and, every tenth, its retry with the same key)."""
        i, u, p = cells[sub % len(cells)]
        body = {"indicator": i, "unit": u, "period": p, "value": sub * 100_000 + 0.25}
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"bench-{sub}"}
        started = time.perf_counter()
        try:
            response = await client.post("/api/v1/reports", json=body, headers=headers)
        except Exception as exc:  # a timeout or a refused connection counts as a rejection
            self.rejected += 1
            self.errors.append(f"submission {sub}: {exc!r}")
            return
        self.submit_ms.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            self.rejected += 1
            self.errors.append(f"{response.status_code}: {response.text[:200]}")
            return
        if response.json()["new"] + response.json()["revised"] != 1:
            self.errors.append(f"submission {sub}: {response.json()}")
        self.accepted.append(body["value"])
        if sub % 10 == 0:
            again = await client.post("/api/v1/reports", json=body, headers=headers)
            self.replays += 1
            if again.status_code != 200 or not again.json()["replayed"]:
                self.replays_wrong += 1

    async def steady(self, client, tokens: dict[str, str], pairs: dict, rate: float, deadline: float) -> None:
        """Single submissions at ``rate`` per second until ``deadline``, each on its own (open loop)."""
        months = [f"2023-{m:02d}" for m in range(1, 7)]
        per_province = {p: [(i, u, m) for i, u in pairs[p] for m in months] for p in tokens}
        provinces = list(tokens)
        rng = np.random.default_rng(7)
        for cells in per_province.values():
            rng.shuffle(cells)
        tasks, due = [], time.monotonic()
        while time.monotonic() < deadline:
            self.counter += 1
            province = provinces[self.counter % len(provinces)]
            tasks.append(asyncio.create_task(self.single(client, tokens[province], per_province[province],
                                                         self.counter)))
            due += 1.0 / rate
            await asyncio.sleep(max(0.0, due - time.monotonic()))
        await asyncio.gather(*tasks)

    async def writer(self, client, tokens: dict[str, str], pairs: dict, deadline: float, seed: int) -> None:
        """Single submissions one after another (a closed loop: the next when the last is answered)."""
        months = [f"2023-{m:02d}" for m in range(1, 7)]
        province = list(tokens)[seed % len(tokens)]
        cells = [(i, u, m) for i, u in pairs[province] for m in months]
        np.random.default_rng(seed).shuffle(cells)
        while time.monotonic() < deadline:
            self.counter += 1
            await self.single(client, tokens[province], cells, self.counter)

    async def viewer(self, client, deadline: float) -> None:
        page = await client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        await client.post("/login", data={"name": "viewer", "password": PASSWORD, "csrf_token": token, "next": "/"})
        first = True
        while first or time.monotonic() < deadline:
            first = False
            started = time.perf_counter()
            response = await client.get("/")
            self.overview_ms.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200 or "Operations room" not in response.text:
                self.errors.append(f"overview {response.status_code}")
            await asyncio.sleep(0.05)

    async def run(self, tokens: dict[str, str], pairs: dict, reporters: int, viewers: int,
                  rate: float | None = None) -> float:
        import httpx

        limits = httpx.Limits(max_connections=max(reporters, 64) + viewers + 4)
        deadline = time.monotonic() + self.seconds
        provinces = list(tokens)
        async with httpx.AsyncClient(base_url=self.base, timeout=120, limits=limits) as shared:
            viewer_clients = [httpx.AsyncClient(base_url=self.base, timeout=120) for _ in range(viewers)]
            # Warm the first snapshot so that the measurement starts from a running server.
            if viewers:  # one viewer signs in and loads the page once: the first snapshot is built
                await self.viewer(viewer_clients[0], time.monotonic())
            self.overview_ms.clear()
            started = time.monotonic()
            deadline = started + self.seconds
            if rate:
                tasks = [self.steady(shared, tokens, pairs, rate, deadline)]
            elif rate == 0:
                tasks = [self.writer(shared, tokens, pairs, deadline, i) for i in range(reporters)]
            else:
                tasks = [self.reporter(shared, tokens[provinces[i % len(provinces)]],
                                       pairs[provinces[i % len(provinces)]], deadline) for i in range(reporters)]
            tasks += [self.viewer(c, deadline) for c in viewer_clients]
            await asyncio.gather(*tasks)
            elapsed = time.monotonic() - started
            for c in viewer_clients:
                await c.aclose()
        return elapsed


def check_store(url: str, accepted: list[float]) -> tuple[int, int, int]:
    """(values found once, values missing, values duplicated or unexpected) among bench revisions."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as c:
        stored = [r[0] for r in c.execute(text("SELECT value FROM reports WHERE value >= 100000"))
                  if r[0] % 1 == 0.25]
    engine.dispose()
    found = np.array(sorted(stored))
    want = np.array(sorted(accepted))
    values, counts = np.unique(found, return_counts=True)
    once = int(np.isin(want, values[counts == 1]).sum())
    missing = int((~np.isin(want, values)).sum())
    extra = int((counts > 1).sum() + (~np.isin(values, want)).sum())
    return once, missing, extra


def percentiles(ms: list[float]) -> str:
    if not ms:
        return "–"
    p = np.percentile(ms, [50, 95, 99])
    return f"{p[0]:.0f} / {p[1]:.0f} / {p[2]:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=os.environ.get("GOSPLAN_TEST_PG",
                                                       "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--reporters", type=int, default=6)
    parser.add_argument("--viewers", type=int, default=4)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--mode", choices=["single", "bulk"], default="single")
    parser.add_argument("--rate", type=float, default=50,
                        help="Single submissions per second (--mode single); 0: --reporters writers in a closed loop.")
    parser.add_argument("--workers", type=int, default=1, help="Server processes (uvicorn workers).")
    parser.add_argument("--repeat", type=int, default=1, help="Runs (a fresh database each); the best is kept.")
    args = parser.parse_args()
    results = []
    for run in range(args.repeat):
        url, name = fresh_database(args.db)
        server = None
        try:
            with console.status(f"run {run + 1}: loading the demo economy into {name}..."):
                tokens, pairs = prepare(url)
            port = free_port()
            server = start_server(url, port, args.workers)
            base = f"http://127.0.0.1:{port}"
            import httpx

            for _ in range(300):
                try:
                    if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            load = Load(base, args.seconds, args.batch)
            what = (f"{args.rate:.0f} single submissions/s" if args.mode == "single" and args.rate
                    else f"{args.reporters} reporters")
            with console.status(f"run {run + 1}: {what} and {args.viewers} viewers for {args.seconds:.0f} s..."):
                server_cpu, own_cpu = cpu_seconds(server.pid), time.process_time()
                load_average = os.getloadavg()[0]
                elapsed = asyncio.run(load.run(tokens, pairs, args.reporters, args.viewers,
                                               args.rate if args.mode == "single" else None))
                cpu = (cpu_seconds(server.pid) - server_cpu, time.process_time() - own_cpu)
                load_average = (load_average, os.getloadavg()[0])
            once, missing, extra = check_store(url, load.accepted)
            results.append((len(load.accepted) / elapsed, load, elapsed, once, missing, extra, cpu, load_average))
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
            drop_database(args.db, name)
    rate, load, elapsed, once, missing, extra, cpu, load_average = max(results, key=lambda r: r[0])
    backend = "SQLite" if args.db.startswith("sqlite") else "PostgreSQL"
    table = Table(title=f"gosplan serve under load (best of {len(results)}; {elapsed:.0f} s, {backend}, loopback, "
                        f"{args.workers} worker{'s' if args.workers > 1 else ''})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("report values accepted / s", f"{rate:,.0f}")
    if args.mode == "single":
        table.add_row("single submissions asked / s",
                      f"{args.rate:,.0f}" if args.rate else f"as fast as {args.reporters} writers go")
        table.add_row("single submissions answered / s", f"{len(load.submit_ms) / elapsed:,.1f}")
    else:
        table.add_row(f"bulk submissions (of up to {args.batch} values)", f"{len(load.submit_ms):,}")
    table.add_row("submission latency p50 / p95 / p99 (ms)", percentiles(load.submit_ms))
    table.add_row("overview pages loaded", f"{len(load.overview_ms):,}")
    table.add_row("overview latency p50 / p95 / p99 (ms)", percentiles(load.overview_ms))
    table.add_row("retries answered from the idempotency key", f"{load.replays - load.replays_wrong}/{load.replays}")
    table.add_row("accepted values stored exactly once", f"{once:,}/{len(load.accepted):,}")
    table.add_row("lost / duplicated or unexpected values", f"{missing} / {extra}")
    table.add_row("rejected submissions", str(load.rejected))
    requests = len(load.submit_ms) + len(load.overview_ms)
    table.add_row("CPU s: server / load generator (of elapsed x cores)",
                  f"{cpu[0]:.1f} / {cpu[1]:.1f} (of {elapsed * (os.cpu_count() or 1):.0f})")
    # The machine's other work decides how much CPU the server gets: say how busy it was.
    table.add_row("load average (1 min) at start / end", f"{load_average[0]:.1f} / {load_average[1]:.1f}")
    if requests:
        table.add_row("server CPU per request (ms, submissions and pages together)", f"{1000 * cpu[0] / requests:.0f}")
    console.print(table)
    if os.environ.get("BENCH_TRACE"):
        console.print("overview ms in order:", [round(x) for x in load.overview_ms])
    for error in load.errors[:5]:
        console.print(f"[red]{error}[/]")


if __name__ == "__main__":
    main()
