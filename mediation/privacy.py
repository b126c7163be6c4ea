"""Personal data in mediation: the case files a person's export holds (with the attachments), erasure, retention.

The export holds, for each case on the person's side, what the case says, the proposals and answers, the outcome,
the messages they may read and the documents they may read (as files in the ZIP). Erasing an account withdraws an
open case (the other party is told, as on any withdrawal); a closed case file is kept on the legal basis of GDPR
art. 17(3)(e) for 5 years after it closed (the limitation period, Code civil art. 2224), then purged.
"""
from __future__ import annotations

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, or_, select
from werkzeug.exceptions import NotFound

from extensions import db
from institutions.errors import DomainError
from institutions.features import RecordKind
from institutions.models import User
from mediation import documents_store, exchange, outcome
from mediation.models import CLOSED_CASE_STATES, CaseDocument, CaseParticipant, MediationCase, Mediator

ERASURE_REASON = "The complainant deleted their account."


def _iso(moment):
    return moment.isoformat() if moment else None


def _own_cases(user: User) -> list[MediationCase]:
    joined = exists().where(CaseParticipant.case_id == MediationCase.id, CaseParticipant.user_id == user.id)
    return db.session.scalars(select(MediationCase).where(or_(MediationCase.complainant_id == user.id, joined))
                              .order_by(MediationCase.id)).all()


def _archive_name(document: CaseDocument) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", document.filename).strip("._") or "file"
    return f"mediation/case-{document.case_id}/{document.id}-{safe}"


def export_case_files(user: User) -> list[dict]:
    """Each case on this person's side: its content, proposals and answers, outcome, messages and documents."""
    files = []
    for case in _own_cases(user):
        files.append({
            "case": case.id, "brand": case.brand.slug, "state": case.state.value,
            "filed_at": _iso(case.filed_at), "opened_at": _iso(case.opened_at),
            # what the complainant said and who they said they are (a consumer filing without being a member)
            "facts": case.facts, "request": case.request, "complainant_country": case.complainant_country,
            "complainant_name": case.complainant_name, "complainant_contact": case.complainant_contact,
            "brand_answer": case.brand_answer, "missing_information": case.missing_information,
            "outcome": {"state": case.state.value, "closed_at": _iso(case.closed_at),
                        "closing_note": case.closing_note, "refusal_reason": case.refusal_reason,
                        "refusal_note": case.refusal_note, "favours": case.outcome_favours,
                        "complied": case.complied},
            "proposals": [{"text": p.text, "made_at": _iso(p.made_at), "complainant_answer": p.complainant_answer,
                           "complainant_answered_at": _iso(p.complainant_answered_at), "brand_answer": p.brand_answer,
                           "brand_answered_at": _iso(p.brand_answered_at)} for p in case.proposals],
            "messages": [{"channel": m.channel.value, "body": m.body, "created_at": _iso(m.created_at),
                          "mine": m.author_id == user.id}
                         for m in exchange.messages_for(case, "complainant", user)],
            "documents": [{"filename": d.filename, "content_type": d.content_type, "size": d.size,
                           "sha256": d.sha256, "uploaded_at": _iso(d.uploaded_at), "file": _archive_name(d)}
                          for d in exchange.documents_for(case, "complainant")],
        })
    return files


def export_attachments(user: User) -> list[tuple[str, bytes]]:
    """The documents of this person's cases that they may read, as (path in the ZIP, bytes)."""
    found = []
    for case in _own_cases(user):
        for document in exchange.documents_for(case, "complainant"):
            try:
                found.append((_archive_name(document), documents_store.read(document.storage_key)))
            except NotFound:  # purged or lost bytes: the JSON still lists the document with its fingerprint
                continue
    return found


def export_roster(user: User) -> dict | None:
    """This person's entry on the mediators' roster, if any."""
    entry = db.session.scalar(select(Mediator).where(Mediator.user_id == user.id))
    if entry is None:
        return None
    return {"name": entry.name, "qualifications": entry.qualifications, "appointing_body": entry.appointing_body,
            "term_starts_on": _iso(entry.term_starts_on), "term_ends_on": _iso(entry.term_ends_on),
            "declaration_of_interests": entry.declaration_of_interests, "removed_at": _iso(entry.removed_at),
            "panels": [{"brand": s.brand.slug, "appointed_at": _iso(s.appointed_at), "ended_at": _iso(s.ended_at)}
                       for s in entry.seats]}


def withdraw_open_cases(user: User) -> None:
    """Erasing an account: each case the person filed and still open is withdrawn, and the other side told."""
    for case in db.session.scalars(select(MediationCase).where(
            MediationCase.complainant_id == user.id, MediationCase.state.not_in(CLOSED_CASE_STATES))
            .order_by(MediationCase.id)):
        try:
            outcome.withdraw(case, user, ERASURE_REASON)
        except DomainError:
            continue  # a deadline already decided the outcome: the clock closes it as it would any case


def purge_case_files(cutoff: datetime) -> list[str]:
    """Delete the case files (content, messages, documents and their bytes) closed before the cutoff."""
    cases = db.session.scalars(select(MediationCase).where(MediationCase.state.in_(CLOSED_CASE_STATES),
                                                           MediationCase.closed_at < cutoff)).all()
    ids = [case.id for case in cases]
    for key in db.session.scalars(select(CaseDocument.storage_key).where(CaseDocument.case_id.in_(ids))).all():
        documents_store.delete(key)
    # The case's messages, events, documents, proposals... go with it (ON DELETE CASCADE).
    db.session.execute(delete(MediationCase).where(MediationCase.id.in_(ids)))
    db.session.expire_all()
    return [f"{len(cases)} closed case files deleted"] if cases else []


RECORD_KINDS = (
    RecordKind(
        "case_files",
        purpose=_l("Handling your dispute with a brand (Code de la consommation L.612-1): facts, request, "
                   "messages, documents, proposals, answers and outcome."),
        recipients=_l("The mediator of the case and the parties, each only what is shared with them."),
        retention=_l("An open case is withdrawn when you delete your account; a closed case file is kept on the "
                     "legal basis of GDPR art. 17(3)(e) for 5 years after it closed (Code civil art. 2224), "
                     "then deleted."),
        retention_days=5 * 365, purge=purge_case_files),
    RecordKind(
        "mediator_roster",
        purpose=_l("Showing who the mediators are, their term and their declaration of interests (L.613-1)."),
        recipients=_l("The public."),
        retention=_l("Kept while the mediator sits; the name becomes the pseudonym when the account is deleted."),
        retention_days=None),
)
