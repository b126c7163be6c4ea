"""The platform admin's roster of mediators, brand panels and objections to decide."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from extensions import db
from institutions import brands
from institutions.access import load_brand, platform_admin
from mediation import admissibility, roster
from mediation.forms import AppointForm, DecideObjectionForm, MediatorForm, RemovalForm
from mediation.models import MediationCase, Mediator, Objection
from institutions.forms import ActionForm
from institutions.view_helpers import commit_or_refuse

blueprint = Blueprint("roster", __name__, url_prefix="/admin/mediators")


def _fields(form: MediatorForm) -> dict:
    return {name: getattr(form, name).data for name in (
        "name", "qualifications", "appointing_body", "term_starts_on", "term_ends_on", "declaration_of_interests",
        "email", *roster.INDEPENDENCE_FIELDS)}


def _appoint_form(mediator: Mediator) -> AppointForm:
    form = AppointForm(prefix=f"appoint{mediator.id}")
    seated = {seat.brand_id for seat in roster.active_seats(mediator)}
    form.brand.choices = [(brand.slug, brand.name) for brand in brands.list_brands() if brand.id not in seated]
    return form


def _back():
    return redirect(url_for("roster.index"))


@blueprint.get("/")
@platform_admin
def index():
    """The roster: each mediator, their term, account and panels; cases waiting for a mediator."""
    mediators = roster.roster()
    seats = [seat for mediator in mediators for seat in roster.active_seats(mediator)]
    return render_template("mediation/roster_index.html", mediators=mediators, conflicted=roster.seat_conflicts(seats),
                           appoint_forms={m.id: _appoint_form(m) for m in mediators if m.removed_at is None},
                           waiting=roster.waiting_cases(), action_form=ActionForm(),
                           removal_form=lambda prefix: RemovalForm(formdata=None, prefix=prefix),
                           payers=roster.PAYERS, reason_label=roster.reason_label,
                           undecided=db.session.scalar(select(db.func.count(Objection.id))
                                                       .where(Objection.decided_at.is_(None))))


@blueprint.route("/new", methods=["GET", "POST"])
@platform_admin
def add():
    """Put a mediator on the roster (linked by e-mail to their account)."""
    form = MediatorForm()
    if form.validate_on_submit():
        ok, mediator = commit_or_refuse(lambda: roster.add_mediator(current_user, **_fields(form)), form)
        if ok:
            flash(_("%(name)s is on the roster.", name=mediator.name), "success")
            return _back()
    return render_template("mediation/roster_form.html", form=form, mediator=None), 422 if form.errors else 200


@blueprint.route("/<int:mediator_id>/edit", methods=["GET", "POST"])
@platform_admin
def edit(mediator_id: int):
    """Correct a roster entry (a new account or term is checked for conflicts again)."""
    mediator = roster.mediator_by_id(mediator_id)
    form = MediatorForm(obj=mediator)
    if not form.is_submitted() and mediator.user is not None:
        form.email.data = mediator.user.email
    if form.validate_on_submit():
        ok, _result = commit_or_refuse(lambda: roster.update_mediator(mediator, current_user, **_fields(form)), form)
        if ok:
            flash(_("The roster entry of %(name)s is saved.", name=mediator.name), "success")
            return _back()
    return render_template("mediation/roster_form.html", form=form, mediator=mediator), 422 if form.errors else 200


@blueprint.post("/<int:mediator_id>/remove")
@platform_admin
def remove(mediator_id: int):
    """Take a mediator off the roster for a just cause from the list: panels end, open cases go to others."""
    mediator = roster.mediator_by_id(mediator_id)
    form = RemovalForm(prefix=f"remove{mediator.id}")
    if not form.validate_on_submit():
        flash(_("Choose a reason from the list."), "error")
    else:
        ok, _result = commit_or_refuse(lambda: roster.remove_mediator(mediator, current_user, form.reason.data,
                                                                      form.note.data))
        if ok:
            flash(_("%(name)s is removed from the roster; their open cases are reassigned.", name=mediator.name),
                  "success")
    return _back()


@blueprint.post("/<int:mediator_id>/panels")
@platform_admin
def appoint(mediator_id: int):
    """Appoint a mediator to a brand's panel (they appear on the brand's charter)."""
    mediator = roster.mediator_by_id(mediator_id)
    form = _appoint_form(mediator)
    if form.validate_on_submit():
        brand = load_brand(form.brand.data)
        ok, _seat = commit_or_refuse(lambda: roster.appoint(mediator, brand, current_user))
        if ok:
            flash(_("%(name)s now sits on the panel of %(brand)s.", name=mediator.name, brand=brand.name), "success")
    else:
        flash(_("Choose a brand."), "error")
    return _back()


@blueprint.post("/<int:mediator_id>/panels/<slug>/remove")
@platform_admin
def leave_panel(mediator_id: int, slug: str):
    """Remove a mediator from a brand's panel for a just cause from the list; their open cases there are reassigned."""
    mediator = roster.mediator_by_id(mediator_id)
    brand = load_brand(slug)
    form = RemovalForm(prefix=f"leave{mediator.id}-{brand.slug}")
    if not form.validate_on_submit():
        flash(_("Choose a reason from the list."), "error")
    else:
        ok, _seat = commit_or_refuse(lambda: roster.remove_from_panel(mediator, brand, current_user,
                                                                      form.reason.data, form.note.data))
        if ok:
            flash(_("%(name)s no longer sits on the panel of %(brand)s.", name=mediator.name, brand=brand.name),
                  "success")
    return _back()


# --- objections ----------------------------------------------------------------------------------------------------

def _objections_page(forms: dict | None = None, status: int = 200):
    objections = db.session.scalars(admissibility.objections_query()).unique().all()
    names = {m.id: m.name for m in db.session.scalars(select(Mediator).where(
        Mediator.id.in_({o.mediator_id for o in objections if o.mediator_id})))}
    decided = db.session.scalars(
        select(Objection).where(Objection.decided_at.is_not(None))
        .options(joinedload(Objection.case).joinedload(MediationCase.brand))
        .order_by(Objection.decided_at.desc(), Objection.id.desc()).limit(50)).unique().all()
    forms = forms or {}
    return render_template(
        "mediation/objections.html", objections=objections, decided=decided, mediator_names=names,
        decisions=admissibility.OBJECTION_OUTCOMES,
        forms={o.id: forms.get(o.id) or DecideObjectionForm(formdata=None, prefix=f"objection{o.id}")
               for o in objections}), status


@blueprint.get("/objections")
@platform_admin
def objections():
    """Objections to mediators waiting for a decision (the case's content is not shown: the admin is no party)."""
    return _objections_page()


@blueprint.post("/objections/<int:objection_id>/decide")
@platform_admin
def decide(objection_id: int):
    """Reassign the case to another conflict-free mediator of the panel, or keep the mediator, with a reason."""
    objection = admissibility.objection_by_id(objection_id)
    form = DecideObjectionForm(prefix=f"objection{objection.id}")
    if form.validate_on_submit():
        ok, _result = commit_or_refuse(lambda: admissibility.decide_objection(
            objection, current_user, form.decision.data, form.reason.data), form)
        if ok:
            flash(_("The objection is decided; the parties and the mediator are told."), "success")
            return redirect(url_for("roster.objections"))
    return _objections_page({objection.id: form}, 422)
