"""Benchmark: count 1,000,000 ranked ballots (8 candidates), from a PrefLib file and from the database.

Generates, deterministically, a profile of 1,000,000 ballots over 8 candidates with about
106,000 distinct rankings (a Plackett-Luce model with mildly skewed candidate weights, truncated
at a random length favouring long ballots), writes it as a PrefLib ``.soi`` file, then times:

* our whole command, ``python -m elections.recount FILE --method irv --json`` and
  ``--method schulze --json`` (a subprocess, wall time from start to the printed result);
* votelib and pref-voting, when importable, counting the same ballots in memory (building
  their input from the aggregated rankings included, reading the file excluded);
* the count of the same ballots stored in the database, on a fresh SQLite file and on a fresh
  PostgreSQL database when one is reachable: the schema is built by the Alembic migrations,
  ``flask bench seed-election`` (elections.bench_cli) builds a brand and an IRV and a Schulze
  election in their voting period, and the 1,000,000 ballots of the profile are bulk-inserted
  into each election's box (random keys and tracker hashes, like cast_ballot writes them). The
  figure is ``ballot_box.close_and_count`` plus the commit: from the GROUP BY query to the
  stored, committed result. Seeding is timed and printed separately. No roll or vote-record
  rows are written for the ballots (the count reads only the ballots), so the roll stays the
  seeded one; the quorum is off. The stored result is checked against the recount's winner.

Prints a side-by-side table. Not part of the test suite. Run from the project root:
``.venv/bin/python bench/tally.py [--ballots N] [--repeat R] [--keep DIR] [--no-peers]
[--skip-database | --database {sqlite,postgresql,both}] [--pg-admin-url URL]``.
PostgreSQL is reached as postgres@127.0.0.1:5432 (a scratch database bench_tally_<pid> is
created and dropped); with ``--database both`` (the default) it is skipped, with a note, when
unreachable.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
CANDIDATES = 8
WEIGHTS = (2.1, 1.95, 1.8, 1.65, 1.5, 1.3, 1.15, 1.0)
LENGTHS = (0.05, 0.06, 0.08, 0.10, 0.12, 0.14, 0.20, 0.25)  # P(ranking length = 1..8)
SEED = 20091103


def all_rankings():
    """Every truncated strict ranking over the candidates, with its probability."""
    total = sum(WEIGHTS)
    for length in range(1, CANDIDATES + 1):
        for order in itertools.permutations(range(CANDIDATES), length):
            probability, left = LENGTHS[length - 1], total
            for candidate in order:
                probability *= WEIGHTS[candidate] / left
                left -= WEIGHTS[candidate]
            yield order, probability


def generate(ballots: int, seed: int = SEED) -> tuple[Counter, tuple]:
    """``(Counter({index into orders: count}), orders)``: ``ballots`` ballots drawn from all rankings."""
    orders, weights = zip(*all_rankings())
    rng = random.Random(seed)
    return Counter(rng.choices(range(len(orders)), weights=weights, k=ballots)), orders


def write_soi(path: str, ballots: int, counts: Counter, orders: tuple) -> tuple[int, int]:
    data = sorted(((count, orders[i]) for i, count in counts.items()), key=lambda item: (-item[0], item[1]))
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(
            "# FILE NAME: bench.soi\n# TITLE: Tribune benchmark\n# DESCRIPTION: synthetic\n"
            "# DATA TYPE: soi\n# MODIFICATION TYPE: synthetic\n# RELATES TO: \n# RELATED FILES: \n"
            "# PUBLICATION DATE: 2026-01-01\n# MODIFICATION DATE: 2026-01-01\n"
            f"# NUMBER ALTERNATIVES: {CANDIDATES}\n# NUMBER VOTERS: {ballots}\n"
            f"# NUMBER UNIQUE ORDERS: {len(data)}\n"
        )
        for i in range(CANDIDATES):
            handle.write(f"# ALTERNATIVE NAME {i + 1}: Candidate {chr(65 + i)}\n")
        handle.write("".join(f"{count}: {','.join(str(c + 1) for c in order)}\n" for count, order in data))
    return len(data), ballots


def time_command(path: str, method: str) -> tuple[float, dict]:
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "elections.recount", path, "--method", method, "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    elapsed = time.perf_counter() - started
    return elapsed, json.loads(completed.stdout)


def read_rankings(path: str) -> dict:
    """{tuple of 1-based candidates: count}, read outside the timed part for the peers."""
    rankings = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            count, _, order = line.partition(":")
            rankings[tuple(int(c) for c in order.split(","))] = int(count)
    return rankings


def time_votelib(rankings: dict) -> dict:
    try:
        import votelib.convert
        import votelib.evaluate.condorcet
        import votelib.evaluate.sequential
    except ImportError:
        return {}
    import importlib.metadata
    version = importlib.metadata.version("votelib")
    results = {}
    started = time.perf_counter()
    votes = {tuple(order): count for order, count in rankings.items()}
    winner = votelib.evaluate.sequential.TransferableVoteSelector(quota_function="droop").evaluate(votes, 1)
    results["irv"] = (time.perf_counter() - started, winner, f"votelib {version}")
    started = time.perf_counter()
    votes = {tuple(order): count for order, count in rankings.items()}
    pairs = votelib.convert.RankedToCondorcetVotes(unranked_at_bottom=True).convert(votes)
    winner = votelib.evaluate.condorcet.Schulze().evaluate(pairs, 1)
    results["schulze"] = (time.perf_counter() - started, winner, f"votelib {version}")
    return results


def time_pref_voting(rankings: dict) -> dict:
    try:
        from pref_voting.profiles_with_ties import ProfileWithTies
        from pref_voting.voting_methods import beat_path, instant_runoff_for_truncated_linear_orders
    except ImportError:
        return {}
    import importlib.metadata
    version = importlib.metadata.version("pref_voting")

    def build():
        orders = list(rankings)
        profile = ProfileWithTies(
            [{c: rank for rank, c in enumerate(order, start=1)} for order in orders],
            rcounts=[rankings[order] for order in orders],
            candidates=list(range(1, CANDIDATES + 1)),
        )
        profile.use_extended_strict_preference()
        return profile

    results = {}
    started = time.perf_counter()
    profile = build()
    winner = instant_runoff_for_truncated_linear_orders(profile)
    results["irv"] = (time.perf_counter() - started, winner, f"pref-voting {version}")
    started = time.perf_counter()
    profile = build()
    winner = beat_path(profile, strength_function=profile.support)
    results["schulze"] = (time.perf_counter() - started, winner, f"pref-voting {version}")
    return results


# --------------------------------------------------------------------------------------------
# Ballots stored in the database

DATABASE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
STORED_METHODS = ("irv", "schulze")


def postgresql_reachable(pg_admin_url: str) -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(pg_admin_url, connect_timeout=3):
            return None
    except Exception as error:  # noqa: BLE001  (any failure means: skip it)
        return str(error).strip().splitlines()[0]


def ballot_rows(election_id: int, counts: Counter, orders: tuple, candidate_ids: list, seed: int) -> list[tuple]:
    """(id, election_id, tracker_hash, content) for every ballot of the profile, in key order.

    Keys and tracker hashes are random (as cast_ballot makes them, here from a seeded generator),
    so the contents lie in the table in no particular order, as they would after real voting.
    """
    rng = random.Random(seed)
    contents: list[str] = []
    for index, count in counts.items():
        contents.extend([",".join(str(candidate_ids[c]) for c in orders[index])] * count)
    rng.shuffle(contents)
    keys = sorted(rng.randbytes(16).hex() for _ in contents)  # inserting in key order is faster
    return [(key, election_id, rng.randbytes(32).hex(), content) for key, content in zip(keys, contents)]


def bulk_insert_ballots(rows: list[tuple]) -> None:
    """Insert the rows into ballots in the session's transaction: COPY on PostgreSQL, executemany on SQLite."""
    from extensions import db

    connection = db.session.connection()
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor:
            with cursor.copy("COPY ballots (id, election_id, tracker_hash, content) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        cursor = raw.cursor()
        cursor.executemany("INSERT INTO ballots (id, election_id, tracker_hash, content) VALUES (?, ?, ?, ?)", rows)
        cursor.close()


def seed_stored(counts: Counter, orders: tuple, method: str, seed: int) -> tuple[int, list]:
    """An election of `method` in its voting period with the profile's ballots in its box; (id, candidate ids)."""
    from elections.bench_cli import seed_election
    from extensions import db

    # The candidates are the first members; the roll is only these (the ballots come in bulk).
    summary = seed_election(voters=CANDIDATES, method=method, candidates=CANDIDATES)["summary"]
    election_id, candidate_ids = summary["election_id"], summary["candidate_ids"]
    try:
        bulk_insert_ballots(ballot_rows(election_id, counts, orders, candidate_ids, seed))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return election_id, candidate_ids


def time_close_and_count(election_id: int, repeat: int) -> tuple[float, list, dict]:
    """Best wall time of close_and_count + commit over `repeat` runs, every run's time, the stored result."""
    from elections import ballot_box
    from elections.models import Election, ElectionState
    from extensions import db

    election = db.session.get(Election, election_id)
    now = election.voting_close_at
    # What lifecycle.advance does before counting (not timed): claim the close.
    election.state = ElectionState.CLOSED
    db.session.commit()
    times = []
    for _ in range(repeat):
        db.session.expire_all()
        election = db.session.get(Election, election_id)
        started = time.perf_counter()
        ballot_box.close_and_count(election, now)
        db.session.commit()
        times.append(time.perf_counter() - started)
    db.session.expire_all()
    election = db.session.get(Election, election_id)
    stored = {"result": ballot_box.stored_result(election), "ballots_counted": election.ballots_counted,
              "winner": election.winner_candidacy_id, "outcome": election.outcome}
    return min(times), times, stored


def time_stored(kind: str, counts: Counter, orders: tuple, ballots: int, repeat: int,
                pg_admin_url: str) -> list[tuple]:
    """Table rows for one kind of database: a fresh one, migrated, seeded, counted, dropped."""
    # config writes instance/secret_key when SECRET_KEY is unset: give it one for this process.
    os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))
    if BENCH_DIR not in sys.path:
        sys.path.insert(0, BENCH_DIR)
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    from flask_migrate import upgrade
    from vote_load import fresh_database

    from app import create_app
    from config import normalize_database_url
    from extensions import db

    label = DATABASE_LABELS[kind]
    rows = []
    with fresh_database(kind, f"bench_tally_{os.getpid()}", pg_admin_url) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": normalize_database_url(url),
                          "PUBLIC_BASE_URL": "http://127.0.0.1:5000"})  # production refuses to start without it
        with app.app_context():
            try:
                started = time.perf_counter()
                upgrade(directory=os.path.join(app.root_path, "migrations"))
                print(f"{label}: schema built by the migrations in {time.perf_counter() - started:.1f} s", flush=True)
                elections = {}
                for number, method in enumerate(STORED_METHODS):
                    started = time.perf_counter()
                    elections[method] = seed_stored(counts, orders, method, SEED + number)
                    print(f"{label}: seeded the {method} election {elections[method][0]} with {ballots:,} ballots "
                          f"in {time.perf_counter() - started:.1f} s (not timed below)", flush=True)
                if kind == "postgresql":
                    # What autovacuum does during a real voting period (it runs after large inserts).
                    started = time.perf_counter()
                    with db.engine.connect() as connection:
                        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                            "VACUUM ANALYZE ballots")
                    print(f"{label}: VACUUM ANALYZE ballots in {time.perf_counter() - started:.1f} s (not timed)",
                          flush=True)
                for method, (election_id, candidate_ids) in elections.items():
                    best, times, stored = time_close_and_count(election_id, repeat)
                    if stored["ballots_counted"] != ballots:
                        raise SystemExit(f"{label} {method}: counted {stored['ballots_counted']} of {ballots} ballots")
                    winner = stored["winner"]
                    name = f"Candidate {chr(65 + candidate_ids.index(winner))}" if winner in candidate_ids else winner
                    print(f"{label}: {method} close_and_count runs: "
                          + ", ".join(f"{elapsed:.3f}" for elapsed in times) + " s", flush=True)
                    rows.append((method, f"tribune: close_and_count, stored ballots, {label}", best, name))
            finally:
                db.session.remove()
                db.engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of our command per method (best kept)")
    parser.add_argument("--keep", metavar="DIR", help="write the .soi file there and keep it")
    parser.add_argument("--no-peers", action="store_true", help="time only our command")
    stored = parser.add_mutually_exclusive_group()
    stored.add_argument("--skip-database", action="store_true", help="do not time the count of stored ballots")
    stored.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both",
                        help="where to store and count the ballots (default: both; PostgreSQL skipped if unreachable)")
    parser.add_argument("--pg-admin-url", default=PG_ADMIN_URL,
                        help="a PostgreSQL URL allowed to create and drop databases (default: %(default)s)")
    options = parser.parse_args()

    databases = [] if options.skip_database else (
        ["sqlite", "postgresql"] if options.database == "both" else [options.database])
    if "postgresql" in databases:
        unreachable = postgresql_reachable(options.pg_admin_url)
        if unreachable and options.database == "postgresql":
            raise SystemExit(f"PostgreSQL is not reachable at {options.pg_admin_url}: {unreachable}")
        if unreachable:
            print(f"(PostgreSQL is not reachable: {unreachable}; stored ballots counted on SQLite only)")
            databases.remove("postgresql")

    if options.keep:
        os.makedirs(options.keep, exist_ok=True)
    directory = options.keep or tempfile.mkdtemp(prefix="tribune-bench-")
    path = os.path.join(directory, "bench.soi")
    started = time.perf_counter()
    counts, orders = generate(options.ballots)
    distinct, ballots = write_soi(path, options.ballots, counts, orders)
    print(f"generated {path}: {ballots:,} ballots, {distinct:,} distinct rankings, "
          f"{os.path.getsize(path) / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s")

    rows = []
    for method in ("irv", "schulze"):
        best, output = min(time_command(path, method) for _ in range(options.repeat))
        rows.append((method, "tribune: python -m elections.recount (whole command)", best, output["winner"]))
    if not options.no_peers:
        rankings = read_rankings(path)
        for peer in (time_votelib, time_pref_voting):
            for method, (elapsed, winner, label) in peer(rankings).items():
                rows.append((method, f"{label} (in memory, input building included)", elapsed, winner))
        if not any(row[1].startswith(("votelib", "pref-voting")) for row in rows):
            print("(neither votelib nor pref_voting is importable: peers skipped)")
    for kind in databases:
        rows.extend(time_stored(kind, counts, orders, ballots, options.repeat, options.pg_admin_url))
    recount_winner = {row[0]: row[3] for row in rows if row[1].startswith("tribune: python")}
    for method, label, _elapsed, winner in rows:
        if label.startswith("tribune: close") and winner != recount_winner[method]:
            raise SystemExit(f"{method}: {label} elected {winner}, the recount {recount_winner[method]}")

    print(f"\n{'method':<8} {'implementation':<58} {'seconds':>8}  winner")
    for method, label, elapsed, winner in sorted(rows, key=lambda row: (row[0], row[2])):
        print(f"{method:<8} {label:<58} {elapsed:>8.3f}  {winner}")
    if not options.keep:
        os.remove(path)
        os.rmdir(directory)


if __name__ == "__main__":
    main()
