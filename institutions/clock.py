"""The clock seam: every service reads the time here, so tests move it instead of sleeping."""
from __future__ import annotations

from datetime import datetime, timezone

_frozen: datetime | None = None


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (or the time a test has set)."""
    return _frozen if _frozen is not None else datetime.now(timezone.utc)


def freeze(moment: datetime | None) -> None:
    """Set (or with None, release) the time every service sees; for tests and demos."""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _frozen = moment
