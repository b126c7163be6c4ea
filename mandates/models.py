"""Ambassador mandates: applications, contract versions and signatures, mission orders, benefits, advocates."""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from institutions.clock import utcnow
from institutions.models import Brand, OfficeHolding, User, enum_column
from institutions.types import UTCDateTime


class ApplicationState(enum.Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"  # a draft mandate was started from it
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class AmbassadorApplication(db.Model):
    """A member asks to become an ambassador of the brand."""

    __tablename__ = "ambassador_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    applicant_name: Mapped[str] = mapped_column(String(120))
    motivation: Mapped[str] = mapped_column(Text)
    channels: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(Text)
    state: Mapped[ApplicationState] = mapped_column(enum_column(ApplicationState), default=ApplicationState.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    mandate_id: Mapped[int | None] = mapped_column(ForeignKey("mandates.id", ondelete="SET NULL", use_alter=True))

    brand: Mapped[Brand] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class MandateState(enum.Enum):
    DRAFT = "draft"
    OFFERED = "offered"        # the first version waits for the ambassador's signature
    SIGNED = "signed"          # the ambassador signed; the brand has not countersigned yet
    SCHEDULED = "scheduled"    # both signed; in force from the start date
    ACTIVE = "active"
    COMPLETED = "completed"    # reached its end date
    REVOKED = "revoked"        # ended by the brand with a reason
    RESIGNED = "resigned"      # ended by the ambassador with notice
    DECLINED = "declined"      # the ambassador declined the first offer

    @property
    def label(self):
        """The state in words, for the status badge."""
        return MANDATE_STATE_BADGES[self][0]

    @property
    def tone(self) -> str:
        """The badge's colour: ok, pending, bad or off."""
        return MANDATE_STATE_BADGES[self][1]


ENDED_STATES = (MandateState.COMPLETED, MandateState.REVOKED, MandateState.RESIGNED)
MANDATE_STATE_BADGES = {
    MandateState.DRAFT: (_l("Draft"), "pending"),
    MandateState.OFFERED: (_l("Offered: waiting for the ambassador"), "pending"),
    MandateState.SIGNED: (_l("Signed: waiting for the countersignature"), "pending"),
    MandateState.SCHEDULED: (_l("Signed by both: starts on its first day"), "ok"),
    MandateState.ACTIVE: (_l("Active"), "ok"),
    MandateState.COMPLETED: (_l("Completed"), "off"),
    MandateState.REVOKED: (_l("Revoked"), "bad"),
    MandateState.RESIGNED: (_l("Ended by resignation"), "off"),
    MandateState.DECLINED: (_l("Declined by the ambassador"), "off"),
}


class Mandate(db.Model):
    """The status of one ambassador of one brand, and its contract versions."""

    __tablename__ = "mandates"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    # Null until an invited person signs up with the invited address.
    ambassador_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    invited_email: Mapped[str | None] = mapped_column(String(254), index=True)
    # The name the public registry shows (a signed contract keeps the legal name in its text).
    public_name: Mapped[str] = mapped_column(String(120))
    state: Mapped[MandateState] = mapped_column(enum_column(MandateState), default=MandateState.DRAFT, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The version in force (countersigned); amendments wait as later versions.
    version_in_force_id: Mapped[int | None] = mapped_column(
        ForeignKey("mandate_versions.id", ondelete="SET NULL", use_alter=True))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Revocation or resignation: when it was given, when it takes effect, and why.
    end_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_effective_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(Text)
    end_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    holding_id: Mapped[int | None] = mapped_column(ForeignKey("office_holdings.id", ondelete="SET NULL"))

    brand: Mapped[Brand] = relationship()
    ambassador: Mapped[User | None] = relationship(foreign_keys=[ambassador_id])
    versions: Mapped[list[MandateVersion]] = relationship(
        back_populates="mandate", foreign_keys="MandateVersion.mandate_id", order_by="MandateVersion.number")
    version_in_force: Mapped[MandateVersion | None] = relationship(foreign_keys=[version_in_force_id],
                                                                   post_update=True)
    holding: Mapped[OfficeHolding | None] = relationship()


class VersionState(enum.Enum):
    DRAFT = "draft"
    OFFERED = "offered"        # text frozen and hashed, waiting for the ambassador
    SIGNED = "signed"          # the ambassador signed, waiting for the brand's countersignature
    IN_FORCE = "in_force"      # both signed; the contract that governs the mandate
    SUPERSEDED = "superseded"  # a later version replaced it
    DECLINED = "declined"      # the ambassador declined it (nothing changes)
    WITHDRAWN = "withdrawn"    # the brand withdrew the offer before signature

    @property
    def label(self):
        """The state in words, for the status badge."""
        return VERSION_STATE_BADGES[self][0]

    @property
    def tone(self) -> str:
        """The badge's colour: ok, pending or off."""
        return VERSION_STATE_BADGES[self][1]


VERSION_STATE_BADGES = {
    VersionState.DRAFT: (_l("Draft"), "pending"),
    VersionState.OFFERED: (_l("Offered for signature"), "pending"),
    VersionState.SIGNED: (_l("Signed by the ambassador"), "pending"),
    VersionState.IN_FORCE: (_l("In force"), "ok"),
    VersionState.SUPERSEDED: (_l("Superseded"), "off"),
    VersionState.DECLINED: (_l("Declined"), "off"),
    VersionState.WITHDRAWN: (_l("Withdrawn"), "off"),
}
RUNNING_STATES = (MandateState.SCHEDULED, MandateState.ACTIVE)  # signed and not ended
WAITING_STATES = (VersionState.OFFERED, VersionState.SIGNED)    # offered, not yet in force
MAX_REASON = 2000  # the longest reason for declining or ending a mandate


class MandateVersion(db.Model):
    """One version of the mission contract: clauses, then once offered a frozen text and its SHA-256."""

    __tablename__ = "mandate_versions"
    __table_args__ = (UniqueConstraint("mandate_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandates.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[VersionState] = mapped_column(enum_column(VersionState), default=VersionState.DRAFT)
    # "en" or "fr": the language the contract is written and signed in.
    language: Mapped[str] = mapped_column(String(5), default="en")
    # The structured clauses as JSON (see mandates/clauses.py); frozen once offered.
    clauses_json: Mapped[str] = mapped_column(Text, default="{}")
    # Set when offered, never changed afterwards (a trigger refuses it, see migration 0004).
    text: Mapped[str | None] = mapped_column(Text)
    text_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decline_reason: Mapped[str | None] = mapped_column(Text)
    in_force_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when offered to an ambassador under 16: then the legal representative signs too (L.7124-1),
    # and a trigger (migration 0012) refuses the version in force without that signature.
    needs_legal_representative: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    mandate: Mapped[Mandate] = relationship(back_populates="versions", foreign_keys=[mandate_id])
    signatures: Mapped[list[Signature]] = relationship(back_populates="version", order_by="Signature.signed_at")


class SigningParty(enum.Enum):
    AMBASSADOR = "ambassador"
    LEGAL_REPRESENTATIVE = "legal_representative"  # of an ambassador under 16, after them
    BRAND = "brand"


class Signature(db.Model):
    """A party's acceptance of one exact contract text: typed name, hash, UTC time, IP and user agent."""

    __tablename__ = "signatures"
    __table_args__ = (UniqueConstraint("version_id", "party"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("mandate_versions.id", ondelete="RESTRICT"), index=True)
    party: Mapped[SigningParty] = mapped_column(enum_column(SigningParty))
    # Kept as a legal record even if the account is deleted (the typed name stays).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    typed_name: Mapped[str] = mapped_column(String(200))
    text_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ip_address: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(500))

    version: Mapped[MandateVersion] = relationship(back_populates="signatures")
    user: Mapped[User | None] = relationship()


class OrderState(enum.Enum):
    ISSUED = "issued"          # waits for the ambassador to accept or decline
    ACCEPTED = "accepted"      # the ambassador works on it
    DECLINED = "declined"
    REPORTED = "reported"      # a report waits for review
    SENT_BACK = "sent_back"    # the reviewer asked for more; the ambassador reports again
    APPROVED = "approved"
    CANCELLED = "cancelled"    # the mandate ended before it was done


# An order in one of these states is finished: it can no longer be late.
CLOSED_ORDER_STATES = (OrderState.APPROVED, OrderState.DECLINED, OrderState.CANCELLED)


class MissionOrder(db.Model):
    """A task given inside an active mandate: instructions, due date, expected proof, label to show."""

    __tablename__ = "mission_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandates.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expected_proof: Mapped[str] = mapped_column(Text)
    disclosure_label: Mapped[str] = mapped_column(String(100))
    state: Mapped[OrderState] = mapped_column(enum_column(OrderState), default=OrderState.ISSUED, index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decline_reason: Mapped[str | None] = mapped_column(Text)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    mandate: Mapped[Mandate] = relationship()
    reports: Mapped[list[MissionReport]] = relationship(back_populates="order", order_by="MissionReport.id")

    @property
    def is_finished(self) -> bool:
        """Approved, declined or cancelled: its due date no longer runs."""
        return self.state in CLOSED_ORDER_STATES


class MissionReport(db.Model):
    """What the ambassador did for an order (text and links), and the reviewer's decision."""

    __tablename__ = "mission_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("mission_orders.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    # One link per line.
    links: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The disclosure label was not found in the text or links: the reviewer must clear this.
    label_missing: Mapped[bool] = mapped_column(Boolean, default=False)
    # Which mentions were not shown ("label", "employment", "retouched", "virtual"), comma-separated.
    missing_mentions: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # The ambassador declares retouched or virtual images: the matching mention is then checked (loi 2023-451 art. 5).
    retouched_images: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    virtual_images: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    warning_cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    warning_cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    warning_note: Mapped[str | None] = mapped_column(Text)
    # "approved" or "sent_back", once reviewed.
    decision: Mapped[str | None] = mapped_column(String(20))
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    order: Mapped[MissionOrder] = relationship(back_populates="reports")


class BenefitKind(enum.Enum):
    MONEY = "money"
    IN_KIND = "in_kind"


class Benefit(db.Model):
    """Something of value given to an ambassador: always under an active mandate."""

    __tablename__ = "benefits"

    id: Mapped[int] = mapped_column(primary_key=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandates.id", ondelete="CASCADE"), index=True)
    kind: Mapped[BenefitKind] = mapped_column(enum_column(BenefitKind))
    description: Mapped[str] = mapped_column(String(500))
    # The value in minor units (cents) of `currency`, so totals never suffer from floats.
    value_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    given_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    mandate: Mapped[Mandate] = relationship()


class AdvocacyState(enum.Enum):
    PENDING = "pending"
    RECOGNIZED = "recognized"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"    # the brand withdrew its recognition
    RETRACTED = "retracted"    # the advocate stopped


class AdvocateDeclaration(db.Model):
    """A member declares they defend the brand (or its customers); the brand recognizes or declines."""

    __tablename__ = "advocate_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    public_name: Mapped[str] = mapped_column(String(120))
    # "brand" or "customers": whom they defend.
    defends: Mapped[str] = mapped_column(String(20))
    statement: Mapped[str] = mapped_column(Text)
    state: Mapped[AdvocacyState] = mapped_column(enum_column(AdvocacyState), default=AdvocacyState.PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    holding_id: Mapped[int | None] = mapped_column(ForeignKey("office_holdings.id", ondelete="SET NULL"))

    brand: Mapped[Brand] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
