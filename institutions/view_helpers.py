"""Small glue every HTML view uses: showing a refusal next to the field it concerns."""
from __future__ import annotations

from typing import Callable, TypeVar
from urllib.parse import urlsplit

from flask import flash, redirect
from flask_wtf import FlaskForm

from extensions import db
from institutions.errors import DomainError

T = TypeVar("T")


def show_refusal(error: DomainError, form: FlaskForm | None = None) -> None:
    """Put the refusal on the form field it names, or in a flash message when none fits."""
    placed = False
    if form is not None:
        for name, message in error.fields.items():
            field = getattr(form, name, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = list(field.errors) + [line for line in message.split("\n") if line]
                placed = True
    if not placed:
        flash(error.message, "error")
    elif error.message not in error.fields.values():
        flash(error.message, "error")


def safe_next(target: str | None, default: str) -> str:
    """Follow ?next= only to a path on this site (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return default


def commit_or_refuse(act: Callable[[], T], form: FlaskForm | None = None) -> tuple[bool, T | None]:
    """Run a service act and commit; on a refusal roll back, show why, and return (False, None)."""
    try:
        value = act()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        show_refusal(error, form)
        return False, None
    return True, value


def act_and_redirect(form: FlaskForm, act: Callable[[], object], *, done: str | None, to: str | Callable[[object], str],
                     refused_to: str | None = None):
    """The one shape of an HTML action: validate the form, run the service, commit, flash, redirect.

    `to` is the address to follow on success (or a function of what the act returned). When the form does not
    validate or the service refuses (the refusal shown on the form or flashed), it redirects to `refused_to`
    if given, and otherwise returns None so the view shows the page again with the form's errors.
    """
    if form.validate_on_submit():
        ok, value = commit_or_refuse(act, form)
        if ok:
            if done:
                flash(done, "success")
            return redirect(to(value) if callable(to) else to)
    elif refused_to is not None:
        # No page to show the form again on: its errors travel as flash messages.
        for messages in form.errors.values():
            for message in messages if isinstance(messages, list) else [messages]:
                flash(str(message), "error")
    return redirect(refused_to) if refused_to is not None else None
