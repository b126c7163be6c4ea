"""Casting under load: every voter of a real election casts a ballot through the API, then tries again.

Builds a fresh database (SQLite in a temporary file, or a PostgreSQL database bench_<pid> created
and dropped here), migrates it, seeds an election with `flask bench seed-election`, serves the app
with gunicorn (production settings, loopback only), and lets `--concurrency` clients cast every
ballot through POST /api/v1/elections/<id>/ballots; each voter then submits a second ballot, which
must be refused with 409. Prints throughput and latency, then checks in the database that there
are exactly as many ballots and vote records as voters (and that every tracker handed out is in
the box). Exits 1 if a ballot is lost or doubled, or on any answer other than 201/409.

With --compare-bare, the same client code then loads bench/bare_insert.py (a bare Flask +
SQLAlchemy endpoint inserting one roll row and one ballot per request), served the same way on the
same kind of database, and prints both side by side. Not part of the test suite. From the root:

    .venv/bin/python bench/vote_load.py --voters 5000 --concurrency 64 --database postgresql --compare-bare
    .venv/bin/python bench/vote_load.py --voters 5000 --concurrency 64 --database sqlite --compare-bare

PostgreSQL is reached as postgres@127.0.0.1:5432 (override with --pg-admin-url).
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import http.client
import json
import math
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
METHODS = ("plurality", "approval", "irv", "schulze", "majority-judgment")
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
HOST = "127.0.0.1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def sqlalchemy_url(url: str) -> str:
    """postgresql:// -> postgresql+psycopg:// (what config.normalize_database_url does; config is not imported
    here because importing it writes instance/secret_key)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


# --------------------------------------------------------------------------------------------
# Databases


@contextmanager
def fresh_database(kind: str, name: str, pg_admin_url: str = PG_ADMIN_URL) -> Iterator[str]:
    """A brand-new empty database; yields its URL (postgresql://... or sqlite:///...), removes it afterwards."""
    if kind == "sqlite":
        directory = tempfile.mkdtemp(prefix=f"{name}-")
        try:
            yield f"sqlite:///{os.path.join(directory, 'bench.db')}"
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return
    import psycopg

    with psycopg.connect(pg_admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        base, _, _ = pg_admin_url.rpartition("/")
        yield f"{base}/{name}"
    finally:
        try:
            with psycopg.connect(pg_admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as error:  # noqa: BLE001  (report, keep cleaning up)
            log(f"could not drop database {name}: {error}")


def scalar_queries(url: str, queries: dict[str, tuple[str, dict]]) -> dict:
    """Run a few read-only queries on the database; {name: first column of first row}."""
    from sqlalchemy import create_engine, text

    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as connection:
            return {name: connection.execute(text(sql), params).scalar() for name, (sql, params) in queries.items()}
    finally:
        engine.dispose()


def column_values(url: str, sql: str, params: dict) -> list:
    from sqlalchemy import create_engine, text

    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(sql), params).scalars())
    finally:
        engine.dispose()


# --------------------------------------------------------------------------------------------
# Processes: the flask CLI and gunicorn


def app_environment(database_url: str) -> dict[str, str]:
    """What the app needs: the database, production settings, a secret key, rate limits in memory."""
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url,
        "TRIBUNE_ENV": "production",
        "PUBLIC_BASE_URL": "http://127.0.0.1:8000",  # production refuses to start without it
        "SECRET_KEY": secrets.token_hex(32),
        "RATELIMIT_STORAGE_URI": "memory://",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def run_flask(env: dict, *arguments: str, quiet: bool = False) -> str:
    """`flask --app app ...` in the project root; returns stdout, fails loudly with its output."""
    completed = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *arguments], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE if quiet else None, text=True,
                               timeout=900)
    if completed.returncode != 0:
        if quiet:
            log(completed.stderr)
        raise SystemExit(f"`flask {' '.join(arguments)}` failed with status {completed.returncode}")
    return completed.stdout


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(child) for child in handle.read().split()]
    except OSError:
        return []


def cpu_seconds(pids) -> float:
    """user + system CPU time of these processes (0 for those gone or unreadable)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return total / CLOCK_TICKS


def postgres_pids() -> list[int]:
    """The local PostgreSQL server's processes (to read their CPU time; nothing else is done with them)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as handle:
                if handle.read().strip() in ("postgres", "postmaster"):
                    pids.append(int(entry))
        except OSError:
            continue
    return pids


class Server:
    """A gunicorn serving `app_spec` from `chdir` on a free loopback port, stopped on exit."""

    def __init__(self, app_spec: str, chdir: str, env: dict, workers: int, extra: list[str] | None = None):
        self.app_spec, self.chdir, self.env, self.workers = app_spec, chdir, env, workers
        self.extra = extra or []
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_dir = tempfile.mkdtemp(prefix="tribune-gunicorn-")
        self.log_path = os.path.join(self.log_dir, "error.log")

    def __enter__(self) -> Server:
        command = [sys.executable, "-m", "gunicorn", self.app_spec, "--workers", str(self.workers),
                   "--bind", f"{HOST}:{self.port}", "--chdir", self.chdir, "--error-logfile", self.log_path,
                   "--log-level", "warning", *self.extra]
        # A session of its own, so that the master and its workers can be stopped as one group.
        with open(os.path.join(self.log_dir, "output.log"), "wb") as output:
            self.process = subprocess.Popen(command, env=self.env, stdin=subprocess.DEVNULL, stdout=output,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self._wait_healthy()
            self._wait_workers_idle()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_healthy(self, limit: float = 60.0) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with status {self.process.returncode}:\n{self.log_tail()}")
            connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
            try:
                connection.request("GET", "/health")
                response = connection.getresponse()
                response.read()
                if response.status == 200 and len(self.worker_pids()) >= self.workers:
                    return
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.1)
        raise SystemExit(f"gunicorn did not answer /health within {limit:.0f} s:\n{self.log_tail()}")

    def _wait_workers_idle(self, limit: float = 60.0, window: float = 0.25, busy: float = 0.02) -> None:
        """Wait until no worker is still importing the app: /health answers as soon as one worker is up,
        and the others would otherwise boot (a second or more of CPU each for Tribune, a fraction of that
        for the bare app) during the measured load, inflating its latencies and CPU."""
        deadline = time.monotonic() + limit
        before = cpu_seconds(self.worker_pids())
        while time.monotonic() < deadline:
            time.sleep(window)
            after = cpu_seconds(self.worker_pids())
            if after - before < busy:
                return
            before = after
        raise SystemExit(f"gunicorn workers still busy {limit:.0f} s after start:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        return _children(self.process.pid) if self.process else []

    def pids(self) -> list[int]:
        return [self.process.pid, *self.worker_pids()] if self.process else []

    def log_tail(self, lines: int = 40) -> str:
        """The end of gunicorn's error log and of its own output."""
        tail = []
        for path in (self.log_path, os.path.join(self.log_dir, "output.log")):
            try:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    tail.extend(handle.readlines()[-lines:])
            except OSError:
                continue
        return "".join(tail)

    def __exit__(self, *exc) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()  # graceful: the master stops its workers
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)  # the group this script created
                except ProcessLookupError:
                    pass
                process.wait(timeout=5)
        errors = self.log_tail() if exc and exc[0] is not None else ""
        if errors.strip():
            log(f"gunicorn log:\n{errors}")
        shutil.rmtree(self.log_dir, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# The load: asyncio, raw HTTP/1.1 over loopback sockets, a bounded number of connections


@dataclass
class Job:
    """One voter: the same ballot sent twice in a row, first expecting 201, then 409."""

    request: bytes


@dataclass
class LoadResult:
    duration: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"first": [], "second": []})
    statuses: Counter = field(default_factory=Counter)  # (attempt, status) -> count
    errors: Counter = field(default_factory=Counter)  # message -> count
    samples: list[str] = field(default_factory=list)  # a few unexpected answers
    trackers: list[str] = field(default_factory=list)
    client_cpu: float = 0.0
    connections: int = 0

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    def count(self, attempt: str | None = None, status: int | None = None) -> int:
        return sum(n for (a, s), n in self.statuses.items()
                   if (attempt is None or a == attempt) and (status is None or s == status))

    @property
    def unexpected(self) -> int:
        """Answers other than 201 to a first ballot and 409 to a second one, plus failed requests."""
        return (self.count() - self.count("first", 201) - self.count("second", 409)) + sum(self.errors.values())


def build_request(port: int, path: str, token: str, body: dict) -> bytes:
    payload = json.dumps(body, separators=(",", ":")).encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: {len(payload)}\r\n"
            f"Connection: keep-alive\r\n\r\n")
    return head.encode("latin-1") + payload


class _StaleConnection(Exception):
    """A kept-alive connection the server had closed before reading anything from it."""


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict, bytes]:
    status_line = await reader.readline()
    if not status_line:
        raise _StaleConnection()
    parts = status_line.split(b" ", 2)
    status = int(parts[1])
    headers: dict[str, str] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readline()
                break
            chunks.append(await reader.readexactly(size))
            await reader.readline()
        body = b"".join(chunks)
    else:
        body = await reader.read()
        headers["connection"] = "close"
    return status, headers, body


class _Connection:
    def __init__(self, port: int, result: LoadResult):
        self.port, self.result = port, result
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        self.result.connections += 1

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        reused = self.writer is not None
        if not reused:
            await self._open()
        try:
            self.writer.write(raw)
            await self.writer.drain()
            status, headers, body = await _read_response(self.reader)
        except (_StaleConnection, ConnectionResetError, BrokenPipeError):
            self.close()
            if not reused:
                raise ConnectionError("the server closed the connection without answering")
            await self._open()  # the server dropped an idle kept-alive connection: nothing was read, send again
            self.writer.write(raw)
            await self.writer.drain()
            status, headers, body = await _read_response(self.reader)
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, body


async def _client(port: int, jobs: Iterator[Job], result: LoadResult, request_timeout: float) -> None:
    connection = _Connection(port, result)
    try:
        for job in jobs:
            for attempt in ("first", "second"):
                started = time.perf_counter()
                try:
                    status, body = await asyncio.wait_for(connection.send(job.request), request_timeout)
                except (asyncio.TimeoutError, OSError, ValueError, asyncio.IncompleteReadError,
                        _StaleConnection) as error:
                    connection.close()
                    result.errors[f"{attempt}: {type(error).__name__}: {error}"[:160]] += 1
                    continue
                result.latencies[attempt].append(time.perf_counter() - started)
                result.statuses[(attempt, status)] += 1
                if attempt == "first" and status == 201:
                    try:
                        result.trackers.append(json.loads(body)["tracker"])
                    except (ValueError, KeyError, TypeError):
                        result.errors["201 without a tracker"] += 1
                elif status != {"first": 201, "second": 409}[attempt] and len(result.samples) < 5:
                    result.samples.append(f"{attempt} ballot -> {status}: {body[:300].decode(errors='replace')}")
    finally:
        connection.close()


async def _run(port: int, jobs: list[Job], concurrency: int, timeout: float, request_timeout: float,
               result: LoadResult) -> None:
    queue = iter(jobs)  # shared by the clients (one thread: no lock needed)
    clients = [asyncio.ensure_future(_client(port, queue, result, request_timeout)) for _ in range(concurrency)]
    done, pending = await asyncio.wait(clients, timeout=timeout)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
        missing = 2 * len(jobs) - result.requests - sum(result.errors.values())
        result.errors[f"overall time limit of {timeout:.0f} s reached ({missing} requests not done)"] += max(missing, 1)
    for task in done:
        if task.exception() is not None:
            result.errors[f"client crashed: {task.exception()!r}"[:160]] += 1


def run_load(port: int, jobs: list[Job], concurrency: int, timeout: float = 900.0,
             request_timeout: float = 60.0) -> LoadResult:
    """Send every job's request twice (first ballot, then the duplicate) with `concurrency` connections."""
    result = LoadResult()
    cpu_before = time.process_time()
    started = time.perf_counter()
    asyncio.run(_run(port, jobs, concurrency, timeout, request_timeout, result))
    result.duration = time.perf_counter() - started
    result.client_cpu = time.process_time() - cpu_before
    return result


def make_ballot(method: str, options: list, rng: random.Random) -> dict:
    """A random valid ballot for the method (2 % blank)."""
    if rng.random() < 0.02:
        return {"blank": True}
    if method == "plurality":
        return {"choice": rng.choice(options)}
    if method == "approval":
        return {"approvals": rng.sample(options, rng.randint(1, len(options)))}
    if method in ("irv", "schulze"):
        return {"ranking": rng.sample(options, rng.randint(1, len(options)))}
    return {"grades": {str(option): rng.randint(0, 5) for option in options}}


def make_jobs(port: int, path: str, tokens: list[str], method: str, options: list, seed: int = 2027) -> list[Job]:
    rng = random.Random(seed)
    return [Job(build_request(port, path, token, make_ballot(method, options, rng))) for token in tokens]


def tracker_hash(tracker: str) -> str:
    """As elections.ballot_box.tracker_hash (spaces and case do not matter)."""
    return hashlib.sha256("".join(tracker.split()).upper().encode()).hexdigest()


# --------------------------------------------------------------------------------------------
# Figures


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return 1000 * ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@dataclass
class Run:
    """One benchmarked server: the load's result, what the database holds afterwards, the verdict."""

    name: str
    database: str
    workers: int
    concurrency: int
    voters: int
    load: LoadResult
    roll: int
    ballots: int
    records: int
    problems: list[str]
    app_cpu: float = 0.0
    db_cpu: float | None = None
    setup_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def rows(self) -> list[tuple[str, str]]:
        load = self.load
        every = load.latencies["first"] + load.latencies["second"]
        return [
            ("database", self.database),
            ("gunicorn workers", str(self.workers)),
            ("concurrent clients", str(self.concurrency)),
            ("requests", f"{load.requests}"),
            ("wall time (s)", f"{load.duration:.2f}"),
            ("requests/s", f"{load.requests / load.duration:.0f}" if load.duration else "-"),
            ("latency p50 (ms)", f"{percentile(every, 0.50):.1f}"),
            ("latency p99 (ms)", f"{percentile(every, 0.99):.1f}"),
            ("  1st ballot p50 / p99 (ms)",
             f"{percentile(load.latencies['first'], 0.5):.1f} / {percentile(load.latencies['first'], 0.99):.1f}"),
            ("  duplicate p50 / p99 (ms)",
             f"{percentile(load.latencies['second'], 0.5):.1f} / {percentile(load.latencies['second'], 0.99):.1f}"),
            ("roll size", str(self.roll)),
            ("ballots in the box", str(self.ballots)),
            ("vote records", str(self.records)),
            ("accepted (201)", str(load.count(status=201))),
            ("rejected duplicates (409)", str(load.count(status=409))),
            ("errors (other status/failed)", str(load.unexpected)),
            ("connections opened", str(load.connections)),
            ("CPU s: client / app", f"{load.client_cpu:.1f} / {self.app_cpu:.1f}"),
            ("CPU s: PostgreSQL (all backends)", "-" if self.db_cpu is None else f"{self.db_cpu:.1f}"),
            ("app CPU per request (ms)", f"{1000 * self.app_cpu / load.requests:.2f}" if load.requests else "-"),
            ("verdict", "OK" if self.ok else "FAIL"),
        ]


def print_table(runs: list[Run]) -> None:
    table = [[label for label, _ in runs[0].rows()]] + [[value for _, value in run.rows()] for run in runs]
    headers = [""] + [run.name for run in runs]
    widths = [max(len(headers[i]), *(len(cell) for cell in table[i])) for i in range(len(table))]
    print("  ".join(header.ljust(widths[i]) for i, header in enumerate(headers)).rstrip())
    for row in range(len(table[0])):
        print("  ".join(table[col][row].ljust(widths[col]) for col in range(len(table))).rstrip())
    for run in runs:
        for problem in run.problems:
            print(f"{run.name}: {problem}")
        for sample in run.load.samples:
            print(f"{run.name}: e.g. {sample}")
        for message, count in run.load.errors.most_common(5):
            print(f"{run.name}: {count} x {message}")
    sys.stdout.flush()


def check_run(load: LoadResult, voters: int, roll: int, ballots: int, records: int, stored_hashes: set[str],
              distinct_hashes: int) -> list[str]:
    """What is wrong, if anything: lost or doubled ballots, unexpected answers, trackers not in the box."""
    problems = []
    if not ballots == records == voters == roll:
        problems.append(f"ballots {ballots}, vote records {records}, voters {voters}, roll {roll}: they must be equal")
    if distinct_hashes != ballots:
        problems.append(f"{ballots - distinct_hashes} ballots share a tracker hash")
    if load.unexpected:
        problems.append(f"{load.unexpected} answers were neither 201 to a first ballot nor 409 to a second one")
    handed_out = {tracker_hash(tracker) for tracker in load.trackers}
    if len(handed_out) != len(load.trackers):
        problems.append("the same tracker was handed out twice")
    missing = handed_out - stored_hashes
    if missing:
        problems.append(f"{len(missing)} trackers handed out are not in the ballot box")
    return problems


def measured_load(server: Server, jobs: list[Job], concurrency: int, database: str, timeout: float
                  ) -> tuple[LoadResult, float, float | None]:
    """Run the load, with the CPU the app (and a local PostgreSQL) spent meanwhile."""
    app_pids = server.pids()
    db_pids = postgres_pids() if database == "postgresql" else []
    app_before, db_before = cpu_seconds(app_pids), cpu_seconds(db_pids)
    load = run_load(server.port, jobs, concurrency, timeout=timeout)
    app_cpu = cpu_seconds(app_pids) - app_before
    db_cpu = cpu_seconds(db_pids) - db_before if db_pids else None
    return load, app_cpu, db_cpu


# --------------------------------------------------------------------------------------------
# Tribune


def bench_tribune(args) -> tuple[Run, list[str]]:
    """Seed, serve and load Tribune; returns the run and the tokens (the bare comparison reuses them)."""
    with fresh_database(args.database, f"bench_{os.getpid()}", args.pg_admin_url) as url:
        env = app_environment(url)
        started = time.perf_counter()
        log(f"[tribune] migrating a fresh {args.database} database")
        run_flask(env, "db", "upgrade", quiet=True)
        tokens_path = os.path.join(tempfile.mkdtemp(prefix="tribune-tokens-"), "tokens.txt")
        try:
            log(f"[tribune] seeding {args.voters} voters ({args.method})")
            output = run_flask(env, "bench", "seed-election", "--voters", str(args.voters), "--method", args.method,
                               "--tokens-file", tokens_path, "--candidates", str(args.candidates))
            lines = [line for line in output.splitlines() if line.strip()]
            if len(lines) != 1:
                raise SystemExit(f"seed-election printed {len(lines)} lines on stdout, expected one JSON line")
            seeded = json.loads(lines[0])
            with open(tokens_path, encoding="ascii") as handle:
                tokens = [line.strip() for line in handle if line.strip()]
        finally:
            shutil.rmtree(os.path.dirname(tokens_path), ignore_errors=True)
        election_id, options = seeded["election_id"], seeded["candidate_ids"]
        setup = time.perf_counter() - started
        log(f"[tribune] election {election_id}, candidates {options}, {len(tokens)} tokens; setup {setup:.1f} s")
        with Server("app:create_app()", ROOT, env, args.workers, args.gunicorn_arg) as server:
            jobs = make_jobs(server.port, f"/api/v1/elections/{election_id}/ballots", tokens, args.method, options)
            log(f"[tribune] gunicorn on port {server.port}: {len(jobs)} voters x 2 requests, "
                f"{args.concurrency} clients")
            load, app_cpu, db_cpu = measured_load(server, jobs, args.concurrency, args.database, args.timeout)
        where = {"e": election_id}
        figures = scalar_queries(url, {
            "roll": ("SELECT roll_size FROM elections WHERE id = :e", where),
            "roll_entries": ("SELECT count(*) FROM roll_entries WHERE election_id = :e", where),
            "ballots": ("SELECT count(*) FROM ballots WHERE election_id = :e", where),
            "records": ("SELECT count(*) FROM vote_records WHERE election_id = :e", where),
            "distinct": ("SELECT count(DISTINCT tracker_hash) FROM ballots WHERE election_id = :e", where),
        })
        hashes = set(column_values(url, "SELECT tracker_hash FROM ballots WHERE election_id = :e", where))
    problems = check_run(load, len(tokens), figures["roll"] or 0, figures["ballots"], figures["records"], hashes,
                         figures["distinct"])
    if figures["roll_entries"] != figures["roll"]:
        problems.append(f"the roll has {figures['roll_entries']} entries but its published size is {figures['roll']}")
    run = Run("Tribune API", args.database, args.workers, args.concurrency, len(tokens), load, figures["roll"] or 0,
              figures["ballots"], figures["records"], problems, app_cpu, db_cpu, setup)
    return run, tokens


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--method", choices=METHODS, default="plurality")
    parser.add_argument("--candidates", type=int, default=4)
    parser.add_argument("--compare-bare", action="store_true",
                        help="also load bench/bare_insert.py the same way and print both")
    parser.add_argument("--timeout", type=float, default=900.0, help="limit of one load, in seconds")
    parser.add_argument("--pg-admin-url", default=PG_ADMIN_URL,
                        help="a PostgreSQL URL allowed to create and drop databases")
    parser.add_argument("--gunicorn-arg", action="append", default=[],
                        help="extra gunicorn argument, e.g. --gunicorn-arg=--threads=4 (repeatable)")
    args = parser.parse_args(argv)
    if not 1 <= args.concurrency <= 1024:
        parser.error("--concurrency must be between 1 and 1024")
    if args.voters < 1 or args.workers < 1:
        parser.error("--voters and --workers must be positive")
    return args


def _stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so gunicorn is stopped and the databases dropped."""
    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def main(argv=None) -> int:
    args = parse_args(argv)
    _stop_on_sigterm()
    runs = []
    tribune, tokens = bench_tribune(args)
    runs.append(tribune)
    if args.compare_bare:
        sys.path.insert(0, BENCH_DIR)
        import bare_insert

        runs.append(bare_insert.bench_bare(args, tokens))
    print()
    print(f"Casting under load: {args.voters} voters, method {args.method}, each voter casts once then tries again")
    print_table(runs)
    if args.compare_bare and tribune.load.duration and runs[1].load.duration:
        ratio = (tribune.load.requests / tribune.load.duration) / (runs[1].load.requests / runs[1].load.duration)
        every = tribune.load.latencies["first"] + tribune.load.latencies["second"]
        p99 = percentile(every, 0.99)
        print(f"Tribune / bare throughput: {ratio:.2f} (target >= 0.50: {'met' if ratio >= 0.5 else 'NOT met'}); "
              f"Tribune p99 {p99:.0f} ms (target < 250 ms: {'met' if p99 < 250 else 'NOT met'})")
    return 0 if all(run.ok for run in runs) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted: gunicorn stopped, benchmark databases removed", file=sys.stderr)
        sys.exit(130)
