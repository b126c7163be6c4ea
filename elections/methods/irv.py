"""Instant-runoff voting (IRV, single-winner ranked-choice), over a ranked :data:`Profile`.

The count, round by round:

* every ballot counts for its highest-ranked *continuing* candidate. When its highest place
  that still holds a continuing candidate holds several of them (ranked equal: an
  *overvote*), the ballot counts for no one this round, but it is not exhausted: once all but
  one of those candidates are eliminated it counts for the remaining one. A ballot with no
  continuing candidate left is *exhausted*;
* a candidate with more than half of the votes counted for continuing candidates in the round
  (overvotes and exhausted ballots are not in that base) wins; so does the last continuing
  candidate;
* otherwise the candidate with the fewest votes is eliminated. A tie for fewest is broken by
  the earlier rounds' counts, most recent first (the tied candidate with fewer votes there is
  eliminated), and if they were tied in every earlier round, by the lot (the one last in lot
  order is eliminated; see :mod:`elections.methods.lot`).

``winners`` and ``tie_broken_by_lot``: when the lot had to break a tie that could change the
outcome, the count is also run with every other choice at those draws (parallel universes,
at most :data:`MAX_LOT_UNIVERSES` runs); ``winners`` lists everyone who wins in one of them
and ``tie_broken_by_lot`` is true when there are several (or when the exploration hit its
limit). Draws between candidates that have no vote and no share in an overvote cannot change
anything and are not explored. Every draw is shown in its round (``tie_break == "lot"``).
"""
from __future__ import annotations

from collections.abc import Sequence

from elections.methods.lot import Lot, profile_fingerprint
from elections.methods.profile import Candidate, Profile, check_profile, gc_paused
from elections.methods.results import IRVResult, IRVRound

MAX_LOT_UNIVERSES = 64


def instant_runoff(profile: Profile, candidates: Sequence[Candidate], *, blank: int = 0,
                   seed: str | None = None) -> IRVResult:
    """Count a ranked profile by instant-runoff; see the module docstring for the rules."""
    candidates = list(candidates)
    check_profile(profile, candidates)
    lot = Lot(seed, lambda: profile_fingerprint(profile, blank))
    blanks = blank + profile.get((), 0)
    ballots = sum(profile.values()) - profile.get((), 0)
    if not candidates or not ballots:
        return IRVResult(method="instant-runoff", candidates=candidates, winner=None, winners=[],
                         ballots=ballots, blank=blanks)

    with gc_paused():
        winner, rounds, draws = _Count(profile, candidates).run({}, lot)
        winners = {winner}
        exhausted_universes = False
        if draws:
            winners, exhausted_universes = _other_universes(profile, candidates, lot, draws, winner)
    ordered = [c for c in candidates if c in winners]
    return IRVResult(
        method="instant-runoff", candidates=candidates, winner=winner, winners=ordered,
        ballots=ballots, blank=blanks,
        tie_broken_by_lot=len(ordered) > 1 or exhausted_universes,
        seed=lot.seed_if_used, rounds=rounds,
    )


def _other_universes(profile, candidates, lot, draws, winner) -> tuple[set, bool]:
    """Winners of the count under every other outcome of the lot draws that mattered."""
    winners = {winner}
    seen: set = set()
    pending: list[dict] = []

    def branch(forced: dict, found: list) -> None:
        # A run follows its parent up to its last forced draw: only later draws are new.
        after = max(forced, default=-1)
        for round_index, tied, chosen in found:
            if round_index <= after:
                continue
            for other in tied:
                if other != chosen:
                    alternative = {**forced, round_index: other}
                    key = tuple(sorted(alternative.items(), key=repr))
                    if key not in seen:
                        seen.add(key)
                        pending.append(alternative)

    branch({}, draws)
    runs = 0
    while pending:
        if runs >= MAX_LOT_UNIVERSES:
            return winners, True
        forced = pending.pop()
        runs += 1
        other_winner, _, found = _Count(profile, candidates).run(forced, lot)
        winners.add(other_winner)
        branch(forced, found)
    return winners, False


class _Count:
    """One run of the count. Ballots sit in *piles* keyed by the continuing candidates of their
    highest place still holding one (a one-candidate key: votes for that candidate; a larger
    key: overvotes). A pile is a pair of dicts: ``{full ranking: count}`` for ballots still at
    their first place (so the profile is filed without copying a single ranking), and
    ``{rest of the ranking below the current place: count}`` for ballots moved since.
    Eliminating a candidate only touches the piles whose key holds it.
    """

    def __init__(self, profile: Profile, candidates: list):
        self.candidates = candidates
        heads: dict = {}
        for ranking, count in profile.items():
            if ranking:
                first = ranking[0]
                pile = heads.get(first)
                if pile is None:
                    pile = heads[first] = {}
                pile[ranking] = count
        self.piles: dict = {}
        for first, pile in heads.items():
            key = first if first.__class__ is frozenset else frozenset(first)
            if key in self.piles:
                self.piles[key] = (self._merged(self.piles[key][0], pile), {})
            else:
                self.piles[key] = (pile, {})
        self.totals = {key: sum(pile[0].values()) for key, pile in self.piles.items()}
        self.continuing = set(candidates)
        self.single = {c: frozenset((c,)) for c in candidates}
        self.exhausted = 0

    def run(self, forced: dict, lot: Lot):
        """Count to the end; ``forced`` maps a round index to the candidate a draw must remove.

        Returns ``(winner, rounds, draws)``; ``draws`` lists ``(round index, candidates the
        lot chose among, candidate eliminated)`` for the draws that could change the outcome.
        """
        rounds: list[IRVRound] = []
        draws: list = []
        totals = self.totals
        while True:
            counts = {c: totals.get(self.single[c], 0) for c in self.candidates if c in self.continuing}
            overvotes = sum(total for key, total in totals.items() if len(key) > 1)
            round_ = IRVRound(counts=counts, overvotes=overvotes, exhausted=self.exhausted)
            rounds.append(round_)
            if len(counts) == 1:
                return next(iter(counts)), rounds, draws
            best = max(counts.values())
            if best * 2 > sum(counts.values()):
                return next(c for c, votes in counts.items() if votes == best), rounds, draws
            fewest = min(counts.values())
            tied = [c for c, votes in counts.items() if votes == fewest]
            loser = tied[0]
            if len(tied) > 1:
                round_.tied_for_last = tied
                remaining = tied
                for earlier in reversed(rounds[:-1]):
                    least = min(earlier.counts[c] for c in remaining)
                    remaining = [c for c in remaining if earlier.counts[c] == least]
                    if len(remaining) == 1:
                        break
                if len(remaining) == 1:
                    loser = remaining[0]
                    round_.tie_break = "earlier rounds"
                else:
                    index = len(rounds) - 1
                    loser = forced[index] if forced.get(index) in remaining else lot.last(remaining)
                    lot.used = True
                    round_.tie_break = "lot"
                    if not all(self._inert(c) for c in remaining):
                        draws.append((index, remaining, loser))
            round_.eliminated = loser
            self._eliminate(loser, round_)

    def _inert(self, candidate) -> bool:
        """True when eliminating the candidate now moves no ballot at all."""
        return not any(total and candidate in key for key, total in self.totals.items())

    def _eliminate(self, loser, round_: IRVRound) -> None:
        self.continuing.discard(loser)
        piles, totals = self.piles, self.totals
        for key in [key for key in piles if loser in key]:
            heads, rests = piles.pop(key)
            total = totals.pop(key)
            if len(key) > 1:
                # An overvote loses one of its candidates; the ballots keep their place.
                self._add(key - self.single[loser], heads, rests, total)
                continue
            moved: dict = {}
            exhausted = self._route(heads, 1, moved) + self._route(rests, 0, moved)
            self.exhausted += exhausted
            round_.transfers_exhausted += exhausted
            for destination, pile in moved.items():
                votes = sum(pile.values())
                self._add(destination, {}, pile, votes)
                if len(destination) == 1:
                    (candidate,) = destination
                    round_.transfers[candidate] = votes
                else:
                    round_.transfers_overvotes += votes

    def _route(self, entries: dict, start: int, moved: dict) -> int:
        """File each ``{ranking: count}`` entry, from place ``start`` on, under its highest place
        holding a continuing candidate. Returns the number of ballots exhausted.
        """
        destination_of = _Destinations(self.continuing)
        exhausted = 0
        for rest, count in entries.items():
            index = start
            size = len(rest)
            while index < size:
                destination = destination_of[rest[index]]
                if destination:
                    pile = moved.get(destination)
                    if pile is None:
                        pile = moved[destination] = {}
                    below = rest[index + 1:]
                    pile[below] = pile.get(below, 0) + count
                    break
                index += 1
            else:
                exhausted += count
        return exhausted

    @staticmethod
    def _merged(target: dict, source: dict) -> dict:
        """Add the smaller dict's counts into the larger one; return the larger."""
        if len(target) < len(source):
            target, source = source, target
        for rest, count in source.items():
            target[rest] = target.get(rest, 0) + count
        return target

    def _add(self, key: frozenset, heads: dict, rests: dict, total: int) -> None:
        pile = self.piles.get(key)
        if pile is None:
            self.piles[key] = (heads, rests)
            self.totals[key] = total
            return
        self.piles[key] = (self._merged(pile[0], heads), self._merged(pile[1], rests))
        self.totals[key] += total


class _Destinations(dict):
    """``group -> its continuing candidates`` (a frozenset, empty when none), memoized."""

    def __init__(self, continuing: set):
        super().__init__()
        self.continuing = continuing

    def __missing__(self, group):
        live = self.continuing.intersection(group)
        destination = self[group] = (
            group if len(live) == len(group) and group.__class__ is frozenset else frozenset(live))
        return destination
