"""Demo mediation: the demo mediator on the demo brand's panel with a case in each state, and the president's
representations, one answered and one pending.

Everything goes through the services (filing, admissibility, the brand's answer, the exchange, the proposal and
its answers, withdrawal, the deadlines, representations) with the clock moved to when each act happens, so the
timelines, the audit trail and the annual report tell the story a real brand's would. The demo mediator already
holds the MEDIATOR office on the charter (institutions/demo.py): their roster entry and panel seat reuse that
holding (moved back to the start of their term) instead of appointing them a second time.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from extensions import db
from institutions import audit, charter, clock
from institutions.representations import service as representations
from mediation import admissibility, deadlines, exchange, filing, independence, outcome, roster
from mediation import clock as mediation_clock
from institutions.representations.models import Representation
from mediation.models import MediationCase, MessageChannel, PanelSeat
from institutions.demo import DemoCast
from institutions.models import OfficeKind, User

MEDIATOR_EMAIL = "mediator@tribune.test"
PROPOSAL_EMAIL = "member@tribune.test"  # the demo member: a proposal waits for their answer
ANSWERED_TITLE = "Publish the prices of repairs"
PENDING_TITLE = "Open the repair service on Saturdays"
DAY = timedelta(days=1)


def _at(moment: datetime) -> datetime:
    clock.freeze(moment)
    return moment


def _person(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


# --- the panel -----------------------------------------------------------------------------------------------------

def _panel_mediator(cast: DemoCast, now: datetime):
    """The demo mediator on the roster and on the demo panel, sitting through their existing charter holding."""
    user = _person(MEDIATOR_EMAIL)
    mediator = roster.active_mediator_of(user)
    holding = next((h for h in charter.current_holdings(charter.office_of(cast.brand, OfficeKind.MEDIATOR))
                    if h.user_id == user.id), None)
    # The term starts before the oldest demo case, so the mediator was sitting when each was filed.
    started = now - 400 * DAY
    if mediator is None:
        _at(started)
        first_day = started.date()
        mediator = roster.add_mediator(
            cast.admin, name=user.display_name, email=user.email,
            qualifications="Consumer law mediator, 12 years of practice; trained in consumer ADR (directive "
                           "2013/11/EU).",
            appointing_body="Commission d'évaluation et de contrôle de la médiation de la consommation (demo)",
            term_starts_on=first_day, term_ends_on=roster.add_years(first_day, 3),
            declaration_of_interests="No link with Maison Demo, its shareholders or its competitors; paid a fixed "
                                     "fee per case by the platform, whatever the outcome.",
            paid_by="platform", paid_independently_of_outcome=True,
            appointment_decision="Appointed by the platform on the opinion of its ethics committee (demo)",
            postal_address="Tribune mediation, 1 place de la Démo, 75001 Paris", contact_email="mediation@tribune.test",
            networks="None yet (demo).", dispute_kinds="Sales, delivery, refunds and after-sales service",
            languages="French, English")
    if roster.seat_of(mediator, cast.brand) is None:
        if holding is None:  # nobody made them an office holder: appoint them the ordinary way
            roster.appoint(mediator, cast.brand, cast.admin)
        else:
            _at(started)
            seat = PanelSeat(mediator_id=mediator.id, brand_id=cast.brand.id, appointed_at=started,
                                    holding_id=holding.id)
            db.session.add(seat)
            # The foundation demo installed the holding "now": it starts with the term instead.
            holding.started_at = started
            holding.term_ends_at = roster.term_end_moment(mediator)
            db.session.flush()
            audit.record("mediator.appointed", actor=cast.admin, brand=cast.brand, subject=seat, public=True)
    return user


# --- the cases -----------------------------------------------------------------------------------------------------

def _file(cast: DemoCast, person: User, when: datetime, category: str, facts: str, request: str,
          country: str = "FR") -> MediationCase:
    _at(when)
    categories = {c.key: c for c in filing.categories_for(cast.brand)}
    return filing.file_case(cast.brand, person, category_id=categories[category].id, facts=facts, request=request,
                            prior_complaint_on=(when - 30 * DAY).date(),
                            prior_complaint=f"E-mail to customer service of {(when - 30 * DAY).date().isoformat()}",
                            complainant_country=country)


def _opened(cast, mediator, person, filed: datetime, category: str, facts: str, request: str, *,
            answer: str | None = "Maison Demo takes part and offers to examine the item again.",
            country: str = "FR") -> MediationCase:
    """Filed, opened five days later, and (unless `answer` is None) answered by the brand five days after."""
    case = _file(cast, person, filed, category, facts, request, country)
    _at(filed + 5 * DAY)
    independence.declare_no_conflict(case, mediator)
    admissibility.open_case(case, mediator)
    if answer:
        _at(filed + 10 * DAY)
        admissibility.brand_answer(case, cast.staff, answer)
    return case


def _filed(cast, mediator, person, now):
    _file(cast, person, now - 2 * DAY, "delivery", "My order of a 28 cm pan arrived with a cracked lid.",
          "A new lid, or a refund of 25 euros.")


def _incomplete(cast, mediator, person, now):
    case = _file(cast, person, now - 10 * DAY, "billing", "I was charged twice for the same order.",
                 "The refund of the second charge.")
    _at(now - 8 * DAY)
    independence.declare_no_conflict(case, mediator)
    admissibility.mark_incomplete(case, mediator, "the bank statement showing both charges")


def _refused(cast, mediator, person, now):
    case = _file(cast, person, now - 60 * DAY, "other", "The colour of the pan is not the one on the photo.",
                 "A pan of another colour.")
    _at(now - 55 * DAY)
    independence.declare_no_conflict(case, mediator)
    admissibility.refuse(case, mediator, "no_prior_complaint",
                         "Write to Maison Demo's customer service first; if its answer does not satisfy you, "
                         "file the case again with that letter.")


def _open(cast, mediator, person, now):
    case = _opened(cast, mediator, person, now - 20 * DAY, "after_sales",
                   "The repair service kept my knife for two months and returned it unsharpened.",
                   "The sharpening I paid for, or its price back.", country="BE")
    _at(now - 6 * DAY)
    exchange.post_message(case, mediator, MessageChannel.BOTH, "Could each of you send me the repair ticket and the "
                                                               "dates the knife was received and sent back?")
    _at(now - 5 * DAY)
    exchange.post_message(case, mediator, MessageChannel.NOTE, "Check whether the ticket mentions sharpening.")


def _proposal(cast, mediator, person, now):
    case = _opened(cast, mediator, person, now - 40 * DAY, "product_defect",
                   "The non-stick coating of my pan peeled off after three months.",
                   "A replacement pan.")
    _at(now - 20 * DAY)
    exchange.post_message(case, mediator, MessageChannel.BOTH, "Thank you both for the photos and the answer.")
    _at(now - 3 * DAY)
    outcome.propose(case, mediator, "Maison Demo replaces the pan with the same model and pays the postage; the "
                                    "customer sends the damaged pan back within 30 days.")


def _settled(cast, mediator, person, now):
    case = _opened(cast, mediator, person, now - 150 * DAY, "delivery",
                   "The parcel was marked as delivered but never reached me.", "The order again, or a refund.")
    _at(now - 100 * DAY)
    outcome.propose(case, mediator, "Maison Demo ships the order again at no cost.")
    _at(now - 97 * DAY)
    outcome.answer_proposal(case, person, True)
    _at(now - 96 * DAY)
    outcome.answer_proposal(case, cast.staff, True)
    outcome.record_favours(case, mediator, "consumer")
    _at(now - 70 * DAY)
    outcome.record_compliance(case, person, True)


def _not_settled(cast, mediator, person, now):
    case = _opened(cast, mediator, person, now - 130 * DAY, "unfair_term",
                   "The warranty excludes any pan used on an induction hob, which the shop never told me.",
                   "The warranty applied to my pan.")
    _at(now - 90 * DAY)
    outcome.propose(case, mediator, "The exclusion was shown on the product page: the warranty does not apply, but "
                                    "Maison Demo offers 20 % off a pan made for induction.")
    _at(now - 86 * DAY)
    outcome.answer_proposal(case, person, False)
    outcome.record_favours(case, mediator, "brand")


def _brand_refused(cast, mediator, person, now):
    case = _opened(cast, mediator, person, now - 80 * DAY, "other",
                   "I was refused entry to the shop's cooking class I had booked.", "The class, or its price back.",
                   answer=None)
    _at(now - 72 * DAY)
    admissibility.brand_decline(case, cast.staff, "The cooking classes are run by a partner, not by Maison Demo.")


def _withdrawn(cast, mediator, person, now):
    case = _opened(cast, mediator, person, now - 50 * DAY, "billing",
                   "A discount code was refused at checkout.", "The discount applied afterwards.")
    _at(now - 38 * DAY)
    outcome.withdraw(case, person, "Customer service applied the discount in the meantime.")


def _lapsed(cast, mediator, person, now):
    case = _opened(cast, mediator, person, now - 210 * DAY, "product_defect",
                   "The handle of my casserole came loose.", "A new handle.", country="DE")
    # Nobody proposed anything in the 90 days: the deadline run closes the case.
    _at(deadlines.mediation_due(case) + timedelta(hours=1))
    mediation_clock.advance_case(case)


# Each demo case belongs to one member, so loading the demo again finds it and never builds it twice.
CASES = (
    ("member31@tribune.test", _filed), ("member32@tribune.test", _incomplete), ("member33@tribune.test", _refused),
    ("member34@tribune.test", _open), (PROPOSAL_EMAIL, _proposal), ("member35@tribune.test", _settled),
    ("member36@tribune.test", _not_settled), ("member37@tribune.test", _brand_refused),
    ("member38@tribune.test", _withdrawn), ("member39@tribune.test", _lapsed),
)


# --- representations -----------------------------------------------------------------------------------------------

def _representations(cast: DemoCast, now: datetime) -> None:
    """One representation answered in time, one pending, both from the sitting president (if the demo has one)."""
    holding = charter.sitting_president(cast.brand)
    president = db.session.get(User, holding.user_id) if holding and holding.user_id else None
    if president is None:
        return
    titles = set(db.session.scalars(select(Representation.title).where(Representation.brand_id == cast.brand.id)))
    signers = [m for m in cast.members[10:30] if m.id != president.id]
    if ANSWERED_TITLE not in titles:
        _at(now - 40 * DAY)
        answered = representations.file(
            cast.brand, president, title=ANSWERED_TITLE,
            body="Customers learn the price of a repair only when they collect the item. The community asks "
                 "Maison Demo to publish the prices of its usual repairs (handles, lids, coatings, sharpening) on "
                 "its website and in its shops.")
        for index, member in enumerate(signers[:6]):
            _at(now - (39 - index) * DAY)
            representations.cosign(answered, member)
        _at(now - 37 * DAY)
        representations.acknowledge(answered, cast.staff)
        _at(now - 25 * DAY)
        representations.answer(answered, cast.staff, decision="partly_accepted",
                               reasons="The prices of the ten most common repairs are online since this week; "
                                       "coatings depend on the model and stay quoted case by case.")
    if PENDING_TITLE not in titles:
        _at(now - 5 * DAY)
        pending = representations.file(
            cast.brand, president, title=PENDING_TITLE,
            body="Most customers work on weekdays. The community asks that the repair service take and return "
                 "items on Saturday mornings, at least in the Paris and Lyon shops.")
        for index, member in enumerate(signers[6:9]):
            _at(now - (4 - index) * DAY)
            representations.cosign(pending, member)


def load_demo_cases(cast: DemoCast) -> list[tuple[str, str]]:
    """Idempotent: the panel seat, each demo case unless its complainant already has one, the representations."""
    now = clock.utcnow()
    try:
        mediator = _panel_mediator(cast, now)
        with_case = set(db.session.scalars(select(MediationCase.complainant_id)
                                           .where(MediationCase.brand_id == cast.brand.id)))
        for email, build in CASES:
            person = _person(email)
            if person is not None and person.id not in with_case:
                build(cast, mediator, person, now)
        _representations(cast, now)
        db.session.flush()
    finally:
        clock.freeze(None)
    return []

