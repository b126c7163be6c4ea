"""Majority judgment, over a :data:`GradeProfile` (see :mod:`elections.methods.profile`).

* Every counted ballot gives every candidate one grade; an ungraded candidate gets the worst
  grade ("Reject"). A ballot that grades no one is blank.
* A candidate's *median grade* is the lower median: with an even number of grades, the worse
  of the two middle ones. The best median wins.
* Ties are broken the usual way (Balinski & Laraki's *majority value*): remove one median
  grade from each tied candidate and compare the new medians, and so on; the first difference
  decides. Candidates whose grade profiles are identical stay tied, and the lot chooses among
  them (see :mod:`elections.methods.lot`).

The majority value is compared without replaying the removals: sorted best first, a list of
n grades loses its positions in an order that depends only on n, alternating around
``m = n // 2`` (n even: m, m-1, m+1, m-2, ...; n odd: m, m+1, m-1, m+2, ...). Since every
candidate has the same n, the first removal where two candidates differ is the position of
that order where their sorted grade lists differ; it is found from the grade counts directly.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import cmp_to_key

from elections.methods.lot import Lot, grade_profile_fingerprint
from elections.methods.profile import GRADES, Candidate, GradeProfile, check_grade_profile
from elections.methods.results import MajorityJudgmentResult


def _cumulative(tally: Sequence[int]) -> list[int]:
    bounds, running = [], 0
    for count in tally:
        running += count
        bounds.append(running)
    return bounds


def _grade_at(bounds: list[int], position: int) -> int:
    """The grade at ``position`` (0-based) of the sorted, best-first list of grades."""
    for grade, bound in enumerate(bounds):
        if position < bound:
            return grade
    raise IndexError(position)


def median_grade(tally: Sequence[int]) -> int | None:
    """The lower median grade of a tally (``tally[g]``: how many got grade g); None if empty."""
    total = sum(tally)
    if not total:
        return None
    return _grade_at(_cumulative(tally), total // 2)


def _removal_time(position: int, total: int) -> int:
    """When the repeated median removal reaches ``position`` of a sorted list of ``total``."""
    middle = total // 2
    distance = position - middle
    if distance == 0:
        return 0
    if total % 2 == 0:
        return 2 * -distance - 1 if distance < 0 else 2 * distance
    return 2 * distance - 1 if distance > 0 else 2 * -distance


def compare_majority_values(tally_a: Sequence[int], tally_b: Sequence[int]) -> int:
    """-1 if a's majority value is better, 1 if b's is, 0 if the tallies are identical.

    Both tallies must count the same number of grades.
    """
    if list(tally_a) == list(tally_b):
        return 0
    total = sum(tally_a)
    if total != sum(tally_b):
        raise ValueError("majority values compare tallies of the same number of grades")
    bounds_a, bounds_b = _cumulative(tally_a), _cumulative(tally_b)
    breaks = sorted({0, total, *bounds_a, *bounds_b})
    first = None
    middle = total // 2
    for low, high in zip(breaks, breaks[1:]):
        if low >= high:
            continue
        grade_a, grade_b = _grade_at(bounds_a, low), _grade_at(bounds_b, low)
        if grade_a == grade_b:
            continue
        last = high - 1
        if low <= middle <= last:
            nearest = middle
        elif last < middle:
            nearest = last
        else:
            nearest = low
        time = _removal_time(nearest, total)
        if first is None or time < first[0]:
            first = (time, grade_a, grade_b)
    return -1 if first[1] < first[2] else 1


def majority_judgment(profile: GradeProfile, candidates: Sequence[Candidate], *, blank: int = 0,
                      seed: str | None = None, grades: Sequence[str] = GRADES) -> MajorityJudgmentResult:
    """Count graded ballots by majority judgment; see the module docstring for the rules.

    ``profile`` maps tuples of grade indices (``None``: ungraded), in the order of
    ``candidates``, to counts; ``grades`` names the grades, best first (default :data:`GRADES`).
    """
    candidates = list(candidates)
    grades = list(grades)
    worst = len(grades) - 1
    check_grade_profile(profile, candidates, len(grades))
    tallies = {c: [0] * len(grades) for c in candidates}
    columns = [tallies[c] for c in candidates]
    blanks, ballots = blank, 0
    for ballot, count in profile.items():
        if not count:
            continue
        if all(grade is None for grade in ballot):
            blanks += count
            continue
        ballots += count
        for column, grade in zip(columns, ballot):
            column[worst if grade is None else grade] += count
    medians = {c: median_grade(tallies[c]) for c in candidates}
    ranking = sorted(candidates, key=cmp_to_key(lambda a, b: compare_majority_values(tallies[a], tallies[b])))
    winners: list = []
    if ballots and ranking:
        winners = [c for c in candidates if tallies[c] == tallies[ranking[0]]]
    lot = Lot(seed, lambda: grade_profile_fingerprint(profile, candidates, blank))
    winner = lot.first(winners) if len(winners) > 1 else (winners[0] if winners else None)
    if winner is not None and ranking[0] != winner:
        ranking.remove(winner)
        ranking.insert(0, winner)
    return MajorityJudgmentResult(
        method="majority-judgment", candidates=candidates, winner=winner, winners=winners,
        ballots=ballots, blank=blanks, tie_broken_by_lot=lot.used, seed=lot.seed_if_used,
        grades=grades, profiles=tallies, medians=medians, ranking=ranking,
    )
