"""Which language and time zone a page is shown in."""
from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_login import current_user

LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    """The person's chosen language, else the session's, else the browser's best match."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and background work speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    chosen = session.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """The person's time zone (UTC until they choose one)."""
    if has_request_context() and getattr(current_user, "is_authenticated", False) and current_user.timezone:
        return current_user.timezone
    return "UTC"
