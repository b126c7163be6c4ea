"""The recall pages under /b/<slug>/recall/: the petition, its signatures, opening and signing it."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from elections import recall
from elections.forms import PetitionForm
from institutions import charter
from institutions.access import brand_public, brand_signed_in
from institutions.charter import sitting_president
from institutions.forms import ActionForm
from institutions.models import OfficeKind
from institutions.view_helpers import commit_or_refuse

blueprint = Blueprint("recall", __name__, url_prefix="/b/<slug>/recall")


@blueprint.get("/")
@brand_public
def recall_page(brand):
    """The recall petition: its reason, signatures, threshold and window."""
    petition = recall.petition_on_show(brand)
    president = sitting_president(brand)
    return render_template(
        "elections/recall.html", brand=brand, petition=petition, president=president,
        office=president.office if president else charter.office_of(brand, OfficeKind.PRESIDENT),
        signatures=recall.signature_count(petition) if petition else 0,
        signed=petition is not None and current_user.is_authenticated and recall.has_signed(petition, current_user),
        form=PetitionForm(), action_form=ActionForm(),
    )


@blueprint.post("/")
@brand_signed_in
def open_petition(brand):
    """Open a recall petition (and sign it)."""
    form = PetitionForm()
    if form.validate_on_submit():
        ok, _result = commit_or_refuse(lambda: recall.open_petition(brand, current_user, form.reason.data), form)
        if ok:
            flash(_("The petition is open and you signed it."), "success")
    else:
        flash(_("Say why the president should be recalled."), "error")
    return redirect(url_for("recall.recall_page", slug=brand.slug))


@blueprint.post("/<int:petition_id>/sign")
@brand_signed_in
def sign(brand, petition_id: int):
    """Sign the recall petition (once)."""
    if ActionForm().validate_on_submit():
        ok, _result = commit_or_refuse(lambda: recall.sign(recall.petition_in_brand(brand, petition_id), current_user))
        if ok:
            flash(_("Your signature is recorded."), "success")
    return redirect(url_for("recall.recall_page", slug=brand.slug))
