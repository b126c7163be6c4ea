"""Applications to become an ambassador, and advocates: member and staff pages under /b/<slug>."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db
from institutions.access import brand_signed_in, brand_staff
from institutions.forms import ActionForm
from institutions.view_helpers import commit_or_refuse
from mandates import advocates, applications
from mandates.forms import ApplicationForm, DeclarationForm, ReasonForm
from mandates.models import AdvocacyState, ApplicationState

blueprint = Blueprint("ambassadors", __name__, url_prefix="/b/<slug>")
QUEUE_PAGE = 50


def mandate_url(brand, mandate_id: int | None) -> str | None:
    """The contract page of a mandate started from an application."""
    return url_for("mandates.detail", slug=brand.slug, mandate_id=mandate_id) if mandate_id else None


def _my_status(brand):
    return redirect(url_for("ambassadors.my_status", slug=brand.slug))


def _state_filter(enum_cls):
    """The ?state= of a queue, or None for every state (an unknown value shows everything)."""
    try:
        return enum_cls(request.args.get("state")) if request.args.get("state") else None
    except ValueError:
        return None


# --- the member's side ---------------------------------------------------------------------------------------------

@blueprint.route("/ambassadors/apply", methods=["GET", "POST"])
@brand_signed_in
def apply(brand):
    """A verified member applies to become an ambassador: motivation, channels, audience."""
    form = ApplicationForm()
    if form.validate_on_submit():
        ok, _result = commit_or_refuse(lambda: applications.apply(
            brand, current_user, motivation=form.motivation.data, channels=form.channels.data,
            audience=form.audience.data), form)
        if ok:
            flash(_("Your application is sent; the brand's staff will answer it."), "success")
            return _my_status(brand)
    return render_template("mandates/community/apply.html", brand=brand, form=form,
                           pending=applications.pending_application_of(current_user, brand)), \
        422 if form.errors else 200


@blueprint.route("/advocates/declare", methods=["GET", "POST"])
@brand_signed_in
def declare(brand):
    """A verified member declares themself an advocate of the brand or of its customers."""
    form = DeclarationForm()
    if form.validate_on_submit():
        ok, _result = commit_or_refuse(lambda: advocates.declare(
            brand, current_user, defends=form.defends.data, statement=form.statement.data), form)
        if ok:
            flash(_("Your declaration is sent; the brand's staff will answer it."), "success")
            return _my_status(brand)
    return render_template("mandates/community/declare.html", brand=brand, form=form,
                           standing=advocates.open_declaration_of(current_user, brand)), 422 if form.errors else 200


@blueprint.get("/ambassadors/my-status")
@brand_signed_in
def my_status(brand):
    """The member's applications and declarations at this brand, with their answers."""
    return render_template("mandates/community/my_status.html", brand=brand,
                           applications=applications.applications_of(current_user, brand),
                           declarations=advocates.declarations_of(current_user, brand),
                           defends=advocates.DEFENDS, action_form=ActionForm(), mandate_url=mandate_url)


@blueprint.post("/ambassadors/applications/<int:application_id>/withdraw")
@brand_signed_in
def withdraw_application(brand, application_id: int):
    """The applicant withdraws a pending application."""
    if ActionForm().validate_on_submit():
        application = applications.application_in_brand(brand, application_id)
        ok, _result = commit_or_refuse(lambda: applications.withdraw(application, current_user))
        if ok:
            flash(_("Your application is withdrawn."), "success")
    return _my_status(brand)


@blueprint.post("/advocates/declarations/<int:declaration_id>/retract")
@brand_signed_in
def retract_declaration(brand, declaration_id: int):
    """The declarant retracts their declaration (a recognition ends with it)."""
    if ActionForm().validate_on_submit():
        declaration = advocates.declaration_in_brand(brand, declaration_id)
        ok, _result = commit_or_refuse(lambda: advocates.retract(declaration, current_user))
        if ok:
            flash(_("Your declaration is retracted."), "success")
    return _my_status(brand)


# --- the staff's side ----------------------------------------------------------------------------------------------

@blueprint.get("/ambassadors/applications")
@brand_staff
def application_queue(brand):
    """Staff: applications, pending first, each with accept and decline."""
    state = _state_filter(ApplicationState)
    page = db.paginate(applications.applications_query(brand, state), per_page=QUEUE_PAGE, error_out=False)
    return render_template("mandates/community/applications.html", brand=brand, page=page, state=state,
                           states=list(ApplicationState), action_form=ActionForm(), mandate_url=mandate_url)


def _back_to_applications(brand):
    return redirect(url_for("ambassadors.application_queue", slug=brand.slug))


@blueprint.post("/ambassadors/applications/<int:application_id>/accept")
@brand_staff
def accept_application(brand, application_id: int):
    """Staff accept: a draft mandate is started for the applicant."""
    if ActionForm().validate_on_submit():
        application = applications.application_in_brand(brand, application_id)
        ok, mandate = commit_or_refuse(lambda: applications.accept(application, current_user))
        if ok:
            flash(_("The application is accepted and a draft mandate is started: write its contract."), "success")
            return redirect(mandate_url(brand, mandate.id))
    return _back_to_applications(brand)


@blueprint.post("/ambassadors/applications/<int:application_id>/decline")
@brand_staff
def decline_application(brand, application_id: int):
    """Staff decline with a reason."""
    form = ReasonForm()
    application = applications.application_in_brand(brand, application_id)
    if not form.validate_on_submit():
        flash(_("Give the reason for declining: the applicant reads it."), "error")
    else:
        ok, _result = commit_or_refuse(lambda: applications.decline(application, current_user, form.reason.data))
        if ok:
            flash(_("The application is declined; the applicant is told why."), "success")
    return _back_to_applications(brand)


@blueprint.get("/advocates/declarations")
@brand_staff
def declaration_queue(brand):
    """Staff: declarations of advocacy, pending first, then recognized advocates."""
    state = _state_filter(AdvocacyState)
    page = db.paginate(advocates.declarations_query(brand, state), per_page=QUEUE_PAGE, error_out=False)
    return render_template("mandates/community/advocates.html", brand=brand, page=page, state=state,
                           states=list(AdvocacyState), defends=advocates.DEFENDS, action_form=ActionForm())


def _back_to_declarations(brand):
    return redirect(url_for("ambassadors.declaration_queue", slug=brand.slug))


@blueprint.post("/advocates/declarations/<int:declaration_id>/recognize")
@brand_staff
def recognize_declaration(brand, declaration_id: int):
    """Staff recognize the advocate."""
    if ActionForm().validate_on_submit():
        declaration = advocates.declaration_in_brand(brand, declaration_id)
        ok, _result = commit_or_refuse(lambda: advocates.recognize(declaration, current_user))
        if ok:
            flash(_("%(name)s is recognized as an advocate.", name=declaration.public_name), "success")
    return _back_to_declarations(brand)


def _reasoned(brand, declaration_id: int, act, message: str):
    form = ReasonForm()
    declaration = advocates.declaration_in_brand(brand, declaration_id)
    if not form.validate_on_submit():
        flash(_("Give the reason: the declarant reads it."), "error")
    else:
        ok, _result = commit_or_refuse(lambda: act(declaration, form.reason.data))
        if ok:
            flash(message, "success")
    return _back_to_declarations(brand)


@blueprint.post("/advocates/declarations/<int:declaration_id>/decline")
@brand_staff
def decline_declaration(brand, declaration_id: int):
    """Staff decline the declaration with a reason."""
    return _reasoned(brand, declaration_id, lambda d, reason: advocates.decline(d, current_user, reason),
                     _("The declaration is declined; the declarant is told why."))


@blueprint.post("/advocates/declarations/<int:declaration_id>/withdraw")
@brand_staff
def withdraw_recognition(brand, declaration_id: int):
    """Staff withdraw a recognition with a public reason."""
    return _reasoned(brand, declaration_id,
                     lambda d, reason: advocates.withdraw_recognition(d, current_user, reason),
                     _("The recognition is withdrawn."))
