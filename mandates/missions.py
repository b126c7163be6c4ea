"""Mission orders inside an active mandate: issue, accept or decline, report, review (approve or send back).

The disclosure rule (a report whose publication does not show the order's label, and the
employment or image mentions when they apply, gets a warning the reviewer must clear with a note
before approving): the mentions are looked for as mandates/disclosure.py says, ignoring case and
runs of spaces, only in the visible start of the report's text, never in a link (FTC 255.5, loi
2023-451 art. 5). "#ad" is found in "Great kit #AD", not in "#adventure", not in
"https://example.com/post#ad" nor "?tag=%23ad", not after the first 200 characters.
A warning is a prompt to look, never an automatic refusal: the reviewer decides.
"""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from extensions import db
from institutions import audit
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, ValidationFailed, required_text
from institutions.models import User
from institutions.notifications import notify, notify_staff
from institutions.permissions import is_brand_staff
from institutions.lookup import get_in_brand
from institutions.messages import message
from mandates import clauses as clause_schema
from mandates import disclosure
from mandates.models import CLOSED_ORDER_STATES, Mandate, MandateState, MissionOrder, MissionReport, OrderState
from mandates.notices import MISSION_KIND
from mandates.permissions import can_manage_mandates, is_active, is_ambassador_of

MAX_TITLE = 200
MAX_TEXT = 10_000
MAX_PROOF = 4000
MAX_LABEL = 100
MAX_LINKS = 20
MAX_LINK_LENGTH = 2000
MAX_COMMENT = 4000

CLOSED_STATES = CLOSED_ORDER_STATES  # finished orders: they can no longer be late
APPROVED = "approved"
SENT_BACK = "sent_back"


# --- the contract's label and the disclosure check ------------------------------------------------------------

def contract_label(mandate: Mandate) -> str | None:
    """The disclosure label the contract in force sets, if its clauses hold one."""
    version = mandate.version_in_force
    if version is None:
        return None
    try:
        label = clause_schema.value(clause_schema.loads(version.clauses_json), "disclosure", "label")
    except (ValueError, AttributeError):  # clauses of an unexpected shape: no default label, staff write one
        return None
    return label.strip()[:MAX_LABEL] if isinstance(label, str) and label.strip() else None


def contract_terms(mandate: Mandate) -> tuple[str, bool]:
    """The language of the contract in force ("en" without one) and whether it says the ambassador is an employee."""
    version = mandate.version_in_force
    if version is None:
        return "en", False
    try:
        employee = clause_schema.value(clause_schema.loads(version.clauses_json), "disclosure", "employee") is True
    except (ValueError, AttributeError):
        employee = False
    return (version.language if version.language in disclosure.LABELS else "en"), employee


def label_is_shown(label: str, text: str, links: list[str] | None = None) -> bool:
    """Whether the label is shown in the visible start of the text; links never count (a viewer does not see them)."""
    return disclosure.mention_is_shown(label, text)


def parse_links(raw: str | None) -> list[str]:
    """One web address per line (blank lines ignored); every line must be an http(s) URL."""
    lines = [line.strip() for line in (raw or "").splitlines() if line.strip()]
    if len(lines) > MAX_LINKS:
        raise ValidationFailed(_("At most %(n)d links.", n=MAX_LINKS), field="links")
    bad = []
    for number, line in enumerate(lines, start=1):
        try:
            parts = urlsplit(line)
            valid = (parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
                     and len(line) <= MAX_LINK_LENGTH and not any(char.isspace() for char in line))
        except ValueError:
            valid = False
        if not valid:
            bad.append(str(number))
    if bad:
        raise ValidationFailed(_("Write one web address per line, starting with http:// or https://; check line(s) "
                                 "%(lines)s.", lines=", ".join(bad)), field="links")
    return lines


# --- reading -----------------------------------------------------------------------------------------------------

def is_overdue(order: MissionOrder, now: datetime | None = None) -> bool:
    """Late: the due date has passed and the order is neither approved, declined nor cancelled."""
    return not order.is_finished and order.due_at < (now or utcnow())


def latest_report(order: MissionOrder) -> MissionReport | None:
    """The last report sent for the order, if any."""
    return order.reports[-1] if order.reports else None


def missing_names(report: MissionReport, order: MissionOrder) -> str:
    """The mentions a report failed to show, named for people (reports from before name only the label)."""
    keys = [key for key in (report.missing_mentions or "").split(",") if key] or (["label"] if report.label_missing
                                                                                   else [])
    return disclosure.mention_names(keys, order.disclosure_label)


def warning_to_clear(order: MissionOrder) -> bool:
    """The report under review lacks the label and no reviewer has cleared that yet."""
    report = latest_report(order)
    return (order.state is OrderState.REPORTED and report is not None and report.label_missing
            and report.warning_cleared_at is None)


def order_in_brand(brand, order_id: int) -> MissionOrder:
    """A mission order of one of this brand's mandates, or 404."""
    return get_in_brand(MissionOrder, order_id, brand, message=_("No such mission order."),
                        where=(MissionOrder.mandate_id == Mandate.id, Mandate.brand_id == brand.id),
                        options=(joinedload(MissionOrder.mandate), selectinload(MissionOrder.reports)))


def order_for_viewer(brand, order_id: int, viewer: User) -> MissionOrder:
    """The order, for its ambassador or the brand's staff only."""
    order = order_in_brand(brand, order_id)
    if not (is_ambassador_of(viewer, order.mandate) or can_manage_mandates(viewer, brand)):
        raise Forbidden(_("Only the ambassador and the brand's staff can see this mission order."))
    return order


def orders_query(mandate: Mandate):
    """The mandate's orders: open ones first by due date, then finished ones, newest first."""
    closed = db.case((MissionOrder.state.in_(CLOSED_STATES), 1), else_=0)
    return (select(MissionOrder).where(MissionOrder.mandate_id == mandate.id)
            .options(selectinload(MissionOrder.reports))
            .order_by(closed, MissionOrder.due_at, MissionOrder.id))


def orders_of(mandate: Mandate) -> list[MissionOrder]:
    """Every order of the mandate (with their reports loaded)."""
    return db.session.scalars(orders_query(mandate)).all()


def _brand_orders(brand):
    return (select(MissionOrder).join(Mandate)
            .where(Mandate.brand_id == brand.id, Mandate.state == MandateState.ACTIVE)
            .options(contains_eager(MissionOrder.mandate), selectinload(MissionOrder.reports))
            .order_by(MissionOrder.due_at, MissionOrder.id))


def waiting_for_ambassador(user: User, brand) -> dict[str, list[MissionOrder]]:
    """What waits for the ambassador: orders to accept, to report on, and reports sent back."""
    orders = db.session.scalars(_brand_orders(brand).where(
        Mandate.ambassador_id == user.id,
        MissionOrder.state.in_((OrderState.ISSUED, OrderState.ACCEPTED, OrderState.SENT_BACK)))).all()
    return {
        "to_accept": [o for o in orders if o.state is OrderState.ISSUED],
        "to_report": [o for o in orders if o.state is OrderState.ACCEPTED],
        "sent_back": [o for o in orders if o.state is OrderState.SENT_BACK],
    }


def waiting_for_staff(brand, now: datetime | None = None) -> dict[str, list[MissionOrder]]:
    """What waits for the brand: reports to review, and every overdue order."""
    now = now or utcnow()
    orders = db.session.scalars(_brand_orders(brand).where(
        db.or_(MissionOrder.state == OrderState.REPORTED,
               db.and_(MissionOrder.due_at < now, MissionOrder.state.notin_(CLOSED_STATES))))).all()
    return {
        "to_review": [o for o in orders if o.state is OrderState.REPORTED],
        "overdue": [o for o in orders if is_overdue(o, now)],
    }


def my_orders(user: User, brand) -> list[MissionOrder]:
    """Every order given to this person at this brand, under any of their mandates, newest due first."""
    return db.session.scalars(
        select(MissionOrder).join(Mandate).where(Mandate.brand_id == brand.id, Mandate.ambassador_id == user.id)
        .options(contains_eager(MissionOrder.mandate), selectinload(MissionOrder.reports))
        .order_by(MissionOrder.due_at.desc(), MissionOrder.id.desc())).all()


# --- acts --------------------------------------------------------------------------------------------------------

_text = required_text


def _order_link(order: MissionOrder) -> str:
    return f"/b/{order.mandate.brand.slug}/missions/orders/{order.id}"


def _require_active(mandate: Mandate) -> None:
    if not is_active(mandate):
        raise DomainError(_("This mandate is not active: its mission orders can no longer be acted on."))


def _require_staff(actor: User, mandate: Mandate) -> None:
    if not can_manage_mandates(actor, mandate.brand):
        raise Forbidden(_("Only the brand's staff can do this."))


def _require_ambassador(actor: User, order: MissionOrder) -> None:
    if not is_ambassador_of(actor, order.mandate):
        raise Forbidden(_("This mission order is not yours: only its ambassador can answer it or report on it."))


def _require_state(order: MissionOrder, *states: OrderState, message: str) -> None:
    if order.state not in states:
        raise DomainError(message)


def _tell_ambassador(order: MissionOrder, message: str) -> None:
    ambassador = order.mandate.ambassador
    if ambassador is not None and ambassador.deleted_at is None:
        notify(ambassador, MISSION_KIND, message, link=_order_link(order), brand=order.mandate.brand)


def _tell_staff(order: MissionOrder, message: str) -> None:
    """The staff member who issued the order, or every staff member when they have left the brand."""
    brand = order.mandate.brand
    issuer = db.session.get(User, order.issued_by_id) if order.issued_by_id else None
    if issuer is not None and issuer.deleted_at is None and is_brand_staff(issuer, brand):
        notify(issuer, MISSION_KIND, message, link=_order_link(order), brand=brand)
    else:
        notify_staff(brand, MISSION_KIND, message, link=_order_link(order))


def _record(action: str, actor: User, order: MissionOrder, **payload) -> None:
    audit.record(action, actor=actor, brand=order.mandate.brand, subject=order,
                 payload={"mandate": order.mandate_id, **payload})


def issue_order(mandate: Mandate, actor: User, *, title: str, instructions: str, due_at: datetime | None,
                expected_proof: str, disclosure_label: str | None = None, now: datetime | None = None) -> MissionOrder:
    """Staff give the ambassador a task inside an active mandate; the label defaults to the contract's."""
    now = now or utcnow()
    _require_staff(actor, mandate)
    if not is_active(mandate):
        raise DomainError(_("Mission orders are issued inside an active mandate only."))
    title = _text(title, "title", _("Title"), MAX_TITLE)
    instructions = _text(instructions, "instructions", _("Instructions"), MAX_TEXT)
    expected_proof = _text(expected_proof, "expected_proof", _("Expected proof"), MAX_PROOF)
    if due_at is None:
        raise ValidationFailed(_("Give the due date."), field="due_at")
    if due_at.tzinfo is None:
        raise ValidationFailed(_("The due date needs a time zone."), field="due_at")
    if due_at <= now:
        raise ValidationFailed(_("The due date must be in the future."), field="due_at")
    if mandate.ends_on is not None and due_at.date() > mandate.ends_on:
        raise ValidationFailed(_("The due date falls after the mandate ends (%(date)s).",
                                 date=mandate.ends_on.isoformat()), field="due_at")
    label = (disclosure_label or "").strip() or contract_label(mandate)
    if not label:
        raise ValidationFailed(_("The contract in force sets no disclosure label: write the label the ambassador "
                                 "must show."), field="disclosure_label")
    if len(label) > MAX_LABEL:
        raise ValidationFailed(_("Disclosure label: at most %(n)d characters.", n=MAX_LABEL),
                               field="disclosure_label")
    # Only an allow-listed label of the contract's language (loi 2023-451 art. 5; FTC 255.5).
    label = disclosure.check_label(label, contract_terms(mandate)[0], field="disclosure_label")
    order = MissionOrder(mandate_id=mandate.id, title=title, instructions=instructions, due_at=due_at,
                         expected_proof=expected_proof, disclosure_label=label, state=OrderState.ISSUED,
                         issued_by_id=actor.id, issued_at=now)
    db.session.add(order)
    db.session.flush()
    order.mandate = mandate
    _record("mission.issued", actor, order)
    _tell_ambassador(order, message("New mission order from %(brand)s: \"%(title)s\". Accept or decline it.",
                                    brand=mandate.brand.name, title=title))
    return order


def accept_order(order: MissionOrder, actor: User, *, now: datetime | None = None) -> MissionOrder:
    """The ambassador takes the order on."""
    now = now or utcnow()
    _require_ambassador(actor, order)
    _require_active(order.mandate)
    _require_state(order, OrderState.ISSUED, message=_("This order has already been answered."))
    order.state = OrderState.ACCEPTED
    order.answered_at = now
    db.session.flush()
    _record("mission.accepted", actor, order)
    _tell_staff(order, message("%(name)s accepted the mission order \"%(title)s\".",
                               name=order.mandate.public_name, title=order.title))
    return order


def decline_order(order: MissionOrder, actor: User, reason: str, *, now: datetime | None = None) -> MissionOrder:
    """The ambassador declines the order, saying why."""
    now = now or utcnow()
    _require_ambassador(actor, order)
    reason = _text(reason, "reason", _("Reason"), MAX_COMMENT)
    _require_active(order.mandate)
    _require_state(order, OrderState.ISSUED, message=_("This order has already been answered."))
    order.state = OrderState.DECLINED
    order.answered_at = now
    order.decline_reason = reason
    db.session.flush()
    _record("mission.declined", actor, order)
    _tell_staff(order, message("%(name)s declined the mission order \"%(title)s\": %(reason)s",
                               name=order.mandate.public_name, title=order.title, reason=reason))
    return order


def submit_report(order: MissionOrder, actor: User, *, text: str, links: str | list[str] | None,
                  retouched_images: bool = False, virtual_images: bool = False,
                  now: datetime | None = None) -> MissionReport:
    """The ambassador reports what they did (text and links); a missing mention raises a warning for the reviewer."""
    now = now or utcnow()
    _require_ambassador(actor, order)
    text = _text(text, "text", _("Report"), MAX_TEXT)
    urls = parse_links("\n".join(links) if isinstance(links, list) else links)
    _require_active(order.mandate)
    _require_state(order, OrderState.ACCEPTED, OrderState.SENT_BACK,
                   message=_("A report can be sent once the order is accepted, or when a report was sent back."))
    language, employee = contract_terms(order.mandate)
    mentions = disclosure.missing_mentions(text, label=order.disclosure_label, language=language, employee=employee,
                                           retouched=bool(retouched_images), virtual=bool(virtual_images))
    missing = bool(mentions)
    report = MissionReport(text=text, links="\n".join(urls), submitted_at=now, label_missing=missing,
                           missing_mentions=",".join(mentions), retouched_images=bool(retouched_images),
                           virtual_images=bool(virtual_images))
    order.reports.append(report)
    order.state = OrderState.REPORTED
    db.session.flush()
    _record("mission.reported", actor, order, label_missing=missing, missing_mentions=mentions)
    _tell_staff(order, message("%(name)s reported on the mission order \"%(title)s\": it waits for your review.",
                               name=order.mandate.public_name, title=order.title))
    return report


def _report_under_review(order: MissionOrder) -> MissionReport:
    _require_state(order, OrderState.REPORTED, message=_("No report waits for review on this order."))
    report = latest_report(order)
    if report is None:  # a REPORTED order always has a report; guard against a hand-edited database
        raise DomainError(_("No report waits for review on this order."))
    return report


def clear_warning(order: MissionOrder, actor: User, note: str, *, now: datetime | None = None) -> MissionReport:
    """The reviewer looked at the report that lacks the label and says why it is acceptable (or noted)."""
    now = now or utcnow()
    _require_staff(actor, order.mandate)
    note = _text(note, "note", _("Note"), MAX_COMMENT)
    _require_active(order.mandate)
    report = _report_under_review(order)
    if not report.label_missing or report.warning_cleared_at is not None:
        raise DomainError(_("This report has no disclosure warning to clear."))
    report.warning_cleared_at = now
    report.warning_cleared_by_id = actor.id
    report.warning_note = note
    db.session.flush()
    _record("mission.warning_cleared", actor, order)
    return report


def approve(order: MissionOrder, actor: User, comment: str | None = None, *,
            now: datetime | None = None) -> MissionOrder:
    """Staff approve the report; a disclosure warning must be cleared first."""
    now = now or utcnow()
    _require_staff(actor, order.mandate)
    comment = (comment or "").strip() or None
    if comment and len(comment) > MAX_COMMENT:
        raise ValidationFailed(_("Comment: at most %(n)d characters.", n=MAX_COMMENT), field="comment")
    _require_active(order.mandate)
    report = _report_under_review(order)
    if report.label_missing and report.warning_cleared_at is None:
        raise DomainError(_("The report does not show %(mentions)s: clear the warning with a note before "
                            "approving, or send the report back.", mentions=missing_names(report, order)),
                          field="note")
    report.decision = APPROVED
    report.review_comment = comment
    report.reviewed_at = now
    report.reviewed_by_id = actor.id
    order.state = OrderState.APPROVED
    order.approved_at = now
    db.session.flush()
    _record("mission.approved", actor, order)
    _tell_ambassador(order, message("Your report on \"%(title)s\" is approved.", title=order.title))
    return order


def send_back(order: MissionOrder, actor: User, comment: str, *, now: datetime | None = None) -> MissionOrder:
    """Staff send the report back with a comment; the ambassador reports again."""
    now = now or utcnow()
    _require_staff(actor, order.mandate)
    comment = _text(comment, "comment", _("Comment"), MAX_COMMENT)
    _require_active(order.mandate)
    report = _report_under_review(order)
    report.decision = SENT_BACK
    report.review_comment = comment
    report.reviewed_at = now
    report.reviewed_by_id = actor.id
    order.state = OrderState.SENT_BACK
    db.session.flush()
    _record("mission.sent_back", actor, order)
    _tell_ambassador(order, message("Your report on \"%(title)s\" was sent back: %(comment)s", title=order.title,
                                    comment=comment))
    return order


def cancel_open_orders(mandate: Mandate, actor: User | None = None) -> int:
    """When a mandate ends, its unfinished orders are cancelled (the ending services call this); returns how many."""
    orders = db.session.scalars(select(MissionOrder).where(MissionOrder.mandate_id == mandate.id,
                                                           MissionOrder.state.notin_(CLOSED_STATES))).all()
    for order in orders:
        order.state = OrderState.CANCELLED
    if orders:
        db.session.flush()
        audit.record("mission.orders_cancelled", actor=actor, brand=mandate.brand, subject=mandate,
                     payload={"count": len(orders)})
    return len(orders)


def export_orders(user: User) -> list[dict]:
    """The orders given to the person as ambassador, with their reports, for their data export."""
    orders = db.session.scalars(select(MissionOrder).join(Mandate).where(Mandate.ambassador_id == user.id)
                                .options(contains_eager(MissionOrder.mandate), selectinload(MissionOrder.reports))
                                .order_by(MissionOrder.id)).all()
    return [{"mandate_id": o.mandate_id, "title": o.title, "due_at": o.due_at.isoformat(), "state": o.state.value,
             "disclosure_label": o.disclosure_label, "decline_reason": o.decline_reason,
             "reports": [{"text": r.text, "links": r.links.splitlines() if r.links else [],
                          "submitted_at": r.submitted_at.isoformat(), "label_missing": r.label_missing,
                          "missing_mentions": [key for key in (r.missing_mentions or "").split(",") if key],
                          "retouched_images": r.retouched_images, "virtual_images": r.virtual_images,
                          "decision": r.decision, "review_comment": r.review_comment} for r in o.reports]}
            for o in orders]
