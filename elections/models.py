"""Customer-president elections: the election, candidacies, the roll and the secret ballot box."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from institutions.clock import utcnow
from institutions.models import Brand, OfficeHolding, User, enum_column
from institutions.types import UTCDateTime


class ElectionKind(enum.Enum):
    PRESIDENT = "president"
    RECALL = "recall"


class VotingMethod(enum.Enum):
    PLURALITY = "plurality"
    APPROVAL = "approval"
    IRV = "irv"
    SCHULZE = "schulze"
    MAJORITY_JUDGMENT = "majority-judgment"

    @property
    def is_ranked(self) -> bool:
        return self in (VotingMethod.IRV, VotingMethod.SCHULZE)


class ElectionState(enum.Enum):
    DRAFT = "draft"
    NOMINATIONS = "nominations"
    VOTING = "voting"
    CLOSED = "closed"
    CERTIFIED = "certified"
    CANCELLED = "cancelled"


class Election(db.Model):
    """One election of a brand's customer president (or a recall vote), with its frozen calendar."""

    __tablename__ = "elections"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ElectionKind] = mapped_column(enum_column(ElectionKind), default=ElectionKind.PRESIDENT)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[VotingMethod] = mapped_column(enum_column(VotingMethod))
    state: Mapped[ElectionState] = mapped_column(enum_column(ElectionState), default=ElectionState.DRAFT, index=True)
    nominations_open_at: Mapped[datetime] = mapped_column(UTCDateTime())
    nominations_close_at: Mapped[datetime] = mapped_column(UTCDateTime())
    voting_open_at: Mapped[datetime] = mapped_column(UTCDateTime())
    voting_close_at: Mapped[datetime] = mapped_column(UTCDateTime())
    endorsements_required: Mapped[int] = mapped_column(Integer, default=0)
    # Minimum turnout, in percent of the roll; None means no quorum.
    quorum_percent: Mapped[int | None] = mapped_column(Integer)
    term_months: Mapped[int] = mapped_column(Integer, default=24)
    # When voters on the roll who have not voted are reminded: hours before voting closes, e.g. "72,24"; "" for none.
    reminder_hours: Mapped[str] = mapped_column(String(40), default="72,24", server_default="72,24")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when nominations open: members who joined before it may take part.
    eligibility_cutoff: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    roll_frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    roll_size: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ballots_counted: Mapped[int | None] = mapped_column(Integer)
    blank_ballots: Mapped[int | None] = mapped_column(Integer)
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    # "winner", "no_quorum", "no_candidates", "recall_carried", "recall_rejected"
    outcome: Mapped[str | None] = mapped_column(String(30))
    winner_candidacy_id: Mapped[int | None] = mapped_column(
        ForeignKey("candidacies.id", ondelete="SET NULL", use_alter=True)
    )
    result_json: Mapped[str | None] = mapped_column(Text)
    # Set at close from the charter: the brand certifies the count by then, or it shows as overdue.
    certification_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    certified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    certified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # A recall vote concerns one presidency.
    recall_holding_id: Mapped[int | None] = mapped_column(ForeignKey("office_holdings.id", ondelete="SET NULL"))

    brand: Mapped[Brand] = relationship()
    candidacies: Mapped[list[Candidacy]] = relationship(
        back_populates="election", foreign_keys="Candidacy.election_id", order_by="Candidacy.id"
    )
    winner: Mapped[Candidacy | None] = relationship(foreign_keys=[winner_candidacy_id], post_update=True)
    recall_holding: Mapped[OfficeHolding | None] = relationship()


class CandidacyState(enum.Enum):
    NOMINATED = "nominated"  # waiting for the nominee to accept
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def label(self):
        """The state in words, for the status badge."""
        return CANDIDACY_STATE_LABELS[self]

    @property
    def tone(self) -> str:
        """The badge's colour: ok, pending or off."""
        return {"nominated": "pending", "accepted": "ok", "declined": "off", "withdrawn": "off"}[self.value]


CANDIDACY_STATE_LABELS = {
    CandidacyState.NOMINATED: _l("Nominated: waiting for the answer of the nominee"),
    CandidacyState.ACCEPTED: _l("Accepted: standing"),
    CandidacyState.DECLINED: _l("Declined"),
    CandidacyState.WITHDRAWN: _l("Withdrawn"),
}


class Candidacy(db.Model):
    """A member nominated for the office, their acceptance, statement and endorsements."""

    __tablename__ = "candidacies"
    __table_args__ = (UniqueConstraint("election_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # The name on the ballot, kept as a public record.
    display_name: Mapped[str] = mapped_column(String(120))
    nominated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[CandidacyState] = mapped_column(enum_column(CandidacyState), default=CandidacyState.NOMINATED)
    statement_markdown: Mapped[str] = mapped_column(Text, default="")
    statement_rejected_reason: Mapped[str | None] = mapped_column(Text)
    statement_rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Decided when nominations close.
    on_ballot: Mapped[bool | None] = mapped_column(Boolean)
    ballot_position: Mapped[int | None] = mapped_column(Integer)
    exclusion_reason: Mapped[str | None] = mapped_column(String(200))

    election: Mapped[Election] = relationship(back_populates="candidacies", foreign_keys=[election_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    endorsements: Mapped[list[Endorsement]] = relationship(back_populates="candidacy")


class Endorsement(db.Model):
    """An eligible member supporting a candidacy (once per candidacy)."""

    __tablename__ = "endorsements"
    __table_args__ = (UniqueConstraint("candidacy_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidacy_id: Mapped[int] = mapped_column(ForeignKey("candidacies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    candidacy: Mapped[Candidacy] = relationship(back_populates="endorsements")


class RollEntry(db.Model):
    """One eligible voter on the roll frozen when voting opens. Knows nothing of any ballot."""

    __tablename__ = "roll_entries"
    __table_args__ = ({"sqlite_with_rowid": False},)

    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class VoteRecord(db.Model):
    """That a voter voted (never what, never when): the unique key makes a second ballot impossible.

    No surrogate id, no timestamp; on SQLite no rowid either, so insertion order leaves no trace.
    """

    __tablename__ = "vote_records"
    __table_args__ = ({"sqlite_with_rowid": False},)

    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class ElectionReminder(db.Model):
    """That a voter on the roll was reminded `hours` before close (so at most once each); deleted when voting ends.

    Says nothing of any ballot; the rows of an election go once its voting is over (elections/reminders.py).
    """

    __tablename__ = "election_reminders"

    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    hours: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class Ballot(db.Model):
    """An anonymous ballot: its random key, its content and the hash of the voter's tracker.

    No voter, no sequence, no timestamp; the random key orders rows, not the time of voting.
    """

    __tablename__ = "ballots"
    __table_args__ = (
        # The count at close (GROUP BY content of one election) reads this index alone, already in
        # content order: no table lookups, no sort, no hash table spilling to disk. It also serves
        # every lookup by election (the foreign key). PostgreSQL caps an index entry at about
        # 2,700 bytes, so a ballot's content must stay below that (some 250 candidates).
        Index("ix_ballots_election_id_content", "election_id", "content"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"))
    tracker_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The canonical text of the choice (see elections.ballots), "" for a blank vote.
    content: Mapped[str] = mapped_column(Text)


class RecallPetition(db.Model):
    """Members asking to recall the sitting president; the threshold obliges a recall vote."""

    __tablename__ = "recall_petitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    holding_id: Mapped[int] = mapped_column(ForeignKey("office_holdings.id", ondelete="CASCADE"), index=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    eligible_count: Mapped[int] = mapped_column(Integer)
    threshold: Mapped[int] = mapped_column(Integer)
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recall_election_id: Mapped[int | None] = mapped_column(ForeignKey("elections.id", ondelete="SET NULL"))

    brand: Mapped[Brand] = relationship()
    holding: Mapped[OfficeHolding] = relationship()
    signatures: Mapped[list[RecallSignature]] = relationship(back_populates="petition")


class RecallSignature(db.Model):
    """A member's signature on a recall petition (once)."""

    __tablename__ = "recall_signatures"
    __table_args__ = (UniqueConstraint("petition_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("recall_petitions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())

    petition: Mapped[RecallPetition] = relationship(back_populates="signatures")
