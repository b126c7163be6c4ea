"""Pages about the brand's customer list: verification codes, memberships to review, a member's code."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from extensions import db
from institutions import community
from institutions.access import brand_signed_in, brand_staff
from institutions.dashboard import DashboardItem
from institutions.forms import ActionForm, CustomerCodeForm
from institutions.view_helpers import commit_or_refuse

blueprint = Blueprint("customers", __name__)


def _customers_page(brand, issued=None, status: int = 200):
    search = (request.values.get("q") or "").strip()[:100]
    page = db.paginate(community.customer_records_query(brand, search),
                       page=max(request.args.get("page", 1, type=int) or 1, 1), per_page=50, error_out=False)
    return render_template("brands/customers.html", brand=brand, page=page, search=search, issued=issued,
                           action_form=ActionForm()), status


@blueprint.get("/b/<slug>/staff/customers")
@brand_staff
def index(brand):
    """The brand's customer list, with a verification code to issue for each listed customer."""
    return _customers_page(brand)


@blueprint.post("/b/<slug>/staff/customers/<int:record_id>/code")
@brand_staff
def issue_code(brand, record_id: int):
    """Issue (or replace) a listed customer's verification code, shown on this answer only."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("customers.index", slug=brand.slug))
    ok, issued = commit_or_refuse(lambda: community.issue_customer_code(brand, current_user, record_id))
    if not ok:
        return redirect(url_for("customers.index", slug=brand.slug))
    # Rendered, not flashed: the code never travels in the session cookie, and is not kept to show again.
    return _customers_page(brand, issued=issued)


@blueprint.get("/b/<slug>/staff/members/review")
@brand_staff
def review(brand):
    """Memberships verified by a customer number alone, for staff to confirm or revoke."""
    return render_template("brands/review.html", brand=brand, memberships=community.review_queue(brand),
                           action_form=ActionForm())


@blueprint.post("/b/<slug>/staff/members/<int:membership_id>/review/<decision>")
@brand_staff
def decide_review(brand, membership_id: int, decision: str):
    """Confirm or revoke a membership verified by a customer number alone."""
    acts = {"confirm": (community.confirm_review, _("%(name)s stays a verified member.")),
            "revoke": (community.revoke_review, _("%(name)s is pending again: the verification is revoked."))}
    if decision not in acts:
        return redirect(url_for("customers.review", slug=brand.slug))
    act, done = acts[decision]
    if ActionForm().validate_on_submit():
        ok, membership = commit_or_refuse(
            lambda: act(community.membership_in_brand(brand, membership_id), current_user))
        if ok:
            flash(done % {"name": membership.user.display_name}, "success")
    return redirect(url_for("customers.review", slug=brand.slug))


@blueprint.post("/b/<slug>/verify-code")
@brand_signed_in
def verify_with_code(brand):
    """A pending member types the customer number and code the brand gave them."""
    form = CustomerCodeForm()
    if form.validate_on_submit():
        ok, _membership = commit_or_refuse(lambda: community.verify_with_code(
            brand, current_user, form.customer_number.data, form.verification_code.data))
        if ok:
            flash(_("Your customer code is right: you are a verified member of %(brand)s.", brand=brand.name),
                  "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("brands.home", slug=brand.slug))


def review_items(brand) -> list[DashboardItem]:
    """The staff dashboard: memberships verified by a customer number alone, waiting for a review."""
    count = community.count_to_review(brand)
    if not count:
        return []
    return [DashboardItem(count, ngettext(
        "%(num)d membership verified by a customer number alone waits for your review",
        "%(num)d memberships verified by a customer number alone wait for your review", count),
        url_for("customers.review", slug=brand.slug))]
