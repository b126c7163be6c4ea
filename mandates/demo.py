"""Demo mandates: an active signed mandate with mission orders in each state, a contract offered to the
demo member to sign, a recognized advocate, and a revoked mandate in the registry's history.

Everything goes through the services (drafting, offering, signing, countersigning, orders, reports,
revocation, recognition) with the clock moved to when each act happens, so the audit trail, the
charter and the registry tell the same story as a real brand's would.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from extensions import db
from institutions import brands, clock
from institutions.demo import DemoCast
from institutions.models import User
from mandates import advocates, contracts, ending, missions
from mandates import clauses as schema
from mandates.models import AdvocateDeclaration, Mandate

ACTIVE_EMAIL = "member09@tribune.test"     # the ambassador at work, with mission orders
REVOKED_EMAIL = "member11@tribune.test"    # a mandate the brand revoked, in the history
ADVOCATE_EMAIL = "member12@tribune.test"   # a recognized advocate
OFFERED_EMAIL = "member@tribune.test"      # the demo member: a contract waits for their signature
DEMO_IP = "203.0.113.10"                   # documentation range (RFC 5737): nobody's real address
DEMO_AGENT = "Tribune demo loader"


def _clauses(person: User, starts_on: date, ends_on: date, *, nature: str, channels: str,
             compensation: dict, label: str, language: str = "en") -> dict:
    """Every mandatory clause of a demo contract (the drafting service adds its defaults underneath)."""
    return {
        "brand_party": {"legal_name": "Maison Demo SAS", "postal_address": "10 rue de la Démo, 75003 Paris",
                        "email": "legal@demo.tribune.test", "tax_country": "FR"},
        "ambassador_party": {"legal_name": person.display_name, "birth_date": "1993-04-17",
                             "postal_address": "5 place des Exemples, 69002 Lyon", "email": person.email,
                             "residence_country": "FR", "tax_country": "FR"},
        "missions": {"nature": nature, "scope": "Maison Demo's repairable kitchenware, in France",
                     "channels": channels, "audiences": ["FR", "BE"]},
        "powers": {"text": "Present the products and their public prices, and point customers to the brand's "
                           "repair service; no promise, discount or commitment in the brand's name."},
        "compensation": compensation,
        "intellectual_property": {"scope": "The brand may repost the content produced on its own accounts and "
                                           "website, with credit", "duration_months": 12},
        "governing_law": {"law": "FR", "jurisdiction": "Tribunal judiciaire de Paris"},
        "term": {"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
                 "renewal": schema.default_text(language, "term.renewal")},
        "disclosure": {"label": label, "employee": False},
    }


def _at(moment: datetime) -> datetime:
    clock.freeze(moment)
    return moment


def _morning(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=timezone.utc)


def _signed_mandate(cast: DemoCast, person: User, offered_at: datetime, starts_on: date, ends_on: date,
                    **terms) -> Mandate:
    """Draft, offer, sign and countersign a mandate, then let it start on its first day."""
    _at(offered_at)
    mandate = contracts.start_mandate(cast.brand, cast.staff, ambassador=person)
    contracts.update_draft(mandate, cast.staff, _clauses(person, starts_on, ends_on, **terms))
    contracts.offer(mandate, cast.staff)
    _at(offered_at + timedelta(hours=3))
    contracts.sign(mandate, person, person.display_name, accept=True, ip_address=DEMO_IP, user_agent=DEMO_AGENT)
    _at(offered_at + timedelta(hours=5))
    contracts.countersign(mandate, cast.staff, cast.staff.display_name, ip_address=DEMO_IP, user_agent=DEMO_AGENT)
    ending.advance(mandate, _at(_morning(starts_on)))
    return mandate


def _order(mandate: Mandate, cast: DemoCast, issued_at: datetime, due_at: datetime, title: str, instructions: str):
    _at(issued_at)
    return missions.issue_order(mandate, cast.staff, title=title, instructions=instructions, due_at=due_at,
                                expected_proof="The links to what was published.")


def _active_mandate(cast: DemoCast, person: User, now: datetime) -> None:
    """The ambassador at work: signed six weeks ago, one mission order in each state (and one overdue)."""
    start = now - timedelta(days=45)
    mandate = _signed_mandate(
        cast, person, start, (start + timedelta(days=5)).date(), (now + timedelta(days=320)).date(),
        nature="Cooking videos showing how to use, care for and repair Maison Demo pans",
        channels="YouTube, Instagram", label="#ad",
        compensation={"kind": "money", "amount": "300", "currency": "EUR", "schedule": "monthly, on the 5th"})
    day = timedelta(days=1)

    order = _order(mandate, cast, now - 38 * day, now - 28 * day, "Unboxing of the new pan",
                   "Film the unboxing of the 28 cm pan and say what is in the box, including the repair card.")
    missions.accept_order(order, person, now=_at(now - 37 * day))
    missions.submit_report(order, person, text="Published with #ad in the description.",
                           links="https://video.example/demo-unboxing", now=_at(now - 30 * day))
    missions.approve(order, cast.staff, "Clear and honest, thank you.", now=_at(now - 29 * day))

    order = _order(mandate, cast, now - 25 * day, now + 7 * day, "Seasoning a carbon-steel pan",
                   "A short video: seasoning the pan the first time, and after a mistake.")
    missions.accept_order(order, person, now=_at(now - 24 * day))
    missions.submit_report(order, person, text="The video is online. #ad",
                           links="https://video.example/demo-seasoning", now=_at(now - 12 * day))
    missions.send_back(order, cast.staff, "Please add the repair service's address in the description.",
                       now=_at(now - 11 * day))

    order = _order(mandate, cast, now - 20 * day, now - 2 * day, "Repair café in Lyon",
                   "Join the repair café on Saturday and post a story about handles being replaced.")
    missions.accept_order(order, person, now=_at(now - 19 * day))  # never reported: now overdue

    order = _order(mandate, cast, now - 20 * day, now + 5 * day, "Comparison with a competitor",
                   "Compare our pan with a competitor's in a live stream.")
    missions.decline_order(order, person, "I only talk about products I use myself; I do not own the other pan.",
                           now=_at(now - 19 * day))

    order = _order(mandate, cast, now - 15 * day, now + 3 * day, "Recipe post: crêpes",
                   "A post with the crêpe recipe made in the 24 cm pan.")
    missions.accept_order(order, person, now=_at(now - 14 * day))
    # The report forgets the label: the reviewer sees a warning to clear before approving.
    missions.submit_report(order, person, text="My crêpe recipe is up on Instagram.",
                           links="https://photos.example/demo-crepes", now=_at(now - 2 * day))

    order = _order(mandate, cast, now - 10 * day, now + 10 * day, "Care guide carousel",
                   "An Instagram carousel on washing and drying the pans.")
    missions.accept_order(order, person, now=_at(now - 9 * day))

    _order(mandate, cast, now - 1 * day, now + 14 * day, "Questions from the community",
           "Answer, in a video, the five questions members asked most about the non-stick coating.")


def _revoked_mandate(cast: DemoCast, person: User, now: datetime) -> None:
    """A mandate active for months, then revoked with notice; its open order was cancelled."""
    start = now - timedelta(days=200)
    mandate = _signed_mandate(
        cast, person, start, (start + timedelta(days=3)).date(), (now + timedelta(days=150)).date(),
        nature="Posts about the brand's knives and their sharpening service", channels="TikTok",
        label="#ad", compensation={"kind": "in_kind", "description": "One knife set and free sharpening",
                                   "value": "240", "currency": "EUR",
                                   "award_terms": "Given at the first day of the contract; sharpening on request"})
    _order(mandate, cast, now - timedelta(days=60), now - timedelta(days=5), "Sharpening demo",
           "Show the sharpening service from drop-off to return.")
    revoked_at = _at(now - timedelta(days=50))
    ending.revoke(mandate, cast.staff, "Sponsored posts were published twice without the disclosure label, "
                  "despite two reminders.", now=revoked_at)
    ending.advance(mandate, _at(_morning(mandate.end_effective_on)))


def _offered_mandate(cast: DemoCast, person: User, now: datetime) -> None:
    """A contract offered to the demo member two days ago: they can read it and sign it."""
    _at(now - timedelta(days=2))
    mandate = contracts.start_mandate(cast.brand, cast.staff, ambassador=person)
    contracts.update_draft(mandate, cast.staff, _clauses(
        person, (now + timedelta(days=7)).date(), (now + timedelta(days=190)).date(),
        nature="Reviews of the new oven dishes, and a video on how to use the repair service",
        channels="Instagram, the brand's community forum", label="#ad", compensation={"kind": "none"}))
    contracts.offer(mandate, cast.staff)


def _advocate(cast: DemoCast, person: User, now: datetime) -> None:
    """A member who defends the brand's customers, recognized by the brand."""
    _at(now - timedelta(days=60))
    declaration = advocates.declare(
        cast.brand, person, defends="customers",
        statement="I help other customers get their pans repaired under warranty, and I say so when the brand "
                  "gets it wrong.")
    advocates.recognize(declaration, cast.staff, now=_at(now - timedelta(days=58)))


def _member(cast: DemoCast, email: str) -> User:
    return next(person for person in cast.members if person.email == email)


def load_demo_mandates(cast: DemoCast) -> list[tuple[str, str]]:
    """Idempotent: create each demo mandate and the advocate unless that person already has one."""
    with_mandate = set(db.session.scalars(select(Mandate.ambassador_id).where(Mandate.brand_id == cast.brand.id)))
    declared = set(db.session.scalars(select(AdvocateDeclaration.user_id)
                                      .where(AdvocateDeclaration.brand_id == cast.brand.id)))
    now = clock.utcnow()
    if not contracts.signatory_legal_name(cast.staff, cast.brand):
        # The demo signatory countersigns under the legal name they recorded, as everyone must.
        brands.record_legal_name(cast.brand, cast.staff, cast.staff.display_name)
    try:
        for email, build in ((ACTIVE_EMAIL, _active_mandate), (REVOKED_EMAIL, _revoked_mandate),
                             (OFFERED_EMAIL, _offered_mandate)):
            person = _member(cast, email)
            if person.id not in with_mandate:
                build(cast, person, now)
        advocate = _member(cast, ADVOCATE_EMAIL)
        if advocate.id not in declared:
            _advocate(cast, advocate, now)
        db.session.flush()
    finally:
        clock.freeze(None)
    return [("ambassador", ACTIVE_EMAIL), ("advocate", ADVOCATE_EMAIL)]

