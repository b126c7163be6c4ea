"""Benchmark: recount 1,000,000 ranked ballots (8 candidates) from a PrefLib file.

Generates, deterministically, a PrefLib ``.soi`` file of 1,000,000 ballots over 8 candidates
with about 106,000 distinct rankings (a Plackett-Luce model with mildly skewed candidate
weights, truncated at a random length favouring long ballots), then times:

* our whole command, ``python -m elections.recount FILE --method irv --json`` and
  ``--method schulze --json`` (a subprocess, wall time from start to the printed result);
* votelib and pref-voting, when importable, counting the same ballots in memory (building
  their input from the aggregated rankings included, reading the file excluded).

Prints a side-by-side table. Not part of the test suite. Run from the project root:
``.venv/bin/python bench/tally.py [--ballots N] [--repeat R] [--keep DIR]``.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
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


def write_soi(path: str, ballots: int) -> tuple[int, int]:
    counts, orders = generate(ballots)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of our command per method (best kept)")
    parser.add_argument("--keep", metavar="DIR", help="write the .soi file there and keep it")
    parser.add_argument("--no-peers", action="store_true", help="time only our command")
    options = parser.parse_args()

    directory = options.keep or tempfile.mkdtemp(prefix="tribune-bench-")
    path = os.path.join(directory, "bench.soi")
    started = time.perf_counter()
    distinct, ballots = write_soi(path, options.ballots)
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

    print(f"\n{'method':<8} {'implementation':<58} {'seconds':>8}  winner")
    for method, label, elapsed, winner in sorted(rows, key=lambda row: (row[0], row[2])):
        print(f"{method:<8} {label:<58} {elapsed:>8.3f}  {winner}")
    if not options.keep:
        os.remove(path)
        os.rmdir(directory)


if __name__ == "__main__":
    main()
