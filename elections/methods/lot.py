"""The ballot box fingerprint and the lot it seeds.

Fingerprint
-----------
``fingerprint(lines)`` is the SHA-256, in lowercase hex, of the canonical ballot strings
(see :mod:`elections.methods.profile`: one string per ballot, blank ballots as ``""``) sorted
by code point (the same order as their UTF-8 bytes), each encoded in UTF-8 and followed by one
``\\n``. With a shell: ``LC_ALL=C sort ballots.txt | sha256sum`` over a file holding one
canonical string per line.

The lot
-------
When a method must choose among tied candidates it draws a lot: every candidate gets the key
``SHA-256(seed + ":" + str(candidate))`` (UTF-8, compared as bytes, lowest first), and the
*lot order* is the candidates sorted by that key. The candidate first in lot order is favoured:
it wins a tie for first place and is the last one eliminated from a tie for last place.
The seed is the ballot box fingerprint (hex), so anyone can redraw it, e.g.
``printf '%s' "$FINGERPRINT:3" | sha256sum`` for candidate 3. The draw depends only on the
seed and the candidate ids, never on the order the candidates are listed in.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

from elections.methods.profile import Candidate, grade_lines, ranking_lines


def fingerprint(ballot_lines: Iterable[str]) -> str:
    """SHA-256 (hex) over the sorted canonical ballot strings, one per ballot."""
    lines = sorted(ballot_lines)
    for line in lines:
        if "\n" in line or "\r" in line:
            raise ValueError("a canonical ballot string cannot contain a line break")
    digest = hashlib.sha256()
    if lines:
        digest.update(("\n".join(lines) + "\n").encode("utf-8"))
    return digest.hexdigest()


def fingerprint_counts(line_counts: Mapping[str, int]) -> str:
    """Same as :func:`fingerprint` for ballots given as ``{canonical string: count}``."""
    digest = hashlib.sha256()
    for line in sorted(line_counts):
        count = line_counts[line]
        if "\n" in line or "\r" in line:
            raise ValueError("a canonical ballot string cannot contain a line break")
        if count:
            digest.update((line + "\n").encode("utf-8") * count)
    return digest.hexdigest()


def profile_fingerprint(profile: Mapping, blank: int = 0) -> str:
    """The fingerprint of a ranked profile plus ``blank`` blank ballots."""
    return fingerprint_counts(ranking_lines(profile, blank))


def grade_profile_fingerprint(profile: Mapping, candidates: Sequence[Candidate], blank: int = 0) -> str:
    """The fingerprint of a grade profile plus ``blank`` blank ballots."""
    return fingerprint_counts(grade_lines(profile, candidates, blank))


def lot_key(candidate: Candidate, seed: str) -> bytes:
    """The candidate's lot key: ``SHA-256(seed + ":" + str(candidate))``."""
    return hashlib.sha256(f"{seed}:{candidate}".encode("utf-8")).digest()


def lot_order(candidates: Iterable[Candidate], seed: str) -> list:
    """The candidates in lot order, the favoured one first."""
    return sorted(candidates, key=lambda candidate: lot_key(candidate, seed))


class Lot:
    """A lot whose seed is worked out only when a tie actually needs it.

    ``seed`` is the caller's seed; when it is ``None`` the ``default`` callable (the profile's
    fingerprint) provides it on the first draw. ``used`` tells whether any draw happened.
    """

    def __init__(self, seed: str | None, default: Callable[[], str]):
        self._seed = seed
        self._default = default
        self.used = False

    @property
    def seed(self) -> str:
        if self._seed is None:
            self._seed = self._default()
        return self._seed

    @property
    def seed_if_used(self) -> str | None:
        return self.seed if self.used else None

    def first(self, tied: Iterable[Candidate]) -> Candidate:
        """The favoured candidate among ``tied`` (the winner of a tie for first place)."""
        self.used = True
        return lot_order(tied, self.seed)[0]

    def last(self, tied: Iterable[Candidate]) -> Candidate:
        """The disfavoured candidate among ``tied`` (the one eliminated from a tie for last)."""
        self.used = True
        return lot_order(tied, self.seed)[-1]
