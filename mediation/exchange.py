"""The exchange of a case: messages on their channels, private notes, document requests and documents.

Channels: BOTH reaches both parties and the mediator; COMPLAINANT and BRAND are the separate hearings (one side
and the mediator); NOTE is the mediator's alone. A party writes on BOTH or on its own hearing channel and never
reads the other side's hearing nor the notes.

Before the case is opened (FILED, INCOMPLETE) the brand is not yet involved: the mediator and the complainant may
talk on the complainant's hearing channel, the mediator may ask the complainant for documents (typically what is
missing), and notes are open. Everything else waits for OPEN; nothing moves once the case is closed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO
from typing import Iterable

from flask import Response, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from extensions import db
from institutions import audit
from mediation import documents_store, parties
from mediation.models import (
    CaseDocument,
    CaseMessage,
    CaseState,
    DocumentRequest,
    MediationCase,
    MessageChannel,
)
from mediation.notices import CASE_KIND
from mediation.permissions import case_role, has_declared_independence
from mediation.timeline import record_event
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, NotFound, ValidationFailed, required_text
from institutions.models import StaffRole, User
from institutions.notifications import notify, reachable_staff
from institutions.messages import Message, message

MAX_MESSAGE = 10_000
MAX_DESCRIPTION = 4000

BEFORE_OPENING = (CaseState.FILED, CaseState.INCOMPLETE)
IN_MEDIATION = (CaseState.OPEN, CaseState.PROPOSAL)
HANDLED = BEFORE_OPENING + IN_MEDIATION  # the mediator works on the case; after these it is closed

SIDES = ("complainant", "brand")
PARTIES = ("complainant", "brand", "both")
SHARES = ("all", "mediator")

# Which channels each role reads and may write on (the state narrows writing further, see allowed_channels).
READABLE = {
    "mediator": tuple(MessageChannel),
    "complainant": (MessageChannel.BOTH, MessageChannel.COMPLAINANT),
    "brand": (MessageChannel.BOTH, MessageChannel.BRAND),
}
WRITABLE = {
    "mediator": (MessageChannel.BOTH, MessageChannel.COMPLAINANT, MessageChannel.BRAND, MessageChannel.NOTE),
    "complainant": (MessageChannel.BOTH, MessageChannel.COMPLAINANT),
    "brand": (MessageChannel.BOTH, MessageChannel.BRAND),
}
# The timeline audience of a message, and who is told of it.
CHANNEL_AUDIENCE = {MessageChannel.BOTH: "all", MessageChannel.COMPLAINANT: "complainant",
                    MessageChannel.BRAND: "brand", MessageChannel.NOTE: "mediator"}
CHANNEL_READERS = {MessageChannel.BOTH: ("complainant", "brand", "mediator"),
                   MessageChannel.COMPLAINANT: ("complainant", "mediator"),
                   MessageChannel.BRAND: ("brand", "mediator"), MessageChannel.NOTE: ()}

CHANNEL_LABELS = {
    MessageChannel.BOTH: _l("Both parties"),
    MessageChannel.COMPLAINANT: _l("Separate hearing: the complainant"),
    MessageChannel.BRAND: _l("Separate hearing: the brand"),
    MessageChannel.NOTE: _l("Private note (the mediator only)"),
}
# A party's own separate hearing, as that party reads it.
OWN_HEARING_LABEL = _l("Separate hearing: the mediator and you")
PARTY_LABELS = {"complainant": _l("the complainant"), "brand": _l("the brand"), "both": _l("both parties")}
SHARE_LABELS = {"all": _l("both parties and the mediator"),
                "mediator": _l("the mediator only (and the side that sends it)")}

EVENT_LABELS = {
    "message": _l("Message"),
    "note": _l("Private note"),
    "document_requested": _l("Document requested"),
    "document_sent": _l("Document sent"),
    "documents_asked": _l("A party asked for the documents of the case"),
    "document_shared": _l("The mediator shared a document"),
    "representative_added": _l("Representative or assistant added"),
    "representative_removed": _l("Representative or assistant removed"),
}


# --- who is who ------------------------------------------------------------------------------------------------

def side_users(case: MediationCase, side: str) -> list[User]:
    """The reachable accounts of one side: "complainant" (with those who joined), "brand" (staff), "mediator"."""
    if side == "complainant":
        return parties.complainant_users(case) + parties.representative_users(case, "complainant")
    if side == "brand":
        return reachable_staff(case.brand) + parties.representative_users(case, "brand")
    if side == "mediator":
        user = parties.mediator_user(case)
        return [user] if user is not None else []
    raise ValueError(f"unknown side {side!r}")


def tell(case: MediationCase, sides: Iterable[str], message: str, *, actor: User | None = None) -> int:
    """Notify everyone on these sides except the actor (a mandatory notice); returns how many were told."""
    told = 0
    seen = {actor.id} if actor is not None else set()
    for side in sides:
        for person in side_users(case, side):
            if person.id not in seen:
                seen.add(person.id)
                notify(person, CASE_KIND, message, link=parties.case_link(case), brand=case.brand)
                told += 1
    return told


def case_title(case: MediationCase) -> Message:
    """How notifications name a case (a key: each reader reads it in their language)."""
    return message("case #%(number)d against %(brand)s", number=case.id, brand=case.brand.name)


def audit_act(action: str, actor: User | None, case: MediationCase, **payload) -> None:
    """Append an act of the case to the audit trail (never public)."""
    # A case's content never goes to the public trail: the payload names the act, not what was said.
    audit.record(action, actor=actor, brand=case.brand, subject=case, payload=payload)


def role_in(actor: User, case: MediationCase) -> str:
    """The actor's role in the case; anyone else is refused."""
    role = case_role(actor, case)
    if role is None:
        raise Forbidden(_("You are not a party to this case nor its mediator."))
    return role


def require_mediator(actor: User, case: MediationCase) -> None:
    """Refuse anyone but the case's mediator."""
    if case_role(actor, case) != "mediator":
        raise Forbidden(_("Only the case's mediator can do this."))


def require_declared(case: MediationCase) -> None:
    """R.613-1: the mediator acts on a case only after their own declaration of independence on it."""
    if not has_declared_independence(case):
        raise DomainError(_("Declare first that you have no conflict on this case, or disclose the circumstance "
                            "that may affect your independence: you cannot act on the case before."),
                          field="declaration")


def require_acting_mediator(actor: User, case: MediationCase) -> None:
    """The case's mediator, once they declared their independence on it."""
    require_mediator(actor, case)
    require_declared(case)


# --- messages --------------------------------------------------------------------------------------------------

def allowed_channels(case: MediationCase, role: str | None) -> tuple[MessageChannel, ...]:
    """The channels this role may write on now (none once the case is closed)."""
    if role not in WRITABLE or case.state not in HANDLED or case.mediator_id is None:
        return ()
    if case.state in IN_MEDIATION:
        return WRITABLE[role]
    # Before opening only the complainant's hearing and the notes exist: the brand is not involved yet.
    return tuple(channel for channel in WRITABLE[role]
                 if channel in (MessageChannel.COMPLAINANT, MessageChannel.NOTE))


def _channel(value) -> MessageChannel:
    if isinstance(value, MessageChannel):
        return value
    try:
        return MessageChannel(value)
    except ValueError:
        raise ValidationFailed(_("Choose a channel: both, complainant, brand or note."), field="channel")


def post_message(case: MediationCase, actor: User, channel, body: str) -> CaseMessage:
    """Write on a channel of the exchange; the channel's readers are told (a note tells nobody)."""
    role = role_in(actor, case)
    channel = _channel(channel)
    body = required_text(body, "body", _("Message"), MAX_MESSAGE)
    if channel not in WRITABLE[role]:
        if channel is MessageChannel.NOTE:
            raise Forbidden(_("Private notes are the mediator's alone."), field="channel")
        raise Forbidden(_("You can write to both parties or to the mediator in your own separate hearing only."),
                        field="channel")
    if case.state not in HANDLED:
        raise DomainError(_("This case is closed: the exchange is over."))
    if case.mediator_id is None:
        raise DomainError(_("No mediator is assigned to this case yet."))
    if channel not in allowed_channels(case, role):
        raise DomainError(_("Until the mediator opens the case, the exchange is between the complainant and the "
                            "mediator only."), field="channel")
    now = utcnow()
    posted = CaseMessage(case_id=case.id, channel=channel, author_id=actor.id, body=body, created_at=now)
    db.session.add(posted)
    db.session.flush()
    record_event(case, "note" if channel is MessageChannel.NOTE else "message", actor,
                 visible_to=CHANNEL_AUDIENCE[channel], at=now)
    if channel is not MessageChannel.NOTE:
        sender = {"mediator": _("the mediator"), "complainant": _("the complainant"),
                  "brand": _("the brand")}[role]
        tell(case, CHANNEL_READERS[channel], message("New message from %(sender)s in %(case)s.", sender=sender,
                                                     case=case_title(case)), actor=actor)
    audit_act("case.note_written" if channel is MessageChannel.NOTE else "case.message_sent", actor, case,
           channel=channel.value)
    return posted


def post_note(case: MediationCase, actor: User, body: str) -> CaseMessage:
    """The mediator's private note (nobody else ever reads it)."""
    return post_message(case, actor, MessageChannel.NOTE, body)


def messages_query(case: MediationCase, role: str, viewer: User, channel: MessageChannel | None = None):
    """The messages this viewer may read, oldest first, optionally on one channel.

    Private notes belong to their author: a mediator who takes over a case never reads the previous one's.
    """
    readable = READABLE.get(role, ())
    query = (select(CaseMessage).where(CaseMessage.case_id == case.id, CaseMessage.channel.in_(readable),
                                       or_(CaseMessage.channel != MessageChannel.NOTE,
                                           CaseMessage.author_id == viewer.id))
             .options(selectinload(CaseMessage.author)).order_by(CaseMessage.created_at, CaseMessage.id))
    if channel is not None:
        query = query.where(CaseMessage.channel == channel)
    return query


def author_roles(case: MediationCase) -> dict[int, str]:
    """Each author's side in the case, by account id, in a constant number of queries (for listing messages)."""
    roles = {user.id: "complainant" for user in parties.complainant_users(case)}
    if case.complainant_id is not None:
        roles[case.complainant_id] = "complainant"
    for side in SIDES:
        roles.update({user.id: side for user in parties.representative_users(case, side)})
    authors = set(db.session.scalars(select(CaseMessage.author_id).where(CaseMessage.case_id == case.id,
                                                                          CaseMessage.author_id.is_not(None))))
    staff = set(db.session.scalars(select(StaffRole.user_id).where(StaffRole.brand_id == case.brand_id)))
    for author_id in authors - set(roles):
        # Not on the complainant side nor staff: the mediator (this one, or one the case had before).
        roles[author_id] = "brand" if author_id in staff else "mediator"
    if case.mediator is not None and case.mediator.user_id is not None:
        roles[case.mediator.user_id] = "mediator"
    return roles


def messages_for(case: MediationCase, role: str, viewer: User) -> list[CaseMessage]:
    """Every message this viewer may read, oldest first (their own notes only)."""
    return db.session.scalars(messages_query(case, role, viewer)).all()


# --- documents -------------------------------------------------------------------------------------------------

def request_states(from_party: str) -> tuple[CaseState, ...]:
    """When the mediator may ask this party for a document: the complainant from filing on, the brand once open."""
    return HANDLED if from_party == "complainant" else IN_MEDIATION


def asks(request: DocumentRequest, role: str | None) -> bool:
    """Whether the request is addressed to this side."""
    return role in SIDES and request.from_party in (role, "both")


def request_document(case: MediationCase, actor: User, *, from_party: str, description: str,
                     share_with: str = "all") -> DocumentRequest:
    """The mediator asks a party (or both) for a document, choosing who will read what they send."""
    require_acting_mediator(actor, case)
    if from_party not in PARTIES:
        raise ValidationFailed(_("Ask the complainant, the brand or both."), field="from_party")
    if share_with not in SHARES:
        raise ValidationFailed(_("Share with both parties, or with the mediator only."), field="share_with")
    description = required_text(description, "description", _("Document asked for"), MAX_DESCRIPTION)
    if case.state not in request_states(from_party):
        if case.state in BEFORE_OPENING:
            raise DomainError(_("Until the case is open, documents can be asked from the complainant only."),
                              field="from_party")
        raise DomainError(_("This case is closed: no more documents can be asked for."))
    now = utcnow()
    request = DocumentRequest(case_id=case.id, from_party=from_party, description=description,
                              share_with=share_with, requested_at=now)
    db.session.add(request)
    db.session.flush()
    audience = "all" if from_party == "both" else from_party
    record_event(case, "document_requested", actor, visible_to=audience, note=description, at=now)
    sides = SIDES if from_party == "both" else (from_party,)
    tell(case, sides, message("The mediator asks you for a document in %(case)s: %(description)s",
                              case=case_title(case), description=description), actor=actor)
    audit_act("case.document_requested", actor, case, request=request.id, from_party=from_party, share_with=share_with)
    return request


def request_in_case(case: MediationCase, request_id: int) -> DocumentRequest:
    """A document request of this case, or 404."""
    request = db.session.get(DocumentRequest, request_id)
    if request is None or request.case_id != case.id:
        raise NotFound(_("No such document request."))
    return request


def _sent_by_sides(case: MediationCase, request: DocumentRequest) -> set[str]:
    """The sides that have already sent a document for the request."""
    uploaders = db.session.scalars(select(User).join(CaseDocument, CaseDocument.uploaded_by_id == User.id)
                                   .where(CaseDocument.request_id == request.id)).unique().all()
    return {role for role in (case_role(uploader, case) for uploader in uploaders) if role in SIDES}


def upload_document(case: MediationCase, actor: User, request: DocumentRequest, filename: str,
                    data: bytes) -> CaseDocument:
    """A party sends a document the mediator asked for; it is shared as the mediator chose when asking."""
    role = role_in(actor, case)
    if request.case_id != case.id:
        raise NotFound(_("No such document request."))
    if not asks(request, role):
        raise Forbidden(_("This request is not addressed to you."))
    if case.state not in request_states(role):
        raise DomainError(_("This case is closed: no more documents can be sent."))
    documents_store.check(filename, data)
    documents_store.check_quota(case, actor, [len(data)])
    stored = documents_store.store(filename, data)
    now = utcnow()
    visible_to = "all" if request.share_with == "all" else role
    document = CaseDocument(case_id=case.id, uploaded_by_id=actor.id, visible_to=visible_to,
                            filename=stored.filename, content_type=stored.content_type, size=stored.size,
                            sha256=stored.sha256, storage_key=stored.storage_key, uploaded_at=now,
                            request_id=request.id)
    db.session.add(document)
    db.session.flush()
    wanted = set(SIDES) if request.from_party == "both" else {request.from_party}
    if request.fulfilled_at is None and wanted <= _sent_by_sides(case, request):
        request.fulfilled_at = now
    record_event(case, "document_sent", actor, visible_to=visible_to, note=stored.filename, at=now)
    readers = ("mediator",) if visible_to != "all" else ("mediator", "complainant", "brand")
    tell(case, readers, message("A document was sent in %(case)s: %(name)s.", case=case_title(case),
                                name=stored.filename), actor=actor)
    audit_act("case.document_sent", actor, case, request=request.id, document=document.id, sha256=stored.sha256)
    return document


def can_read_document(document: CaseDocument, role: str | None) -> bool:
    """The mediator reads every document; a party those shared with everyone or with its own side."""
    if role == "mediator":
        return True
    return role in SIDES and document.visible_to in ("all", role)


def ask_for_documents(case: MediationCase, actor: User, note: str | None = None) -> None:
    """A party asks the mediator for the documents of the case (R.612-3); the mediator is told and decides."""
    role = role_in(actor, case)
    if role not in SIDES:
        raise Forbidden(_("Only a party asks for the documents of the case."))
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_DESCRIPTION:
        raise ValidationFailed(_("At most %(n)d characters.", n=MAX_DESCRIPTION), field="note")
    if case.state not in HANDLED or (role == "brand" and case.opened_at is None):
        raise DomainError(_("The documents of the case can be asked for while the mediation runs."))
    now = utcnow()
    record_event(case, "documents_asked", actor, visible_to=role, note=note, at=now)
    tell(case, ("mediator",), message("In %(case)s, %(party)s asks for the documents of the case: share those you "
                                      "decide to.", case=case_title(case), party=PARTY_LABELS[role]), actor=actor)
    audit_act("case.documents_asked", actor, case, side=role)


def documents_asked_by(case: MediationCase) -> list:
    """The parties' requests for the documents of the case (timeline events), for the mediator, oldest first."""
    return [event for event in case.events if event.kind == "documents_asked"]


def share_document(case: MediationCase, actor: User, document_id: int) -> CaseDocument:
    """The mediator shares a document of the case with both parties (R.612-3: all or part of the file)."""
    require_acting_mediator(actor, case)
    document = db.session.get(CaseDocument, document_id)
    if document is None or document.case_id != case.id:
        raise NotFound(_("No such document in this case."))
    if case.state not in HANDLED:
        raise DomainError(_("This case is closed: its documents are no longer shared."))
    if document.visible_to == "all":
        raise DomainError(_("Both parties already read this document."))
    if case.opened_at is None:
        raise DomainError(_("The brand is not yet told of the case: share its documents once it is open."))
    now = utcnow()
    document.visible_to = "all"
    db.session.flush()
    record_event(case, "document_shared", actor, note=document.filename, at=now)
    tell(case, SIDES, message("The mediator shared a document of %(case)s with both parties: %(name)s.",
                              case=case_title(case), name=document.filename), actor=actor)
    audit_act("case.document_shared", actor, case, document=document.id)
    return document


def documents_for(case: MediationCase, role: str) -> list[CaseDocument]:
    """The documents of the case this role may read, oldest first."""
    documents = db.session.scalars(select(CaseDocument).where(CaseDocument.case_id == case.id)
                                   .order_by(CaseDocument.uploaded_at, CaseDocument.id)).all()
    return [document for document in documents if can_read_document(document, role)]


def document_for_viewer(case: MediationCase, document_id: int, viewer: User) -> tuple[CaseDocument, bytes]:
    """A document and its bytes, for someone allowed to read it (others get 404: they never learn it exists)."""
    role = role_in(viewer, case)
    document = db.session.get(CaseDocument, document_id)
    if document is None or document.case_id != case.id or not can_read_document(document, role):
        raise NotFound(_("No such document."))
    return document, documents_store.read(document.storage_key)


def download_response(document: CaseDocument, data: bytes) -> Response:
    """The document as a download under its own name and checked type, never cached by shared caches."""
    response = send_file(BytesIO(data), mimetype=document.content_type, as_attachment=True,
                         download_name=document.filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def requests_for(case: MediationCase, role: str) -> list[DocumentRequest]:
    """The mediator sees every request; a party the ones addressed to it."""
    requests = db.session.scalars(select(DocumentRequest).where(DocumentRequest.case_id == case.id)
                                  .order_by(DocumentRequest.requested_at, DocumentRequest.id)).all()
    if role == "mediator":
        return requests
    return [request for request in requests if asks(request, role)]


def export_exchange(user: User) -> dict:
    """What this person wrote and sent in cases' exchanges (messages, notes, documents), for their data export."""
    messages = db.session.scalars(select(CaseMessage).where(CaseMessage.author_id == user.id)
                                  .order_by(CaseMessage.id)).all()
    documents = db.session.scalars(select(CaseDocument).where(CaseDocument.uploaded_by_id == user.id,
                                                              CaseDocument.request_id.is_not(None))
                                   .order_by(CaseDocument.id)).all()
    return {
        "messages": [{"case": m.case_id, "channel": m.channel.value, "body": m.body,
                      "created_at": m.created_at.isoformat()} for m in messages],
        "documents": [{"case": d.case_id, "request": d.request_id, "filename": d.filename,
                       "content_type": d.content_type, "size": d.size, "sha256": d.sha256,
                       "uploaded_at": d.uploaded_at.isoformat()} for d in documents],
    }


# --- the page --------------------------------------------------------------------------------------------------

@dataclass
class ExchangeView:
    """What _exchange.html shows to one viewer."""

    role: str | None
    messages: list = field(default_factory=list)  # on the channels the parties read (notes apart)
    notes: list = field(default_factory=list)  # the mediator's own
    channels: tuple = ()
    can_note: bool = False
    requests: list = field(default_factory=list)
    documents_by_request: dict = field(default_factory=dict)  # request id -> the documents sent for it
    other_documents: list = field(default_factory=list)  # shared with the viewer, sent for others' requests
    can_request: bool = False
    can_upload_for: list = field(default_factory=list)  # ids of requests the viewer may answer now
    forms: dict = field(default_factory=dict)
    author_roles: dict = field(default_factory=dict)
    channel_labels: dict = field(default_factory=dict)
    party_labels: dict = field(default_factory=lambda: PARTY_LABELS)
    share_labels: dict = field(default_factory=lambda: SHARE_LABELS)
    can_ask_documents: bool = False
    documents_asked: list = field(default_factory=list)  # for the mediator: the parties' requests for the file
    can_share: bool = False


def channel_label(channel: MessageChannel, role: str | None) -> str:
    """A channel's name as this role reads it (a party's own hearing is "the mediator and you")."""
    if role in SIDES and channel in (MessageChannel.COMPLAINANT, MessageChannel.BRAND):
        return str(OWN_HEARING_LABEL)
    return str(CHANNEL_LABELS[channel])


def message_channels(case: MediationCase, role: str | None) -> list[tuple[str, str]]:
    """The message form's choices: the channels this role may write on now, notes apart (they have their form)."""
    return [(channel.value, channel_label(channel, role)) for channel in allowed_channels(case, role)
            if channel is not MessageChannel.NOTE]


def request_parties(case: MediationCase, role: str | None) -> list[tuple[str, str]]:
    """The document request form's choices: whom the mediator may ask now."""
    if role != "mediator" or case.mediator_id is None:
        return []
    return [(party, str(PARTY_LABELS[party])) for party in PARTIES if case.state in request_states(party)]


def page_context(case: MediationCase, viewer, forms: dict) -> dict:
    """What the case page shows of the exchange to this viewer (included as templates/mediation/_exchange.html).

    `forms` are the exchange's forms of the page (forms.exchange_page_forms); their choices are set here.
    """
    role = case_role(viewer, case)
    if role is None:
        return {"exchange": ExchangeView(role=None)}
    channels = allowed_channels(case, role)
    requests = requests_for(case, role)
    built = forms
    built["message"].channel.choices = message_channels(case, role)
    built["request"].from_party.choices = request_parties(case, role)
    readable = messages_for(case, role, viewer)
    # Attachments of the filing are on the case page itself; here, what answers the mediator's requests.
    listed = {request.id for request in requests}
    by_request: dict[int, list[CaseDocument]] = {}
    others = []
    for document in documents_for(case, role):
        if document.request_id in listed:
            by_request.setdefault(document.request_id, []).append(document)
        elif document.request_id is not None:
            others.append(document)
    return {"exchange": ExchangeView(
        role=role, messages=[m for m in readable if m.channel is not MessageChannel.NOTE],
        notes=[m for m in readable if m.channel is MessageChannel.NOTE],
        can_note=MessageChannel.NOTE in channels,
        channels=tuple(channel for channel in channels if channel is not MessageChannel.NOTE),
        requests=requests, documents_by_request=by_request, other_documents=others,
        can_request=bool(built["request"].from_party.choices),
        can_upload_for=[request.id for request in requests
                        if asks(request, role) and case.state in request_states(role)],
        forms=built, author_roles=author_roles(case),
        channel_labels={channel: channel_label(channel, role) for channel in READABLE[role]},
        can_ask_documents=role in SIDES and case.state in HANDLED and (role == "complainant" or
                                                                      case.opened_at is not None),
        documents_asked=documents_asked_by(case) if role == "mediator" else [],
        can_share=role == "mediator" and case.state in HANDLED and case.opened_at is not None,
    )}
