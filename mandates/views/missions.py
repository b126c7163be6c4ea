"""Mission orders, reports and reviews, and benefits: pages under /b/<slug>/missions."""
from __future__ import annotations

from datetime import timezone

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from extensions import db
from institutions.clock import utcnow
from institutions.forms import ActionForm
from institutions.view_helpers import act_and_redirect, commit_or_refuse
from mandates import benefits, disclosure, missions
from mandates.access import mandate_party, mandate_staff
from mandates.forms import (
    ApproveForm,
    BenefitForm,
    DeclineOrderForm,
    MissionOrderForm,
    ReportForm,
    SendBackForm,
    WarningNoteForm,
)
from mandates.models import Mandate, MandateState
from mandates.permissions import can_manage_mandates

blueprint = Blueprint("missions", __name__, url_prefix="/b/<slug>/missions")


def _order_url(brand, order) -> str:
    return url_for("missions.order", slug=brand.slug, order_id=order.id)


@blueprint.get("/")
@mandate_party
def mine(brand):
    """The ambassador's mission orders: what waits for them first, then every order."""
    return render_template("mandates/missions/mine.html", brand=brand,
                           waiting=missions.waiting_for_ambassador(current_user, brand),
                           orders=missions.my_orders(current_user, brand), is_overdue=missions.is_overdue)


@blueprint.get("/review")
@mandate_staff
def review(brand):
    """Staff: reports to review, overdue orders, and the active mandates to give orders in."""
    mandates = db.session.scalars(select(Mandate).where(Mandate.brand_id == brand.id,
                                                        Mandate.state == MandateState.ACTIVE)
                                  .order_by(Mandate.public_name)).all()
    return render_template("mandates/missions/review.html", brand=brand, waiting=missions.waiting_for_staff(brand),
                           mandates=mandates, is_overdue=missions.is_overdue)


@blueprint.route("/mandates/<int:mandate_id>", methods=["GET", "POST"])
@mandate_staff
def mandate_orders(brand, mandate: Mandate):
    """Staff: a mandate's mission orders with their states and overdue flags, and the form to issue one."""
    form = MissionOrderForm()
    refused = False
    if form.validate_on_submit():
        due_at = form.due_at.data.replace(tzinfo=timezone.utc)
        ok, order = commit_or_refuse(lambda: missions.issue_order(
            mandate, current_user, title=form.title.data, instructions=form.instructions.data, due_at=due_at,
            expected_proof=form.expected_proof.data, disclosure_label=form.disclosure_label.data), form)
        if ok:
            flash(_("The mission order is issued; the ambassador is told."), "success")
            return redirect(_order_url(brand, order))
        refused = True
    return render_template("mandates/missions/mandate_orders.html", brand=brand, mandate=mandate, form=form,
                           orders=missions.orders_of(mandate), contract_label=missions.contract_label(mandate),
                           is_overdue=missions.is_overdue), 422 if form.errors or refused else 200


def _render_order(brand, order, status: int = 200, **forms):
    """The order page with its forms (those given keep the input and errors of a refused submission).

    The two review forms both have a `comment`: their prefixes keep the field ids unique on the page.
    """
    return render_template(
        "mandates/missions/order.html", brand=brand, order=order, mandate=order.mandate,
        report=missions.latest_report(order), overdue=missions.is_overdue(order),
        warning=missions.warning_to_clear(order), missing_names=missions.missing_names,
        disclosure_where=disclosure.where_shown(),
        decline_form=forms.get("decline_form") or DeclineOrderForm(formdata=None),
        report_form=forms.get("report_form") or ReportForm(formdata=None),
        note_form=forms.get("note_form") or WarningNoteForm(formdata=None),
        approve_form=forms.get("approve_form") or ApproveForm(formdata=None, prefix="approve"),
        send_back_form=forms.get("send_back_form") or SendBackForm(formdata=None, prefix="send-back"),
        action_form=ActionForm(),
    ), status


@blueprint.get("/orders/<int:order_id>")
@mandate_party
def order(brand, order_id: int):
    """One order: instructions, due date, reports; the ambassador's and the reviewer's actions."""
    return _render_order(brand, missions.order_for_viewer(brand, order_id, current_user))


def _order_act(brand, order_id: int, form, form_name: str, act, message: str):
    """Validate the form, run the act on the order, then back to the order (or its page with the errors)."""
    order = missions.order_for_viewer(brand, order_id, current_user)
    done = act_and_redirect(form, lambda: act(order, form), done=message, to=_order_url(brand, order))
    if done is not None:
        return done
    db.session.refresh(order)  # a refused act was rolled back
    return _render_order(brand, order, 422, **{form_name: form})


@blueprint.post("/orders/<int:order_id>/accept")
@mandate_party
def accept(brand, order_id: int):
    """The ambassador accepts the order."""
    return _order_act(brand, order_id, ActionForm(), "action_form",
                      lambda o, f: missions.accept_order(o, current_user), _("You accepted the order."))


@blueprint.post("/orders/<int:order_id>/decline")
@mandate_party
def decline(brand, order_id: int):
    """The ambassador declines the order with a reason."""
    return _order_act(brand, order_id, DeclineOrderForm(), "decline_form",
                      lambda o, f: missions.decline_order(o, current_user, f.reason.data), _("You declined the order."))


@blueprint.post("/orders/<int:order_id>/report")
@mandate_party
def report(brand, order_id: int):
    """The ambassador reports (text and links)."""
    return _order_act(brand, order_id, ReportForm(), "report_form",
                      lambda o, f: missions.submit_report(o, current_user, text=f.text.data, links=f.links.data,
                                                          retouched_images=f.retouched_images.data,
                                                          virtual_images=f.virtual_images.data),
                      _("Your report is sent for review."))


@blueprint.post("/orders/<int:order_id>/clear-warning")
@mandate_staff
def clear_warning(brand, order_id: int):
    """The reviewer clears the disclosure warning with a note."""
    return _order_act(brand, order_id, WarningNoteForm(), "note_form",
                      lambda o, f: missions.clear_warning(o, current_user, f.note.data),
                      _("The warning is cleared; you can now approve the report."))


@blueprint.post("/orders/<int:order_id>/approve")
@mandate_staff
def approve(brand, order_id: int):
    """The reviewer approves the report."""
    return _order_act(brand, order_id, ApproveForm(prefix="approve"), "approve_form",
                      lambda o, f: missions.approve(o, current_user, f.comment.data), _("The report is approved."))


@blueprint.post("/orders/<int:order_id>/send-back")
@mandate_staff
def send_back(brand, order_id: int):
    """The reviewer sends the report back with a comment."""
    return _order_act(brand, order_id, SendBackForm(prefix="send-back"), "send_back_form",
                      lambda o, f: missions.send_back(o, current_user, f.comment.data),
                      _("The report is sent back to the ambassador."))


@blueprint.route("/mandates/<int:mandate_id>/benefits", methods=["GET", "POST"])
@mandate_party
def benefit_list(brand, mandate: Mandate):
    """A mandate's benefits with yearly totals per currency; staff record new ones here."""
    staff = can_manage_mandates(current_user, brand)
    form = BenefitForm()
    refused = False
    if not form.is_submitted():
        form.given_on.data = utcnow().date()
    elif not staff:
        abort(403)
    elif form.validate():
        ok, _result = commit_or_refuse(lambda: benefits.record_benefit(
            mandate, current_user, kind=form.kind.data, description=form.description.data,
            value=form.value.data, currency=form.currency.data, given_on=form.given_on.data), form)
        if ok:
            flash(_("The benefit is recorded."), "success")
            return redirect(url_for("missions.benefit_list", slug=brand.slug, mandate_id=mandate.id))
        refused = True
    return render_template("mandates/missions/benefits.html", brand=brand, mandate=mandate, form=form, staff=staff,
                           benefits=benefits.benefits_of(mandate), totals=benefits.yearly_totals(mandate),
                           money=benefits.format_minor), 422 if form.errors or refused else 200
