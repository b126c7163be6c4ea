"""A brand's pages under /b/<slug>/: home, charter, transparency, community, staff."""
from __future__ import annotations

import base64
import binascii

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db
from institutions import audit, brands, charter, community, customer_import, permissions
from institutions.access import brand_public, brand_signed_in, brand_staff, signed_in
from institutions.dashboard import dashboard_items
from institutions.errors import DomainError
from institutions.forms import (ActionForm, CustomerCodeForm, CustomerImportConfirmForm, CustomerImportForm,
                                InviteStaffForm, JoinForm, LegalNameForm, OfficeForm)
from institutions.models import MembershipStatus, OfficeKind
from institutions.view_helpers import commit_or_refuse, show_refusal

blueprint = Blueprint("brands", __name__)


@blueprint.get("/me/brands")
@signed_in
def my_brands():
    """My memberships and staff roles, with what each still needs."""
    return render_template(
        "brands/my_brands.html",
        memberships=community.memberships_of_user(current_user),
        staff_roles=[role for role in current_user.staff_roles],
    )


@blueprint.get("/b/<slug>/")
@brand_public
def home(brand):
    """The brand's public home: who represents the customers, what is happening."""
    offices = charter.offices_with_holders(brand)
    return render_template(
        "brands/home.html",
        brand=brand,
        offices=offices,
        membership=permissions.membership_of(current_user, brand),
        verified_count=community.count_members(brand, MembershipStatus.VERIFIED),
        join_form=JoinForm(),
        code_form=CustomerCodeForm(),
        action_form=ActionForm(),
    )


@blueprint.get("/b/<slug>/brand.css")
@brand_public
def brand_stylesheet(brand):
    """The brand's colour on its banner (a stylesheet, since the CSP forbids inline styles)."""
    # The colour was validated as #rrggbb when saved, so it is safe to write into CSS.
    css = f".brand-banner {{ border-top: 0.5rem solid {brand.colour}; }}\n"
    return Response(css, mimetype="text/css", headers={"Cache-Control": "public, max-age=300"})


@blueprint.get("/b/<slug>/charter")
@brand_public
def charter_page(brand):
    """The charter: each office, how it is obtained, its term, powers, duties and holders."""
    return render_template("brands/charter.html", brand=brand, offices=charter.offices_with_holders(brand),
                           summaries=charter.office_summaries(brand))


@blueprint.route("/b/<slug>/charter/<kind>/edit", methods=["GET", "POST"])
@brand_staff
def edit_office(brand, kind: str):
    """Staff rewrite an office's texts (empty fields fall back to the default wording)."""
    try:
        office = charter.office_of(brand, OfficeKind(kind))
    except ValueError:
        abort(404)
    form = OfficeForm(obj=office)
    if office.kind is not OfficeKind.PRESIDENT:  # only the elected presidency is recalled and files representations
        del form.recall_threshold_percent, form.recall_window_days, form.representation_response_days
        del form.certification_days
    if form.validate_on_submit():
        texts = {field: getattr(form, field).data for field in charter.TEXT_FIELDS}
        recall = {name: form[name].data for name in ("recall_threshold_percent", "recall_window_days",
                                                     "representation_response_days", "certification_days")
                  if name in form}
        ok, _result = commit_or_refuse(
            lambda: charter.update_office_texts(office, current_user, texts, form.term_months.data, **recall), form)
        if ok:
            flash(_("The charter is saved."), "success")
            return redirect(url_for("brands.charter_page", slug=brand.slug))
    return render_template("brands/edit_office.html", brand=brand, office=office, form=form)


@blueprint.get("/b/<slug>/transparency")
@brand_public
def transparency(brand):
    """Every public institutional act of the brand, newest first, with its chain hash and the chain's head."""
    page = request.args.get("page", 1, type=int)
    events = audit.public_events(brand, page=max(page, 1))
    return render_template("brands/transparency.html", brand=brand, events=events, chain_head=audit.chain_head())


@blueprint.post("/b/<slug>/join")
@brand_signed_in
def join(brand):
    """Join the brand's customer community (pending until verified)."""
    form = JoinForm()
    if form.validate_on_submit():
        ok, membership = commit_or_refuse(lambda: community.join(
            brand, current_user, form.customer_number.data, form.verification_code.data))
        if ok:
            if membership.verification_source == community.BY_CUSTOMER_CODE:
                flash(_("Welcome! Your customer code is right: you are a verified member of %(brand)s.",
                        brand=brand.name), "success")
            elif membership.is_verified:
                flash(_("Welcome! %(brand)s lists you as a customer: you are a verified member.", brand=brand.name),
                      "success")
            else:
                flash(_("Welcome! Your membership is pending until %(brand)s verifies you are a customer.",
                        brand=brand.name), "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("brands.home", slug=brand.slug))


@blueprint.post("/b/<slug>/leave")
@brand_signed_in
def leave(brand):
    """Leave the brand's community."""
    if ActionForm().validate_on_submit():
        ok, _result = commit_or_refuse(lambda: community.leave(brand, current_user))
        if ok:
            flash(_("You have left the community of %(brand)s.", brand=brand.name), "success")
    return redirect(url_for("brands.home", slug=brand.slug))


@blueprint.get("/b/<slug>/staff/")
@brand_staff
def dashboard(brand):
    """What the brand owes its community: members to verify, then every feature's to-dos."""
    return render_template(
        "brands/dashboard.html",
        brand=brand,
        pending_count=community.count_members(brand, MembershipStatus.PENDING),
        verified_count=community.count_members(brand, MembershipStatus.VERIFIED),
        items=dashboard_items(brand),
    )


@blueprint.get("/b/<slug>/staff/members")
@brand_staff
def members(brand):
    """The community: pending members first, then verified ones."""
    status_name = request.args.get("status")
    status = None
    if status_name:
        try:
            status = MembershipStatus(status_name)
        except ValueError:
            abort(404)
    page = db.paginate(community.members_query(brand, status), page=request.args.get("page", 1, type=int),
                       per_page=50, error_out=False)
    return render_template("brands/members.html", brand=brand, page=page, status=status, action_form=ActionForm())


@blueprint.post("/b/<slug>/staff/members/<int:membership_id>/verify")
@brand_staff
def verify_member(brand, membership_id: int):
    """Confirm that a pending member is a customer."""
    if ActionForm().validate_on_submit():
        ok, membership = commit_or_refuse(
            lambda: community.verify(community.membership_in_brand(brand, membership_id), current_user))
        if ok:
            flash(_("%(name)s is now a verified member.", name=membership.user.display_name), "success")
    return redirect(url_for("brands.members", slug=brand.slug))


@blueprint.route("/b/<slug>/staff/members/import", methods=["GET", "POST"])
@brand_staff
def import_customers(brand):
    """Upload a customer list; see what it will do before confirming."""
    form = CustomerImportForm()
    plan = confirm_form = None
    if form.validate_on_submit():
        data = form.file.data.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
        try:
            customer_import.check_size(data, current_app.config["IMPORT_MAX_BYTES"])
            plan = customer_import.plan_import(brand, current_user, data)
        except DomainError as error:
            show_refusal(error, form)
        else:
            confirm_form = CustomerImportConfirmForm(payload=base64.b64encode(data).decode("ascii"))
    status = 422 if form.errors else 200
    return render_template("brands/import.html", brand=brand, form=form, plan=plan, confirm_form=confirm_form), status


@blueprint.post("/b/<slug>/staff/members/import/confirm")
@brand_staff
def confirm_import(brand):
    """Apply a checked customer list, all of it or nothing, as a job: its page shows the progress and the result."""
    form = CustomerImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        data = base64.b64decode(form.payload.data or "", validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    ok, job = commit_or_refuse(lambda: customer_import.start_import(brand, current_user, data))
    if not ok:
        return redirect(url_for("brands.import_customers", slug=brand.slug))
    return redirect(url_for("jobs.show", job_id=job.id))


@blueprint.route("/b/<slug>/staff/team", methods=["GET", "POST"])
@brand_staff
def team(brand):
    """The brand's staff, and inviting a colleague."""
    form = InviteStaffForm()
    if form.validate_on_submit():
        ok, _result = commit_or_refuse(
            lambda: brands.invite_staff(brand, current_user, form.email.data, can_sign=form.can_sign.data), form,
        )
        if ok:
            flash(_("The invitation is sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("brands.team", slug=brand.slug))
    return _team_page(brand, form=form, status=422 if form.errors else 200)


def _team_page(brand, form=None, legal_name_form=None, status: int = 200):
    return render_template("brands/team.html", brand=brand, staff=brands.staff_of(brand),
                           form=form or InviteStaffForm(), legal_name_form=legal_name_form or LegalNameForm(),
                           my_role=permissions.staff_role(current_user, brand)), status


@blueprint.post("/b/<slug>/staff/team/legal-name")
@brand_staff
def record_legal_name(brand):
    """A staff member records their own legal name, once (their countersignatures must type it)."""
    form = LegalNameForm()
    if form.validate_on_submit():
        ok, _result = commit_or_refuse(lambda: brands.record_legal_name(brand, current_user, form.legal_name.data),
                                       form)
        if ok:
            flash(_("Your legal name is recorded."), "success")
            return redirect(url_for("brands.team", slug=brand.slug))
    return _team_page(brand, legal_name_form=form, status=422)


@blueprint.route("/invitations/<token>", methods=["GET", "POST"])
@signed_in
def accept_invitation(token: str):
    """Accept an invitation to a brand's staff (signed in with the invited address)."""
    try:
        invitation = brands.invitation_for_token(token)
    except DomainError as error:
        return render_template("accounts/link_problem.html", message=error.message), error.status
    form = ActionForm()
    if form.validate_on_submit():
        ok, _result = commit_or_refuse(lambda: brands.accept_invitation(token, current_user))
        if ok:
            flash(_("You are now on the staff of %(brand)s.", brand=invitation.brand.name), "success")
            return redirect(url_for("brands.dashboard", slug=invitation.brand.slug))
    return render_template("brands/invitation.html", invitation=invitation, form=form)

