"""Mediation: the roster of mediators, brand panels, cases, their parties, events, messages, documents, proposals."""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from institutions.clock import utcnow
from institutions.models import Brand, OfficeHolding, User, enum_column
from institutions.types import UTCDateTime


class Mediator(db.Model):
    """An independent neutral on the platform's roster (kept by the platform admin)."""

    __tablename__ = "mediators"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    qualifications: Mapped[str] = mapped_column(Text)
    appointing_body: Mapped[str] = mapped_column(String(200))
    term_starts_on: Mapped[date] = mapped_column(Date)
    term_ends_on: Mapped[date] = mapped_column(Date)  # at least three years after the start
    declaration_of_interests: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Why they left the roster before the end of their term (a key of roster.REMOVAL_REASONS), and a public note.
    removal_reason: Mapped[str | None] = mapped_column(String(40))
    removal_note: Mapped[str | None] = mapped_column(Text)
    # Who pays the mediator (L.613-1): "platform", "brand" or "third_party" (then named).
    paid_by: Mapped[str] = mapped_column(String(20), default="platform", server_default="platform")
    payer_name: Mapped[str | None] = mapped_column(String(200))
    # Recorded true only when the pay does not depend on the outcome of cases; the public sentence depends on it.
    paid_independently_of_outcome: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When the brand pays (L.613-2, D.613-2): the collegial body that appointed them, one member a line.
    collegial_consumer_associations: Mapped[str | None] = mapped_column(Text)
    collegial_professional_representatives: Mapped[str | None] = mapped_column(Text)
    # What R.614-1 has the public page show.
    postal_address: Mapped[str | None] = mapped_column(Text)
    contact_email: Mapped[str | None] = mapped_column(String(254))
    ec_listing_url: Mapped[str | None] = mapped_column(String(500))
    appointment_decision: Mapped[str | None] = mapped_column(Text)
    networks: Mapped[str | None] = mapped_column(Text)
    dispute_kinds: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User | None] = relationship()
    seats: Mapped[list[PanelSeat]] = relationship(back_populates="mediator")


class PanelSeat(db.Model):
    """A mediator appointed to a brand's panel."""

    __tablename__ = "panel_seats"
    __table_args__ = (UniqueConstraint("mediator_id", "brand_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mediator_id: Mapped[int] = mapped_column(ForeignKey("mediators.id", ondelete="CASCADE"), index=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    appointed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    holding_id: Mapped[int | None] = mapped_column(ForeignKey("office_holdings.id", ondelete="SET NULL"))
    # Why the seat ended before the end of the term (a key of roster.REMOVAL_REASONS), shown on the public page.
    end_reason: Mapped[str | None] = mapped_column(String(40))
    end_note: Mapped[str | None] = mapped_column(Text)

    mediator: Mapped[Mediator] = relationship(back_populates="seats")
    brand: Mapped[Brand] = relationship()
    holding: Mapped[OfficeHolding | None] = relationship()


class CaseCategory(db.Model):
    """A kind of dispute; the platform's defaults plus those the brand's panel adds."""

    __tablename__ = "case_categories"
    __table_args__ = (UniqueConstraint("brand_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    # A default's key ("delivery", ...) is shown translated; a panel's own category keeps its name.
    key: Mapped[str] = mapped_column(String(60))
    name: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PanelRecommendation(db.Model):
    """What a panel mediator recommends the brand do about a category of cases in a year (for the annual report)."""

    __tablename__ = "panel_recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("case_categories.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    mediator_id: Mapped[int | None] = mapped_column(ForeignKey("mediators.id", ondelete="SET NULL"))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    category: Mapped[CaseCategory] = relationship()


class MediationSettings(db.Model):
    """A brand's choices about its mediation: whether Tribune is its consumer mediation (L.612-1)."""

    __tablename__ = "mediation_settings"

    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True)
    # On: any consumer of the brand files (giving identity and contact), not only verified community members.
    consumer_mediation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseState(enum.Enum):
    FILED = "filed"                  # waits for the mediator's admissibility decision (3 weeks)
    INCOMPLETE = "incomplete"        # the mediator asked for what is missing; the clock is stopped
    REFUSED = "refused"              # inadmissible, with a reason from the fixed list
    OPEN = "open"                    # the 90-day clock runs; the brand has 20 days to answer
    PROPOSAL = "proposal"            # the mediator's proposal waits for both answers
    SETTLED = "settled"              # both accepted
    NOT_SETTLED = "not_settled"      # one refused, or the answer deadline passed
    BRAND_REFUSED = "brand_refused"  # the brand did not take part (no answer in 20 days, or said no)
    WITHDRAWN = "withdrawn"          # the complainant withdrew
    LAPSED = "lapsed"                # the 90 days (with their one extension) ran out without outcome

    @property
    def label(self):
        """The state in words, for the status badge."""
        return STATE_LABELS[self]

    @property
    def tone(self) -> str:
        """The badge's colour: pending while the case runs, ok when settled, bad when it failed, off withdrawn."""
        if self not in CLOSED_CASE_STATES:
            return "pending"
        return {"settled": "ok", "withdrawn": "off"}.get(self.value, "bad")


CLOSED_CASE_STATES = (CaseState.REFUSED, CaseState.SETTLED, CaseState.NOT_SETTLED, CaseState.BRAND_REFUSED,
                      CaseState.WITHDRAWN, CaseState.LAPSED)
STATE_LABELS = {
    CaseState.FILED: _l("Filed: waiting for the admissibility decision"),
    CaseState.INCOMPLETE: _l("Incomplete: waiting for the complainant"),
    CaseState.REFUSED: _l("Refused by the mediator"),
    CaseState.OPEN: _l("Open: mediation in progress"),
    CaseState.PROPOSAL: _l("Proposal: waiting for the answers"),
    CaseState.SETTLED: _l("Settled"),
    CaseState.NOT_SETTLED: _l("Not settled"),
    CaseState.BRAND_REFUSED: _l("The brand did not take part"),
    CaseState.WITHDRAWN: _l("Withdrawn"),
    CaseState.LAPSED: _l("Lapsed: the time ran out"),
}


class MediationCase(db.Model):
    """A dispute between members and the brand, handled by one mediator of the brand's panel."""

    __tablename__ = "mediation_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    complainant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Collective: other members may join; filed by the sitting president for the community.
    collective: Mapped[bool] = mapped_column(Boolean, default=False)
    filed_by_president: Mapped[bool] = mapped_column(Boolean, default=False)
    category_id: Mapped[int] = mapped_column(ForeignKey("case_categories.id", ondelete="RESTRICT"), index=True)
    facts: Mapped[str] = mapped_column(Text)
    request: Mapped[str] = mapped_column(Text)
    prior_complaint_on: Mapped[date] = mapped_column(Date)
    prior_complaint: Mapped[str] = mapped_column(Text)  # its content or reference
    complainant_country: Mapped[str] = mapped_column(String(2))
    # A filer who is not a member of the community gives their identity and how to reach them (L.612-1).
    complainant_name: Mapped[str | None] = mapped_column(String(200))
    complainant_contact: Mapped[str | None] = mapped_column(Text)
    state: Mapped[CaseState] = mapped_column(enum_column(CaseState), default=CaseState.FILED, index=True)
    mediator_id: Mapped[int | None] = mapped_column(ForeignKey("mediators.id", ondelete="SET NULL"), index=True)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Admissibility: 3 weeks from filing, not counting the time the case was incomplete.
    clock_stopped_days: Mapped[int] = mapped_column(Integer, default=0)
    incomplete_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    missing_information: Mapped[str | None] = mapped_column(Text)
    # L.612-2: set when the admissibility decision came after its three weeks (shown, counted in the report).
    admissibility_late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    refusal_reason: Mapped[str | None] = mapped_column(String(40))
    refusal_note: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    brand_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    brand_answer: Mapped[str | None] = mapped_column(Text)
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extension_days: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closing_note: Mapped[str | None] = mapped_column(Text)
    # Who withdrew a WITHDRAWN case: "complainant" or "brand" (L.612-2: either party may withdraw at any time).
    withdrawn_by: Mapped[str | None] = mapped_column(String(20))
    # "consumer", "brand" or "amicable", recorded by the mediator at the outcome.
    outcome_favours: Mapped[str | None] = mapped_column(String(20))
    # After settlement, the complainant says whether the brand did what it agreed.
    complied: Mapped[bool | None] = mapped_column(Boolean)
    compliance_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Reminders already sent, as "kind:due-date" keys, so `flask cases remind` never repeats one.
    reminders_sent: Mapped[str] = mapped_column(Text, default="")

    brand: Mapped[Brand] = relationship()
    complainant: Mapped[User | None] = relationship(foreign_keys=[complainant_id])
    category: Mapped[CaseCategory] = relationship()
    mediator: Mapped[Mediator | None] = relationship()
    co_complainants: Mapped[list[CaseParticipant]] = relationship(back_populates="case",
                                                                  order_by="CaseParticipant.joined_at")
    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="CaseEvent.id")
    proposals: Mapped[list[Proposal]] = relationship(back_populates="case", order_by="Proposal.id")


class CaseParticipant(db.Model):
    """A member who joined a collective case."""

    __tablename__ = "case_participants"
    __table_args__ = (UniqueConstraint("case_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # L.612-2 in a collective case: each member withdraws their own claim; the case goes on for the others.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[MediationCase] = relationship(back_populates="co_complainants")
    user: Mapped[User | None] = relationship()


class CaseRepresentative(db.Model):
    """A lawyer representing, or a person assisting, one side of a case (R.612-1 3°), with their own access to it."""

    __tablename__ = "case_representatives"
    __table_args__ = (UniqueConstraint("case_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    side: Mapped[str] = mapped_column(String(20))  # "complainant" or "brand"
    kind: Mapped[str] = mapped_column(String(20))  # "lawyer" (represents) or "assistant" (assists)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class ClaimAnswer(db.Model):
    """A member who joined a collective case accepts or refuses the proposal for their own claim."""

    __tablename__ = "claim_answers"
    __table_args__ = (UniqueConstraint("proposal_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("case_participants.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(String(10))  # "accepted" or "refused"
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    participant: Mapped[CaseParticipant] = relationship()


class CaseEvent(db.Model):
    """One step of a case's timeline; deadlines are computed from these, never typed in."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Who may see it on the timeline: "all" (both parties and the mediator), "complainant", "brand", "mediator".
    visible_to: Mapped[str] = mapped_column(String(20), default="all")
    note: Mapped[str | None] = mapped_column(Text)

    case: Mapped[MediationCase] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class MessageChannel(enum.Enum):
    BOTH = "both"                # to both parties
    COMPLAINANT = "complainant"  # separate hearing with the complainant side
    BRAND = "brand"              # separate hearing with the brand
    NOTE = "note"                # the mediator's private note


class CaseMessage(db.Model):
    """A message of the exchange, on one of its channels."""

    __tablename__ = "case_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_cases.id", ondelete="CASCADE"), index=True)
    channel: Mapped[MessageChannel] = mapped_column(enum_column(MessageChannel))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship()


class CaseDocument(db.Model):
    """A file attached to a case (PDF, PNG, JPEG, at most 5 MB), stored outside the web root."""

    __tablename__ = "case_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_cases.id", ondelete="CASCADE"), index=True)
    # Indexed: the per-person quota sums what one account sent lately.
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Who may read it: "all" (both parties and the mediator), "complainant", "brand" or "mediator".
    visible_to: Mapped[str] = mapped_column(String(20), default="all")
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when it answers a mediator's request for a document.
    request_id: Mapped[int | None] = mapped_column(ForeignKey("document_requests.id", ondelete="SET NULL"))


class CaseFileBlob(db.Model):
    """An attachment's bytes, when the deployment keeps them in the database (CASE_FILES_STORAGE=database).

    Keyed by the document's storage key, with no foreign key: the same store serves every document kind, and a
    blob is written in the same transaction as its document row, so neither exists without the other.
    """

    __tablename__ = "case_file_blobs"

    storage_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DocumentRequest(db.Model):
    """The mediator asks one party (or both) for a document."""

    __tablename__ = "document_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_cases.id", ondelete="CASCADE"), index=True)
    from_party: Mapped[str] = mapped_column(String(20))  # "complainant", "brand" or "both"
    description: Mapped[str] = mapped_column(Text)
    # Who will read what the party sends, chosen by the mediator when asking: "all" (both parties),
    # or "mediator" (the mediator, and the side that sent it).
    share_with: Mapped[str] = mapped_column(String(20), default="all")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Objection(db.Model):
    """A party objects to the assigned mediator (within 7 days); the platform admin decides."""

    __tablename__ = "mediator_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_cases.id", ondelete="CASCADE"), index=True)
    mediator_id: Mapped[int | None] = mapped_column(ForeignKey("mediators.id", ondelete="SET NULL"))
    party: Mapped[str] = mapped_column(String(20))  # "complainant" or "brand"
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decision: Mapped[str | None] = mapped_column(String(20))  # "reassigned", "kept" or "mission_ended"
    # Raised after the mediator disclosed a circumstance: a refusal to continue, which ends the mission at once.
    after_disclosure: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    case: Mapped[MediationCase] = relationship()


class MediatorDeclaration(db.Model):
    """The case mediator's own word on their independence: no conflict, a disclosed circumstance, or a recusal."""

    __tablename__ = "mediator_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_cases.id", ondelete="CASCADE"), index=True)
    mediator_id: Mapped[int | None] = mapped_column(ForeignKey("mediators.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "no_conflict", "disclosure" or "recusal"
    text: Mapped[str | None] = mapped_column(Text)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Proposal(db.Model):
    """The mediator's proposed solution, the answer deadline, and each party's answer."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_cases.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answer_days: Mapped[int] = mapped_column(Integer, default=14)
    # "accepted" or "refused"; None while waiting.
    complainant_answer: Mapped[str | None] = mapped_column(String(10))
    complainant_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    brand_answer: Mapped[str | None] = mapped_column(String(10))
    brand_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[MediationCase] = relationship(back_populates="proposals")


class ReportPublication(db.Model):
    """A panel published its annual report for a year (R.614-2): until then the report is a draft its mediators see."""

    __tablename__ = "mediation_report_publications"
    __table_args__ = (UniqueConstraint("brand_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("mediators.id", ondelete="SET NULL"))
    # SHA-256 of the figures as published (the JSON document without the chain head), also in the audit event.
    figures_sha256: Mapped[str] = mapped_column(String(64))
    # What the figures were computed from, frozen at publication (mediation/report_archive.py); None before 0018.
    frozen_inputs: Mapped[str | None] = mapped_column(Text)
