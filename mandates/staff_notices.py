"""Telling a brand's staff that something waits for them (an application, a report, a declaration)."""
from __future__ import annotations

from institutions.brands import staff_of
from institutions.models import Brand
from institutions.notifications import notify


def notify_staff(brand: Brand, kind: str, message: str, link: str | None = None) -> int:
    """Notify every staff member of the brand; returns how many were told."""
    told = 0
    for role in staff_of(brand):
        if role.user is not None and role.user.deleted_at is None:
            notify(role.user, kind, message, link=link, brand=brand)
            told += 1
    return told
