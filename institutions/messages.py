"""Messages stored as a key and parameters, rendered in the reader's language and time zone when read.

A notice written today is read tomorrow, perhaps after its reader switched to French or moved to another time
zone: so the database keeps the English msgid and typed parameters (JSON), never a sentence already translated
in the actor's language, and `render` turns them into text for one reader at the moment they read it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime, format_timedelta
from flask import current_app
from flask_babel import force_locale, get_locale, gettext
from flask_babel.speaklater import LazyString

from institutions.clock import utcnow

# Below three of a unit, Babel says it in the next smaller one: "in 14 days", not "in 2 weeks"; "in 40 hours".
TIME_LEFT_THRESHOLD = 3


@dataclass(frozen=True)
class Message:
    """A message to show later: its English msgid and its parameters (plain values or typed ones below)."""

    msgid: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        """The message in the current language and UTC (what code that only wants text gets)."""
        return render_here(self, "UTC")


@dataclass(frozen=True)
class Moment:
    """A point in time: a deadline ("by 17 December at 07:48 (in 14 days)") or an event ("on 17 December at …")."""

    at: datetime
    deadline: bool = True


@dataclass(frozen=True)
class Day:
    """A calendar date without a time (a mandate's end date): the same day in every time zone."""

    on: date


def message(msgid: str, **params) -> Message:
    """A message to store; babel extraction finds `msgid` (the Makefile and babel.cfg know the keyword)."""
    return Message(msgid, {name: _param(value) for name, value in params.items()})


def joined(*parts) -> Message:
    """Several messages read one after the other, separated by a space (each translated for the reader)."""
    names = {f"p{i}": _param(part) for i, part in enumerate(parts)}
    return Message(" ".join(f"%({name})s" for name in names), names)


def deadline(at: datetime) -> Moment:
    """A deadline parameter: "by <date> at <time> (in <time left>)" in the reader's time zone."""
    return Moment(_aware(at), deadline=True)


def moment(at: datetime) -> Moment:
    """A moment parameter: "<date> at <time> (in <time left>)" in the reader's time zone."""
    return Moment(_aware(at), deadline=False)


def day(on: date) -> Day:
    """A calendar-date parameter, written in the reader's language."""
    return Day(on.date() if isinstance(on, datetime) else on)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)


def _param(value):
    """Keep what can be stored: plain values, typed moments, nested messages; lazy labels become messages."""
    if isinstance(value, (Message, Moment, Day)) or value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, LazyString) and len(value._args) == 1:
        # A lazy label (_l("…")) is stored by its msgid, so it is translated for the reader, not the actor.
        return Message(str(value._args[0]), {k: _param(v) for k, v in value._kwargs.items()})
    if isinstance(value, datetime):
        return Moment(_aware(value), deadline=False)
    if isinstance(value, date):
        return Day(value)
    return str(value)  # a name of a thing, an enum's text...: stored as written


# --- JSON ------------------------------------------------------------------------------------------------------------

def _encode(value):
    if isinstance(value, Message):
        return {"$": "message", "msgid": value.msgid, "params": {k: _encode(v) for k, v in value.params.items()}}
    if isinstance(value, Moment):
        return {"$": "deadline" if value.deadline else "moment", "at": value.at.astimezone(timezone.utc).isoformat()}
    if isinstance(value, Day):
        return {"$": "day", "on": value.on.isoformat()}
    return value


def _decode(value):
    if isinstance(value, dict):
        tag = value.get("$")
        if tag == "message":
            return Message(value["msgid"], {k: _decode(v) for k, v in value.get("params", {}).items()})
        if tag in ("deadline", "moment"):
            return Moment(datetime.fromisoformat(value["at"]), deadline=tag == "deadline")
        if tag == "day":
            return Day(date.fromisoformat(value["on"]))
    return value


def dumps(msg: Message) -> str:
    """The parameters as JSON, for Notification.params_json."""
    return json.dumps({k: _encode(v) for k, v in msg.params.items()}, ensure_ascii=False, sort_keys=True)


def loads(msgid: str, params_json: str | None) -> Message:
    """The stored message back from its key and JSON parameters."""
    params = json.loads(params_json) if params_json else {}
    return Message(msgid, {k: _decode(v) for k, v in params.items()})


# --- rendering -------------------------------------------------------------------------------------------------------

def reader_locale(user) -> str:
    """The reader's language if the platform speaks it, else the default one."""
    languages = current_app.config["LANGUAGES"]
    chosen = getattr(user, "locale", None)
    return chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def reader_timezone(user) -> ZoneInfo:
    """The reader's time zone (UTC when unset or unknown)."""
    try:
        return ZoneInfo(getattr(user, "timezone", None) or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def render(msg: Message | str, user, now: datetime | None = None) -> str:
    """The message for this reader: in their language, moments in their time zone, time left from `now`."""
    if not isinstance(msg, Message):
        return str(msg)
    with force_locale(reader_locale(user)):
        return render_here(msg, reader_timezone(user), now)


def render_here(msg: Message, tz, now: datetime | None = None) -> str:
    """The message in the current (possibly forced) locale, in time zone `tz`."""
    tz = ZoneInfo(tz) if isinstance(tz, str) else tz
    now = now or utcnow()
    values = {name: _render_value(value, tz, now) for name, value in msg.params.items()}
    return gettext(msg.msgid, **values)


def _render_value(value, tz, now: datetime):
    if isinstance(value, Message):
        return render_here(value, tz, now)
    if isinstance(value, Moment):
        return _render_moment(value, tz, now)
    if isinstance(value, Day):
        return format_datetime(datetime.combine(value.on, datetime.min.time()), gettext("d MMMM y"),
                               locale=get_locale())
    return value


def _render_moment(value: Moment, tz, now: datetime) -> str:
    """"by 17 December at 07:48 (in 14 days)": Babel formats the date, time and time left in the reader's locale."""
    locale = get_locale()
    local = value.at.astimezone(tz)
    # The year only when it is not the reader's current year; the patterns are CLDR patterns the catalog may adapt.
    pattern = gettext("d MMMM") if local.year == now.astimezone(tz).year else gettext("d MMMM y")
    left = format_timedelta(value.at - now, threshold=TIME_LEFT_THRESHOLD, add_direction=True, locale=locale)
    parts = {"date": format_datetime(local, pattern, tzinfo=tz, locale=locale),
             "time": format_datetime(local, gettext("HH:mm"), tzinfo=tz, locale=locale),
             "left": left}
    if value.deadline:
        return gettext("by %(date)s at %(time)s (%(left)s)", **parts)
    return gettext("%(date)s at %(time)s (%(left)s)", **parts)
