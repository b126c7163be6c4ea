"""Digest e-mails: the notices of kinds a person set to "daily" or "weekly", sent together, each notice once.

`notify` marks such a notice `digest="daily"` (or weekly) instead of e-mailing it. The job queue runs
`send_digests` every hour; a person's daily digest takes what waited before the last 07:00 of *their* time zone
(weekly: the last Monday 07:00), so a reader in Paris and one in Montréal both get theirs at breakfast, and a worker
that was down at 07:00 sends it at its next run instead of skipping a day. A digest claims its notices with one
conditional UPDATE (`… WHERE digested_at IS NULL … RETURNING id`) and queues its e-mail in the same commit: two
workers running at once cannot both take a notice, and a failure before the commit leaves the notices waiting.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select, update

from extensions import db
from institutions import notice_mail
from institutions.clock import utcnow
from institutions.messages import Message, Moment, loads, reader_timezone
from institutions.models import Brand, Notification, OutboxMessage, User
from institutions.notifications import DIGESTS, KINDS, NEVER, WEEKLY, frequency

DEFAULT_LOCAL_HOUR = 7  # digests leave at 07:00 in each reader's own time zone (setting DIGEST_LOCAL_HOUR)
MONDAY = 0


@dataclass
class DigestItem:
    """One notice in a digest: its message (rendered for the reader later), link, and nearest open deadline."""

    notification: Notification
    message: Message | str
    deadline: datetime | None


@dataclass
class DigestGroup:
    """The notices of one brand (or of the platform itself when brand is None), in the order the digest shows."""

    brand: Brand | None
    items: list[DigestItem] = field(default_factory=list)

    @property
    def nearest(self) -> datetime | None:
        """The group's nearest deadline still to come (groups are ordered by it)."""
        return min((item.deadline for item in self.items if item.deadline), default=None)


def local_hour(config) -> int:
    """The reader's local hour at which digests leave (0–23)."""
    try:
        hour = int(config.get("DIGEST_LOCAL_HOUR", DEFAULT_LOCAL_HOUR))
    except (TypeError, ValueError):
        return DEFAULT_LOCAL_HOUR
    return hour if 0 <= hour <= 23 else DEFAULT_LOCAL_HOUR


def cutoff(how: str, user: User, now: datetime, hour: int = DEFAULT_LOCAL_HOUR) -> datetime:
    """The last moment the reader's digest left: today's (or the last Monday's) `hour` in their zone, not after now."""
    tz = reader_timezone(user)
    local = now.astimezone(tz)
    moment = datetime.combine(local.date(), time(hour), tzinfo=tz)
    if moment > local:
        moment -= timedelta(days=1)
    if how == WEEKLY:
        moment -= timedelta(days=(moment.weekday() - MONDAY) % 7)
    return moment


def _deadlines(value) -> list[datetime]:
    """Every deadline parameter in a message, nested messages included."""
    if isinstance(value, Moment):
        return [value.at] if value.deadline else []
    if isinstance(value, Message):
        return [at for param in value.params.values() for at in _deadlines(param)]
    return []


def _item(notification: Notification, now: datetime) -> DigestItem:
    """A stored notice as a digest item; its deadline counts only while still to come."""
    msg = loads(notification.message_key, notification.params_json) if notification.message_key else notification.message
    upcoming = [at for at in _deadlines(msg) if at > now]
    return DigestItem(notification, msg, min(upcoming) if upcoming else None)


def arrange(notifications: list[Notification], now: datetime) -> list[DigestGroup]:
    """Group by brand; in each, upcoming deadlines first (nearest first), then the rest by time; groups by their
    nearest deadline, those without one after, by brand name."""
    groups: dict[int | None, DigestGroup] = {}
    for notification in notifications:
        brand = db.session.get(Brand, notification.brand_id) if notification.brand_id else None
        groups.setdefault(notification.brand_id, DigestGroup(brand)).items.append(_item(notification, now))
    for group in groups.values():
        group.items.sort(key=lambda item: (item.deadline is None, item.deadline or item.notification.created_at,
                                           item.notification.created_at, item.notification.id))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(groups.values(), key=lambda g: (g.nearest is None, g.nearest or far,
                                                  (g.brand.name.lower() if g.brand else "")))


def _claim(user: User, how: str, before: datetime, now: datetime) -> list[int]:
    """Take this person's waiting notices of this digest from before `before`; only one worker gets each."""
    statement = (update(Notification)
                 .where(Notification.user_id == user.id, Notification.digest == how,
                        Notification.digested_at.is_(None), Notification.created_at < before)
                 .values(digested_at=now).returning(Notification.id)
                 .execution_options(synchronize_session=False))
    return sorted(db.session.scalars(statement).all())


def send_digest(user: User, how: str, now: datetime, hour: int = DEFAULT_LOCAL_HOUR) -> OutboxMessage | None:
    """Claim and queue one person's digest (uncommitted); None when nothing is due or they chose never since."""
    ids = _claim(user, how, cutoff(how, user, now, hour), now)
    if not ids:
        return None
    notices = db.session.scalars(select(Notification).where(Notification.id.in_(ids))
                                 .execution_options(populate_existing=True)).all()
    # A kind switched to "never" since the notice was written is not mailed (claimed all the same: it is done).
    wanted = [n for n in notices if n.kind in KINDS and frequency(user, n.kind) != NEVER]
    if user.deleted_at is not None or not wanted:
        return None
    mail = notice_mail.compose_digest(user, how, arrange(wanted, now),
                                      [KINDS[key] for key in sorted({n.kind for n in wanted})], now)
    outbox = OutboxMessage(user_id=user.id, to_address=user.email, subject=mail["subject"], body=mail["body"],
                           html_body=mail["html_body"], list_unsubscribe=mail["list_unsubscribe"],
                           kind="digest", mandatory=False, created_at=now)
    db.session.add(outbox)
    db.session.flush()
    return outbox


def waiting_readers() -> list[int]:
    """Who has notices waiting for a digest (read through the partial index)."""
    return db.session.scalars(select(Notification.user_id).where(
        Notification.digest.is_not(None), Notification.digested_at.is_(None)).distinct()
        .order_by(Notification.user_id)).all()


def send_due(now: datetime | None = None) -> int:
    """Every reader's due digests, each claimed and queued in its own commit; returns how many were queued."""
    now = now or utcnow()
    hour = local_hour(current_app.config)
    queued = 0
    for user_id in waiting_readers():
        user = db.session.get(User, user_id)
        for how in DIGESTS:
            try:
                if send_digest(user, how, now, hour) is not None:
                    queued += 1
                db.session.commit()
            except Exception:
                db.session.rollback()  # this reader's notices stay waiting; the next run tries again
                current_app.logger.exception("digest %s for user %s failed", how, user_id)
    return queued

