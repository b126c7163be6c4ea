"""Case pages: filing, my cases, a case with its timeline and deadlines, admissibility, the brand's answer, objections."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from extensions import db
from institutions import charter, permissions
from institutions.access import brand_signed_in, brand_staff
from mediation.access import apply_clock, brand_clocked, case_in_brand, case_party
from mediation import admissibility, deadlines, exchange, filing, independence, outcome, representation, roster
from mediation.forms import (
    AttachForm,
    BrandAnswerForm,
    BrandDeclineForm,
    CompleteForm,
    DisclosureForm,
    FileCaseForm,
    MissingForm,
    ObjectionForm,
    RecusalForm,
    RefuseForm,
    RefuseToContinueForm,
    PaperFilingForm,
    RepresentativeForm,
    exchange_page_forms,
    outcome_page_forms,
)
from mediation.models import CLOSED_CASE_STATES, CaseDocument, CaseState, MediationCase
from mediation.permissions import case_role, has_declared_independence, represented_side
from mediation.timeline import visible_events
from institutions.dashboard import DashboardItem
from institutions.forms import ActionForm
from institutions.view_helpers import commit_or_refuse

blueprint = Blueprint("cases", __name__, url_prefix="/b/<slug>/cases")
CLOSED_SHOWN = 50

WHOSE_LABELS = {"mediator": _l("the mediator"), "brand": _l("the brand"), "complainant": _l("the complainant")}
EVENT_LABELS = {
    "filed": _l("Case filed"),
    "assigned": _l("Mediator assigned"),
    "reassigned": _l("Mediator reassigned"),
    "waiting_for_mediator": _l("Waiting for a mediator"),
    "joined": _l("A member joined the collective case"),
    "attachment_added": _l("Attachments added"),
    "incomplete": _l("Marked incomplete (the clock stops)"),
    "completed": _l("Completed (the clock restarts)"),
    "refused": _l("Refused"),
    "opened": _l("Opened: the mediation starts"),
    "filed_on_paper": _l("Filed on paper"),
    "admissibility_late": _l("Admissibility decided late"),
    "brand_answered": _l("The brand takes part"),
    "brand_declined": _l("The brand declines to take part"),
    "brand_silent": _l("The brand did not answer in time"),
    "lapsed": _l("The time of the mediation ran out"),
    "objection": _l("Objection to the mediator"),
    "objection_decided": _l("Objection decided"),
    "independence_declared": _l("The mediator declares no conflict"),
    "independence_disclosed": _l("The mediator discloses a circumstance"),
    "recused": _l("The mediator recused themself"),
    "mission_ended": _l("The mediator's mission ended"),
}


def event_label(kind: str) -> str:
    """An event's name in the reader's language, whichever module recorded it."""
    for labels in (EVENT_LABELS, exchange.EVENT_LABELS, outcome.EVENT_LABELS):
        if kind in labels:
            return str(labels[kind])
    return kind.replace("_", " ").capitalize()


def _files(field) -> list[tuple[str, bytes]]:
    """The uploaded files of a MultipleFileField, as (name, bytes); empty file inputs are ignored."""
    return [(storage.filename, storage.read()) for storage in (field.data or [])
            if storage is not None and storage.filename]


def _case_page(brand, case) -> str:
    return url_for("cases.case_page", slug=brand.slug, case_id=case.id)


# --- my cases and filing -------------------------------------------------------------------------------------------

@blueprint.get("/")
@brand_clocked
def my_cases(brand):
    """The member's cases at this brand with their next deadlines, and the collective cases they may join."""
    return render_template(
        "mediation/mine.html", brand=brand, cases=filing.cases_of(current_user, brand),
        joinable=filing.joinable_cases(brand, current_user) if permissions.is_verified_member(current_user, brand)
        else [], can_file=filing.can_file(current_user, brand), is_staff=permissions.is_brand_staff(current_user, brand),
        on_panel=roster.sits_on_panel(current_user, brand), action_form=ActionForm(), **_helpers())


def _helpers() -> dict:
    return {"whose_labels": WHOSE_LABELS, "category_label": filing.category_label,
            "next_deadlines": deadlines.next_deadlines, "event_label": event_label,
            "opening_rights": admissibility.opening_rights}


@blueprint.route("/new", methods=["GET", "POST"])
@brand_signed_in
def file_case(brand):
    """A verified member (or the sitting president) files a case against the brand."""
    president = charter.is_sitting_president(current_user, brand)
    if not filing.can_file(current_user, brand):
        return render_template("mediation/new.html", brand=brand, form=None,
                               membership=permissions.membership_of(current_user, brand)), 403
    form = FileCaseForm()
    categories = filing.categories_for(brand)
    db.session.commit()  # the default categories are created the first time the list is read
    form.category_id.choices = [(c.id, filing.category_label(c)) for c in categories]
    form.complainant_country.choices = [("", _("Choose your country"))] + filing.country_choices()
    if not form.is_submitted():
        form.complainant_country.data = brand.country
    if not president:
        del form.as_president
    member = filing.files_as_member(current_user, brand)
    if member:
        del form.complainant_name, form.complainant_contact
    else:
        del form.collective  # a consumer outside the community files for themself
    if form.validate_on_submit():
        ok, case = commit_or_refuse(lambda: filing.file_case(
            brand, current_user, category_id=form.category_id.data, facts=form.facts.data,
            request=form.request.data, prior_complaint_on=form.prior_complaint_on.data,
            prior_complaint=form.prior_complaint.data, complainant_country=form.complainant_country.data,
            collective=member and form.collective.data, as_president=president and form.as_president.data,
            attachments=_files(form.attachments),
            complainant_name=None if member else form.complainant_name.data,
            complainant_contact=None if member else form.complainant_contact.data), form)
        if ok:
            flash(_("Your case is filed. The mediator decides on its admissibility within three weeks."), "success")
            return redirect(_case_page(brand, case))
    return render_template("mediation/new.html", brand=brand, form=form, membership=None,
                           as_consumer=not member), 422 if form.errors else 200


@blueprint.post("/<int:case_id>/join")
@brand_signed_in
def join(brand, case_id: int):
    """A verified member joins a collective case."""
    case = case_in_brand(brand, case_id)  # the member is no party yet: looked up, not guarded
    if ActionForm().validate_on_submit():
        ok, _participant = commit_or_refuse(lambda: filing.join_case(case, current_user))
        if ok:
            flash(_("You joined the collective case: you are now one of its complainants."), "success")
            return redirect(_case_page(brand, case))
    return redirect(url_for("cases.my_cases", slug=brand.slug))


# --- the case page -------------------------------------------------------------------------------------------------

def _case_forms(case: MediationCase, role: str, given: dict) -> dict:
    """The forms of this page for this viewer now (a refused one comes back with its input and errors)."""
    forms: dict = {}
    closed = case.state in CLOSED_CASE_STATES
    # R.613-1: the mediator decides nothing before their declaration of independence on the case.
    if (role == "mediator" and case.state in (CaseState.FILED, CaseState.INCOMPLETE)
            and has_declared_independence(case)):
        if case.state is CaseState.FILED:
            forms["incomplete"] = MissingForm(formdata=None, prefix="incomplete")
            forms["open"] = ActionForm(formdata=None)
        forms["refuse"] = RefuseForm(formdata=None, prefix="refuse")
    # A lawyer or an assistant reads and writes for their side; the party's own acts stay the party's.
    party = represented_side(current_user, case) is None
    if role == "complainant" and not closed and party:
        if case.state is CaseState.INCOMPLETE:
            forms["complete"] = CompleteForm(formdata=None, prefix="complete")
        forms["attach"] = AttachForm(formdata=None, prefix="attach")
    if role == "brand" and case.state is CaseState.OPEN and case.brand_answered_at is None and party:
        forms["brand_answer"] = BrandAnswerForm(formdata=None, prefix="brand_answer")
        forms["brand_decline"] = BrandDeclineForm(formdata=None, prefix="brand_decline")
    if admissibility.can_object(current_user, case):
        forms["objection"] = ObjectionForm(formdata=None, prefix="objection")
    forms.update({name: form for name, form in given.items() if name in forms})
    return forms


def render_case_page(brand, case: MediationCase, *, forms: dict | None = None, exchange_forms: dict | None = None,
                     outcome_forms: dict | None = None, status: int = 200):
    """The case page for its parties and mediator; the exchange and outcome views call it to show a refused form."""
    role = case_role(current_user, case)
    if role is None:
        abort(403)
    attachments = db.session.scalars(select(CaseDocument).where(CaseDocument.case_id == case.id,
                                                                CaseDocument.request_id.is_(None))
                                     .order_by(CaseDocument.uploaded_at, CaseDocument.id)).all()
    return render_template(
        "mediation/case.html", brand=brand, case=case, role=role, events=visible_events(case, role),
        deadlines=deadlines.next_deadlines(case, role), forms=_case_forms(case, role, forms or {}),
        attachments=[d for d in attachments if exchange.can_read_document(d, role)],
        objection_due=deadlines.objection_due(case, role) if role in ("complainant", "brand") else None,
        admissibility_due=deadlines.admissibility_due(case), mediation_due=deadlines.mediation_due(case),
        late_complaint=admissibility.late_complaint(case),
        refusal_reasons=admissibility.REFUSAL_REASONS, **_independence_context(case, role, forms or {}),
        **_helpers(), **exchange.page_context(case, current_user, exchange_page_forms(exchange_forms)),
        **representation.page_context(case, current_user),
        representative_form=(forms or {}).get("representative") or RepresentativeForm(formdata=None,
                                                                                       prefix="representative"),
        **outcome.page_context(case, current_user, outcome_page_forms(outcome_forms))), status


def _independence_context(case: MediationCase, role: str, forms: dict) -> dict:
    """The mediator's declaration on the case and the independence forms this viewer may use (L.613-1, R.613-1)."""
    open_case = case.state not in CLOSED_CASE_STATES and case.mediator_id is not None
    declaration = independence.current_declaration(case)
    mine = role == "mediator" and open_case
    return {
        "declaration": declaration,
        "declare_form": forms.get("declare") or ActionForm(prefix="declare") if mine and declaration is None else None,
        "disclosure_form": forms.get("disclosure") or DisclosureForm(formdata=None, prefix="disclosure")
        if mine else None,
        "recusal_form": forms.get("recusal") or RecusalForm(formdata=None, prefix="recusal") if mine else None,
        "refuse_to_continue_form": forms.get("refuse_to_continue")
        or RefuseToContinueForm(formdata=None, prefix="refuse_to_continue")
        if independence.can_refuse_to_continue(current_user, case) else None,
    }


@blueprint.get("/<int:case_id>")
@case_party
def case_page(brand, case: MediationCase):
    """A case: facts, request, prior complaint, attachments, timeline, deadlines and the acts of this viewer."""
    return render_case_page(brand, case)


@blueprint.get("/<int:case_id>/attachments/<int:document_id>")
@case_party
def attachment(brand, case: MediationCase, document_id: int):
    """Download a document of the case, for those allowed to read it (a third party gets 403)."""
    document, data = exchange.document_for_viewer(case, document_id, current_user)
    return exchange.download_response(document, data)


def _act(brand, case: MediationCase, form_class, prefix: str, act, done: str):
    """Validate one form of the case page and run its act; a refusal shows the page again with the form."""
    form = form_class(prefix=prefix) if prefix else form_class()
    if form.validate_on_submit():
        ok, _result = commit_or_refuse(lambda: act(case, form), form)
        if ok:
            flash(done, "success")
            return redirect(_case_page(brand, case))
    return render_case_page(brand, case, forms={prefix or "open": form}, status=422)


@blueprint.post("/<int:case_id>/incomplete")
@case_party
def mark_incomplete(brand, case: MediationCase):
    """The mediator marks the case incomplete, saying what is missing."""
    return _act(brand, case, MissingForm, "incomplete",
                lambda case, form: admissibility.mark_incomplete(case, current_user, form.missing.data),
                _("The case is marked incomplete; the complainant is told what is missing."))


@blueprint.post("/<int:case_id>/complete")
@case_party
def complete(brand, case: MediationCase):
    """The complainant side completes the case; the admissibility clock restarts."""
    return _act(brand, case, CompleteForm, "complete",
                lambda case, form: admissibility.complete(
                    case, current_user, form.information.data, prior_complaint_on=form.prior_complaint_on.data,
                    prior_complaint=form.prior_complaint.data, attachments=_files(form.attachments)),
                _("Your case is completed; the mediator is told."))


@blueprint.post("/<int:case_id>/refuse")
@case_party
def refuse(brand, case: MediationCase):
    """The mediator refuses the case with a reason from the fixed list."""
    return _act(brand, case, RefuseForm, "refuse",
                lambda case, form: admissibility.refuse(case, current_user, form.reason.data, form.note.data),
                _("The case is refused; the complainant is told why."))


@blueprint.post("/<int:case_id>/open")
@case_party
def open_case(brand, case: MediationCase):
    """The mediator opens the case: both parties are told, the clocks start."""
    return _act(brand, case, ActionForm, "",
                lambda case, form: admissibility.open_case(case, current_user),
                _("The case is open; both parties are told and the brand has 20 days to answer."))


@blueprint.post("/<int:case_id>/attachments")
@case_party
def attach(brand, case: MediationCase):
    """The complainant side adds files to its case."""
    return _act(brand, case, AttachForm, "attach",
                lambda case, form: filing.add_attachments(case, current_user, _files(form.attachments)),
                _("The files are added to the case."))


@blueprint.post("/<int:case_id>/answer")
@case_party
def brand_answer(brand, case: MediationCase):
    """The brand takes part in the mediation, with its answer."""
    return _act(brand, case, BrandAnswerForm, "brand_answer",
                lambda case, form: admissibility.brand_answer(case, current_user, form.answer.data),
                _("The brand takes part in the mediation; the complainant and the mediator are told."))


@blueprint.post("/<int:case_id>/decline")
@case_party
def brand_decline(brand, case: MediationCase):
    """The brand declines to take part; the case closes."""
    return _act(brand, case, BrandDeclineForm, "brand_decline",
                lambda case, form: admissibility.brand_decline(case, current_user, form.reason.data),
                _("The brand declined to take part; the case is closed."))


@blueprint.post("/<int:case_id>/objection")
@case_party
def object_to_mediator(brand, case: MediationCase):
    """A party objects to the mediator, with a reason; the platform decides."""
    return _act(brand, case, ObjectionForm, "objection",
                lambda case, form: admissibility.raise_objection(case, current_user, form.reason.data),
                _("Your objection is sent; the platform decides whether to reassign the case."))


@blueprint.post("/<int:case_id>/declaration")
@case_party
def declare_no_conflict(brand, case: MediationCase):
    """The case mediator declares in their own name that they have no conflict on this case."""
    return _act(brand, case, ActionForm, "declare", lambda case, form: independence.declare_no_conflict(
        case, current_user), _("Your declaration of independence is recorded on the case."))


@blueprint.post("/<int:case_id>/disclosure")
@case_party
def disclose(brand, case: MediationCase):
    """The case mediator discloses a circumstance; each party is told of its right to object."""
    return _act(brand, case, DisclosureForm, "disclosure", lambda case, form: independence.disclose(
        case, current_user, form.circumstance.data),
        _("The circumstance is disclosed; each party is told it may refuse that you continue."))


@blueprint.post("/<int:case_id>/recusal")
@case_party
def recuse(brand, case: MediationCase):
    """The case mediator recuses themself; the case goes to another mediator of the panel."""
    form = RecusalForm(prefix="recusal")
    if form.validate_on_submit():
        ok, _result = commit_or_refuse(lambda: independence.recuse(case, current_user, form.reason.data), form)
        if ok:
            flash(_("You recused yourself; the case goes to another mediator."), "success")
            return redirect(url_for("mediator.queue"))
    return render_case_page(brand, case, forms={"recusal": form}, status=422)


@blueprint.post("/<int:case_id>/refuse-to-continue")
@case_party
def refuse_to_continue(brand, case: MediationCase):
    """After a disclosure, a party refuses that the mediator continue: the mission ends at once."""
    return _act(brand, case, RefuseToContinueForm, "refuse_to_continue",
                lambda case, form: independence.refuse_to_continue(case, current_user, form.reason.data),
                _("The mediator's mission on your case has ended; the case goes to another mediator."))


# --- the brand's list ----------------------------------------------------------------------------------------------

def brand_cases(brand) -> tuple[list[MediationCase], list[MediationCase]]:
    """The brand's cases not closed (nearest deadline first) and the last closed ones, in a fixed number of queries."""
    running = db.session.scalars(filing.with_deadline_data(
        select(MediationCase).where(MediationCase.brand_id == brand.id,
                                    MediationCase.state.not_in(CLOSED_CASE_STATES)))).unique().all()
    closed = db.session.scalars(filing.with_deadline_data(
        select(MediationCase).where(MediationCase.brand_id == brand.id,
                                    MediationCase.state.in_(CLOSED_CASE_STATES)))
        .order_by(MediationCase.closed_at.desc(), MediationCase.id.desc()).limit(CLOSED_SHOWN)).unique().all()
    return filing.sort_by_deadline(running), closed


@blueprint.get("/brand")
@brand_staff
def brand_list(brand):
    """Staff: the brand's cases with the next deadline of each, the brand's own first."""
    apply_clock(brand)
    running, closed = brand_cases(brand)
    return render_template("mediation/brand_list.html", brand=brand, running=running, closed=closed, **_helpers(),
                           nearest=deadlines.nearest, consumer_mediation=filing.uses_consumer_mediation(brand),
                           action_form=ActionForm())


@blueprint.route("/paper", methods=["GET", "POST"])
@brand_signed_in
def paper_filing(brand):
    """A platform admin or a panel mediator records a case filed on paper."""
    if not (permissions.is_platform_admin(current_user) or roster.sits_on_panel(current_user, brand)):
        abort(403)
    form = PaperFilingForm()
    categories = filing.categories_for(brand)
    db.session.commit()  # the default categories are created the first time the list is read
    form.category_id.choices = [(c.id, filing.category_label(c)) for c in categories]
    form.complainant_country.choices = [("", _("Choose your country"))] + filing.country_choices()
    if form.validate_on_submit():
        ok, case = commit_or_refuse(lambda: filing.record_paper_filing(
            brand, current_user, received_on=form.received_on.data, complainant_name=form.complainant_name.data,
            complainant_contact=form.complainant_contact.data, category_id=form.category_id.data,
            facts=form.facts.data, request=form.request.data, prior_complaint_on=form.prior_complaint_on.data,
            prior_complaint=form.prior_complaint.data, complainant_country=form.complainant_country.data), form)
        if ok:
            flash(_("The paper filing is recorded as case #%(id)s.", id=case.id), "success")
            return redirect(url_for("cases.paper_filing", slug=brand.slug))
    return render_template("mediation/paper.html", brand=brand, form=form), 422 if form.errors else 200


@blueprint.post("/brand/consumer-mediation")
@brand_staff
def consumer_mediation(brand):
    """Staff: Tribune is (or is no longer) the brand's consumer mediation: any consumer may then file."""
    form = ActionForm()
    enabled = not filing.uses_consumer_mediation(brand)
    if form.validate_on_submit():
        ok, _settings = commit_or_refuse(lambda: filing.set_consumer_mediation(brand, current_user, enabled), form)
        if ok:
            flash(_("Any consumer of the brand may now file a case.") if enabled else
                  _("Only verified members of the community file cases now."), "success")
    return redirect(url_for("cases.brand_list", slug=brand.slug))


def brand_dashboard_items(brand) -> list[DashboardItem]:
    """The staff dashboard: cases waiting for the brand's answer, with the nearest deadline."""
    count, first_opened = db.session.execute(
        select(func.count(MediationCase.id), func.min(MediationCase.opened_at))
        .where(MediationCase.brand_id == brand.id, MediationCase.state == CaseState.OPEN,
               MediationCase.brand_answered_at.is_(None))).one()
    label = ngettext("%(num)d mediation case waits for the brand's answer",
                     "%(num)d mediation cases wait for the brand's answer", count or 0)
    if count:
        due = first_opened + timedelta(days=deadlines.BRAND_ANSWER_DAYS)
        label += " " + _("(the first by %(due)s)", due=due.strftime("%Y-%m-%d"))
    return [DashboardItem(count or 0, label, url_for("cases.brand_list", slug=brand.slug))]
