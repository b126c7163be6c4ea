"""Schulze (beatpath) with winning votes, over a ranked :data:`Profile`.

* ``d[x][y]``: the ballots ranking x above y. A ranked candidate is above every unranked
  one; candidates ranked equal (or both unranked) express no preference.
* A link x→y has strength ``d[x][y]`` when ``d[x][y] > d[y][x]``, else 0. The strength of a
  path is its weakest link; ``p[x][y]`` is the strength of the strongest path from x to y
  (widest paths, Floyd–Warshall).
* The winners are the candidates x with ``p[x][y] >= p[y][x]`` for every other y; when there
  are several, the lot chooses (see :mod:`elections.methods.lot`).
"""
from __future__ import annotations

from collections.abc import Sequence

from elections.methods.lot import Lot, profile_fingerprint
from elections.methods.profile import Candidate, Profile, check_profile, gc_paused, split_blank
from elections.methods.results import SchulzeResult


def pairwise_counts(profile: Profile, candidates: Sequence[Candidate]) -> list[list[int]]:
    """``d[i][j]``: ballots ranking ``candidates[i]`` above ``candidates[j]``.

    A ballot's place k holds candidates above every candidate not in places 1..k. So each
    *prefix* of a ranking contributes its weight (the ballots sharing that prefix) to
    d[x][y] for x in its last place and y outside it. Weights are summed level by level from
    the longest rankings down, which merges shared prefixes; contributions are then grouped by
    (last place, set of places) before touching the matrix, so the work grows with the number
    of distinct prefixes, not with ballots times pairs.
    """
    index = {candidate: i for i, candidate in enumerate(candidates)}
    size = len(candidates)
    levels: dict[int, dict] = {}
    for ranking, count in profile.items():
        if ranking and count:
            level = levels.get(len(ranking))
            if level is None:
                level = levels[len(ranking)] = {}
            level[ranking] = level.get(ranking, 0) + count
    contributions: dict = {}
    for length in range(max(levels, default=0), 0, -1):
        level = levels.get(length)
        if not level:
            continue
        parent = None
        if length > 1:
            parent = levels.get(length - 1)
            if parent is None:
                parent = levels[length - 1] = {}
        if length >= size and parent is not None:
            # A ranking with as many places as candidates ranks each alone; its last place is
            # above no one, so only its weight goes on to its prefix.
            for ranking, weight in level.items():
                prefix = ranking[:-1]
                parent[prefix] = parent.get(prefix, 0) + weight
            continue
        for ranking, weight in level.items():
            key = (ranking[-1], frozenset(ranking))
            contributions[key] = contributions.get(key, 0) + weight
            if parent is not None:
                prefix = ranking[:-1]
                parent[prefix] = parent.get(prefix, 0) + weight
    d = [[0] * size for _ in range(size)]
    for (last, places), weight in contributions.items():
        placed = frozenset().union(*places)
        below = [index[y] for y in candidates if y not in placed]
        if not below:
            continue
        for x in last:
            row = d[index[x]]
            for j in below:
                row[j] += weight
    return d


def strongest_paths(d: list[list[int]]) -> list[list[int]]:
    """Widest paths over the winning-votes links of ``d`` (Floyd–Warshall)."""
    size = len(d)
    p = [[d[i][j] if i != j and d[i][j] > d[j][i] else 0 for j in range(size)] for i in range(size)]
    for k in range(size):
        row_k = p[k]
        for i in range(size):
            if i == k:
                continue
            row_i = p[i]
            through = row_i[k]
            if not through:
                continue
            for j in range(size):
                if j != i and j != k:
                    via = through if through < row_k[j] else row_k[j]
                    if via > row_i[j]:
                        row_i[j] = via
    return p


def schulze(profile: Profile, candidates: Sequence[Candidate], *, blank: int = 0,
            seed: str | None = None) -> SchulzeResult:
    """Count a ranked profile by the Schulze method (winning votes)."""
    candidates = list(candidates)
    check_profile(profile, candidates)
    ballots, blanks = split_blank(profile, blank)
    with gc_paused():
        d = pairwise_counts(profile, candidates)
    p = strongest_paths(d)
    size = len(candidates)
    winners = []
    if ballots:
        winners = [candidates[i] for i in range(size)
                   if all(p[i][j] >= p[j][i] for j in range(size) if j != i)]
    lot = Lot(seed, lambda: profile_fingerprint(profile, blank))
    winner = lot.first(winners) if len(winners) > 1 else (winners[0] if winners else None)
    return SchulzeResult(
        method="schulze", candidates=candidates, winner=winner, winners=winners,
        ballots=ballots, blank=blanks, tie_broken_by_lot=lot.used, seed=lot.seed_if_used,
        pairwise={x: {y: d[i][j] for j, y in enumerate(candidates) if j != i}
                  for i, x in enumerate(candidates)},
        strongest_paths={x: {y: p[i][j] for j, y in enumerate(candidates) if j != i}
                         for i, x in enumerate(candidates)},
    )
