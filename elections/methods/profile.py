"""The input types of the tally methods, and the canonical ballot strings.

Ranked ballots (plurality, approval, instant-runoff, Schulze)
------------------------------------------------------------
A *candidate* is any hashable id: an ``int`` or a ``str`` (a string id must not contain
``,``, ``{``, ``}``, ``:`` or a line break, so that canonical ballot strings stay unambiguous).

A *ranking* is a tuple of *groups*, best first. A group is a ``frozenset`` (a ``tuple`` is
accepted too) of the candidates ranked equal at that place; a strict ranking is a tuple of
one-candidate groups. Candidates a ranking does not mention are *unranked*: below every
ranked candidate, equal among themselves. A candidate appears at most once in a ranking.

A *profile* (:data:`Profile`) maps each distinct ranking to the number of ballots that cast
it: ``{ranking: count}``. Counts are non-negative ints.

*Blank ballots*: the empty ranking ``()`` is a blank ballot. Callers may also keep blank
ballots out of the profile and pass their number as ``blank=``; the methods add the two.
Blank ballots are reported (``result.blank``) for turnout and support no one; they are not in
``result.ballots``, the number of counted, non-blank ballots.

An *approval* ballot is the ranking of one group, the approved candidates:
``(frozenset({1, 3}),)``; approving no one is a blank ballot. On any ranked ballot, approval
counts every ranked candidate as approved.

Graded ballots (majority judgment)
----------------------------------
:data:`GRADES` names the grades, best first: index 0 is "Excellent", index 5 "Reject". A graded
ballot is a tuple with one entry per candidate, in the order of the ``candidates`` list the
caller passes: the grade index given to that candidate, or ``None`` when the voter left the
candidate ungraded (counted as the worst grade, "Reject"). A ballot that grades no one
(all ``None``) is blank. A :data:`GradeProfile` maps each distinct graded ballot to its count.
:func:`grade_profile` builds one from ``{candidate: grade}`` mappings.

Canonical ballot strings
------------------------
Every ballot has one canonical string, the line the ballot box fingerprint is computed over
(see :func:`elections.methods.lot.fingerprint`):

* a ranking: its groups best first, separated by ``,``; a one-candidate group is the candidate
  written with ``str()``; a group of several is ``{a,b}`` with its members in ascending order
  (ints numerically, strings by code point); no spaces. E.g. ``3,1,{2,4}``. This is exactly the
  order part of a PrefLib ``.toi`` data line.
* a graded ballot: ``candidate:grade`` pairs for the graded candidates, in ascending candidate
  order, separated by ``,``, grade as its index. E.g. ``1:0,2:3,4:5``.
* a blank ballot of either kind: the empty string.

:func:`parse_ranking`, :func:`profile_from_lines` and :func:`grade_profile_from_lines` read
canonical strings back (ids written in digits become ints), so a ballot box that stores one
canonical string per ballot can hand its ``{string: count}`` to the methods.
"""
from __future__ import annotations

import gc
from collections.abc import Hashable, Iterable, Mapping, Sequence
from itertools import chain

Candidate = Hashable
"""A candidate id: an int or a str."""

Group = frozenset | tuple
"""Candidates ranked equal at one place of a ranking."""

Ranking = tuple
"""A tuple of groups, best first; ``()`` is a blank ballot."""

Profile = Mapping
"""``{Ranking: count}``: the ranked ballots, aggregated."""

GradeProfile = Mapping
"""``{tuple of grade indices (or None), in candidate order: count}``: graded ballots."""

GRADES: tuple[str, ...] = ("Excellent", "Very good", "Good", "Fair", "Poor", "Reject")
"""Majority-judgment grades, best first; a grade is its index in this tuple."""

BLANK: tuple = ()
"""The blank ranking."""

_FORBIDDEN_IN_IDS = frozenset(",{}:\n\r")


class gc_paused:
    """Pause the cyclic garbage collector while building many small tuples (which make no
    cycles): otherwise it runs hundreds of times over the growing profile and doubles the time.
    """

    def __enter__(self):
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc_info):
        if self.was_enabled:
            gc.enable()


def candidate_sort_key(candidate: Candidate) -> tuple:
    """Sort ints numerically before strings by code point (the canonical order of members)."""
    return (isinstance(candidate, str), candidate)


def ranking(*places) -> tuple:
    """Build a ranking: ``ranking(3, 1, {2, 4})`` ranks 3 first, 1 second, 2 and 4 equal third.

    Each argument is one place: a candidate, or a set/tuple/list of candidates ranked equal.
    """
    return normalize_ranking(places)


def normalize_ranking(places: Iterable) -> tuple:
    """Return the canonical form of a ranking: a tuple of non-empty frozensets.

    A place may be a bare candidate or a collection of candidates; empty groups are dropped.
    Raises ``ValueError`` when a candidate appears twice.
    """
    groups = []
    seen: set = set()
    for place in places:
        if isinstance(place, (frozenset, set, tuple, list)):
            group = frozenset(place)
        else:
            group = frozenset((place,))
        if not group:
            continue
        if not seen.isdisjoint(group):
            raise ValueError(f"candidate ranked twice: {sorted(seen & group, key=candidate_sort_key)}")
        seen |= group
        groups.append(group)
    return tuple(groups)


def profile_from_rankings(rankings: Iterable[Iterable]) -> dict:
    """Aggregate individual ranked ballots (each an iterable of places) into a profile."""
    profile: dict = {}
    for places in rankings:
        key = normalize_ranking(places)
        profile[key] = profile.get(key, 0) + 1
    return profile


def profile_from_approvals(approvals: Iterable[Iterable[Candidate]]) -> dict:
    """Aggregate approval ballots (each the collection of approved candidates) into a profile."""
    profile: dict = {}
    for approved in approvals:
        group = frozenset(approved)
        key = (group,) if group else ()
        profile[key] = profile.get(key, 0) + 1
    return profile


def check_profile(profile: Profile, candidates: Sequence[Candidate]) -> None:
    """Raise ``ValueError`` on an unknown candidate, an empty group or a negative count."""
    if not profile:
        return
    if min(profile.values()) < 0:
        raise ValueError("a ballot count is negative")
    groups = set(chain.from_iterable(profile))
    if any(not group for group in groups):
        raise ValueError("a ranking has an empty group")
    mentioned = set().union(*groups)
    unknown = mentioned.difference(candidates)
    if unknown:
        raise ValueError(f"unknown candidates in the profile: {sorted(unknown, key=repr)}")


def split_blank(profile: Profile, blank: int = 0) -> tuple[int, int]:
    """Return ``(counted non-blank ballots, blank ballots)`` of a ranked profile."""
    total = sum(profile.values())
    blanks = blank + profile.get((), 0)
    return total - profile.get((), 0), blanks


# --- canonical strings -------------------------------------------------------------------

def _candidate_text(candidate: Candidate) -> str:
    text = str(candidate)
    if not text or not _FORBIDDEN_IN_IDS.isdisjoint(text):
        raise ValueError(f"candidate id {candidate!r} cannot be written in a ballot string")
    return text


def canonical_group(group: Iterable[Candidate]) -> str:
    """``3`` for a one-candidate group, ``{2,4}`` for candidates ranked equal."""
    members = sorted(group, key=candidate_sort_key)
    if len(members) == 1:
        return _candidate_text(members[0])
    return "{" + ",".join(map(_candidate_text, members)) + "}"


class _GroupTexts(dict):
    """Memo of canonical group strings: a profile reuses few distinct groups many times."""

    def __missing__(self, group):
        text = self[group] = canonical_group(group)
        return text


def canonical_ranking(ranking: Iterable[Iterable[Candidate]]) -> str:
    """The canonical ballot string of a ranking (``""`` for a blank ballot)."""
    return ",".join(canonical_group(group) for group in ranking if len(group))


def canonical_grades(grades: Sequence, candidates: Sequence[Candidate]) -> str:
    """The canonical ballot string of a graded ballot (grades in candidate order)."""
    pairs = sorted(
        ((candidate, grade) for candidate, grade in zip(candidates, grades) if grade is not None),
        key=lambda pair: candidate_sort_key(pair[0]),
    )
    return ",".join(f"{_candidate_text(candidate)}:{int(grade)}" for candidate, grade in pairs)


def ranking_lines(profile: Profile, blank: int = 0) -> dict[str, int]:
    """``{canonical ballot string: count}`` for a ranked profile plus ``blank`` blank ballots."""
    texts = _GroupTexts()
    lines: dict[str, int] = {}
    for ranking_, count in profile.items():
        if count:
            line = ",".join(map(texts.__getitem__, ranking_))
            lines[line] = lines.get(line, 0) + count
    if blank:
        lines[""] = lines.get("", 0) + blank
    return lines


def grade_lines(profile: GradeProfile, candidates: Sequence[Candidate], blank: int = 0) -> dict[str, int]:
    """``{canonical ballot string: count}`` for a grade profile plus ``blank`` blank ballots."""
    lines: dict[str, int] = {}
    for grades, count in profile.items():
        if count:
            line = canonical_grades(grades, candidates)
            lines[line] = lines.get(line, 0) + count
    if blank:
        lines[""] = lines.get("", 0) + blank
    return lines


def _id(text: str) -> Candidate:
    """A candidate id read back from a ballot string: an int when it is digits, else the text."""
    if not text:
        raise ValueError("an empty candidate id in a ballot string")
    return int(text) if text.isdecimal() else text


def parse_ranking(line: str) -> tuple:
    """The ranking a canonical ballot string holds: ``"7,{3,5},2"`` -> (7), (3, 5), (2).

    Ids written in digits come back as ints, others as strings; ``""`` is the blank ranking.
    Raises ``ValueError`` on a string that is not a well-formed ranking.
    """
    groups = []
    position, size = 0, len(line)
    while position < size:
        if line[position] == "{":
            end = line.find("}", position)
            if end < 0:
                raise ValueError(f"unclosed '{{' in {line!r}")
            group = frozenset(map(_id, line[position + 1:end].split(",")))
            position = end + 1
        else:
            end = line.find(",", position)
            end = size if end < 0 else end
            token = line[position:end]
            if "{" in token or "}" in token:
                raise ValueError(f"misplaced brace in {line!r}")
            group = frozenset((_id(token),))
            position = end
        groups.append(group)
        if position < size:
            if line[position] != "," or position + 1 == size:
                raise ValueError(f"malformed ranking {line!r}")
            position += 1
    return normalize_ranking(groups)


class _SingleGroups(dict):
    """Memo ``{candidate text: frozenset((candidate,))}`` for the fast path of :func:`profile_from_lines`.

    A text the fast path cannot take as it is (empty, or holding a brace) raises ``KeyError``,
    which sends its line to :func:`parse_ranking`.
    """

    def __missing__(self, text: str) -> frozenset:
        if not text or "{" in text or "}" in text:
            raise KeyError(text)
        group = self[text] = frozenset((_id(text),))
        return group


def profile_from_lines(lines: Mapping[str, int]) -> tuple[dict, int]:
    """``(profile, blank)`` from ``{canonical ranking string: count}`` (the ballot box's counts).

    Lines without ties (most of them) are split and their one-candidate groups shared through a
    memo, which gives exactly what :func:`parse_ranking` gives; any other line (ties, a candidate
    twice, an empty id) goes through :func:`parse_ranking`, which also raises on malformed ones.
    """
    profile: dict = {}
    get = profile.get
    single = _SingleGroups().__getitem__
    blank = 0
    with gc_paused():
        for line, count in lines.items():
            if not line:
                blank += count
                continue
            key = None
            if "{" not in line:
                try:
                    key = tuple(map(single, line.split(",")))
                except KeyError:
                    pass
                else:
                    if len(set(key)) != len(key):
                        key = None
            if key is None:
                key = parse_ranking(line)
            profile[key] = get(key, 0) + count
    return profile, blank


def grade_profile_from_lines(lines: Mapping[str, int], candidates: Sequence[Candidate]) -> tuple[dict, int]:
    """``(grade profile, blank)`` from ``{canonical graded string: count}``, in candidate order."""
    index = {candidate: i for i, candidate in enumerate(candidates)}
    pairs: dict[str, tuple[int, int]] = {}  # memo: "3:0" -> (position of 3, grade 0)
    profile: dict = {}
    get = profile.get
    blank = 0
    width = len(candidates)
    with gc_paused():
        for line, count in lines.items():
            if not line:
                blank += count
                continue
            grades: list = [None] * width
            for pair in line.split(","):
                entry = pairs.get(pair)
                if entry is None:
                    candidate_text, colon, grade_text = pair.partition(":")
                    candidate = _id(candidate_text)
                    if not colon or candidate not in index or not grade_text.isdecimal():
                        raise ValueError(f"malformed graded ballot {line!r}")
                    entry = pairs[pair] = (index[candidate], int(grade_text))
                grades[entry[0]] = entry[1]
            key = tuple(grades)
            profile[key] = get(key, 0) + count
    return profile, blank


# --- graded ballots ----------------------------------------------------------------------

def grade_profile(
    ballots: Iterable[Mapping[Candidate, int]], candidates: Sequence[Candidate]
) -> dict[tuple, int]:
    """Aggregate ``{candidate: grade index}`` ballots into a :data:`GradeProfile`.

    A candidate missing from a ballot is ungraded (``None``); an empty mapping is blank.
    """
    known = set(candidates)
    profile: dict[tuple, int] = {}
    for ballot in ballots:
        unknown = set(ballot).difference(known)
        if unknown:
            raise ValueError(f"unknown candidates on a graded ballot: {sorted(unknown, key=repr)}")
        key = tuple(ballot.get(candidate) for candidate in candidates)
        profile[key] = profile.get(key, 0) + 1
    return profile


def check_grade_profile(profile: GradeProfile, candidates: Sequence[Candidate], grade_count: int) -> None:
    """Raise ``ValueError`` on a ballot of the wrong length, a bad grade or a negative count."""
    width = len(candidates)
    for grades, count in profile.items():
        if count < 0:
            raise ValueError("a ballot count is negative")
        if len(grades) != width:
            raise ValueError(f"a graded ballot has {len(grades)} entries for {width} candidates")
        for grade in grades:
            if grade is not None and not (isinstance(grade, int) and 0 <= grade < grade_count):
                raise ValueError(f"grade {grade!r} is not an index of the {grade_count} grades")
