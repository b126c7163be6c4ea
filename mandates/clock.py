"""The mandates clock: start mandates on their first day, complete them after their last, apply notified endings."""
from __future__ import annotations

from datetime import datetime

from institutions.models import Brand
from mandates import ending


def advance(now: datetime, brand: Brand | None = None) -> list[str]:
    """Advance every mandate (of one brand, or all) whose day has come; say what was done."""
    moved = ending.advance_due(now, brand)
    return [f"{len(moved)} mandates moved"]
