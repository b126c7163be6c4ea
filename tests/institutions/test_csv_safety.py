"""CSV downloads are safe in a spreadsheet: formula-like text gets a quote in front, and reads back exactly."""
from __future__ import annotations

import csv
import io
import pathlib
import re

import pytest

from institutions import csv_safety
from institutions import clock
from mediation.models import CaseState
from tests.mediation.report_fixtures import category, insert_case, mark_published, utc

ROOT = pathlib.Path(__file__).resolve().parents[2]
EVIL = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("value", EVIL)
def test_formula_cells_get_a_quote_and_read_back_exactly(value):
    written = csv_safety.escape_cell(value)
    assert written == "'" + value
    assert csv_safety.unescape_cell(written) == value


@pytest.mark.parametrize("value", ["Alice", "", "1", "Very good", "O'Brien", "a=b", "'quoted", "''", "'=x"])
def test_other_cells_round_trip(value):
    assert csv_safety.unescape_cell(csv_safety.escape_cell(value)) == value
    if not value.startswith("'"):
        assert csv_safety.escape_cell(value) == value  # ordinary text is written as it is


def test_numbers_stay_numbers():
    buffer = io.StringIO()
    csv_safety.writer(buffer, lineterminator="\n").writerows([[-5, 2.5, "-5"]])
    assert buffer.getvalue() == "-5,2.5,'-5\n"


def test_no_csv_download_writes_with_the_raw_csv_writer():
    """One home for CSV writing: every download goes through institutions.csv_safety."""
    offenders = []
    for package in ("elections", "mandates", "mediation", "institutions"):
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            text = path.read_text(encoding="utf-8")
            if relative == "institutions/csv_safety.py":
                continue
            calls = re.findall(r"csv\.(?:writer|DictWriter)\(", text)
            # ballot_files re-serialises the cells of a quoted row it is reading (a key, never a download).
            allowed = 1 if relative == "elections/ballot_files.py" else 0
            if len(calls) > allowed:
                offenders.append(relative)
    assert offenders == []


def test_the_mediation_annual_report_csv_neutralises_a_category_name(make, client):
    clock.freeze(utc("2027-03-01 09:00"))
    brand = make.brand(slug="acme", name="Acme")
    evil = category(brand, "own", "=cmd|' /C calc'!A0")
    insert_case(brand, evil, "2026-01-10", CaseState.SETTLED, "2026-03-11", outcome_favours="consumer")
    mark_published(brand, 2026)  # a draft is the panel's only (R.614-2, issue 10)
    from extensions import db
    db.session.commit()
    download = client.get("/b/acme/mediation/report/2026.csv").get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(download)) for cell in row]
    assert "'=cmd|' /C calc'!A0" in cells
    assert not any(cell.startswith(csv_safety.FORMULA_STARTS) for cell in cells)
