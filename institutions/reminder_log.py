"""Reminders sent at most once: a row (topic, person) is inserted before the notice, and only new rows are told.

A topic names the reminder and its moment ("election:12:certify:48h", "holding:3:term_end:30d"). The insert is
INSERT … ON CONFLICT DO NOTHING RETURNING, so two clocks running the same minute (two workers, a page view and the
schedule) never remind anyone twice: the second insert returns nobody.
"""
from __future__ import annotations

from sqlalchemy import select

from extensions import db
from institutions.clock import utcnow
from institutions.models import SentReminder, User

BATCH = 500  # rows per statement: a large list of people is recorded in a few round trips


def insert_new(model, rows: list[dict], returning):
    """INSERT … ON CONFLICT DO NOTHING RETURNING `returning`: the rows another clock already wrote come back as
    nobody (PostgreSQL and SQLite both speak it, through their own dialect's insert)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return list(db.session.scalars(insert(model).values(rows).on_conflict_do_nothing().returning(returning)))


def claim(topic: str, user_ids) -> list[int]:
    """Record the reminder for these people; returns those for whom it is new (only they are to be told)."""
    ids = sorted(set(user_ids))
    now = utcnow()
    new: list[int] = []
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        new.extend(insert_new(SentReminder, [{"topic": topic, "user_id": user_id, "sent_at": now}
                                             for user_id in chunk], SentReminder.user_id))
    return sorted(new)


def remind_once(topic: str, users, send) -> int:
    """Call `send(user)` for each person (existing accounts only) who has not had this reminder; returns how many."""
    living = {user.id: user for user in users if user is not None and user.deleted_at is None}
    new = claim(topic, living) if living else []
    for user_id in new:
        send(living[user_id])
    return len(new)


def already_sent(topic: str) -> set[int]:
    """Who had this reminder (for tests and the staff's view of what went)."""
    return set(db.session.scalars(select(SentReminder.user_id).where(SentReminder.topic == topic)))


def users_by_id(ids) -> list[User]:
    """The accounts of these ids, in id order."""
    return db.session.scalars(select(User).where(User.id.in_(list(ids))).order_by(User.id)).all() if ids else []
