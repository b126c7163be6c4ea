"""CSV files that are safe to open in a spreadsheet: the one helper every CSV download of the app writes with.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and some treat a
leading tab or carriage return the same way), so a candidate named ``=HYPERLINK(…)`` or a category
``=cmd|…`` in a downloaded file would act on the reader's machine. Such a text cell is written with a
single quote in front, which spreadsheets show as text.

The escape is reversible, so files can be read back exactly (the recount tool does): a text cell that
starts with a quote gets one more quote as well, and :func:`unescape_cell` drops exactly one leading quote
from any cell that has one. ``=SUM(A1)`` is written ``'=SUM(A1)`` and read back ``=SUM(A1)``; ``'quoted`` is
written ``''quoted`` and read back ``'quoted``. Only text is escaped: numbers (ints, floats) are written
as they are, so a negative number stays a number.

Standard library only: the recount tool (``python -m elections.recount``) imports it.
"""
from __future__ import annotations

import csv
from typing import Any, Iterable

# What makes a spreadsheet read a cell as a formula (OWASP's list), and the escape's own mark.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def escape_cell(value: Any) -> Any:
    """A cell as written: text starting with a formula character (or a quote) gets a quote in front."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS + (QUOTE,)):
        return QUOTE + value
    return value


def unescape_cell(text: str) -> str:
    """A cell as read back from a file written by this module: one leading quote removed."""
    return text[1:] if text.startswith(QUOTE) else text


def escape_row(row: Iterable[Any]) -> list[Any]:
    """Every cell of a row escaped."""
    return [escape_cell(value) for value in row]


class SafeWriter:
    """``csv.writer`` whose every row is escaped (same ``writerow``/``writerows``)."""

    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]):
        """Write one escaped row."""
        return self._writer.writerow(escape_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write every row, escaped."""
        for row in rows:
            self.writerow(row)


def writer(stream, **options) -> SafeWriter:
    """The CSV writer for every download: like ``csv.writer(stream, **options)``, escaping formulas."""
    return SafeWriter(stream, **options)
