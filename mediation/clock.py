"""The mediation clock: close cases whose deadlines passed, expire proposals, remind of what is near."""
from __future__ import annotations

from datetime import datetime

from institutions.models import Brand
from mediation import deadlines

REMINDER_DAYS = 3


def advance(now: datetime, brand: Brand | None = None, within_days: int = REMINDER_DAYS) -> list[str]:
    """Move what fell due and remind of the deadlines within `within_days` days; say what was done."""
    moved = deadlines.advance_due(now)
    sent = deadlines.send_reminders(within_days, now)
    return [f"{len(moved)} cases moved, {sent} reminders sent"]
