"""The exchange of a case: messages, notes, documents, the extension, the proposal, the outcome, compliance.

Every route here acts on the case page (templates/cases/case.html, drawn by views.render_case_page, which includes
_exchange.html and _outcome.html) and comes back to it: after success with a message, after a refusal with the
form, its input and its errors (422). Documents download through the case page's own route (cases.attachment).
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import exists, func, select

from extensions import db
from mediation.access import case_mediator, case_party
from mediation.permissions import case_role
from mediation.views.cases import render_case_page
from mediation import exchange, outcome, representation
from mediation.forms import (
    AnswerForm,
    ComplianceForm,
    DocumentRequestForm,
    ExtensionForm,
    FavoursForm,
    MessageForm,
    NoteForm,
    ProposalForm,
    RepresentativeForm,
    UploadForm,
    WithdrawForm,
)
from mediation.models import CaseDocument, CaseState, DocumentRequest, MediationCase, Proposal
from institutions.dashboard import DashboardItem
from institutions.forms import ActionForm
from institutions.models import StaffRole
from institutions.view_helpers import commit_or_refuse

blueprint = Blueprint("case_exchange", __name__, url_prefix="/b/<slug>/cases")


def _back(brand, case: MediationCase, anchor: str):
    return redirect(url_for("cases.case_page", slug=brand.slug, case_id=case.id, _anchor=anchor))


def _render_refused(brand, case: MediationCase, key: str, form):
    """The case page again with the refused form, its input and its errors (422)."""
    if key in OUTCOME_FORMS:
        return render_case_page(brand, case, outcome_forms={key: form}, status=422)
    return render_case_page(brand, case, exchange_forms={key: form}, status=422)


OUTCOME_FORMS = ("extension", "proposal", "favours", "compliance", "withdraw", "answer")


def _act(brand, case: MediationCase, key: str, form, act, message: str, anchor: str, prepare=None):
    """Validate the form, run the act, then back to the case page (or the page with the form and its errors).

    `prepare(case, role, form)` sets choices that depend on the case and the viewer before validation.
    """
    if prepare is not None:
        prepare(case, case_role(current_user, case), form)
    if not form.validate_on_submit():
        return _render_refused(brand, case, key, form)
    ok, _result = commit_or_refuse(lambda: act(case, form), form)
    if not ok:
        return _render_refused(brand, case, key, form)
    flash(message, "success")
    return _back(brand, case, anchor)


# --- the exchange ----------------------------------------------------------------------------------------------

def _set_channels(case, role, form) -> None:
    form.channel.choices = exchange.message_channels(case, role)


def _set_parties(case, role, form) -> None:
    form.from_party.choices = exchange.request_parties(case, role)


@blueprint.post("/<int:case_id>/messages")
@case_party
def message(brand, case: MediationCase):
    """A message on a channel the author may write on."""
    return _act(brand, case, "message", MessageForm(prefix="message"),
                lambda c, f: exchange.post_message(c, current_user, f.channel.data, f.body.data),
                _("Your message is sent."), "exchange", prepare=_set_channels)


@blueprint.post("/<int:case_id>/notes")
@case_mediator
def note(brand, case: MediationCase):
    """The mediator's private note."""
    return _act(brand, case, "note", NoteForm(prefix="note"),
                lambda c, f: exchange.post_note(c, current_user, f.body.data), _("Your note is kept."), "notes")


@blueprint.post("/<int:case_id>/document-requests")
@case_party
def document_request(brand, case: MediationCase):
    """The mediator asks a party for a document."""
    return _act(brand, case, "request", DocumentRequestForm(prefix="request"),
                lambda c, f: exchange.request_document(c, current_user, from_party=f.from_party.data,
                                                       description=f.description.data, share_with=f.share_with.data),
                _("The document is asked for; the party is told."), "documents", prepare=_set_parties)


@blueprint.post("/<int:case_id>/document-requests/<int:request_id>/upload")
@case_party
def upload(brand, case: MediationCase, request_id: int):
    """A party sends the document asked for."""

    def send(case, form):
        document_request = exchange.request_in_case(case, request_id)
        data = form.file.data
        return exchange.upload_document(case, current_user, document_request, data.filename or "", data.read())

    form = UploadForm(prefix="upload")
    form.request_id = request_id  # the page shows the errors under this request's form
    return _act(brand, case, "upload", form, send, _("Your document is sent."), "documents")


@blueprint.post("/<int:case_id>/documents/ask")
@case_party
def ask_documents(brand, case: MediationCase):
    """A party asks the mediator for the documents of the case."""
    return _act(brand, case, "ask_documents", ActionForm(),
                lambda c, f: exchange.ask_for_documents(c, current_user),
                _("The mediator is asked for the documents of the case."), "documents")


@blueprint.post("/<int:case_id>/documents/<int:document_id>/share")
@case_mediator
def share_document(brand, case: MediationCase, document_id: int):
    """The mediator shares a document with both parties."""
    return _act(brand, case, "share_document", ActionForm(),
                lambda c, f: exchange.share_document(c, current_user, document_id),
                _("The document is shared with both parties."), "documents")


@blueprint.post("/<int:case_id>/representatives")
@case_party
def add_representative(brand, case: MediationCase):
    """A party adds a lawyer or an assistant for its side."""
    form = RepresentativeForm(prefix="representative")
    if not form.validate_on_submit():
        return render_case_page(brand, case, forms={"representative": form}, status=422)
    ok, _result = commit_or_refuse(
        lambda: representation.add_representative(case, current_user, form.email.data, form.kind.data), form)
    if not ok:
        return render_case_page(brand, case, forms={"representative": form}, status=422)
    flash(_("They now have access to the case; everyone is told."), "success")
    return _back(brand, case, "representatives")


@blueprint.post("/<int:case_id>/representatives/<int:representative_id>/remove")
@case_party
def remove_representative(brand, case: MediationCase, representative_id: int):
    """A party (or the representative themself) ends a representative's access."""
    return _act(brand, case, "remove_representative", ActionForm(),
                lambda c, f: representation.remove_representative(c, current_user, representative_id),
                _("Their access to the case has ended."), "representatives")


# --- the outcome -----------------------------------------------------------------------------------------------

@blueprint.post("/<int:case_id>/extension")
@case_party
def extension(brand, case: MediationCase):
    """The mediator extends the mediation period, once."""
    return _act(brand, case, "extension", ExtensionForm(prefix="extension"),
                lambda c, f: outcome.extend(c, current_user, f.reason.data, f.days.data),
                _("The mediation period is extended; both parties are told why."), "outcome")


@blueprint.post("/<int:case_id>/proposal")
@case_party
def proposal(brand, case: MediationCase):
    """The mediator sends a proposal to both parties."""
    return _act(brand, case, "proposal", ProposalForm(prefix="proposal"),
                lambda c, f: outcome.propose(c, current_user, f.text.data, f.answer_days.data),
                _("The proposal is sent to both parties with its notices and deadline."), "outcome")


@blueprint.post("/<int:case_id>/proposal/accept")
@case_party
def accept(brand, case: MediationCase):
    """A party accepts the proposal."""
    return _act(brand, case, "answer", AnswerForm(),
                lambda c, f: outcome.answer_proposal(c, current_user, True), _("You accepted the proposal."),
                "outcome")


@blueprint.post("/<int:case_id>/proposal/refuse")
@case_party
def refuse(brand, case: MediationCase):
    """A party refuses the proposal."""
    return _act(brand, case, "answer", AnswerForm(),
                lambda c, f: outcome.answer_proposal(c, current_user, False), _("You refused the proposal."),
                "outcome")


@blueprint.post("/<int:case_id>/outcome")
@case_party
def favours(brand, case: MediationCase):
    """The mediator records whom the outcome favours."""
    return _act(brand, case, "favours", FavoursForm(prefix="favours"),
                lambda c, f: outcome.record_favours(c, current_user, f.favours.data), _("The outcome is recorded."),
                "outcome")


@blueprint.post("/<int:case_id>/compliance")
@case_party
def compliance(brand, case: MediationCase):
    """The complainant says whether the brand complied with the settlement."""
    return _act(brand, case, "compliance", ComplianceForm(prefix="compliance"),
                lambda c, f: outcome.record_compliance(c, current_user, f.complied.data == "yes"),
                _("Thank you: your answer is recorded."), "outcome")


@blueprint.post("/<int:case_id>/withdraw")
@case_party
def withdraw(brand, case: MediationCase):
    """A party (the complainant who filed, or the brand) withdraws from the mediation."""
    return _act(brand, case, "withdraw", WithdrawForm(prefix="withdraw"),
                lambda c, f: outcome.withdraw(c, current_user, f.reason.data), _("The case is withdrawn."),
                "outcome")


# --- the staff dashboard ---------------------------------------------------------------------------------------

def brand_to_dos(brand) -> list[DashboardItem]:
    """Proposals waiting for the brand's answer, and documents the mediator asked the brand for."""
    proposals = db.session.scalar(
        select(func.count(MediationCase.id)).join(Proposal, Proposal.case_id == MediationCase.id)
        .where(MediationCase.brand_id == brand.id, MediationCase.state == CaseState.PROPOSAL,
               Proposal.brand_answer.is_(None))) or 0
    # A request to both parties may be fulfilled by the brand while the complainant's part still waits.
    sent_by_brand = exists().where(CaseDocument.request_id == DocumentRequest.id,
                                   CaseDocument.uploaded_by_id.in_(
                                       select(StaffRole.user_id).where(StaffRole.brand_id == brand.id)))
    documents = db.session.scalar(
        select(func.count(DocumentRequest.id)).join(MediationCase, MediationCase.id == DocumentRequest.case_id)
        .where(MediationCase.brand_id == brand.id, MediationCase.state.in_(exchange.IN_MEDIATION),
               DocumentRequest.from_party.in_(("brand", "both")), ~sent_by_brand)) or 0
    url = url_for("cases.brand_list", slug=brand.slug)
    return [
        DashboardItem(proposals, ngettext("%(num)d mediation proposal waits for the brand's answer",
                                          "%(num)d mediation proposals wait for the brand's answer", proposals), url),
        DashboardItem(documents, ngettext("%(num)d document asked by a mediator waits to be sent",
                                          "%(num)d documents asked by a mediator wait to be sent", documents), url),
    ]
