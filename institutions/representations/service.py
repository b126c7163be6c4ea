"""The president's representations: the sitting president files, members co-sign, staff acknowledge and answer.

The brand answers within the charter's deadline (the PRESIDENT office's `representation_response_days`, 30 by
default), copied onto the representation when it is filed so a later charter change never moves a running
deadline. The due date is computed from the filing time, never typed in; a representation not answered by then
is overdue, and the public page says so.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from extensions import db
from institutions import audit, charter, permissions
from institutions.representations.models import Representation, RepresentationCosignature, RepresentationState
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, NotFound, ValidationFailed, required_text
from institutions.models import Brand, OfficeKind, User
from institutions.notifications import notify, notify_staff
from institutions.messages import deadline, message

REPRESENTATION_KIND = "representations"

MAX_TITLE = 200
MAX_BODY = 10000
MAX_REASONS = 10000
ANSWERS = {
    "accepted": _l("Accepted"),
    "partly_accepted": _l("Partly accepted"),
    "declined": _l("Declined"),
}
OPEN_STATES = (RepresentationState.FILED, RepresentationState.ACKNOWLEDGED)


# --- the deadline --------------------------------------------------------------------------------------------------

def response_days_of(brand: Brand) -> int:
    """The days the charter gives the brand to answer a representation (30 unless staff changed it)."""
    office = charter.office_of(brand, OfficeKind.PRESIDENT)
    return office.representation_response_days or charter.DEFAULT_REPRESENTATION_RESPONSE_DAYS


def due_at(representation: Representation) -> datetime:
    """When the brand's answer is due: the filing time plus the days the charter gave when it was filed."""
    return representation.filed_at + timedelta(days=representation.response_days)


def is_answered(representation: Representation) -> bool:
    """The brand has answered (accepted, partly accepted or declined)."""
    return representation.state is RepresentationState.ANSWERED


def is_overdue(representation: Representation, now: datetime | None = None) -> bool:
    """Not answered although the due date has passed."""
    return not is_answered(representation) and (now or utcnow()) > due_at(representation)


def answered_late(representation: Representation) -> bool:
    """Answered, but after the due date."""
    return is_answered(representation) and representation.answered_at > due_at(representation)


# --- who may act ---------------------------------------------------------------------------------------------------

def can_file_representation(user, brand: Brand) -> bool:
    """Only the sitting president speaks for the community to the brand."""
    return permissions.account_can_act(user) and charter.is_sitting_president(user, brand)


def can_answer_representation(user, brand: Brand) -> bool:
    """The brand's staff acknowledge and answer."""
    return permissions.is_brand_staff(user, brand)


def has_cosigned(user, representation: Representation) -> bool:
    """This person already co-signed the representation."""
    if not permissions.account_can_act(user):
        return False
    return db.session.scalar(select(RepresentationCosignature.id).where(
        RepresentationCosignature.representation_id == representation.id,
        RepresentationCosignature.user_id == user.id)) is not None


def can_cosign_representation(user, representation: Representation) -> bool:
    """A verified member (never staff, never the author) who has not co-signed yet, before the answer."""
    return (permissions.account_can_act(user) and not is_answered(representation) and representation.author_id != user.id
            and permissions.is_verified_member(user, representation.brand)
            and not permissions.is_brand_staff(user, representation.brand)
            and not has_cosigned(user, representation))


def can_see_cosigners(user, representation: Representation) -> bool:
    """The public sees how many co-signed; the names are for the author and the brand's staff it is addressed to."""
    return permissions.account_can_act(user) and (representation.author_id == user.id
                                 or permissions.is_brand_staff(user, representation.brand))


# --- acts ----------------------------------------------------------------------------------------------------------

def _link(representation: Representation) -> str:
    return f"/b/{representation.brand.slug}/representations/{representation.id}"


def _notify_staff(representation: Representation, message: str) -> None:
    notify_staff(representation.brand, REPRESENTATION_KIND, message, link=_link(representation))


def _notify_community_side(representation: Representation, message: str) -> None:
    """The author and every co-signer hear about the brand's acts."""
    people = {representation.author_id} | {c.user_id for c in representation.cosignatures}
    for user in db.session.scalars(select(User).where(User.id.in_(people - {None}), User.deleted_at.is_(None))):
        notify(user, REPRESENTATION_KIND, message, link=_link(representation), brand=representation.brand)


def file(brand: Brand, actor: User, *, title: str, body: str, now: datetime | None = None) -> Representation:
    """The sitting president files a representation; the charter's deadline starts."""
    now = now or utcnow()
    if not can_file_representation(actor, brand):
        raise Forbidden(_("Only the sitting customer president files representations to the brand."))
    holding = next(h for h in charter.current_holdings(charter.office_of(brand, OfficeKind.PRESIDENT))
                   if h.user_id == actor.id)
    title = required_text(title, "title", _("Title"), MAX_TITLE)
    body = required_text(body, "body", _("Text"), MAX_BODY)
    representation = Representation(
        brand_id=brand.id, holding_id=holding.id, author_id=actor.id, author_name=holding.holder_name[:120],
        title=title, body=body, state=RepresentationState.FILED, filed_at=now, response_days=response_days_of(brand))
    db.session.add(representation)
    db.session.flush()
    audit.record("representation.filed", actor=actor, brand=brand, subject=representation, public=True,
                 payload={"response_days": representation.response_days})
    _notify_staff(representation, message("The customer president filed a representation: %(title)s. The brand "
                                          "answers %(due)s.", title=title, due=deadline(due_at(representation))))
    return representation


def cosign(representation: Representation, actor: User, *, now: datetime | None = None) -> RepresentationCosignature:
    """A verified member adds their name to the representation, once."""
    now = now or utcnow()
    brand = representation.brand
    if not permissions.account_can_act(actor) or permissions.is_brand_staff(actor, brand) \
            or not permissions.is_verified_member(actor, brand):
        raise Forbidden(_("Only verified members of the community co-sign representations."))
    if representation.author_id == actor.id:
        raise DomainError(_("You filed this representation: it already speaks in your name."))
    if is_answered(representation):
        raise DomainError(_("The brand has answered this representation: it can no longer be co-signed."))
    # Lock the representation (PostgreSQL) so a double click cannot slip two signatures past the check below;
    # the unique constraint is the last guard.
    db.session.execute(select(Representation.id).where(Representation.id == representation.id).with_for_update())
    if has_cosigned(actor, representation):
        raise DomainError(_("You have already co-signed this representation."))
    signature = RepresentationCosignature(representation_id=representation.id, user_id=actor.id, signed_at=now)
    db.session.add(signature)
    db.session.flush()
    db.session.expire(representation, ["cosignatures"])
    # Not public: co-signers' names are shown only to the author and the staff, so the log keeps them out too.
    audit.record("representation.cosigned", actor=actor, brand=brand, subject=representation)
    return signature


def _require_staff(actor: User, brand: Brand) -> None:
    if not can_answer_representation(actor, brand):
        raise Forbidden(_("Only the brand's staff acknowledge and answer representations."))


def acknowledge(representation: Representation, actor: User, *, now: datetime | None = None) -> Representation:
    """Staff confirm the brand received the representation (the deadline keeps running)."""
    now = now or utcnow()
    _require_staff(actor, representation.brand)
    if representation.state is not RepresentationState.FILED:
        raise DomainError(_("This representation has already been acknowledged."))
    representation.state = RepresentationState.ACKNOWLEDGED
    representation.acknowledged_at = now
    representation.acknowledged_by_id = actor.id
    db.session.flush()
    audit.record("representation.acknowledged", actor=actor, brand=representation.brand, subject=representation,
                 public=True)
    _notify_community_side(representation, message("%(brand)s acknowledged the representation \"%(title)s\"; its "
                                                   "answer is due by the deadline.", brand=representation.brand.name,
                                                   title=representation.title))
    return representation


def answer(representation: Representation, actor: User, *, decision: str, reasons: str,
           now: datetime | None = None) -> Representation:
    """Staff answer publicly: accepted, partly accepted or declined, with reasons (late answers stay late)."""
    now = now or utcnow()
    _require_staff(actor, representation.brand)
    if decision not in ANSWERS:
        raise ValidationFailed(_("Choose: accepted, partly accepted or declined."), field="answer")
    reasons = required_text(reasons, "reasons", _("Reasons"), MAX_REASONS)
    if is_answered(representation):
        raise DomainError(_("This representation has already been answered."))
    if representation.acknowledged_at is None:  # answering is also acknowledging
        representation.acknowledged_at = now
        representation.acknowledged_by_id = actor.id
    representation.state = RepresentationState.ANSWERED
    representation.answered_at = now
    representation.answered_by_id = actor.id
    representation.answer = decision
    representation.answer_reasons = reasons
    db.session.flush()
    audit.record("representation.answered", actor=actor, brand=representation.brand, subject=representation,
                 public=True, payload={"answer": decision, "late": answered_late(representation)})
    _notify_community_side(representation, message("%(brand)s answered the representation \"%(title)s\": %(answer)s.",
                                                   brand=representation.brand.name, title=representation.title,
                                                   answer=ANSWERS[decision]))
    return representation


# --- reading -------------------------------------------------------------------------------------------------------

def representation_in_brand(brand: Brand, representation_id: int) -> Representation:
    """A representation filed to this brand, or 404."""
    representation = db.session.get(Representation, representation_id)
    if representation is None or representation.brand_id != brand.id:
        raise NotFound(_("No such representation."))
    return representation


def representations_query(brand: Brand, *, waiting_only: bool = False):
    """The brand's representations: those waiting for an answer first (oldest first), then the rest, newest first."""
    query = select(Representation).where(Representation.brand_id == brand.id)
    if waiting_only:
        query = query.where(Representation.state.in_(OPEN_STATES))
    waiting = db.case((Representation.state.in_(OPEN_STATES), 0), else_=1)
    # Among those waiting, the oldest filing is the nearest deadline (the days rarely differ between them).
    oldest_first = db.case((Representation.state.in_(OPEN_STATES), Representation.id), else_=-Representation.id)
    return query.order_by(waiting, oldest_first)


def cosignature_counts(representations: list[Representation]) -> dict[int, int]:
    """How many co-signed each representation (one query for the whole page)."""
    ids = [r.id for r in representations]
    if not ids:
        return {}
    rows = db.session.execute(select(RepresentationCosignature.representation_id,
                                     func.count(RepresentationCosignature.id))
                              .where(RepresentationCosignature.representation_id.in_(ids))
                              .group_by(RepresentationCosignature.representation_id)).all()
    counts = {row[0]: row[1] for row in rows}
    return {i: counts.get(i, 0) for i in ids}


def cosigners(representation: Representation) -> list[str]:
    """The names of the co-signers, in signing order (for the author and the staff)."""
    return list(db.session.scalars(
        select(User.display_name).join(RepresentationCosignature, RepresentationCosignature.user_id == User.id)
        .where(RepresentationCosignature.representation_id == representation.id)
        .order_by(RepresentationCosignature.signed_at, RepresentationCosignature.id)))


def waiting_for_answer(brand: Brand) -> list[Representation]:
    """Representations the brand still owes an answer to, nearest due date (so the overdue ones) first."""
    rows = db.session.scalars(select(Representation).where(
        Representation.brand_id == brand.id, Representation.state.in_(OPEN_STATES))).all()
    return sorted(rows, key=lambda r: (due_at(r), r.id))


@dataclass(frozen=True)
class Summary:
    """How the brand treats representations, in figures (for the brand's home page)."""

    filed: int
    answered: int
    answered_in_time: int
    waiting: int
    overdue: int


def summary(brand: Brand, now: datetime | None = None) -> Summary:
    """Counts of the brand's representations: answered (in time or late), waiting, overdue (one query)."""
    now = now or utcnow()
    rows = db.session.execute(select(Representation.state, Representation.filed_at, Representation.response_days,
                                     Representation.answered_at)
                              .where(Representation.brand_id == brand.id)).all()
    answered = in_time = waiting = overdue = 0
    for state, filed_at, days, answered_at in rows:
        due = filed_at + timedelta(days=days)
        if state is RepresentationState.ANSWERED:
            answered += 1
            in_time += answered_at <= due
        else:
            waiting += 1
            overdue += now > due
    return Summary(filed=len(rows), answered=answered, answered_in_time=in_time, waiting=waiting, overdue=overdue)


# --- personal data -------------------------------------------------------------------------------------------------

def export_representations(user: User) -> dict:
    """The representations the person filed as president, and those they co-signed."""
    filed = db.session.scalars(select(Representation).where(Representation.author_id == user.id)
                               .order_by(Representation.id)).all()
    signed = db.session.execute(
        select(Representation.id, Representation.title, RepresentationCosignature.signed_at)
        .join(RepresentationCosignature, RepresentationCosignature.representation_id == Representation.id)
        .where(RepresentationCosignature.user_id == user.id).order_by(RepresentationCosignature.id)).all()
    return {
        "filed": [{"id": r.id, "brand": r.brand.slug, "title": r.title, "body": r.body, "state": r.state.value,
                   "filed_at": r.filed_at.isoformat()} for r in filed],
        "cosigned": [{"id": row[0], "title": row[1], "signed_at": row[2].isoformat()} for row in signed],
    }


def erase_representations(user: User) -> None:
    """Erasing an account: filed representations stay public records under the pseudonym; co-signatures stay
    counted (the name shown becomes the pseudonym with the account)."""
    for representation in db.session.scalars(select(Representation).where(Representation.author_id == user.id)):
        representation.author_name = user.pseudonym


