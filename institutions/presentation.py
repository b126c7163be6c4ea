"""What templates may call: permission questions and the way dates and deadlines are shown."""
from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import format_date, format_datetime, format_timedelta, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from institutions import audit, charter
from institutions.clock import utcnow


def show_datetime(moment: datetime | None, fmt: str = "medium") -> str:
    """A UTC timestamp in the reader's language and time zone."""
    return format_datetime(moment, fmt) if moment else ""


def show_date(moment: datetime | None, fmt: str = "medium") -> str:
    """The day of a UTC timestamp, in the reader's language and time zone."""
    return format_date(moment, fmt) if moment else ""


def time_left(deadline: datetime | None) -> str:
    """"in 3 days" or "2 days late", in the reader's language."""
    if deadline is None:
        return ""
    delta = deadline - utcnow()
    if delta.total_seconds() >= 0:
        return _("in %(span)s", span=format_timedelta(delta, threshold=1.0))
    return _("%(span)s late", span=format_timedelta(-delta, threshold=1.0))


def unread_notifications() -> int:
    """The count shown beside "Notifications" in the navigation."""
    from sqlalchemy.exc import SQLAlchemyError

    from institutions.notifications import unread_count

    if not getattr(current_user, "is_authenticated", False):
        return 0
    try:
        return unread_count(current_user)
    except SQLAlchemyError:
        # The error page must still render when the database is what failed.
        return 0


def current_locale() -> str:
    """The language code of the page being rendered (for <html lang>)."""
    locale = get_locale()
    return locale.language if locale else "en"


def country_name(code: str | None) -> str:
    """A country's name in the reader's language from its ISO code ("BE" -> "Belgium"); the code if unknown."""
    code = (code or "").upper()
    locale = get_locale()
    names = locale.territories if locale else {}
    return names.get(code, code)


def register_template_helpers(app: Flask) -> None:
    """Expose the formatters to every template (permissions come from the feature manifests)."""
    app.jinja_env.globals.update(
        current_locale=current_locale,
        show_datetime=show_datetime,
        show_date=show_date,
        time_left=time_left,
        unread_notifications=unread_notifications,
        office_title=charter.office_title,
        holding_source=charter.holding_source_label,
        office_text=charter.office_text,
        office_field_labels=charter.FIELD_LABELS,
        office_text_fields=charter.TEXT_FIELDS,
        now=utcnow,
        country_name=country_name,
        audit_chain_head=audit.chain_head,
    )
