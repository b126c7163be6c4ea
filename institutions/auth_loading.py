"""How a request finds its user: the session cookie for pages, a bearer token for the API."""
from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l

from extensions import db, login_manager
from institutions.accounts import user_for_api_token
from institutions.models import User

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.session_protection = "basic"


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


@login_manager.user_loader
def load_user_from_session(user_id: str):
    """Pages: the account in the signed session cookie (never for the API, which ignores cookies)."""
    if _is_api_request() or not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.deleted_at is None else None


@login_manager.request_loader
def load_user_from_token(req):
    """API: `Authorization: Bearer <token>` with a personal API token."""
    if not _is_api_request():
        return None
    header = req.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    user = user_for_api_token(secret.strip())
    if user is not None and db.session.dirty:
        db.session.commit()  # keep last_used_at; nothing else is pending this early
    return user
