"""Ballot files: Tribune's CSV export, and :func:`read_ballot_file` for any supported file.

CSV format (UTF-8, RFC 4180 quoting, one ballot per line)
--------------------------------------------------------
* The header row is ``ballot`` followed by one column per candidate, holding its name.
  Candidates are numbered by column, ``1..n`` (as PrefLib alternatives are), unless the next
  row is an *id row*: ``#id`` followed by the candidate id the ballot box used for each column
  (as in PrefLib's ``# ALTERNATIVE ID``: the recount then finds the ballot box's fingerprint and
  draws the same lot). Writers add that row whenever the ids are not ``1..n``.
* Each following row is one ballot. The ``ballot`` cell is a label that the count ignores
  (a serial number, or the ballot's tracker hash); the candidate cells hold:

  - for ranked ballots (plurality, approval, IRV, Schulze): the rank given to the candidate,
    a whole number, 1 = first choice; equal numbers rank candidates equal; an empty cell
    leaves the candidate unranked. Only the order of the numbers matters (1,2,2,5 is read as
    1,2,2,3). An approval ballot writes 1 for every approved candidate;
  - for graded ballots (majority judgment): the grade's name, one of ``Excellent``,
    ``Very good``, ``Good``, ``Fair``, ``Poor``, ``Reject`` (case ignored); an empty cell
    leaves the candidate ungraded (counted as Reject).

  A row with every candidate cell empty is a blank ballot. A file holds ranked or graded
  ballots, never both; which one is seen from its first non-empty cell.

Example::

    ballot,Bob Kiss,Andy Montroll,Kurt Wright
    #id,17,12,31
    1,1,2,
    2,,1,1
    3,,,

Writers sort the rows by canonical ballot string, so row order reveals nothing about when a
ballot was cast.

Spreadsheet safety: a name or id starting with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return
or a quote is written with a single quote in front (``=HYPERLINK(…)`` becomes ``'=HYPERLINK(…)``),
and the reader drops one leading quote from the names and ids, so a file round-trips exactly:
the recount reads the names and ids the ballot box used (see ``institutions.csv_safety``). Rank
numbers and grade names never start with those characters.
"""
from __future__ import annotations

import csv
import io
import os

from elections.methods.profile import GRADES, canonical_grades, canonical_ranking, gc_paused
from institutions import csv_safety
from elections.preflib import (
    GRADED_TYPES,
    RANKED_TYPES,
    BallotData,
    MalformedBallotFile,
    _candidate_id,
    _valid_id,
    decode,
    parse_preflib,
)

LABEL = "ballot"
ID_LABEL = "#id"
_GRADE_INDEX = {name.casefold(): index for index, name in enumerate(GRADES)}


def read_ballot_file(path: str | os.PathLike) -> BallotData:
    """Read a PrefLib (``.soi``, ``.toi``, ``.soc``, ``.toc``, ``.cat``) or CSV ballot file.

    The extension decides; without a known one, a file starting with ``#`` is PrefLib,
    anything else CSV. Raises :class:`MalformedBallotFile` (naming the line) or ``OSError``.
    """
    with open(path, "rb") as handle:
        raw = handle.read()
    source = os.fspath(path)
    text = decode(raw, source)
    extension = os.path.splitext(source)[1].lstrip(".").lower()
    if extension in RANKED_TYPES or extension in GRADED_TYPES:
        return parse_preflib(text, source=source, data_type=extension)
    if extension == "csv" or not text.lstrip().startswith("#"):
        return parse_csv(text, source=source)
    return parse_preflib(text, source=source)


def parse_csv(text: str, *, source: str | None = None) -> BallotData:
    """Parse Tribune's CSV ballot format (see the module docstring)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    header_end = text.find("\n")
    header_text = text if header_end < 0 else text[:header_end]
    header = next(csv.reader([header_text]), [])
    if not header or header[0].strip().casefold() != LABEL:
        raise MalformedBallotFile(f"the header must start with the column {LABEL!r}", 1, source)
    names_list = [csv_safety.unescape_cell(name.strip()) for name in header[1:]]
    width = len(names_list)
    candidates = list(range(1, width + 1))
    body = "" if header_end < 0 else text[header_end + 1:]
    first_number = 2
    if body.startswith((ID_LABEL + ",", f'"{ID_LABEL}",')):
        id_end = body.find("\n")
        id_row = next(csv.reader([body if id_end < 0 else body[:id_end]]))
        candidates = [_candidate_id(csv_safety.unescape_cell(cell.strip())) for cell in id_row[1:]]
        if len(candidates) != width or len(set(candidates)) != width or not all(map(_valid_id, candidates)):
            raise MalformedBallotFile(f"the {ID_LABEL} row needs one distinct id per candidate column, "
                                      "without , { } :", 2, source)
        body = "" if id_end < 0 else body[id_end + 1:]
        first_number = 3
    names = {c: names_list[i] or f"Candidate {i + 1}" for i, c in enumerate(candidates)}

    # Ballots repeat: count identical rows (label dropped) first, then read each once.
    first_line: dict[str, int] = {}
    counts: dict[str, int] = {}
    with gc_paused():
        if '"' in body:
            rows = _quoted_rows(body, first_number)
        else:
            rows = ((number, line.partition(",")[2] if "," in line else None)
                    for number, line in enumerate(body.split("\n"), start=first_number) if line.strip())
        for number, cells in rows:
            if cells is None:
                if width:
                    raise MalformedBallotFile(f"expected {width + 1} cells, found 1", number, source)
                cells = ""
            seen = counts.get(cells)
            if seen is None:
                counts[cells] = 1
                first_line[cells] = number
            else:
                counts[cells] = seen + 1

    kind = None
    ranked: dict = {}
    graded: dict = {}
    blank = 0
    for cells_text, count in counts.items():
        number = first_line[cells_text]
        cells = next(csv.reader([cells_text])) if '"' in cells_text else cells_text.split(",")
        if width == 0 and cells == [""]:
            cells = []
        if len(cells) != width:
            raise MalformedBallotFile(f"expected {width + 1} cells, found {len(cells) + 1}", number, source)
        values = [cell.strip() for cell in cells]
        filled = [(c, value) for c, value in zip(candidates, values) if value]
        if not filled:
            blank += count
            continue
        row_kind = "ranked" if filled[0][1].isdecimal() else "graded"
        if kind is None:
            kind = row_kind
        elif row_kind != kind:
            raise MalformedBallotFile(f"a {row_kind} ballot in a file of {kind} ballots", number, source)
        if kind == "ranked":
            key = _ranking_from_cells(filled, number, source)
            ranked[key] = ranked.get(key, 0) + count
        else:
            key = _grades_from_cells(values, number, source)
            graded[key] = graded.get(key, 0) + count
    if kind == "graded":
        return BallotData(kind="graded", candidates=candidates, names=names, profile=graded,
                          blank=blank, grades=list(GRADES))
    return BallotData(kind="ranked", candidates=candidates, names=names, profile=ranked, blank=blank)


def _quoted_rows(body: str, first_number: int):
    """Rows of a CSV body that uses quotes: ``(line number, cells after the label)``."""
    reader = csv.reader(io.StringIO(body, newline=""))
    for row in reader:
        number = reader.line_num + first_number - 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) == 1:
            yield number, None
            continue
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow(row[1:])
        yield number, buffer.getvalue()


def _ranking_from_cells(filled: list, number: int, source) -> tuple:
    by_rank: dict[int, list] = {}
    for candidate, value in filled:
        if not value.isdecimal() or int(value) < 1:
            raise MalformedBallotFile(f"rank {value!r} is not a whole number from 1", number, source)
        by_rank.setdefault(int(value), []).append(candidate)
    return tuple(frozenset(by_rank[rank]) for rank in sorted(by_rank))


def _grades_from_cells(values: list, number: int, source) -> tuple:
    grades = []
    for value in values:
        if not value:
            grades.append(None)
            continue
        grade = _GRADE_INDEX.get(" ".join(value.split()).casefold())
        if grade is None:
            raise MalformedBallotFile(f"{value!r} is not a grade ({', '.join(GRADES)})", number, source)
        grades.append(grade)
    return tuple(grades)


# --- writing ----------------------------------------------------------------------------

def ranked_cells(ranking, candidates: list) -> list[str]:
    """The candidate cells of one ranked ballot (rank numbers, ``""`` when unranked)."""
    rank_of = {}
    for rank, group in enumerate(ranking, start=1):
        for candidate in group:
            rank_of[candidate] = str(rank)
    return [rank_of.get(candidate, "") for candidate in candidates]


def graded_cells(grades, grade_names=GRADES) -> list[str]:
    """The candidate cells of one graded ballot (grade names, ``""`` when ungraded)."""
    return ["" if grade is None else grade_names[grade] for grade in grades]


def _write(rows, candidates, names) -> str:
    buffer = io.StringIO()
    # Names and ids that look like spreadsheet formulas are written with a quote in front; parse_csv drops it.
    writer = csv_safety.writer(buffer, lineterminator="\n")
    names = names or {}
    writer.writerow([LABEL, *(str(names.get(c, c)) for c in candidates)])
    if list(candidates) != list(range(1, len(candidates) + 1)):
        if not all(map(_valid_id, candidates)):
            raise ValueError("candidate ids cannot contain , { } : or line breaks")
        writer.writerow([ID_LABEL, *candidates])
    serial = 0
    for _, cells, count in rows:
        for _ in range(count):
            serial += 1
            writer.writerow([serial, *cells])
    return buffer.getvalue()


def write_csv(profile: dict, candidates: list, names: dict | None = None, *, blank: int = 0) -> str:
    """The CSV text of a ranked profile (one row per ballot, ``blank`` blank rows included)."""
    known = set(candidates)
    rows = []
    for ranking, count in profile.items():
        if any(c not in known for group in ranking for c in group):
            raise ValueError("the profile names a candidate that is not in candidates")
        rows.append((canonical_ranking(ranking), ranked_cells(ranking, candidates), count))
    if blank:
        rows.append(("", [""] * len(candidates), blank))
    rows.sort(key=lambda row: row[0])
    return _write(rows, candidates, names)


def write_graded_csv(profile: dict, candidates: list, names: dict | None = None, *, blank: int = 0) -> str:
    """The CSV text of a grade profile (grade indices of :data:`GRADES`, in candidate order)."""
    rows = [(canonical_grades(grades, candidates), graded_cells(grades), count)
            for grades, count in profile.items()]
    if blank:
        rows.append(("", [""] * len(candidates), blank))
    rows.sort(key=lambda row: row[0])
    return _write(rows, candidates, names)
