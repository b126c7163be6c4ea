"""The platform's own pages: home, language switch, health."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session
from flask_login import current_user
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from extensions import db
from institutions.access import public
from institutions.brands import list_brands
from institutions.forms import LanguageForm
from institutions.locale import LANGUAGE_COOKIE
from institutions.view_helpers import safe_next

blueprint = Blueprint("site", __name__)


@blueprint.get("/")
@public
def home():
    """What Tribune is, and the brands it hosts."""
    return render_template("site/home.html", brands=list_brands())


@blueprint.post("/language")
@public
def set_language():
    """Switch the language of the pages (kept in the session, and on the account if signed in)."""
    form = LanguageForm()
    if form.validate_on_submit():
        session[LANGUAGE_COOKIE] = form.language.data
        if current_user.is_authenticated:
            current_user.locale = form.language.data
            db.session.commit()
    return redirect(_page_to_show_again(safe_next(request.form.get("next"), "/")))


def _page_to_show_again(target: str) -> str:
    """The target when a GET answers it; for a POST-only address (a form's result), its nearest page that does.

    Redirecting to a POST-only address would end on a 405 page (and lose what the result showed, such as a
    ballot's one-time tracker); the address's parent is the page the form came from or its section.
    """
    adapter = current_app.url_map.bind("localhost")
    path = urlsplit(target).path or "/"
    candidate = path
    while candidate != "/":
        try:
            adapter.match(candidate, method="GET")
        except RequestRedirect:
            pass  # answered by a GET after the redirect
        except MethodNotAllowed:
            candidate = candidate.rstrip("/").rsplit("/", 1)[0] or "/"
            continue
        except HTTPException:
            if candidate == path:
                return target  # an unknown address: its own 404, as before
            candidate = candidate.rstrip("/").rsplit("/", 1)[0] or "/"
            continue
        return target if candidate == path else candidate
    return target if path == "/" else "/"


@blueprint.get("/health")
@public
def health():
    """For load balancers: the app answers and reaches its database."""
    db.session.execute(db.text("SELECT 1"))
    return jsonify({"status": "ok"})
