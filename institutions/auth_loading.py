"""How a request finds its user: the session cookie for pages, a bearer token for the API."""
from __future__ import annotations

import re

from flask import after_this_request, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import event

from extensions import db, login_manager
from institutions.accounts import API_TOKEN_USE_KEY, user_for_api_token, write_api_token_use
from institutions.models import User


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


# What User.get_id() writes into the session and the remember-me cookie: "<account id>:<session version>".
_IDENTITY = re.compile(r"([0-9]{1,18}):([0-9]{1,9})")


def load_user_from_session(identity: str):
    """Pages: the account in the signed session or remember-me cookie, if that cookie is still current.

    A cookie carries the account's session version from when it was issued; signing out, changing or
    resetting the password raise the version, so every earlier cookie (copies included) stops opening
    the account. Never for the API, which ignores cookies.
    """
    match = _IDENTITY.fullmatch(identity or "")
    if _is_api_request() or match is None:
        return None
    user = db.session.get(User, int(match.group(1)))
    if user is None or user.deleted_at is not None or user.session_version != int(match.group(2)):
        return None
    return user


def load_user_from_token(req):
    """API: `Authorization: Bearer <token>` with a personal API token."""
    if not _is_api_request():
        return None
    header = req.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    user = user_for_api_token(secret.strip())
    if user is not None and API_TOKEN_USE_KEY in db.session.info:
        after_this_request(_keep_token_use)
    return user


# A token's use (noted at most once a minute) rides on the request's own commit: no transaction of
# its own on the way in. A request that never commits (a read, a refusal rolled back) writes it
# after its response is ready instead.
def _carry_token_use(session):
    noted = session.info.get(API_TOKEN_USE_KEY)
    if noted is not None:
        write_api_token_use(session, noted)


def _token_use_written(session):
    session.info.pop(API_TOKEN_USE_KEY, None)


def _keep_token_use(response):
    """After a request that did not commit: record the token's use on its own."""
    noted = db.session.info.pop(API_TOKEN_USE_KEY, None)
    if noted is not None:
        db.session.rollback()  # whatever the request left uncommitted is not to be kept
        write_api_token_use(db.session, noted)
        db.session.commit()
    return response


def install_user_loading() -> None:
    """Tell Flask-Login how to find a request's user, and carry token use on the request's commit."""
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user_from_session)
    login_manager.request_loader(load_user_from_token)
    if not event.contains(db.session, "before_commit", _carry_token_use):
        event.listen(db.session, "before_commit", _carry_token_use)
        event.listen(db.session, "after_commit", _token_use_written)
