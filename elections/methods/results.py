"""What the tally methods return: one dataclass per method family, each with ``to_dict()``.

Every result has ``method``, ``candidates`` (as given), ``winner`` (a candidate, or ``None``
when no ballot supports anyone), ``winners`` (the candidates tied for the win before the lot;
``[winner]`` when there was no such tie), ``ballots`` (counted, non-blank ballots), ``blank``,
``tie_broken_by_lot`` and ``seed`` (the lot's seed when a lot was drawn, else ``None``).

``to_dict(names=None)`` returns plain JSON-ready data (dicts, lists, ints, strings, None);
with ``names`` (``{candidate: label}``) every candidate, including dictionary keys, is
replaced by its label.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Rename = Callable[[Any], Any]


def _renamer(names: Mapping | None) -> Rename:
    if not names:
        return lambda candidate: candidate
    return lambda candidate: names.get(candidate, candidate)


def _keyed(mapping: Mapping, rename: Rename) -> dict:
    return {rename(candidate): value for candidate, value in mapping.items()}


@dataclass
class TallyResult:
    """The fields every method reports."""

    method: str
    candidates: list
    winner: Any
    winners: list
    ballots: int
    blank: int
    tie_broken_by_lot: bool = False
    seed: str | None = None

    def to_dict(self, names: Mapping | None = None) -> dict:
        rename = _renamer(names)
        data = {
            "method": self.method,
            "winner": None if self.winner is None else rename(self.winner),
            "winners": [rename(candidate) for candidate in self.winners],
            "ballots": self.ballots,
            "blank": self.blank,
            "tie_broken_by_lot": self.tie_broken_by_lot,
            "seed": self.seed,
            "candidates": [rename(candidate) for candidate in self.candidates],
        }
        data.update(self._detail(rename))
        return data

    def _detail(self, rename: Rename) -> dict:
        return {}


@dataclass
class CountResult(TallyResult):
    """Plurality and approval: ``counts`` per candidate.

    ``overvotes`` (plurality only): ballots whose first place holds several candidates, which
    count for no one.
    """

    counts: dict = field(default_factory=dict)
    overvotes: int = 0

    def _detail(self, rename: Rename) -> dict:
        return {"counts": _keyed(self.counts, rename), "overvotes": self.overvotes}


@dataclass
class IRVRound:
    """One round of an instant-runoff count.

    ``counts``: votes of each continuing candidate. ``overvotes``: ballots whose highest
    continuing place holds several candidates, counting for no one this round. ``exhausted``:
    ballots with no continuing candidate left (cumulative). ``eliminated``: the candidate
    eliminated at the end of the round (``None`` in the last round). ``tied_for_last``: the
    candidates tied with the fewest votes, when several were; ``tie_break``: how that tie was
    broken, ``"earlier rounds"`` or ``"lot"``. ``transfers``: where the eliminated candidate's
    ballots go in the next round, per candidate; ``transfers_exhausted`` and
    ``transfers_overvotes``: those of its ballots that become exhausted or overvotes.
    """

    counts: dict
    overvotes: int
    exhausted: int
    eliminated: Any = None
    tied_for_last: list = field(default_factory=list)
    tie_break: str | None = None
    transfers: dict = field(default_factory=dict)
    transfers_exhausted: int = 0
    transfers_overvotes: int = 0

    @property
    def continuing_votes(self) -> int:
        """The votes counted for continuing candidates: the base of the majority."""
        return sum(self.counts.values())

    def to_dict(self, names: Mapping | None = None, rename: Rename | None = None) -> dict:
        rename = rename or _renamer(names)
        return {
            "counts": _keyed(self.counts, rename),
            "overvotes": self.overvotes,
            "exhausted": self.exhausted,
            "eliminated": None if self.eliminated is None else rename(self.eliminated),
            "tied_for_last": [rename(candidate) for candidate in self.tied_for_last],
            "tie_break": self.tie_break,
            "transfers": _keyed(self.transfers, rename),
            "transfers_exhausted": self.transfers_exhausted,
            "transfers_overvotes": self.transfers_overvotes,
        }


@dataclass
class IRVResult(TallyResult):
    """Instant-runoff: the ``rounds``, first to last."""

    rounds: list = field(default_factory=list)

    def _detail(self, rename: Rename) -> dict:
        return {"rounds": [round_.to_dict(rename=rename) for round_ in self.rounds]}


@dataclass
class SchulzeResult(TallyResult):
    """Schulze: ``pairwise[x][y]`` ballots ranking x above y; ``strongest_paths[x][y]``."""

    pairwise: dict = field(default_factory=dict)
    strongest_paths: dict = field(default_factory=dict)

    def _detail(self, rename: Rename) -> dict:
        return {
            "pairwise": {rename(x): _keyed(row, rename) for x, row in self.pairwise.items()},
            "strongest_paths": {rename(x): _keyed(row, rename) for x, row in self.strongest_paths.items()},
        }


@dataclass
class MajorityJudgmentResult(TallyResult):
    """Majority judgment.

    ``grades``: the grade names, best first. ``profiles[c]``: how many ballots gave c each
    grade (ungraded counted as the worst). ``medians[c]``: c's median grade (index).
    ``ranking``: candidates best first by majority value (the lot's choice first when the
    top is tied; other candidates with identical profiles in the order given).
    """

    grades: list = field(default_factory=list)
    profiles: dict = field(default_factory=dict)
    medians: dict = field(default_factory=dict)
    ranking: list = field(default_factory=list)

    def _detail(self, rename: Rename) -> dict:
        return {
            "grades": list(self.grades),
            "profiles": {rename(c): list(counts) for c, counts in self.profiles.items()},
            "medians": _keyed(self.medians, rename),
            "ranking": [rename(c) for c in self.ranking],
        }
