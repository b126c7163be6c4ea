"""The elections clock: open voting, close and count what is due, end finished terms, remind of terms ending."""
from __future__ import annotations

from datetime import datetime

from elections import certification, lifecycle
from institutions.models import Brand


def advance(now: datetime, brand: Brand | None = None) -> list[str]:
    """Advance every election (of one brand, or all) whose date has come; say what was done."""
    moved = lifecycle.advance_due(brand, now)
    ended = certification.end_expired_terms(now)
    reminded = certification.remind_terms_ending(now)
    return [f"{len(moved)} elections moved, {ended} terms ended, {reminded} reminders sent"]
