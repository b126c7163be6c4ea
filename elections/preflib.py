"""PrefLib ballot files: read ``.soi``/``.toi`` (and ``.soc``/``.toc``, ``.cat``), write ``.toi``/``.cat``.

Format (PrefLib 2022, https://preflib.org/format): header lines ``# KEY: value`` (``NUMBER
ALTERNATIVES``, ``ALTERNATIVE NAME i``, ``NUMBER VOTERS``, ...), then one line per distinct
ballot, ``count: order``. In an order, alternatives are numbers, best first, separated by
commas; ``{3,4}`` ranks 3 and 4 equal; unlisted alternatives are unranked. In a categorical
``.cat`` file (``NUMBER CATEGORIES``, ``CATEGORY NAME i``) the order lists, for each category
best first, the alternatives placed in it (``{}`` for none): this is how graded
(majority-judgment) ballots are written, one category per grade.

Tribune's extensions (other PrefLib readers ignore header keys they do not know):

* ``# ALTERNATIVE ID i: id`` gives alternative i the candidate id the ballot box used (an int
  when written in digits, else a string). With these lines, the candidates read are those ids,
  so the recount's fingerprint and lot are exactly the ballot box's (both are computed over
  candidate ids). Without them, the candidates are the alternative numbers ``1..n``.
* ``# BLANK BALLOTS: n`` counts blank ballots that are not on any data line. A data line with
  an empty order (``3:``) is also read as that many blank ballots.

Reading returns a :class:`BallotData`: alternatives are the candidate ids ``1..n``. Any
malformed line raises :class:`MalformedBallotFile`, whose message names the line number.
The reader is built for large files: lines of strict orders go through a fast path (a
``str.split`` and one dict lookup per alternative); only lines with ``{`` or anything unusual
take the careful path.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from elections.methods.lot import grade_profile_fingerprint, profile_fingerprint
from elections.methods.profile import GRADES, canonical_group, gc_paused

RANKED_TYPES = ("soc", "soi", "toc", "toi")
GRADED_TYPES = ("cat",)


class MalformedBallotFile(ValueError):
    """A ballot file that cannot be read; ``line`` is the 1-based line number (or None)."""

    def __init__(self, message: str, line: int | None = None, source: str | None = None):
        self.reason = message
        self.line = line
        self.source = source
        where = source or "<ballots>"
        if line is not None:
            where = f"{where}: line {line}"
        super().__init__(f"{where}: {message}")


@dataclass
class BallotData:
    """Ballots read from a file.

    ``kind`` is ``"ranked"`` (``profile`` is a ranked profile ``{ranking: count}``) or
    ``"graded"`` (``profile`` is a grade profile, grades in the order of ``candidates``,
    named by ``grades``). ``candidates`` are the ids ``1..n``; ``names`` maps them to their
    names. ``blank`` counts blank ballots kept out of ``profile``.
    """

    kind: str
    candidates: list
    names: dict
    profile: dict
    blank: int = 0
    grades: list | None = None
    metadata: dict = field(default_factory=dict)

    @property
    def ballots(self) -> int:
        """All ballots, blank ones included."""
        return sum(self.profile.values()) + self.blank

    def fingerprint(self) -> str:
        """The ballot box fingerprint of these ballots (see :mod:`elections.methods.lot`)."""
        if self.kind == "graded":
            return grade_profile_fingerprint(self.profile, self.candidates, self.blank)
        return profile_fingerprint(self.profile, self.blank)


def decode(raw: bytes, source: str | None = None) -> str:
    """UTF-8 text of a ballot file (a BOM is dropped); a bad byte names its line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise MalformedBallotFile("not valid UTF-8 text", line, source) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_preflib(path: str | os.PathLike) -> BallotData:
    """Read a PrefLib file from disk (the data type comes from the header, else the extension)."""
    with open(path, "rb") as handle:
        raw = handle.read()
    source = os.fspath(path)
    extension = os.path.splitext(source)[1].lstrip(".").lower()
    return parse_preflib(decode(raw, source), source=source, data_type=extension or None)


def parse_preflib(text: str, *, source: str | None = None, data_type: str | None = None) -> BallotData:
    """Parse the text of a PrefLib file; ``data_type`` is the fallback when the header has none."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    header = _Header(source)
    start = header.read(lines)
    kind_type = (header.meta.get("DATA TYPE") or data_type or "").strip().lower()
    if kind_type in GRADED_TYPES:
        return _read_categories(lines, start, header, source)
    if kind_type and kind_type not in RANKED_TYPES:
        raise MalformedBallotFile(
            f"unsupported PrefLib data type {kind_type!r} (expected one of soi, toi, soc, toc, cat)",
            header.lines.get("DATA TYPE"), source)
    return _read_orders(lines, start, header, source)


class _Header:
    def __init__(self, source):
        self.source = source
        self.meta: dict[str, str] = {}
        self.lines: dict[str, int] = {}
        self.names: dict[int, str] = {}
        self.ids: dict[int, str] = {}
        self.first_id_line: int | None = None
        self.category_names: dict[int, str] = {}

    def read(self, lines: list[str]) -> int:
        """Read the ``#`` lines; return the index of the first data line."""
        index = 0
        for index, line in enumerate(lines):
            if not line.startswith("#"):
                if line.strip():
                    break
                continue
            key, colon, value = line[1:].partition(":")
            key = " ".join(key.split()).upper()
            if not colon:
                continue  # a plain comment
            value = value.strip()
            number = index + 1
            if key.startswith("ALTERNATIVE ID ") and self.first_id_line is None:
                self.first_id_line = number
            for prefix, target in (("ALTERNATIVE NAME ", self.names), ("ALTERNATIVE ID ", self.ids),
                                   ("CATEGORY NAME ", self.category_names)):
                if key.startswith(prefix):
                    try:
                        position = int(key[len(prefix):])
                    except ValueError:
                        raise MalformedBallotFile(f"bad header key {key!r}", number, self.source) from None
                    if position in target:
                        raise MalformedBallotFile(f"{prefix.strip().lower()} {position} given twice", number, self.source)
                    target[position] = value
                    break
            else:
                self.meta[key] = value
                self.lines[key] = number
        else:
            index = len(lines)
        return index

    def number(self, key: str) -> int | None:
        if key not in self.meta:
            return None
        try:
            value = int(self.meta[key])
        except ValueError:
            raise MalformedBallotFile(f"{key} is not a number: {self.meta[key]!r}", self.lines[key], self.source) from None
        if value < 0:
            raise MalformedBallotFile(f"{key} is negative", self.lines[key], self.source)
        return value

    def alternatives(self) -> tuple[list, dict, dict[int, object]]:
        """``(candidates, names, {alternative number: candidate id})``.

        Candidates are the alternative numbers ``1..n``, or the ids given by Tribune's
        ``# ALTERNATIVE ID i: id`` header lines (ints when they are digits).
        """
        count = self.number("NUMBER ALTERNATIVES")
        if count is None:
            if not self.names:
                raise MalformedBallotFile("missing header line '# NUMBER ALTERNATIVES: n'", 1, self.source)
            count = max(self.names)
        numbers = list(range(1, count + 1))
        for label, given in (("ALTERNATIVE NAME", self.names), ("ALTERNATIVE ID", self.ids)):
            for position in given:
                if not 1 <= position <= count:
                    raise MalformedBallotFile(
                        f"{label} {position} is outside 1..{count}",
                        self.lines.get("NUMBER ALTERNATIVES"), self.source)
        ids = {number: number for number in numbers}
        if self.ids:
            line = self.first_id_line
            if set(self.ids) != set(numbers):
                raise MalformedBallotFile("ALTERNATIVE ID lines must give an id to every alternative", line, self.source)
            ids = {number: _candidate_id(self.ids[number]) for number in numbers}
            if len(set(ids.values())) != count or any(not _valid_id(i) for i in ids.values()):
                raise MalformedBallotFile("ALTERNATIVE ID values must be distinct and contain none of , { } :",
                                          line, self.source)
        names = {ids[n]: self.names.get(n) or f"Alternative {n}" for n in numbers}
        return [ids[n] for n in numbers], names, ids

    def check_totals(self, ballots: int, data_lines: int, unique_key: str) -> None:
        voters = self.number("NUMBER VOTERS")
        if voters is not None and voters != ballots:
            raise MalformedBallotFile(
                f"NUMBER VOTERS is {voters} but the data lines hold {ballots} ballots",
                self.lines["NUMBER VOTERS"], self.source)
        unique = self.number(unique_key)
        if unique is not None and unique != data_lines:
            raise MalformedBallotFile(
                f"{unique_key} is {unique} but there are {data_lines} data lines",
                self.lines[unique_key], self.source)


def _candidate_id(text: str):
    return int(text) if text.isdecimal() else text


def _valid_id(candidate) -> bool:
    text = str(candidate)
    return bool(text) and not any(char in text for char in ",{}:\n\r")


class _Slow(Exception):
    """Leave the fast path for this line."""


def _read_orders(lines: list[str], start: int, header: _Header, source) -> BallotData:
    candidates, names, ids = header.alternatives()
    blank = header.number("BLANK BALLOTS") or 0
    singles = {}
    for number, candidate in ids.items():
        group = frozenset((candidate,))
        singles[str(number)] = group
        singles[" " + str(number)] = group
    data = lines[start:]
    while data and not data[-1].strip():
        data.pop()
    with gc_paused():
        profile = _fast_orders(data, singles)
        if profile is None:
            profile, data_lines = _careful_orders(lines, start, singles, ids, source)
        else:
            data_lines = len(data)
    header.check_totals(sum(profile.values()), data_lines, "NUMBER UNIQUE ORDERS")
    if () in profile:
        blank += profile.pop(())
    return BallotData(kind="ranked", candidates=candidates, names=names, profile=profile,
                      blank=blank, metadata=dict(header.meta))


def _fast_orders(data: list[str], singles: dict) -> dict | None:
    """The profile of well-formed strict-order lines, each order distinct; else None.

    C-level work only (split, dict lookups, tuple building); anything unusual (ties, blanks,
    spaces, repeated orders, an error) returns None and the careful reader takes over.
    """
    lookup = singles.__getitem__
    try:
        parts = [line.partition(":") for line in data]
        profile = {tuple(map(lookup, order.split(","))): int(count) for count, _, order in parts}
    except (KeyError, ValueError):
        return None
    if len(profile) != len(parts) or (profile and min(profile.values()) < 0):
        return None
    if sum(map(len, profile)) != sum(map(len, map(frozenset, profile))):
        return None  # an alternative twice in one order: let the careful reader name the line
    return profile


def _careful_orders(lines: list[str], start: int, singles: dict, ids: dict, source) -> tuple[dict, int]:
    """Line by line, ties and blanks allowed; raises :class:`MalformedBallotFile` on an error."""
    lookup = singles.__getitem__
    profile: dict = {}
    get = profile.get
    data_lines = 0
    for index in range(start, len(lines)):
        line = lines[index]
        count_text, colon, order = line.partition(":")
        try:
            if not colon or "{" in order:
                raise _Slow
            ranking = tuple(map(lookup, order.split(",")))
            ballots = int(count_text)
            if ballots < 0 or len(set(ranking)) != len(ranking):
                raise _Slow
        except (_Slow, KeyError, ValueError):
            if not line.strip():
                continue
            ballots, ranking = _parse_order_line(line, index + 1, singles, ids, source)
        data_lines += 1
        profile[ranking] = get(ranking, 0) + ballots
    return profile, data_lines


def _parse_count(text: str, number: int, source) -> int:
    try:
        count = int(text)
    except ValueError:
        raise MalformedBallotFile(f"the ballot count {text.strip()!r} is not a whole number", number, source) from None
    if count < 0:
        raise MalformedBallotFile("the ballot count is negative", number, source)
    return count


def _split_places(order: str, number: int, source) -> list[list[str]]:
    """Split ``1, {2,3}, 4`` into ``[['1'], ['2', '3'], ['4']]``; ``{}`` gives ``[]``."""
    places: list[list[str]] = []
    text = order.strip()
    position, size = 0, len(text)
    while position < size:
        if text[position] == "{":
            end = text.find("}", position)
            if end < 0:
                raise MalformedBallotFile("'{' without its closing '}'", number, source)
            inner = text[position + 1:end]
            if "{" in inner:
                raise MalformedBallotFile("nested '{'", number, source)
            members = [item.strip() for item in inner.split(",")] if inner.strip() else []
            places.append(members)
            position = end + 1
        else:
            end = text.find(",", position)
            if end < 0:
                end = size
            item = text[position:end].strip()
            if "}" in item or "{" in item:
                raise MalformedBallotFile(f"misplaced brace in {item!r}", number, source)
            places.append([item])
            position = end
        while position < size and text[position] == " ":
            position += 1
        if position < size:
            if text[position] != ",":
                raise MalformedBallotFile(f"expected ',' at column {position + 1} of the order", number, source)
            position += 1
            while position < size and text[position] == " ":
                position += 1
            if position == size:
                raise MalformedBallotFile("the order ends with ','", number, source)
    return places


def _alternative(item: str, count: int, number: int, source) -> int:
    if not item:
        raise MalformedBallotFile("an empty place in the order", number, source)
    try:
        alternative = int(item)
    except ValueError:
        raise MalformedBallotFile(f"{item!r} is not an alternative number", number, source) from None
    if not 1 <= alternative <= count:
        raise MalformedBallotFile(f"alternative {alternative} is not in 1..{count}", number, source)
    return alternative


def _parse_order_line(line: str, number: int, singles: dict, ids: dict, source) -> tuple[int, tuple]:
    if line.startswith("#"):
        raise MalformedBallotFile("a header line after the data lines", number, source)
    count_text, colon, order = line.partition(":")
    if not colon:
        raise MalformedBallotFile("expected 'count: order'", number, source)
    ballots = _parse_count(count_text, number, source)
    groups = []
    seen: set = set()
    for members in _split_places(order, number, source):
        if not members:
            raise MalformedBallotFile("an empty group '{}' in an order", number, source)
        alternatives = [_alternative(item, len(ids), number, source) for item in members]
        group = frozenset(ids[alternative] for alternative in alternatives)
        if len(group) != len(members) or not seen.isdisjoint(group):
            raise MalformedBallotFile("an alternative appears twice in the order", number, source)
        seen |= group
        groups.append(singles[str(alternatives[0])] if len(group) == 1 else group)
    return ballots, tuple(groups)


def _read_categories(lines: list[str], start: int, header: _Header, source) -> BallotData:
    candidates, names, _ = header.alternatives()
    blank = header.number("BLANK BALLOTS") or 0
    categories = header.number("NUMBER CATEGORIES")
    if categories is None:
        if not header.category_names:
            raise MalformedBallotFile("missing header line '# NUMBER CATEGORIES: n'", 1, source)
        categories = max(header.category_names)
    if categories < 1:
        raise MalformedBallotFile("NUMBER CATEGORIES must be at least 1", header.lines.get("NUMBER CATEGORIES"), source)
    grades = [header.category_names.get(i) or f"Category {i}" for i in range(1, categories + 1)]
    width = len(candidates)
    profile: dict = {}
    ballots = data_lines = 0
    for index in range(start, len(lines)):
        line = lines[index]
        if not line.strip():
            continue
        number = index + 1
        if line.startswith("#"):
            raise MalformedBallotFile("a header line after the data lines", number, source)
        count_text, colon, order = line.partition(":")
        if not colon:
            raise MalformedBallotFile("expected 'count: categories'", number, source)
        count = _parse_count(count_text, number, source)
        places = _split_places(order, number, source)
        if len(places) > categories:
            raise MalformedBallotFile(f"{len(places)} categories on a line, the header says {categories}", number, source)
        grades_of = [None] * width
        for grade, members in enumerate(places):
            for item in members:
                alternative = _alternative(item, width, number, source)
                if grades_of[alternative - 1] is not None:
                    raise MalformedBallotFile(f"alternative {alternative} is in two categories", number, source)
                grades_of[alternative - 1] = grade
        key = tuple(grades_of)
        profile[key] = profile.get(key, 0) + count
        ballots += count
        data_lines += 1
    header.check_totals(ballots, data_lines, "NUMBER UNIQUE PREFERENCES")
    empty = (None,) * width
    if empty in profile:
        blank += profile.pop(empty)
    return BallotData(kind="graded", candidates=candidates, names=names, profile=profile,
                      blank=blank, grades=grades, metadata=dict(header.meta))


# --- writing ----------------------------------------------------------------------------

def _clean(text: str) -> str:
    return " ".join(str(text).split())


def _header_lines(*, title: str, data_type: str, candidates: list, names: list[str], voters: int,
                  unique: int, unique_key: str, blank: int, file_name: str, description: str,
                  publication_date: str, extra: list[str] = ()) -> list[str]:
    lines = [
        f"# FILE NAME: {_clean(file_name)}",
        f"# TITLE: {_clean(title)}",
        f"# DESCRIPTION: {_clean(description)}",
        f"# DATA TYPE: {data_type}",
        "# MODIFICATION TYPE: original",
        "# RELATES TO: ",
        "# RELATED FILES: ",
        f"# PUBLICATION DATE: {publication_date}",
        f"# MODIFICATION DATE: {publication_date}",
        f"# NUMBER ALTERNATIVES: {len(names)}",
        f"# NUMBER VOTERS: {voters}",
        f"# {unique_key}: {unique}",
        *extra,
    ]
    lines += [f"# ALTERNATIVE NAME {i}: {_clean(name)}" for i, name in enumerate(names, start=1)]
    if list(candidates) != list(range(1, len(candidates) + 1)):
        for candidate in candidates:
            if not _valid_id(candidate) or str(candidate) != str(candidate).strip():
                raise ValueError(f"candidate id {candidate!r} cannot be written in a PrefLib header")
        lines += [f"# ALTERNATIVE ID {i}: {candidate}" for i, candidate in enumerate(candidates, start=1)]
    if blank:
        lines.append(f"# BLANK BALLOTS: {blank}")
    return lines


def _names_in_order(candidates, names) -> list[str]:
    names = names or {}
    return [str(names.get(candidate, candidate)) for candidate in candidates]


def write_toi(profile: dict, candidates: list, names: dict | None = None, *, blank: int = 0,
              title: str = "", file_name: str = "", description: str = "",
              publication_date: str = "", data_type: str = "toi") -> str:
    """The text of a PrefLib file holding a ranked profile.

    ``candidates`` (in this order) become alternatives ``1..n``, named by ``names``
    (``{candidate: name}``, default ``str(candidate)``); unless they already are ``1..n``,
    ``# ALTERNATIVE ID`` lines keep their ids, so that a recount of the file finds the same
    fingerprint and draws the same lot. Blank ballots, including the empty
    ranking in ``profile``, go to the ``# BLANK BALLOTS`` header line. Data lines are sorted
    by count, most first, then by order. ``data_type`` may be ``"soi"`` when every ranking
    is strict.
    """
    number = {candidate: i for i, candidate in enumerate(candidates, start=1)}
    blank += profile.get((), 0)
    lines_by_order: dict[str, int] = {}
    for ranking, count in profile.items():
        if not ranking or not count:
            continue
        try:
            order = ",".join(canonical_group(number[c] for c in group) for group in ranking)
        except KeyError as error:
            raise ValueError(f"candidate {error.args[0]!r} is not in candidates") from None
        lines_by_order[order] = lines_by_order.get(order, 0) + count
    data = sorted(lines_by_order.items(), key=lambda item: (-item[1], item[0]))
    header = _header_lines(
        title=title, data_type=data_type, candidates=candidates, names=_names_in_order(candidates, names),
        voters=sum(lines_by_order.values()), unique=len(data), unique_key="NUMBER UNIQUE ORDERS",
        blank=blank, file_name=file_name, description=description, publication_date=publication_date)
    return "\n".join(header + [f"{count}: {order}" for order, count in data]) + "\n"


def write_cat(profile: dict, candidates: list, names: dict | None = None, *, blank: int = 0,
              grades: list | tuple = GRADES, title: str = "", file_name: str = "",
              description: str = "", publication_date: str = "") -> str:
    """The text of a PrefLib ``.cat`` file holding a grade profile (one category per grade)."""
    width = len(candidates)
    lines_by_order: dict[str, int] = {}
    for ballot, count in profile.items():
        if not count:
            continue
        if len(ballot) != width:
            raise ValueError(f"a graded ballot has {len(ballot)} entries for {width} candidates")
        if all(grade is None for grade in ballot):
            blank += count
            continue
        places: list[list[int]] = [[] for _ in grades]
        for position, grade in enumerate(ballot, start=1):
            if grade is not None:
                places[grade].append(position)
        order = ",".join("{}" if not members else canonical_group(members) for members in places)
        lines_by_order[order] = lines_by_order.get(order, 0) + count
    data = sorted(lines_by_order.items(), key=lambda item: (-item[1], item[0]))
    extra = [f"# NUMBER CATEGORIES: {len(grades)}"]
    extra += [f"# CATEGORY NAME {i}: {_clean(name)}" for i, name in enumerate(grades, start=1)]
    header = _header_lines(
        title=title, data_type="cat", candidates=candidates, names=_names_in_order(candidates, names),
        voters=sum(lines_by_order.values()), unique=len(data), unique_key="NUMBER UNIQUE PREFERENCES",
        blank=blank, file_name=file_name, description=description, publication_date=publication_date,
        extra=extra)
    return "\n".join(header + [f"{count}: {order}" for order, count in data]) + "\n"
