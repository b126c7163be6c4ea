"""The core every feature stands on: accounts, brands, memberships, offices, audit, mail."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import (Boolean, CheckConstraint, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text,
                        UniqueConstraint, false, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from institutions.clock import utcnow
from institutions.types import UTCDateTime


def enum_column(enum_cls: type[enum.Enum], length: int = 32) -> Enum:
    """Store an enum by value as a plain string column (portable, readable in SQL)."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda cls: [member.value for member in cls],
    )


class User(UserMixin, db.Model):
    """One person, one account; roles are held per brand."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(120))
    # A stable, meaningless name the audit trail uses, so erasing an account keeps the chain.
    pseudonym: Mapped[str] = mapped_column(String(40), unique=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_platform_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Part of the identity every session and remember-me cookie carries (get_id): raising it ends
    # them all at once (sign-out, password change or reset, "sign out everywhere").
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", foreign_keys="Membership.user_id")
    staff_roles: Mapped[list[StaffRole]] = relationship(back_populates="user")

    @property
    def is_active(self) -> bool:  # Flask-Login: a deleted account cannot sign in
        return self.deleted_at is None

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_id(self) -> str:  # Flask-Login: what the session and the remember-me cookie hold
        return f"{self.id}:{self.session_version or 0}"


class AccountTokenPurpose(enum.Enum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"


class AccountToken(db.Model):
    """A single-use, expiring token sent by e-mail; only its hash is stored."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[AccountTokenPurpose] = mapped_column(enum_column(AccountTokenPurpose))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class ApiToken(db.Model):
    """A personal API token; the secret is shown once and stored hashed."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class Brand(db.Model):
    """A tenant: its own community, staff, offices, elections, mandates and cases."""

    __tablename__ = "brands"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(7), default="#1d4ed8")
    country: Mapped[str] = mapped_column(String(2), default="FR")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    offices: Mapped[list[Office]] = relationship(
        back_populates="brand", order_by="Office.position", cascade="all, delete-orphan"
    )


class StaffRole(db.Model):
    """A person employed by a brand, acting in its name on the platform."""

    __tablename__ = "staff_roles"
    __table_args__ = (UniqueConstraint("brand_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Signing rights: who may countersign contracts in the brand's name.
    can_sign: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The person's full legal name, recorded by themself: a countersignature must type exactly it.
    legal_name: Mapped[str | None] = mapped_column(String(200))
    legal_name_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    brand: Mapped[Brand] = relationship()
    user: Mapped[User] = relationship(back_populates="staff_roles")


class StaffInvitation(db.Model):
    """An invitation, sent by e-mail, to join a brand's staff."""

    __tablename__ = "staff_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    can_sign: Mapped[bool] = mapped_column(Boolean, default=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    brand: Mapped[Brand] = relationship()


class MembershipStatus(enum.Enum):
    PENDING = "pending"
    VERIFIED = "verified"
    LEFT = "left"

    @property
    def label(self):
        """The status in words, for the status badge."""
        return MEMBERSHIP_STATUS_LABELS[self]

    @property
    def tone(self) -> str:
        """The badge's colour: ok, pending or off."""
        return {"pending": "pending", "verified": "ok", "left": "off"}[self.value]


MEMBERSHIP_STATUS_LABELS = {
    MembershipStatus.PENDING: _l("Pending verification"),
    MembershipStatus.VERIFIED: _l("Verified member"),
    MembershipStatus.LEFT: _l("Left the community"),
}


class Membership(db.Model):
    """A customer's place in a brand's community; `started_at` is the eligibility date."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("brand_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[MembershipStatus] = mapped_column(enum_column(MembershipStatus))
    customer_number: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verification_source: Mapped[str | None] = mapped_column(String(20))
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The listed customer this membership was verified as: one listed customer, one membership.
    customer_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer_records.id", ondelete="SET NULL"), unique=True)
    # Verified by a customer number alone, before that stopped being enough: staff confirm or revoke.
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    brand: Mapped[Brand] = relationship()
    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    customer_record: Mapped[CustomerRecord | None] = relationship()

    @property
    def is_verified(self) -> bool:
        return self.status is MembershipStatus.VERIFIED


class CustomerRecord(db.Model):
    """A customer the brand vouches for (from a CSV import): matching accounts are verified."""

    __tablename__ = "customer_records"
    __table_args__ = (
        UniqueConstraint("brand_id", "email"),
        UniqueConstraint("brand_id", "customer_number"),
        CheckConstraint("email IS NOT NULL OR customer_number IS NOT NULL", name="identifies"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    customer_number: Mapped[str | None] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A verification code the brand gives this customer (only its SHA-256 is kept): number + code
    # verifies a membership whatever address the account uses.
    code_hash: Mapped[str | None] = mapped_column(String(64))
    code_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OfficeKind(enum.Enum):
    PRESIDENT = "president"
    AMBASSADOR = "ambassador"
    ADVOCATE = "advocate"
    MEDIATOR = "mediator"


class Office(db.Model):
    """One office of a brand's charter: how it is obtained, its term, powers and duties."""

    __tablename__ = "offices"
    __table_args__ = (UniqueConstraint("brand_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    kind: Mapped[OfficeKind] = mapped_column(enum_column(OfficeKind))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The brand's own wording; None means "the platform's default text, in the reader's language".
    obtained: Mapped[str | None] = mapped_column(Text)
    term: Mapped[str | None] = mapped_column(Text)
    term_months: Mapped[int | None] = mapped_column(Integer)
    powers: Mapped[str | None] = mapped_column(Text)
    obligations: Mapped[str | None] = mapped_column(Text)
    resources: Mapped[str | None] = mapped_column(Text)
    # Recall of an elected holder: the share of eligible members whose signatures within the
    # window oblige the brand to hold a recall vote.
    recall_threshold_percent: Mapped[int | None] = mapped_column(Integer)
    recall_window_days: Mapped[int | None] = mapped_column(Integer)
    # The president's representations: the brand answers within this many days (None: the default, 30).
    representation_response_days: Mapped[int | None] = mapped_column(Integer)
    # The president's election: staff certify a counted election within this many days (None: the default, 14).
    certification_days: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    brand: Mapped[Brand] = relationship(back_populates="offices")
    holdings: Mapped[list[OfficeHolding]] = relationship(
        back_populates="office", order_by="OfficeHolding.started_at.desc()"
    )


class OfficeHolding(db.Model):
    """Someone holding an office, from when, until when, and by what act (the source)."""

    __tablename__ = "office_holdings"
    __table_args__ = (Index("ix_office_holdings_office_open", "office_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    holder_name: Mapped[str] = mapped_column(String(120))
    # What made this person an office holder: "election:12", "mandate:4", "appointment", ...
    source: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    term_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(200))
    # When staff were reminded that the term ends soon (once per holding).
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    office: Mapped[Office] = relationship(back_populates="holdings")
    user: Mapped[User | None] = relationship()


class AuditEvent(db.Model):
    """An append-only, hash-chained record of one institutional act."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="RESTRICT"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The pseudonym, not the name: erasing an account must not break the chain.
    actor_pseudonym: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(80))
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text, default="{}")
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    brand: Mapped[Brand | None] = relationship()
    actor: Mapped[User | None] = relationship()


_DIGEST_PENDING = "digest IS NOT NULL AND digested_at IS NULL"


class Notification(db.Model):
    """An in-app notice for one person."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    # The English text at the time of writing (search, exports, old rows); pages render message_key + params_json
    # for their reader (institutions/messages.py), so a language change applies to old notices too.
    message: Mapped[str] = mapped_column(Text)
    message_key: Mapped[str | None] = mapped_column(Text)
    params_json: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "daily" or "weekly" when the notice waits for its reader's digest e-mail (institutions/digests.py);
    # digested_at is set, by one conditional UPDATE, when a digest takes it: so each notice is digested once.
    digest: Mapped[str | None] = mapped_column(String(10))
    digested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # The digest task reads only the notices still waiting for a digest.
    __table_args__ = (Index("ix_notifications_digest_pending", "user_id", postgresql_where=text(_DIGEST_PENDING),
                            sqlite_where=text(_DIGEST_PENDING)),)


class EmailPreference(db.Model):
    """How a person wants e-mail for one kind of notification: each time, daily or weekly digest, or never."""

    __tablename__ = "email_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    # "immediate", "daily", "weekly" or "never" (institutions.notifications.FREQUENCIES); no row means never.
    frequency: Mapped[str] = mapped_column(String(10), default="never", server_default="never")


class SentReminder(db.Model):
    """That one person got one reminder (`topic`, e.g. "election:12:certify:48h"): so each goes at most once.

    Inserted before the notice with INSERT … ON CONFLICT DO NOTHING (institutions.reminder_log), so two clocks
    running at once never remind anyone twice.
    """

    __tablename__ = "sent_reminders"

    topic: Mapped[str] = mapped_column(String(120), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


_UNSENT = "sent_at IS NULL AND failed_at IS NULL"


class OutboxMessage(db.Model):
    """An e-mail waiting to be sent (or kept after sending) by institutions.mail_sender."""

    __tablename__ = "outbox_messages"
    # The senders' claim query scans only what is still to send, in queue order.
    __table_args__ = (Index("ix_outbox_messages_unsent", "id", postgresql_where=text(_UNSENT),
                            sqlite_where=text(_UNSENT)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    # The one-click unsubscribe address (RFC 8058) of an optional kind; None for mandatory notices.
    list_unsubscribe: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # One sender holds the message until claimed_until; a crashed sender's claim simply expires.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class JobState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self):
        """The state in words, for the job's page."""
        return JOB_STATE_LABELS[self]

    @property
    def finished(self) -> bool:
        """Done or failed: the page stops refreshing itself."""
        return self in (JobState.DONE, JobState.FAILED)


JOB_STATE_LABELS = {
    JobState.QUEUED: _l("Waiting for its turn"),
    JobState.RUNNING: _l("Running"),
    JobState.DONE: _l("Done"),
    JobState.FAILED: _l("Failed"),
}


class JobRun(db.Model):
    """One piece of long work run by the job queue (a customer import…): its state, progress and result."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    state: Mapped[JobState] = mapped_column(enum_column(JobState), default=JobState.QUEUED)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    progress_text: Mapped[str | None] = mapped_column(String(200))
    # The job's input (an uploaded file) until it finishes: then it is cleared, it may hold personal data.
    input_data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    result: Mapped[str | None] = mapped_column(Text)  # JSON
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    brand: Mapped[Brand | None] = relationship()
    requested_by: Mapped[User | None] = relationship()


class JobFile(db.Model):
    """The file a finished job offers for download (an election's ballots, a report): kept JOBS_FILE_DAYS."""

    __tablename__ = "job_files"

    # In the database rather than on a disk: the worker and the web may run on different machines.
    job_id: Mapped[int] = mapped_column(ForeignKey("job_runs.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
