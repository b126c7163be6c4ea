"""Mandate pages for staff and ambassadors: drafts, offers, signing, the printable contract."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from extensions import db
from institutions.clock import utcnow
from institutions.errors import ValidationFailed
from institutions.access import brand_signed_in
from institutions.forms import ActionForm
from institutions.lookup import get_in_brand
from institutions.models import AuditEvent
from institutions.view_helpers import act_and_redirect, commit_or_refuse
from mandates import clauses as schema
from mandates import contracts, ending, missions
from mandates.access import mandate_party, mandate_staff
from mandates.forms import (
    SEPARATOR,
    ContractForm,
    CountersignForm,
    DeclineForm,
    ResignForm,
    RevokeForm,
    SignForm,
    StartMandateForm,
    form_field_name,
)
from mandates.models import Mandate, MandateVersion, VersionState
from mandates.permissions import can_manage_mandates

blueprint = Blueprint("mandates", __name__, url_prefix="/b/<slug>/mandates")

# The audit trail of a mandate, in words.
ACTION_LABELS = {
    "mandate.drafted": _l("Draft started"),
    "mandate.draft_updated": _l("Draft edited"),
    "mandate.invitation_claimed": _l("Invitation accepted by the ambassador's account"),
    "mandate.offered": _l("Version offered for signature"),
    "mandate.offer_withdrawn": _l("Offer withdrawn by the brand"),
    "mandate.signed": _l("Signed by the ambassador"),
    "mandate.signed_by_legal_representative": _l("Signed by the ambassador's legal representative"),
    "mandate.declined": _l("Declined by the ambassador"),
    "mandate.countersigned": _l("Countersigned by the brand: in force"),
    "mandate.amendment_drafted": _l("Amendment started"),
    "mandate.amendment_discarded": _l("Amendment draft discarded"),
    "mandate.activated": _l("Mandate started"),
    "mandate.completed": _l("Mandate completed at the end of its term"),
    "mandate.revocation_notified": _l("Revocation notified"),
    "mandate.revoked": _l("Mandate revoked"),
    "mandate.resignation_notified": _l("Resignation notified"),
    "mandate.resigned": _l("Mandate ended by resignation"),
}


class _DottedFields:
    """Lets show_refusal put a clause error ("compensation.amount") on its form field."""

    def __init__(self, form: ContractForm):
        self._form = form

    def __getattr__(self, name: str):
        key = name.replace(".", SEPARATOR)
        return self._form[key] if key in self._form else getattr(self._form, name, None)


def _url(brand, mandate, endpoint: str = "mandates.detail") -> str:
    return url_for(endpoint, slug=brand.slug, mandate_id=mandate.id)


def _back(brand, mandate, endpoint: str = "mandates.detail"):
    return redirect(_url(brand, mandate, endpoint))


def _client() -> tuple[str | None, str | None]:
    return request.remote_addr, request.headers.get("User-Agent")


def _number(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _day(form, field: str = "effective_on") -> date | None:
    raw = (form[field].data or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(_("Write a date as YYYY-MM-DD."), field=field)


# --- staff: the list and starting a mandate ------------------------------------------------------------------------

@blueprint.get("/")
@mandate_staff
def index(brand):
    """The brand's mandates with their state, and the form to start one."""
    return _index_page(brand, StartMandateForm())


def _index_page(brand, form, status: int = 200):
    mandates = db.session.scalars(contracts.mandates_of_brand(brand).options(selectinload(Mandate.versions))).all()
    return render_template("mandates/contract/index.html", brand=brand, mandates=mandates, form=form,
                           waiting_version=contracts.waiting_version, planned_term=contracts.planned_term,
                           draft_version=contracts.draft_version), status


@blueprint.post("/")
@mandate_staff
def start(brand):
    """Staff start a draft mandate for an account (found by its address) or invite an address."""
    form = StartMandateForm()
    if form.validate_on_submit():
        ok, mandate = commit_or_refuse(lambda: contracts.start_mandate_for_email(
            brand, current_user, form.email.data, public_name=form.public_name.data or None), form)
        if ok:
            if mandate.ambassador_id is None:
                flash(_("The draft is started and %(email)s is invited by e-mail.", email=mandate.invited_email),
                      "success")
            else:
                flash(_("The draft is started. Complete the clauses, then offer it."), "success")
            return _back(brand, mandate, "mandates.edit_draft")
    return _index_page(brand, form, 422)


# --- staff: the draft editor --------------------------------------------------------------------------------------

@blueprint.route("/<int:mandate_id>/draft", methods=["GET", "POST"])
@mandate_staff
def edit_draft(brand, mandate: Mandate):
    """The draft editor: every clause, the missing-clause checklist and a preview of the contract text."""
    version = contracts.draft_version(mandate)
    if version is None:
        flash(_("There is no draft to edit: an offered or signed contract never changes. Withdraw the offer, or "
                "start an amendment."), "error")
        return _back(brand, mandate)
    if request.method == "GET":
        form = ContractForm(data=ContractForm.data_from(contracts.clauses_of(version), mandate.public_name,
                                                       version.language))
    else:
        form = ContractForm()
        if form.validate_on_submit():
            ok, _saved = commit_or_refuse(lambda: contracts.update_draft(
                mandate, current_user, form.clauses(), language=form.language.data,
                public_name=form.public_name.data), _DottedFields(form))
            if ok and request.form.get("then") != "offer":
                flash(_("The draft is saved."), "success")
                return _back(brand, mandate, "mandates.edit_draft")
            if ok:
                # "Save and offer": what was typed is saved first, so a refused offer loses nothing;
                # the form comes back as typed, with the refusal beside the fields it names.
                offered, _version = commit_or_refuse(lambda: contracts.offer(mandate, current_user),
                                                     _DottedFields(form))
                if offered:
                    flash(_("The contract is offered: its text and fingerprint are frozen. The ambassador is told."),
                          "success")
                    return _back(brand, mandate)
                flash(_("Your changes are saved, but the contract is not offered yet."), "error")
                return _editor_page(brand, mandate, version, form, status=422)
    return _editor_page(brand, mandate, version, form, status=422 if form.errors else 200)


def _editor_page(brand, mandate: Mandate, version: MandateVersion, form: ContractForm, status: int):
    return render_template("mandates/contract/edit.html", brand=brand, mandate=mandate, version=version, form=form,
                           checklist=contracts.checklist(version), preview=contracts.preview(mandate, version),
                           amendment=contracts.is_amendment(version), schema=schema,
                           field_name=form_field_name, action_form=ActionForm()), status


@blueprint.post("/<int:mandate_id>/preview")
@mandate_staff
def preview(brand, mandate: Mandate):
    """The contract text the draft form would give, as plain text (the editor's script asks while staff type)."""
    version = contracts.draft_version(mandate)
    if version is None:
        abort(409)
    form = ContractForm()
    try:
        cleaned = schema.clean_clauses(form.clauses())
        language = schema.validate_language(form.language.data)
    except ValidationFailed as error:
        return Response(error.message + "\n" + "\n".join(f"{field}: {message}" for field, message
                                                          in error.fields.items()),
                        status=422, mimetype="text/plain")
    missing = [clause.key for clause in schema.missing_clauses(cleaned)]
    response = Response(contracts.preview(mandate, version, clauses=cleaned, language=language),
                        mimetype="text/plain")
    response.headers["X-Missing-Clauses"] = ",".join(missing)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- staff: acts on the contract ----------------------------------------------------------------------------------

def _staff_act(brand, mandate: Mandate, act, message: str, endpoint: str = "mandates.detail"):
    back = _url(brand, mandate, endpoint)
    return act_and_redirect(ActionForm(), lambda: act(mandate), done=message, to=back, refused_to=back)


@blueprint.post("/<int:mandate_id>/offer")
@mandate_staff
def offer(brand, mandate: Mandate):
    """Freeze the draft and offer it for signature (refused with the list of missing clauses)."""
    return act_and_redirect(
        ActionForm(), lambda: contracts.offer(mandate, current_user),
        done=_("The contract is offered: its text and fingerprint are frozen. The ambassador is told."),
        to=_url(brand, mandate), refused_to=_url(brand, mandate, "mandates.edit_draft"))


@blueprint.post("/<int:mandate_id>/withdraw")
@mandate_staff
def withdraw(brand, mandate: Mandate):
    """Withdraw an offer the ambassador has not signed; its clauses come back as a new draft."""
    return _staff_act(brand, mandate, lambda m: contracts.withdraw_offer(m, current_user),
                      _("The offer is withdrawn; its clauses are back in a new draft."), "mandates.edit_draft")


@blueprint.post("/<int:mandate_id>/amend")
@mandate_staff
def amend(brand, mandate: Mandate):
    """Start an amendment copied from the version in force."""
    return _staff_act(brand, mandate, lambda m: contracts.amend(m, current_user),
                      _("The amendment is a new draft; the version in force stays in force until both sign it."),
                      "mandates.edit_draft")


@blueprint.post("/<int:mandate_id>/discard")
@mandate_staff
def discard(brand, mandate: Mandate):
    """Drop an amendment draft that was never offered."""
    return _staff_act(brand, mandate, lambda m: contracts.discard_amendment(m, current_user),
                      _("The amendment draft is discarded."))


@blueprint.post("/<int:mandate_id>/countersign")
@mandate_staff
def countersign(brand, mandate: Mandate):
    """A signatory of the brand countersigns what the ambassador signed."""
    form = CountersignForm()
    if form.validate_on_submit():
        ip, agent = _client()
        ok, _result = commit_or_refuse(lambda: contracts.countersign(
            mandate, current_user, form.typed_name.data, ip_address=ip, user_agent=agent,
            version_number=_number(form.version.data), text_sha256=form.text_sha256.data or None), form)
        if ok:
            flash(_("The contract is countersigned and in force."), "success")
            return _back(brand, mandate)
        return _detail_page(brand, mandate, countersign_form=form, status=422)
    return _back(brand, mandate)


@blueprint.post("/<int:mandate_id>/revoke")
@mandate_staff
def revoke(brand, mandate: Mandate):
    """Staff revoke the mandate with a reason, effective on a day respecting the notice."""
    form = RevokeForm()
    if form.validate_on_submit():
        ok, _result = commit_or_refuse(lambda: ending.revoke(mandate, current_user, form.reason.data, _day(form)),
                                       form)
        if ok:
            flash(_("The revocation is notified; the mandate ends on %(date)s.",
                    date=mandate.end_effective_on.isoformat()), "success")
            return _back(brand, mandate)
    return _detail_page(brand, mandate, revoke_form=form, status=422)


# --- both parties: the mandate and its contract -------------------------------------------------------------------

def _detail_page(brand, mandate, status: int = 200, **forms):
    waiting = contracts.waiting_version(mandate)
    countersign_form = forms.get("countersign_form") or CountersignForm(
        data={"version": waiting.number, "text_sha256": waiting.text_sha256} if waiting else None)
    return render_template(
        "mandates/contract/detail.html", brand=brand, mandate=mandate, waiting=waiting,
        draft=contracts.draft_version(mandate), in_force=mandate.version_in_force,
        visible_versions=[v for v in mandate.versions
                          if v.state is not VersionState.DRAFT or can_manage_mandates(current_user, brand)],
        countersign_form=countersign_form, revoke_form=forms.get("revoke_form") or RevokeForm(),
        resign_form=forms.get("resign_form") or ResignForm(), action_form=ActionForm(),
        earliest_end=ending.earliest_end(mandate, utcnow().date()), notice_days=ending.notice_days(mandate),
        disclosure_label=missions.contract_label(mandate),
        signatory_name=contracts.signatory_legal_name(current_user, brand), planned_term=contracts.planned_term,
    ), status


@blueprint.get("/<int:mandate_id>")
@mandate_party
def detail(brand, mandate: Mandate):
    """One mandate: its state and term, its versions, and what each party can do now."""
    return _detail_page(brand, mandate)


@blueprint.route("/<int:mandate_id>/sign", methods=["GET", "POST"])
@mandate_party
def sign(brand, mandate: Mandate):
    """The ambassador reads the offered contract, then signs it by typing their name (or declines)."""
    version = contracts.waiting_version(mandate)
    if request.method == "GET":
        form = SignForm(data={"version": version.number, "text_sha256": version.text_sha256} if version else None)
    else:
        form = SignForm()
        if form.validate_on_submit():
            ip, agent = _client()
            ok, _result = commit_or_refuse(lambda: contracts.sign(
                mandate, current_user, form.typed_name.data, accept=bool(form.accept.data), ip_address=ip,
                user_agent=agent, version_number=_number(form.version.data),
                text_sha256=form.text_sha256.data or None), form)
            if ok:
                flash(_("You signed the contract. It comes into force once the brand countersigns it."), "success")
                return _back(brand, mandate)
    return render_template("mandates/contract/sign.html", brand=brand, mandate=mandate, version=version, form=form,
                           decline_form=DeclineForm()), 422 if form.errors else 200


@blueprint.route("/<int:mandate_id>/represent", methods=["GET", "POST"])
@brand_signed_in
def represent(brand, mandate_id: int):
    """The legal representative of an ambassador under 16 reads the contract the minor signed, then signs it."""
    mandate = get_in_brand(Mandate, mandate_id, brand)
    version = contracts.waiting_version(mandate)
    # Anyone else learns nothing of the contract: the page does not exist for them.
    if version is None or not contracts.is_legal_representative_of(current_user, version):
        abort(404)
    form = SignForm() if request.method == "POST" else SignForm(
        data={"version": version.number, "text_sha256": version.text_sha256})
    if request.method == "POST" and form.validate_on_submit():
        ip, agent = _client()
        ok, _result = commit_or_refuse(lambda: contracts.sign_as_legal_representative(
            mandate, current_user, form.typed_name.data, accept=bool(form.accept.data), ip_address=ip,
            user_agent=agent, version_number=_number(form.version.data),
            text_sha256=form.text_sha256.data or None), form)
        if ok:
            flash(_("You signed the contract as legal representative. It comes into force once the brand "
                    "countersigns it."), "success")
            return redirect(url_for("mandates.represent", slug=brand.slug, mandate_id=mandate.id))
    return render_template("mandates/contract/represent.html", brand=brand, mandate=mandate, version=version,
                           form=form), 422 if form.errors else 200


@blueprint.post("/<int:mandate_id>/decline")
@mandate_party
def decline(brand, mandate: Mandate):
    """The ambassador declines the offered version, with a reason."""
    form = DeclineForm()
    done = act_and_redirect(form, lambda: contracts.decline(mandate, current_user, form.reason.data),
                            done=_("You declined the contract; the brand is told."), to=_url(brand, mandate))
    if done is not None:
        return done
    version = contracts.waiting_version(mandate)
    sign_form = SignForm(data={"version": version.number, "text_sha256": version.text_sha256} if version else None)
    return render_template("mandates/contract/sign.html", brand=brand, mandate=mandate, version=version,
                           form=sign_form, decline_form=form), 422


@blueprint.post("/<int:mandate_id>/resign")
@mandate_party
def resign(brand, mandate: Mandate):
    """The ambassador resigns with notice."""
    form = ResignForm()
    if form.validate_on_submit():
        ok, _result = commit_or_refuse(lambda: ending.resign(mandate, current_user, form.reason.data, _day(form)),
                                       form)
        if ok:
            flash(_("Your resignation is notified; the mandate ends on %(date)s.",
                    date=mandate.end_effective_on.isoformat()), "success")
            return _back(brand, mandate)
    return _detail_page(brand, mandate, resign_form=form, status=422)


@blueprint.get("/<int:mandate_id>/contract", defaults={"number": None})
@blueprint.get("/<int:mandate_id>/contract/<int:number>")
@mandate_party
def contract(brand, mandate: Mandate, number: int | None):
    """The printable contract: its exact text, fingerprint, signatures and the mandate's audit trail."""
    mandate = db.session.scalar(
        select(Mandate).where(Mandate.id == mandate.id)
        .options(selectinload(Mandate.versions).selectinload(MandateVersion.signatures),
                 selectinload(Mandate.ambassador)))
    staff = can_manage_mandates(current_user, brand)
    if number is None:
        version = mandate.version_in_force or contracts.waiting_version(mandate) or contracts.draft_version(mandate)
    else:
        version = contracts.version_by_number(mandate, number)
    if version is None or (version.state is VersionState.DRAFT and not staff):
        abort(404)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.subject_type == "Mandate", AuditEvent.subject_id == mandate.id)
        .options(selectinload(AuditEvent.actor)).order_by(AuditEvent.id)).all()
    return render_template("mandates/contract/contract.html", brand=brand, mandate=mandate, version=version,
                           text=contracts.preview(mandate, version), events=events, action_labels=ACTION_LABELS,
                           signature_of=contracts.signature_of, staff=staff)


@blueprint.get("/<int:mandate_id>/contract/<int:number>.txt")
@mandate_party
def contract_text_file(brand, mandate: Mandate, number: int):
    """The exact text of an offered version as a UTF-8 file (what the fingerprint covers, byte for byte)."""
    version = contracts.version_by_number(mandate, number)
    if version.text is None:
        abort(404)
    response = Response(version.text, mimetype="text/plain")
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="contract-{brand.slug}-{mandate.id}-v{version.number}.txt"')
    response.headers["X-Text-SHA256"] = version.text_sha256
    return response


@blueprint.get("/mine")
@mandate_party
def mine(brand):
    """My mandates at this brand: the contract in force, what waits for my signature, the label, the term left."""
    mandates = contracts.mandates_of_user(current_user, brand)
    return render_template("mandates/contract/mine.html", brand=brand, mandates=mandates,
                           waiting_version=contracts.waiting_version, label_of=missions.contract_label,
                           planned_term=contracts.planned_term)
