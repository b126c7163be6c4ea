"""The mandates clock: start mandates on their first day, complete them after their last, apply notified endings.

The schedule runs it (`flask advance`), and the mandates route guards (mandates/access.py) run it for
the brand before a mandate page or API route, so a page never shows a mandate past its dates.
"""
from __future__ import annotations

from datetime import datetime

from institutions.models import Brand, User
from mandates import ending
from mandates.models import Mandate


def advance_mandates(now: datetime, brand: Brand | None = None, ambassador: User | None = None) -> list[Mandate]:
    """The mandates (of one brand or ambassador, or all) moved because their day has come; the caller commits."""
    return ending.advance_due(now, brand, ambassador)


def advance(now: datetime, brand: Brand | None = None) -> list[str]:
    """Advance every mandate (of one brand, or all) whose day has come; say what was done."""
    return [f"{len(advance_mandates(now, brand))} mandates moved"]
