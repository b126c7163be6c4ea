"""Representations: the collective demands the sitting president files to the brand, and their co-signatures."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from institutions.clock import utcnow
from institutions.models import Brand, enum_column
from institutions.types import UTCDateTime


class RepresentationState(enum.Enum):
    FILED = "filed"
    ACKNOWLEDGED = "acknowledged"
    ANSWERED = "answered"


class Representation(db.Model):
    """A collective demand the sitting president files to the brand; staff must answer within the deadline."""

    __tablename__ = "representations"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    holding_id: Mapped[int | None] = mapped_column(ForeignKey("office_holdings.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[RepresentationState] = mapped_column(enum_column(RepresentationState),
                                                      default=RepresentationState.FILED, index=True)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The charter's deadline when it was filed (the deadline is computed from it, never typed in).
    response_days: Mapped[int] = mapped_column(Integer, default=30)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # "accepted", "partly_accepted" or "declined".
    answer: Mapped[str | None] = mapped_column(String(20))
    answer_reasons: Mapped[str | None] = mapped_column(Text)

    brand: Mapped[Brand] = relationship()
    cosignatures: Mapped[list[RepresentationCosignature]] = relationship(
        back_populates="representation", order_by="RepresentationCosignature.signed_at")


class RepresentationCosignature(db.Model):
    """A member co-signs a representation (once)."""

    __tablename__ = "representation_cosignatures"
    __table_args__ = (UniqueConstraint("representation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    representation_id: Mapped[int] = mapped_column(ForeignKey("representations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    representation: Mapped[Representation] = relationship(back_populates="cosignatures")
