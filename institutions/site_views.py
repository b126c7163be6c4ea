"""The platform's own pages: home, language switch, health."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, session
from flask_login import current_user

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
    return redirect(safe_next(request.form.get("next"), "/"))


@blueprint.get("/health")
@public
def health():
    """For load balancers: the app answers and reaches its database."""
    db.session.execute(db.text("SELECT 1"))
    return jsonify({"status": "ok"})
