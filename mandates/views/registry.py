"""The public registry of ambassadors and advocates, and contract verification."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from institutions.access import brand_public
from institutions.errors import ValidationFailed
from institutions.view_helpers import show_refusal
from mandates import verification
from mandates.access import registry_public
from mandates.forms import VerifyForm
from mandates.registry import registry_of

blueprint = Blueprint("registry", __name__, url_prefix="/b/<slug>")


@blueprint.get("/registry")
@registry_public
def index(brand):
    """The public registry: active ambassadors, recognized advocates, and ended mandates."""
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
