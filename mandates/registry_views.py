"""The public registry of ambassadors and advocates, and contract verification."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from extensions import db
from institutions.access import brand_public
from institutions.errors import ValidationFailed
from institutions.view_helpers import show_refusal
from mandates import ending, verification
from mandates.registry import registry_of

blueprint = Blueprint("registry", __name__, url_prefix="/b/<slug>")


class VerifyForm(FlaskForm):
    """Anyone checks a contract: its whole text, or its SHA-256 (CSRF on; a POST, so long texts fit)."""

    text = TextAreaField(
        _l("Contract text"), validators=[Optional(strip_whitespace=False)],
        description=_l("Paste the whole text exactly as signed. Only Windows line endings are turned into plain "
                       "ones; every other character counts, spaces and blank lines included."))
    sha256 = StringField(_l("Or its SHA-256 hash"), validators=[Optional()],
                         description=_l("64 hexadecimal characters, as printed on the contract."))
    submit = SubmitField(_l("Verify"))


@blueprint.get("/registry")
@brand_public
def index(brand):
    """The public registry: active ambassadors, recognized advocates, and ended mandates."""
    if ending.advance_due(brand=brand):  # mandates follow their dates before the public reads them
        db.session.commit()
    return render_template("mandates/registry/index.html", brand=brand, registry=registry_of(brand))


@blueprint.route("/registry/verify", methods=["GET", "POST"])
@brand_public
def verify(brand):
    """Tell anyone whether a contract text or hash matches a version both parties signed."""
    form = VerifyForm()
    result, status = None, 200
    if request.method == "GET" and request.args.get("sha256"):
        # A hash is not secret: a printed contract can link here with its hash in the address.
        form.sha256.data = request.args["sha256"]
        result, status = _check(brand, form, sha256=form.sha256.data)
    elif form.validate_on_submit():
        result, status = _check(brand, form, text=form.text.data, sha256=form.sha256.data)
    elif form.errors:
        status = 422
    return render_template("mandates/registry/verify.html", brand=brand, form=form, result=result), status


def _check(brand, form, **given):
    try:
        return verification.verify(brand, **given), 200
    except ValidationFailed as error:
        show_refusal(error, form)
        return None, 422
