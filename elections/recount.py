"""Recount an election from its published ballots.

    python -m elections.recount FILE --method {plurality,approval,irv,schulze,majority-judgment}
                                     [--json] [--seed HEX] [--fingerprint]

FILE is a PrefLib file (``.soi``, ``.toi``, ``.soc``, ``.toc``; ``.cat`` for graded ballots)
or Tribune's CSV export (see :mod:`elections.ballot_files`). The result is printed as tables,
or with ``--json`` as one JSON object whose candidates are named as in the file: ``method``,
``winner`` (a name, or null), ``winners``, ``ballots`` (counted, non-blank), ``blank``,
``tie_broken_by_lot``, ``seed``, and the method's detail (``counts``; ``rounds`` for IRV;
``pairwise`` and ``strongest_paths`` for Schulze; ``profiles`` and ``medians`` for majority
judgment). ``--fingerprint`` adds ``fingerprint``, the SHA-256 of the file's ballots, to
compare with the one on the election's certificate.

Ties are broken by the lot (see :mod:`elections.methods.lot`) seeded with ``--seed``, by
default the fingerprint of the file's ballots. A file that cannot be read exits with status 2
and a message naming the line.

Only the standard library and :mod:`elections.methods` are imported: no Flask, no database.
"""
from __future__ import annotations

import argparse
import gc
import json
import sys

from elections.ballot_files import read_ballot_file
from elections.methods import GRADED_METHODS, RANKED_METHODS
from elections.preflib import BallotData, MalformedBallotFile

METHOD_NAMES = {
    "plurality": "plurality",
    "approval": "approval",
    "irv": "instant-runoff",
    "instant-runoff": "instant-runoff",
    "schulze": "schulze",
    "majority-judgment": "majority-judgment",
    "mj": "majority-judgment",
}
EXIT_BAD_INPUT = 2


def unique_names(data: BallotData) -> dict:
    """``{candidate: name}``, with ``" (#i)"`` appended to names that several candidates share."""
    seen: dict[str, int] = {}
    for candidate in data.candidates:
        name = data.names.get(candidate, str(candidate))
        seen[name] = seen.get(name, 0) + 1
    return {
        candidate: (name if seen[name] == 1 else f"{name} (#{candidate})")
        for candidate, name in ((c, data.names.get(c, str(c))) for c in data.candidates)
    }


def count(data: BallotData, method: str, seed: str | None = None):
    """Tally ``data`` with ``method`` (a key of :data:`METHOD_NAMES`); ``ValueError`` if unfit."""
    name = METHOD_NAMES[method]
    if name in GRADED_METHODS:
        if data.kind != "graded":
            raise ValueError("majority judgment needs graded ballots (a .cat file, or a CSV of grades)")
        return GRADED_METHODS[name](data.profile, data.candidates, blank=data.blank, seed=seed,
                                    **({"grades": data.grades} if data.grades else {}))
    if data.kind != "ranked":
        raise ValueError(f"{name} needs ranked ballots; this file holds graded ballots "
                         "(use --method majority-judgment)")
    return RANKED_METHODS[name](data.profile, data.candidates, blank=data.blank, seed=seed)


def main(argv: list[str] | None = None) -> int:
    # A short-lived process building ~10^5 small tuples: the cyclic collector only costs time.
    gc.disable()
    parser = argparse.ArgumentParser(
        prog="python -m elections.recount",
        description="Recount an election from a PrefLib or CSV ballot file.")
    parser.add_argument("file", help="a .soi/.toi/.soc/.toc/.cat PrefLib file or a Tribune CSV export")
    parser.add_argument("--method", required=True, choices=sorted(METHOD_NAMES),
                        metavar="{plurality,approval,irv,schulze,majority-judgment}")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--seed", metavar="HEX",
                        help="seed of the lot for ties (default: the fingerprint of the file's ballots)")
    parser.add_argument("--fingerprint", action="store_true",
                        help="also print the SHA-256 fingerprint of the file's ballots")
    options = parser.parse_args(argv)

    try:
        data = read_ballot_file(options.file)
    except MalformedBallotFile as error:
        print(f"recount: malformed ballot file: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:
        print(f"recount: cannot read {options.file}: {error.strerror or error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        result = count(data, options.method, options.seed)
    except ValueError as error:
        print(f"recount: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT

    names = unique_names(data)
    fingerprint = data.fingerprint() if options.fingerprint or not options.json else None
    if options.json:
        output = result.to_dict(names)
        output["file"] = options.file
        if fingerprint:
            output["fingerprint"] = fingerprint
        sys.stdout.write(json.dumps(output, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render(result, names, options.file, fingerprint))
    return 0


# --- human-readable output --------------------------------------------------------------

def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def _table(header: list[str], rows: list[list], align: str = "") -> list[str]:
    cells = [[str(cell) for cell in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for index, row in enumerate(cells):
        parts = [cell.ljust(widths[i]) if (align[i:i + 1] or "l") == "l" else cell.rjust(widths[i])
                 for i, cell in enumerate(row)]
        lines.append("  " + "  ".join(parts).rstrip())
        if index == 0:
            lines.append("  " + "  ".join("-" * width for width in widths))
    return lines


def render(result, names: dict, path: str, fingerprint: str | None) -> str:
    """The result as text tables."""
    name = lambda candidate: names.get(candidate, str(candidate))  # noqa: E731
    lines = [
        f"Recount of {path}",
        f"Method: {result.method}",
        f"Ballots counted: {result.ballots:,}   blank: {result.blank:,}",
    ]
    if fingerprint:
        lines.append(f"Fingerprint: {fingerprint}")
    lines.append("")
    method = result.method
    if method in ("plurality", "approval"):
        label = "votes" if method == "plurality" else "approvals"
        order = sorted(result.candidates, key=lambda c: -result.counts[c])
        lines += _table(["candidate", label, "share"],
                        [[name(c), f"{result.counts[c]:,}", _percent(result.counts[c], result.ballots)]
                         for c in order], "lrr")
        if result.overvotes:
            lines.append(f"  ({result.overvotes:,} ballots rank several candidates first and count for no one)")
        lines.append("")
    elif method == "instant-runoff":
        for number, round_ in enumerate(result.rounds, start=1):
            base = round_.continuing_votes
            lines.append(f"Round {number}")
            order = sorted(round_.counts, key=lambda c: -round_.counts[c])
            lines += _table(["candidate", "votes", "share"],
                            [[name(c), f"{round_.counts[c]:,}", _percent(round_.counts[c], base)] for c in order],
                            "lrr")
            lines.append(f"  overvotes: {round_.overvotes:,}   exhausted: {round_.exhausted:,}")
            if round_.eliminated is not None:
                how = ""
                if round_.tie_break:
                    tied = ", ".join(name(c) for c in round_.tied_for_last)
                    how = f" (tied for last with {tied}; broken by {round_.tie_break})"
                lines.append(f"  eliminated: {name(round_.eliminated)}{how}")
                moves = [f"{name(c)} +{n:,}" for c, n in sorted(round_.transfers.items(), key=lambda item: -item[1])]
                if round_.transfers_exhausted:
                    moves.append(f"exhausted +{round_.transfers_exhausted:,}")
                if round_.transfers_overvotes:
                    moves.append(f"overvotes +{round_.transfers_overvotes:,}")
                if moves:
                    lines.append(f"  transfers: {', '.join(moves)}")
            lines.append("")
    elif method == "schulze":
        labels = {c: f"[{i}]" for i, c in enumerate(result.candidates, start=1)}
        for title, matrix in (("Pairwise preferences d[row, column]: ballots ranking row above column",
                               result.pairwise),
                              ("Strongest paths p[row, column]", result.strongest_paths)):
            lines.append(title)
            rows = [[f"{labels[x]} {name(x)}", *("-" if x == y else f"{matrix[x][y]:,}" for y in result.candidates)]
                    for x in result.candidates]
            lines += _table(["", *(labels[c] for c in result.candidates)], rows, "l" + "r" * len(result.candidates))
            lines.append("")
    elif method == "majority-judgment":
        grades = result.grades
        rows = [[name(c), "-" if result.medians[c] is None else grades[result.medians[c]],
                 *(f"{n:,}" for n in result.profiles[c])] for c in result.ranking]
        lines += _table(["candidate", "median", *grades], rows, "ll" + "r" * len(grades))
        lines.append("")
    if result.winner is None:
        lines.append("Winner: none (no ballot supports any candidate)")
    else:
        lines.append(f"Winner: {name(result.winner)}")
        if result.tie_broken_by_lot:
            tied = ", ".join(name(c) for c in result.winners)
            lines.append(f"  chosen by lot among {tied} (seed {result.seed})")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
