"""Filing a case: categories, the complaint itself, attachments, collective cases and joining them."""
from __future__ import annotations

import re
from datetime import date, datetime

from babel import Locale
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import joinedload, selectinload

from extensions import db
from institutions import audit, charter, permissions
from mediation import deadlines, documents_store, parties, roster
from mediation.models import (
    CLOSED_CASE_STATES,
    CaseCategory,
    CaseDocument,
    CaseParticipant,
    CaseState,
    MediationCase,
    MediationSettings,
    Mediator,
)
from mediation import permissions as permissions_of_cases
from mediation.permissions import is_case_mediator, is_complainant_side
from mediation.notices import CASE_KIND
from mediation.timeline import record_event
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, ValidationFailed, required_text
from institutions.models import Brand, User
from institutions.notifications import notify
from institutions.messages import message

# The platform's categories, created for a brand the first time its list is read; the panel adds its own.
DEFAULT_CATEGORIES = {
    "delivery": _l("Delivery"),
    "product_defect": _l("Product defect"),
    "billing": _l("Billing"),
    "after_sales": _l("After-sales service"),
    "unfair_term": _l("Unfair contract term"),
    "other": _l("Other"),
}
MAX_FACTS = 10000
MAX_REQUEST = 4000
MAX_PRIOR = 4000
MAX_CATEGORY = 120
MAX_ATTACHMENTS = 10
MAX_NAME = 200
MAX_CONTACT = 1000
# Other members may join a collective case until the mediator's proposal.
JOINABLE_STATES = (CaseState.FILED, CaseState.INCOMPLETE, CaseState.OPEN)
# Codes Babel knows that are not countries one lives in.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}


# --- categories ----------------------------------------------------------------------------------------------------

def categories_for(brand: Brand) -> list[CaseCategory]:
    """The brand's categories: the platform's defaults (created on first read), then the panel's, by name."""
    found = db.session.scalars(select(CaseCategory).where(CaseCategory.brand_id == brand.id)).all()
    missing = [key for key in DEFAULT_CATEGORIES if key not in {c.key for c in found}]
    if missing:
        added = [CaseCategory(brand_id=brand.id, key=key, name=None, created_at=utcnow()) for key in missing]
        db.session.add_all(added)
        db.session.flush()
        found = list(found) + added
    order = list(DEFAULT_CATEGORIES)
    return sorted(found, key=lambda c: (0, order.index(c.key)) if c.key in DEFAULT_CATEGORIES and not c.name
                  else (1, (c.name or c.key).casefold()))


def category_label(category: CaseCategory) -> str:
    """A default category in the reader's language; a panel's category as the panel named it."""
    if category.name:
        return category.name
    return str(DEFAULT_CATEGORIES.get(category.key, category.key))


def add_category(brand: Brand, actor: User, name: str) -> CaseCategory:
    """A mediator of the brand's panel adds a category to the list members choose from."""
    if not roster.sits_on_panel(actor, brand):
        raise Forbidden(_("Only a mediator of the brand's panel can add a category."))
    name = required_text(name, "name", _("Category"), MAX_CATEGORY)
    existing = categories_for(brand)
    if name.casefold() in {category_label(c).casefold() for c in existing} | {
            str(label).casefold() for label in DEFAULT_CATEGORIES.values()}:
        raise DomainError(_("This category is already in the list."), field="name")
    key = "panel:" + re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:40] + f":{len(existing) + 1}"
    category = CaseCategory(brand_id=brand.id, key=key, name=name, created_at=utcnow())
    db.session.add(category)
    db.session.flush()
    audit.record("case.category_added", actor=actor, brand=brand, subject=category, payload={"name": name},
                 public=True)
    return category


# --- who may file --------------------------------------------------------------------------------------------------


def uses_consumer_mediation(brand: Brand) -> bool:
    """Whether the brand uses Tribune as its consumer mediation (then any consumer of the brand files)."""
    return permissions_of_cases.uses_consumer_mediation(brand)


def set_consumer_mediation(brand: Brand, actor: User, enabled: bool) -> MediationSettings:
    """The brand's staff (or a platform admin) say whether Tribune is the brand's consumer mediation (L.612-1)."""
    if not (permissions.is_brand_staff(actor, brand) or permissions.is_platform_admin(actor)):
        raise Forbidden(_("Only the brand's staff or a platform administrator change this setting."))
    if not isinstance(enabled, bool):
        raise ValidationFailed(_("Answer yes or no."), field="consumer_mediation")
    settings = db.session.get(MediationSettings, brand.id)
    if settings is None:
        settings = MediationSettings(brand_id=brand.id, consumer_mediation=False)
        db.session.add(settings)
    settings.consumer_mediation = enabled
    settings.updated_at = utcnow()
    db.session.flush()
    audit.record("mediation.consumer_mediation_set", actor=actor, brand=brand, payload={"enabled": enabled})
    return settings


def files_as_member(user, brand: Brand) -> bool:
    """A verified member or the sitting president: no identity to give, the community knows them."""
    return permissions.is_verified_member(user, brand) or charter.is_sitting_president(user, brand)


def can_file(user, brand: Brand) -> bool:
    """Verified members file cases (and the sitting president); any signed-in consumer when the brand uses Tribune
    as its consumer mediation. Filing is free."""
    if files_as_member(user, brand):
        return True
    return bool(user.is_authenticated) and uses_consumer_mediation(brand)


def country_choices() -> list[tuple[str, str]]:
    """(code, name) of the countries, by name in the reader's language."""
    locale = get_locale() or Locale("en")
    names = {code: name for code, name in locale.territories.items()
             if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES}
    return sorted(names.items(), key=lambda pair: pair[1].casefold())


def _country(value: str | None) -> str:
    code = (value or "").strip().upper()
    if code not in Locale("en").territories or len(code) != 2 or not code.isalpha() or code in _NOT_COUNTRIES:
        raise ValidationFailed(_("Choose your country of residence (a two-letter code such as FR)."),
                               field="complainant_country")
    return code


def _category(brand: Brand, category_id) -> CaseCategory:
    try:
        wanted = int(category_id)
    except (TypeError, ValueError):
        wanted = None
    for category in categories_for(brand):
        if category.id == wanted:
            return category
    raise ValidationFailed(_("Choose a category from the list."), field="category_id")


def _prior_date(value) -> date:
    if not isinstance(value, date):
        raise ValidationFailed(_("Give the date of your written complaint to the brand."), field="prior_complaint_on")
    if value > utcnow().date():
        raise ValidationFailed(_("The date of your written complaint cannot be in the future."),
                               field="prior_complaint_on")
    return value


def _check_files(files, field: str) -> list[tuple[str, bytes]]:
    files = [(name, data) for name, data in (files or []) if name or data]
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationFailed(_("Attach at most %(n)d files at a time.", n=MAX_ATTACHMENTS), field=field)
    for name, data in files:  # every file is checked before any is written
        documents_store.check(name, data, field)
    return files


def _store_files(case: MediationCase, actor: User, files: list[tuple[str, bytes]], field: str) -> list[CaseDocument]:
    # Within the case's and the sender's quotas, then all files written or none.
    documents_store.check_quota(case, actor, [len(data) for _name, data in files], field)
    documents = []
    for stored in documents_store.store_all(files, field):
        document = CaseDocument(case_id=case.id, uploaded_by_id=actor.id, visible_to="all",
                                filename=stored.filename, content_type=stored.content_type, size=stored.size,
                                sha256=stored.sha256, storage_key=stored.storage_key, uploaded_at=utcnow())
        db.session.add(document)
        documents.append(document)
    db.session.flush()
    return documents


# --- filing --------------------------------------------------------------------------------------------------------

def file_case(brand: Brand, actor: User, *, category_id, facts: str, request: str, prior_complaint_on,
              prior_complaint: str, complainant_country: str, collective: bool = False, as_president: bool = False,
              attachments=(), complainant_name: str | None = None,
              complainant_contact: str | None = None) -> MediationCase:
    """A verified member (or the sitting president, for the community) files a case; it goes to a mediator.

    When the brand uses Tribune as its consumer mediation, any consumer files too, giving their identity and
    contact details (L.612-1). Filing is free.
    """
    identity = {}
    if as_president:
        if not charter.is_sitting_president(actor, brand):
            raise Forbidden(_("Only the sitting customer president files a case for the community."))
        collective = True
    elif not permissions.is_verified_member(actor, brand):
        if not uses_consumer_mediation(brand):
            raise Forbidden(_("Only verified members of the community can file a case against the brand."))
        identity = {
            "complainant_name": required_text(complainant_name, "complainant_name",
                                              _("Your full name"), MAX_NAME),
            "complainant_contact": required_text(complainant_contact, "complainant_contact",
                                                 _("How to reach you (postal address, phone)"), MAX_CONTACT),
        }
        collective = False  # only the community's members join collective cases
    category = _category(brand, category_id)
    fields = _case_fields(facts, request, prior_complaint_on, prior_complaint, complainant_country)
    files = _check_files(attachments, "attachments")
    now = utcnow()
    case = MediationCase(brand_id=brand.id, complainant_id=actor.id, collective=bool(collective),
                         filed_by_president=bool(as_president), category_id=category.id, state=CaseState.FILED,
                         filed_at=now, clock_stopped_days=0, reminders_sent="", **fields, **identity)
    db.session.add(case)
    db.session.flush()
    record_event(case, "filed", actor, at=now)
    _store_files(case, actor, files, "attachments")
    audit.record("case.filed", actor=actor, brand=brand, subject=case,
                 payload={"category": category.key, "collective": case.collective,
                          "by_president": case.filed_by_president, "attachments": len(files)})
    # Filing makes the complainant a party: if they sit on this brand's panel, their cases here move on.
    roster.recheck_conflicts(actor, brand)
    roster.assign(case, None)
    return case


def _case_fields(facts, request, prior_complaint_on, prior_complaint, complainant_country) -> dict:
    """What every filing states, checked field by field (online or on paper)."""
    return {
        "facts": required_text(facts, "facts", _("What happened"), MAX_FACTS),
        "request": required_text(request, "request", _("What you ask for"), MAX_REQUEST),
        "prior_complaint_on": _prior_date(prior_complaint_on),
        "prior_complaint": required_text(prior_complaint, "prior_complaint",
                                         _("Your written complaint to the brand (its content or reference)"),
                                         MAX_PRIOR),
        "complainant_country": _country(complainant_country),
    }


def record_paper_filing(brand: Brand, actor: User, *, received_on, complainant_name: str, complainant_contact: str,
                        category_id, facts: str, request: str, prior_complaint_on, prior_complaint: str,
                        complainant_country: str) -> MediationCase:
    """A platform admin or a panel mediator records a case a consumer filed on paper at the postal address.

    The three weeks run from the day the letter was received; the consumer has no account: the mediator writes to
    the contact details given.
    """
    if not (permissions.is_platform_admin(actor) or roster.sits_on_panel(actor, brand)):
        raise Forbidden(_("Only a platform administrator or a mediator of the panel records a paper filing."))
    if not uses_consumer_mediation(brand):
        raise DomainError(_("The brand does not use the platform as its consumer mediation."))
    if not isinstance(received_on, date) or received_on > utcnow().date():
        raise ValidationFailed(_("Give the day the letter was received (not in the future)."), field="received_on")
    category = _category(brand, category_id)
    fields = {
        **_case_fields(facts, request, prior_complaint_on, prior_complaint, complainant_country),
        "complainant_name": required_text(complainant_name, "complainant_name", _("Full name"), MAX_NAME),
        "complainant_contact": required_text(complainant_contact, "complainant_contact",
                                             _("How to reach them (postal address, phone)"), MAX_CONTACT),
    }
    now = utcnow()
    received = datetime(received_on.year, received_on.month, received_on.day, tzinfo=now.tzinfo)
    filed_at = min(now, received) if received_on < now.date() else now
    case = MediationCase(brand_id=brand.id, complainant_id=None, collective=False, filed_by_president=False,
                         category_id=category.id, state=CaseState.FILED, filed_at=filed_at, clock_stopped_days=0,
                         reminders_sent="", **fields)
    db.session.add(case)
    db.session.flush()
    record_event(case, "filed_on_paper", actor, at=now, note=_("Filed on paper, received on %(day)s.",
                                                                day=received_on.isoformat()))
    audit.record("case.filed_on_paper", actor=actor, brand=brand, subject=case, payload={"category": category.key})
    roster.assign(case, None)
    return case


def add_attachments(case: MediationCase, actor: User, files) -> list[CaseDocument]:
    """The complainant side adds files to its case (PDF, PNG, JPEG, at most 5 MB each) until it closes."""

    if not is_complainant_side(actor, case):
        raise Forbidden(_("Only the complainant side adds attachments to its case."))
    if case.state in CLOSED_CASE_STATES:
        raise DomainError(_("This case is closed."))
    files = _check_files(files, "attachments")
    if not files:
        raise ValidationFailed(_("Choose a file to attach."), field="attachments")
    documents = _store_files(case, actor, files, "attachments")
    record_event(case, "attachment_added", actor, note=", ".join(d.filename for d in documents))
    audit.record("case.attachment_added", actor=actor, brand=case.brand, subject=case,
                 payload={"count": len(documents)})
    parties.tell_mediator(case, message("New attachments in case #%(id)s.", id=case.id))
    return documents


# --- collective cases ----------------------------------------------------------------------------------------------

def can_join(user, case: MediationCase) -> bool:
    """A verified member who is not yet on the complainant side, while the collective case is before the proposal."""

    return (case.collective and case.state in JOINABLE_STATES
            and permissions.is_verified_member(user, case.brand)
            and not is_complainant_side(user, case) and not is_case_mediator(user, case))


def join_case(case: MediationCase, actor: User) -> CaseParticipant:
    """A verified member joins a collective case: they become a co-complainant and see its content."""

    if not case.collective:
        raise DomainError(_("Only a collective case can be joined."))
    if not permissions.is_verified_member(actor, case.brand):
        raise Forbidden(_("Only verified members of the community can join a case."))
    if is_complainant_side(actor, case):
        raise DomainError(_("You are already a party to this case."))
    if is_case_mediator(actor, case):
        raise Forbidden(_("The case's mediator cannot join it."))
    if case.state not in JOINABLE_STATES:
        raise DomainError(_("This case can no longer be joined."))
    participant = CaseParticipant(case_id=case.id, user_id=actor.id, joined_at=utcnow())
    db.session.add(participant)
    db.session.flush()
    record_event(case, "joined", actor, note=actor.display_name)
    audit.record("case.joined", actor=actor, brand=case.brand, subject=case)
    parties.tell_mediator(case, message("%(name)s joined the collective case #%(id)s.", name=actor.display_name,
                                        id=case.id))
    if case.complainant is not None and case.complainant.deleted_at is None:
        notify(case.complainant, CASE_KIND, message("%(name)s joined your collective case #%(id)s.",
                                                    name=actor.display_name, id=case.id),
               link=parties.case_link(case), brand=case.brand)
    roster.recheck_conflicts(actor, case.brand)
    return participant


def joinable_cases(brand: Brand, user: User) -> list[MediationCase]:
    """Collective cases of the brand this person may join (what they see of them: category, date, how many)."""
    joined = exists().where(CaseParticipant.case_id == MediationCase.id, CaseParticipant.user_id == user.id)
    return db.session.scalars(
        select(MediationCase).where(MediationCase.brand_id == brand.id, MediationCase.collective.is_(True),
                                    MediationCase.state.in_(JOINABLE_STATES),
                                    or_(MediationCase.complainant_id.is_(None), MediationCase.complainant_id != user.id),
                                    ~joined)
        .options(joinedload(MediationCase.category), selectinload(MediationCase.co_complainants))
        .order_by(MediationCase.filed_at.desc(), MediationCase.id.desc())).all()


# --- lists ---------------------------------------------------------------------------------------------------------

def with_deadline_data(query):
    """Load what the deadlines and lists read, in a fixed number of queries whatever the number of cases."""
    return query.options(joinedload(MediationCase.brand), joinedload(MediationCase.category),
                         joinedload(MediationCase.complainant), joinedload(MediationCase.mediator),
                         selectinload(MediationCase.events), selectinload(MediationCase.proposals),
                         selectinload(MediationCase.co_complainants))


def cases_of(user: User, brand: Brand | None = None) -> list[MediationCase]:
    """The cases where this person is on the complainant side (at one brand if given), newest first."""
    joined = exists().where(CaseParticipant.case_id == MediationCase.id, CaseParticipant.user_id == user.id)
    query = select(MediationCase).where(or_(MediationCase.complainant_id == user.id, joined))
    if brand is not None:
        query = query.where(MediationCase.brand_id == brand.id)
    return db.session.scalars(with_deadline_data(query).order_by(MediationCase.filed_at.desc(),
                                                                 MediationCase.id.desc())).unique().all()


def export_cases(user: User) -> list[dict]:
    """The cases this person filed or joined, with what they wrote, for their data export."""
    rows = db.session.scalars(select(MediationCase).where(MediationCase.complainant_id == user.id)
                              .order_by(MediationCase.id)).all()
    filed = [{"id": c.id, "brand": c.brand.slug, "state": c.state.value, "filed_at": c.filed_at.isoformat(),
              "category": c.category.key, "facts": c.facts, "request": c.request,
              "prior_complaint_on": c.prior_complaint_on.isoformat(), "prior_complaint": c.prior_complaint,
              "complainant_country": c.complainant_country, "collective": c.collective, "role": "complainant"}
             for c in rows]
    joined = db.session.scalars(select(CaseParticipant).where(CaseParticipant.user_id == user.id)
                                .order_by(CaseParticipant.id)).all()
    return filed + [{"id": p.case_id, "brand": p.case.brand.slug, "role": "co-complainant",
                     "joined_at": p.joined_at.isoformat()} for p in joined]


# --- desks -----------------------------------------------------------------------------------------------------

CLOSED_SHOWN = 50


def sort_by_deadline(cases: list[MediationCase], now: datetime | None = None) -> list[MediationCase]:
    """Cases whose admissibility decision is overdue first (L.612-2), then by nearest deadline (none last)."""
    now = now or utcnow()

    def key(case):
        first = deadlines.nearest(case)
        due = first.due_at if first is not None and first.due_at is not None else None
        return (not deadlines.admissibility_overdue(case, now), due is None, due.timestamp() if due else 0,
                case.filed_at.timestamp(), case.id)

    return sorted(cases, key=key)


def queue_of(mediator: Mediator) -> tuple[list[MediationCase], list[MediationCase]]:
    """The mediator's cases in progress (nearest deadline first) and the last closed, in a fixed number of queries."""
    running = db.session.scalars(with_deadline_data(
        select(MediationCase).where(MediationCase.mediator_id == mediator.id,
                                    MediationCase.state.not_in(CLOSED_CASE_STATES)))).unique().all()
    closed = db.session.scalars(with_deadline_data(
        select(MediationCase).where(MediationCase.mediator_id == mediator.id,
                                    MediationCase.state.in_(CLOSED_CASE_STATES)))
        .order_by(MediationCase.closed_at.desc(), MediationCase.id.desc()).limit(CLOSED_SHOWN)).unique().all()
    return sort_by_deadline(running), closed
