"""The procedure of Code de la consommation L.612-1, L.612-2 and R.612-1 to R.612-5 (issue 10, part 5)."""
from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from extensions import db
from institutions import clock
from institutions.errors import DomainError, Forbidden, ValidationFailed
from institutions.models import AuditEvent
from mediation import admissibility, deadlines, exchange, filing, outcome, representation
from mediation.models import CaseState
from mediation.timeline import visible_events
from tests.conftest import T0, bearer, login
from tests.mediation.filing_fixtures import file_case, notes_of

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
THREE_WEEKS = timedelta(days=21)


@pytest.fixture
def filed(panel, make):
    """A panel of one mediator and a case filed by Carla at T0, assigned to Maya."""

    def build(slug: str = "acme"):
        scene = panel(mediators=1, slug=slug)
        carla = make.member(scene.brand, user=make.user(name="Carla Complainant"))
        return scene, carla, file_case(scene, carla)

    return build


def _late_events(case):
    return [event for event in visible_events(case, "complainant") if event.kind == "admissibility_late"]


# --- L.612-2: the three weeks of the admissibility decision ---------------------------------------------------------

def test_l612_2_decision_late_rule_is_strictly_after_the_due_moment():
    case = SimpleNamespace(state=CaseState.FILED, filed_at=T0, clock_stopped_days=0)
    assert deadlines.admissibility_decision_late(case, T0 + THREE_WEEKS) is False
    assert deadlines.admissibility_decision_late(case, T0 + THREE_WEEKS + SECOND) is True
    case.clock_stopped_days = 2
    assert deadlines.admissibility_decision_late(case, T0 + THREE_WEEKS + SECOND) is False
    assert deadlines.admissibility_decision_late(case, T0 + THREE_WEEKS + 2 * DAY + SECOND) is True
    # While incomplete the clock is stopped: no decision is late then.
    case.state = CaseState.INCOMPLETE
    assert deadlines.admissibility_decision_late(case, T0 + 100 * DAY) is False


@pytest.mark.parametrize("state", [CaseState.INCOMPLETE, CaseState.OPEN, CaseState.REFUSED])
def test_l612_2_only_a_filed_case_is_overdue_for_its_decision(state):
    late = T0 + THREE_WEEKS + SECOND
    filed_case = SimpleNamespace(state=CaseState.FILED, filed_at=T0, clock_stopped_days=0)
    assert deadlines.admissibility_overdue(filed_case, late) is True
    assert deadlines.admissibility_overdue(filed_case, T0 + THREE_WEEKS) is False
    other = SimpleNamespace(state=state, filed_at=T0, clock_stopped_days=0)
    assert deadlines.admissibility_overdue(other, late) is False


def test_l612_2_an_opening_within_three_weeks_is_not_late(ctx, filed):
    scene, carla, case = filed()
    clock.freeze(T0 + THREE_WEEKS)
    admissibility.open_case(case, scene.mediators[0])
    db.session.commit()
    assert case.admissibility_late is False and _late_events(case) == []


def test_l612_2_an_opening_after_three_weeks_is_recorded_late_shown_and_audited(ctx, filed):
    scene, carla, case = filed()
    clock.freeze(T0 + THREE_WEEKS + DAY)
    admissibility.open_case(case, scene.mediators[0])
    db.session.commit()
    assert case.state is CaseState.OPEN and case.admissibility_late is True
    [event] = _late_events(case)
    assert "it comes late" in event.note and (T0 + THREE_WEEKS).strftime("%Y-%m-%d") in event.note
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.admissibility_late"))
    assert audit is not None and json.loads(audit.payload)["due"] == (T0 + THREE_WEEKS).isoformat()
    opened = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.opened"))
    assert json.loads(opened.payload) == {"late": True}


def test_l612_2_a_late_refusal_is_late_but_a_refusal_while_incomplete_is_not(ctx, filed):
    scene, carla, case = filed()
    clock.freeze(T0 + 30 * DAY)
    admissibility.refuse(case, scene.mediators[0], "outside_scope")
    db.session.commit()
    assert case.admissibility_late is True and len(_late_events(case)) == 1

    other_scene, dora, other = filed(slug="other")
    clock.freeze(T0 + 2 * DAY)
    admissibility.mark_incomplete(other, other_scene.mediators[0], "The invoice")
    clock.freeze(T0 + 40 * DAY)  # the clock is stopped while incomplete
    admissibility.refuse(other, other_scene.mediators[0], "no_prior_complaint")
    db.session.commit()
    assert other.admissibility_late is False and _late_events(other) == []


def test_l612_2_late_stays_late_after_the_case_is_completed(ctx, filed):
    scene, carla, case = filed()
    clock.freeze(T0 + 25 * DAY)
    admissibility.mark_incomplete(case, scene.mediators[0], "The invoice")
    assert case.admissibility_late is True
    clock.freeze(T0 + 27 * DAY)
    admissibility.complete(case, carla, "Here it is")
    # 21 + 2 stopped days: due at T0 + 23 days, so opening now is late as well; it was late already.
    admissibility.open_case(case, scene.mediators[0])
    db.session.commit()
    assert case.admissibility_late is True and len(_late_events(case)) == 2


def test_l612_2_the_mediators_queue_puts_late_admissibility_decisions_first(ctx, panel, make):
    scene = panel(mediators=1)
    carla = make.member(scene.brand, user=make.user(name="Carla Complainant"))
    opened = file_case(scene, carla)
    admissibility.open_case(opened, scene.mediators[0])
    db.session.commit()
    clock.freeze(T0 + 5 * DAY)
    overdue = file_case(scene, carla)
    clock.freeze(T0 + 88 * DAY)
    # The opened case's mediation ends at T0 + 90 days and the brand's answer was due at T0 + 20 days (earlier
    # than the overdue admissibility at T0 + 26 days): still, the late admissibility decision comes first.
    running, _closed = filing.queue_of(scene.entries[0])
    assert [c.id for c in running][0] == overdue.id
    assert filing.sort_by_deadline([opened, overdue], T0 + 20 * DAY)[0].id == opened.id


def test_l612_2_late_decision_in_the_case_page_the_queue_and_the_api(app, client, filed):
    scene, carla, case = filed()
    mediator = scene.mediators[0]
    clock.freeze(T0 + 22 * DAY)
    browser = app.test_client()
    login(browser, mediator)
    queue = browser.get("/mediator/").text
    assert "Admissibility decision late" in queue
    listed = client.get("/api/v1/mediator/cases", headers=bearer(mediator)).get_json()["items"]
    assert listed[0]["id"] == case.id and listed[0]["admissibility_overdue"] is True
    assert browser.post(f"/b/acme/cases/{case.id}/open").status_code == 302
    page = browser.get(f"/b/acme/cases/{case.id}").text
    assert "recorded as late and counted in the annual report" in page
    assert "Admissibility decided late" in page
    detail = client.get(f"/api/v1/brands/acme/cases/{case.id}", headers=bearer(carla)).get_json()
    assert detail["admissibility_late"] is True


# --- R.612-2, R.612-1, Code civil 2238: the opening notice ---------------------------------------------------------

RIGHTS = ("withdraw from the mediation at any time", "represented by a lawyer",
          "assisted by a person of their choice", "expert's opinion", "at their own cost",
          "limitation period", "2238", "suspended from this notice")


def test_r612_2_opening_notice_mentions_withdrawal_representation_and_limitation(ctx, filed):
    scene, carla, case = filed()
    clock.freeze(T0 + 2 * DAY)
    admissibility.open_case(case, scene.mediators[0])
    db.session.commit()
    for told in (notes_of(carla)[-1], notes_of(scene.staff)[-1]):
        for right in RIGHTS:
            assert right in told, (right, told)
    opened = [event for event in visible_events(case, "brand") if event.kind == "opened"]
    assert opened and all(right in opened[0].note for right in RIGHTS)
    assert opened[0].at == T0 + 2 * DAY  # the date the limitation period stops running


def test_r612_2_opening_rights_on_the_case_page_and_api_for_both_parties(app, client, filed):
    scene, carla, case = filed()
    assert "opening_rights" in client.get(f"/api/v1/brands/acme/cases/{case.id}",
                                          headers=bearer(carla)).get_json()
    assert client.get(f"/api/v1/brands/acme/cases/{case.id}",
                      headers=bearer(carla)).get_json()["opening_rights"] is None
    admissibility.open_case(case, scene.mediators[0])
    db.session.commit()
    for person in (carla, scene.staff):
        browser = app.test_client()
        login(browser, person)
        page = browser.get(f"/b/acme/cases/{case.id}").text
        assert 'id="opening-rights"' in page and "represented by a lawyer" in page and "2238" in page
        detail = client.get(f"/api/v1/brands/acme/cases/{case.id}", headers=bearer(person)).get_json()
        assert "2238" in detail["opening_rights"]


# --- L.612-2: the brand withdraws too -------------------------------------------------------------------------------

def test_l612_2_the_brand_withdraws_once_it_takes_part(ctx, case_scene):
    scene = case_scene(brand_answered=False)
    with pytest.raises(DomainError, match="decline to take part instead"):
        outcome.withdraw(scene.case, scene.staff, "We settle elsewhere")
    scene.case.brand_answered_at = scene.case.opened_at + DAY
    db.session.commit()
    outcome.withdraw(scene.case, scene.staff, "We refund the customer directly")
    db.session.commit()
    assert scene.case.state is CaseState.WITHDRAWN and scene.case.withdrawn_by == "brand"
    assert scene.case.closing_note == "We refund the customer directly"
    assert "The brand withdrew from the mediation" in notes_of(scene.complainant)[-1]
    assert "The brand withdrew from the mediation" in notes_of(scene.mediator)[-1]
    assert [e.kind for e in visible_events(scene.case, "complainant")][-1] == "brand_withdrawn"
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.withdrawn"))
    assert json.loads(audit.payload) == {"side": "brand"}
    with pytest.raises(DomainError, match="already closed"):
        outcome.withdraw(scene.case, scene.complainant)


def test_l612_2_the_brand_cannot_withdraw_a_case_it_was_never_told_of(ctx, case_scene):
    scene = case_scene(state=CaseState.FILED)
    with pytest.raises(Forbidden):
        outcome.withdraw(scene.case, scene.staff)
    assert scene.case.state is CaseState.FILED


def test_l612_2_the_complainant_withdrawal_is_recorded_as_the_complainants(ctx, case_scene):
    scene = case_scene()
    outcome.withdraw(scene.case, scene.complainant)
    assert scene.case.withdrawn_by == "complainant"
    assert [e.kind for e in visible_events(scene.case, "brand")][-1] == "withdrawn"


def test_l612_2_the_brand_withdraws_through_the_page_and_the_api(app, client, case_scene):
    scene = case_scene()
    browser = app.test_client()
    login(browser, scene.staff)
    page = f"/b/{scene.brand.slug}/cases/{scene.case.id}"
    assert "Withdraw the brand from the mediation" in browser.get(page).text
    assert browser.post(f"{page}/withdraw", data={"withdraw-reason": "Refunded"}).status_code == 302
    db.session.expire_all()
    assert scene.case.state is CaseState.WITHDRAWN and scene.case.withdrawn_by == "brand"
    assert "The brand withdrew from the mediation" in browser.get(page).text

    other = case_scene(slug="other")
    answer = client.post(f"/api/v1/brands/other/cases/{other.case.id}/withdraw", json={"reason": "Refunded"},
                         headers=bearer(other.staff))
    assert answer.status_code == 200 and answer.get_json()["withdrawn_by"] == "brand"


# --- R.612-4: the proposal states the legal effect of accepting it --------------------------------------------------

def test_r612_4_the_proposal_states_the_legal_effect_of_accepting_it(app, client, case_scene):
    scene = case_scene()
    outcome.propose(scene.case, scene.mediator, "A new frame within 15 days.")
    db.session.commit()
    effect = str(outcome.LEGAL_EFFECT)
    assert "binds them" in effect and "enforceable" in effect
    for party in (scene.complainant, scene.staff):
        told = notes_of(party)[-1]
        assert effect in told and all(str(notice) in told for notice in outcome.NOTICES)
        browser = app.test_client()
        login(browser, party)
        page = browser.get(f"/b/{scene.brand.slug}/cases/{scene.case.id}").text
        assert "binds them as an agreement" in page
    proposal = client.get(f"/api/v1/brands/{scene.brand.slug}/cases/{scene.case.id}/proposal",
                          headers=bearer(scene.complainant)).get_json()
    assert proposal["legal_effect"] == effect and len(proposal["notices"]) == 3


# --- R.612-5: extensions at any time for a complex case -------------------------------------------------------------

def test_r612_5_each_extension_is_capped_at_90_days_as_a_product_rule(ctx, case_scene):
    scene = case_scene()
    outcome.extend(scene.case, scene.mediator, "Expert", days=90)
    outcome.extend(scene.case, scene.mediator, "Second expert", days=90)
    assert scene.case.extension_days == 180
    with pytest.raises(Exception) as refused:
        outcome.extend(scene.case, scene.mediator, "Too much", days=91)
    assert "days" in refused.value.fields and scene.case.extension_days == 180


# --- L.612-2, R.612-4 in a collective case: each complainant for their own claim -----------------------------------

def _claims(case):
    return {claim["name"]: claim for claim in outcome.claims_of(case, case.proposals[-1])}


def test_r612_4_each_complainant_of_a_collective_case_answers_for_their_own_claim(ctx, case_scene):
    scene = case_scene(collective=True)
    outcome.propose(scene.case, scene.mediator, "Refund each buyer.")
    db.session.commit()
    # The filer refuses for their own claim: the case waits for the joined member's answer and the brand's.
    outcome.answer_proposal(scene.case, scene.complainant, False)
    assert scene.case.state is CaseState.PROPOSAL
    assert "the other answers are awaited" in notes_of(scene.mediator)[-1]
    outcome.answer_proposal(scene.case, scene.joined, True)
    assert _claims(scene.case)["Jo Joined"]["answer"] == "accepted"
    with pytest.raises(DomainError, match="already answered"):
        outcome.answer_proposal(scene.case, scene.joined, False)
    assert scene.case.state is CaseState.PROPOSAL
    outcome.answer_proposal(scene.case, scene.staff, True)
    db.session.commit()
    # Every answer is in: settled for the accepted claim.
    assert scene.case.state is CaseState.SETTLED
    assert "settled for the claims accepted" in notes_of(scene.complainant)[-1]
    assert "claim_accepted" in [e.kind for e in visible_events(scene.case, "brand")]


def test_r612_4_a_collective_case_with_every_claim_refused_is_not_settled(ctx, case_scene):
    scene = case_scene(collective=True)
    outcome.propose(scene.case, scene.mediator, "Refund each buyer.")
    outcome.answer_proposal(scene.case, scene.joined, False)
    assert scene.case.state is CaseState.PROPOSAL
    outcome.answer_proposal(scene.case, scene.complainant, False)
    assert scene.case.state is CaseState.NOT_SETTLED


def test_r612_4_when_the_deadline_passes_the_claims_accepted_in_time_are_settled(ctx, case_scene):
    scene = case_scene(collective=True)
    outcome.propose(scene.case, scene.mediator, "Refund each buyer.", answer_days=10)
    outcome.answer_proposal(scene.case, scene.joined, True)
    outcome.answer_proposal(scene.case, scene.staff, True)
    db.session.commit()
    assert scene.case.state is CaseState.PROPOSAL  # the filer has not answered
    clock.freeze(T0 + 10 * DAY)
    assert outcome.expire_due_proposals() == [scene.case]
    assert scene.case.state is CaseState.SETTLED
    assert "settled for the claims accepted in time" in notes_of(scene.complainant)[-1]


def test_l612_2_a_member_withdraws_their_own_claim_and_the_case_goes_on(ctx, case_scene):
    scene = case_scene(collective=True)
    outcome.propose(scene.case, scene.mediator, "Refund each buyer.")
    outcome.answer_proposal(scene.case, scene.complainant, True)
    outcome.answer_proposal(scene.case, scene.staff, True)
    assert scene.case.state is CaseState.PROPOSAL  # the joined member's answer is awaited
    outcome.withdraw(scene.case, scene.joined, "I was refunded")
    db.session.commit()
    # The withdrawn claim was the last awaited: the case is settled for the filer's claim.
    assert scene.case.state is CaseState.SETTLED and scene.case.withdrawn_by is None
    assert _claims(scene.case)["Jo Joined"]["withdrawn"] is True
    assert "withdrew their own claim" in notes_of(scene.complainant)[-2]
    assert "settled for the claims accepted" in notes_of(scene.complainant)[-1]
    assert "claim_withdrawn" in [e.kind for e in visible_events(scene.case, "brand")]
    with pytest.raises(Forbidden):
        outcome.withdraw(scene.case, scene.joined)  # no claim left to withdraw


def test_l612_2_a_member_withdraws_their_claim_before_any_proposal(ctx, case_scene):
    scene = case_scene(collective=True)
    outcome.withdraw(scene.case, scene.joined)
    assert scene.case.state is CaseState.OPEN
    assert "withdrew their own claim" in notes_of(scene.staff)[-1]
    with pytest.raises(Forbidden):
        outcome.answer_proposal(scene.case, scene.joined, True)


def test_r612_4_collective_answers_through_the_page_and_the_api(app, client, case_scene):
    scene = case_scene(collective=True)
    outcome.propose(scene.case, scene.mediator, "Refund each buyer.")
    db.session.commit()
    browser = app.test_client()
    login(browser, scene.joined)
    page = f"/b/{scene.brand.slug}/cases/{scene.case.id}"
    text = browser.get(page).text
    assert "Your answer for your own claim" in text and "Withdraw my claim" in text
    assert browser.post(f"{page}/proposal/refuse").status_code == 302
    proposal = client.get(f"/api/v1/brands/{scene.brand.slug}/cases/{scene.case.id}/proposal",
                          headers=bearer(scene.complainant)).get_json()
    assert proposal["claims"][0]["answer"] == "refused" and proposal["claims"][0]["name"] == "Jo Joined"


# --- R.612-3: a party asks for the documents of the case; the mediator shares all or part -------------------------

def _unshared_document(scene):
    """The brand sends, for a request the mediator keeps to themself, a document the complainant cannot read."""
    from tests.mediation.exchange_fixtures import PDF
    request = exchange.request_document(scene.case, scene.mediator, from_party="brand", description="Your logs",
                                        share_with="mediator")
    document = exchange.upload_document(scene.case, scene.staff, request, "logs.pdf", PDF)
    db.session.commit()
    return document


def test_r612_3_a_party_asks_for_the_documents_and_the_mediator_shares_them(ctx, case_scene):
    scene = case_scene()
    document = _unshared_document(scene)
    assert not exchange.can_read_document(document, "complainant")
    exchange.ask_for_documents(scene.case, scene.complainant, "All the file, please")
    db.session.commit()
    assert "asks for the documents of the case" in notes_of(scene.mediator)[-1]
    [asked] = exchange.documents_asked_by(scene.case)
    assert asked.visible_to == "complainant" and asked.note == "All the file, please"
    with pytest.raises(Forbidden):
        exchange.share_document(scene.case, scene.complainant, document.id)
    exchange.share_document(scene.case, scene.mediator, document.id)
    db.session.commit()
    assert exchange.can_read_document(document, "complainant")
    assert "shared a document" in notes_of(scene.complainant)[-1] and "logs.pdf" in notes_of(scene.complainant)[-1]
    with pytest.raises(DomainError, match="already read"):
        exchange.share_document(scene.case, scene.mediator, document.id)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.document_shared"))
    assert audit is not None and "logs" not in audit.payload


def test_r612_3_asking_for_documents_is_for_parties_of_a_running_case(ctx, case_scene):
    scene = case_scene()
    for someone in (scene.mediator, scene.outsider):
        with pytest.raises(Forbidden):
            exchange.ask_for_documents(scene.case, someone)
    other = case_scene(state=CaseState.FILED, slug="other")
    with pytest.raises(DomainError, match="while the mediation runs"):
        exchange.ask_for_documents(other.case, other.staff)  # the brand is not yet in a filed case
    exchange.ask_for_documents(other.case, other.complainant)
    scene.case.state = CaseState.SETTLED
    with pytest.raises(DomainError, match="while the mediation runs"):
        exchange.ask_for_documents(scene.case, scene.staff)


def test_r612_3_documents_asked_and_shared_through_the_page_and_the_api(app, client, case_scene):
    scene = case_scene()
    document = _unshared_document(scene)
    page = f"/b/{scene.brand.slug}/cases/{scene.case.id}"
    party = app.test_client()
    login(party, scene.complainant)
    assert "Ask for the documents of the case" in party.get(page).text
    assert party.post(f"{page}/documents/ask").status_code == 302
    mediator = app.test_client()
    login(mediator, scene.mediator)
    text = mediator.get(page).text
    assert "The parties asked for the documents of the case" in text and "Share logs.pdf with both parties" in text
    assert mediator.post(f"{page}/documents/{document.id}/share").status_code == 302
    assert "logs.pdf" in party.get(page).text

    api = f"/api/v1/brands/{scene.brand.slug}/cases/{scene.case.id}/documents"
    assert client.post(f"{api}/ask", json={"note": "Again"}, headers=bearer(scene.staff)).status_code == 201
    refused = client.post(f"{api}/{document.id}/share", headers=bearer(scene.mediator))
    assert refused.status_code == 409
    assert client.post(f"{api}/{document.id}/share", headers=bearer(scene.staff)).status_code == 403


# --- R.612-1 3°: lawyers and assistants, with their own access --------------------------------------------------------

def test_r612_1_a_party_adds_a_lawyer_who_then_reads_and_writes_for_its_side(ctx, case_scene, make):
    scene = case_scene()
    lawyer = make.user(name="Lea Lawyer")
    with pytest.raises(Forbidden):
        representation.add_representative(scene.case, lawyer, lawyer.email, "lawyer")
    assert exchange.case_role(lawyer, scene.case) is None
    with pytest.raises(ValidationFailed) as unknown:
        representation.add_representative(scene.case, scene.complainant, "nobody@example.org", "lawyer")
    assert "email" in unknown.value.fields
    with pytest.raises(ValidationFailed) as kind:
        representation.add_representative(scene.case, scene.complainant, lawyer.email, "judge")
    assert "kind" in kind.value.fields
    with pytest.raises(DomainError, match="already has access"):
        representation.add_representative(scene.case, scene.complainant, scene.staff.email, "assistant")
    entry = representation.add_representative(scene.case, scene.complainant, lawyer.email.upper(), "lawyer")
    db.session.commit()
    assert entry.side == "complainant" and exchange.case_role(lawyer, scene.case) == "complainant"
    assert "Lea Lawyer" in notes_of(scene.mediator)[-1] and "Lea Lawyer" in notes_of(scene.staff)[-1]
    # Their own access: they write on the complainant's channels and are told of what the side is told.
    exchange.post_message(scene.case, lawyer, "both", "On behalf of my client.")
    exchange.post_message(scene.case, scene.staff, "both", "Noted.")
    assert notes_of(lawyer)[-1].startswith("New message from")
    assert any("New message from" in note for note in notes_of(scene.complainant))
    # The party's own acts stay the party's.
    outcome.propose(scene.case, scene.mediator, "Refund.")
    with pytest.raises(Forbidden):
        outcome.answer_proposal(scene.case, lawyer, True)
    # A representative adds nobody; the party ends their access.
    with pytest.raises(Forbidden):
        representation.add_representative(scene.case, lawyer, make.user().email, "assistant")
    representation.remove_representative(scene.case, scene.complainant, entry.id)
    db.session.commit()
    assert exchange.case_role(lawyer, scene.case) is None
    assert "access to" in notes_of(lawyer)[-1]


def test_r612_1_the_brand_adds_an_assistant_once_the_case_is_open(ctx, case_scene, make):
    filed = case_scene(state=CaseState.FILED)
    helper = make.user(name="Hal Helper")
    with pytest.raises(DomainError, match="once the case is open"):
        representation.add_representative(filed.case, filed.staff, helper.email, "assistant")
    scene = case_scene(slug="other")
    entry = representation.add_representative(scene.case, scene.staff, helper.email, "assistant")
    assert exchange.case_role(helper, scene.case) == "brand"
    with pytest.raises(Forbidden, match="side a representative acts for"):
        representation.remove_representative(scene.case, scene.complainant, entry.id)
    representation.remove_representative(scene.case, helper, entry.id)  # they leave by themself
    assert exchange.case_role(helper, scene.case) is None


def test_r612_1_representatives_through_the_page_and_the_api(app, client, case_scene, make):
    scene = case_scene()
    lawyer = make.user(name="Lea Lawyer")
    page = f"/b/{scene.brand.slug}/cases/{scene.case.id}"
    party = app.test_client()
    login(party, scene.complainant)
    assert "Lawyers and assistants" in party.get(page).text
    wrong = party.post(f"{page}/representatives", data={"representative-email": "nobody@example.org",
                                                         "representative-kind": "lawyer"})
    assert wrong.status_code == 422 and "ask the person to sign up first" in wrong.text
    assert party.post(f"{page}/representatives", data={"representative-email": lawyer.email,
                                                        "representative-kind": "lawyer"}).status_code == 302
    own = app.test_client()
    login(own, lawyer)
    lawyer_page = own.get(page)
    assert lawyer_page.status_code == 200 and "The bike arrived broken." in lawyer_page.text
    listed = client.get(f"/api/v1/brands/{scene.brand.slug}/cases/{scene.case.id}/representatives",
                        headers=bearer(scene.staff)).get_json()["items"]
    assert [(r["name"], r["side"], r["kind"]) for r in listed] == [("Lea Lawyer", "complainant", "lawyer")]
    helper = make.user(name="Hal Helper")
    added = client.post(f"/api/v1/brands/{scene.brand.slug}/cases/{scene.case.id}/representatives",
                        json={"email": helper.email, "kind": "assistant"}, headers=bearer(scene.staff))
    assert added.status_code == 201 and added.get_json()["side"] == "brand"
    gone = client.delete(f"/api/v1/brands/{scene.brand.slug}/cases/{scene.case.id}/representatives/"
                         f"{listed[0]['id']}", headers=bearer(scene.complainant))
    assert gone.status_code == 200
    assert own.get(page).status_code in (403, 404)


# --- L.612-1: any consumer of the brand files when the brand uses Tribune as its consumer mediation ----------------

def test_l612_1_a_consumer_outside_the_community_files_once_the_brand_uses_consumer_mediation(ctx, panel, make):
    scene = panel(mediators=1)
    consumer = make.user(name="Cleo Consumer")
    assert not filing.can_file(consumer, scene.brand)
    with pytest.raises(Forbidden, match="verified members"):
        file_case(scene, consumer, complainant_name="Cleo Consumer", complainant_contact="1 rue de Paris")
    with pytest.raises(Forbidden):
        filing.set_consumer_mediation(scene.brand, consumer, True)
    filing.set_consumer_mediation(scene.brand, scene.staff, True)
    db.session.commit()
    assert filing.can_file(consumer, scene.brand)
    with pytest.raises(ValidationFailed) as missing:
        file_case(scene, consumer)
    assert "complainant_name" in missing.value.fields
    case = file_case(scene, consumer, complainant_name="Cleo Consumer", complainant_contact="1 rue de Paris, Lyon",
                     collective=True)
    assert case.complainant_id == consumer.id and case.complainant_name == "Cleo Consumer"
    assert case.complainant_contact == "1 rue de Paris, Lyon" and case.collective is False
    assert case.mediator_id == scene.entries[0].id
    filing.set_consumer_mediation(scene.brand, scene.admin, False)
    assert not filing.can_file(consumer, scene.brand)


def test_l612_1_consumer_filing_through_the_page_and_the_api(app, client, panel, make):
    scene = panel(mediators=1)
    consumer = make.user(name="Cleo Consumer")
    staff = app.test_client()
    login(staff, scene.staff)
    assert "Use the platform as our consumer mediation" in staff.get("/b/acme/cases/brand").text
    assert staff.post("/b/acme/cases/brand/consumer-mediation").status_code == 302
    assert filing.uses_consumer_mediation(scene.brand)
    browser = app.test_client()
    login(browser, consumer)
    form = browser.get("/b/acme/cases/new").text
    assert "Filing is free." in form and "Your full name" in form and 'name="collective"' not in form
    assert 'name="collective"' in (lambda member: (login(member, make.member(scene.brand)),
                                                    member.get("/b/acme/cases/new").text)[1])(app.test_client())
    category = filing.categories_for(scene.brand)[0]
    body = {"category_id": category.id, "facts": "Broken.", "request": "Refund.", "prior_complaint_on": "2027-02-01",
            "prior_complaint": "Mail", "complainant_country": "FR"}
    refused = client.post("/api/v1/brands/acme/cases", json=body, headers=bearer(consumer))
    assert refused.status_code == 422 and "complainant_name" in refused.get_json()["error"]["fields"]
    filed = client.post("/api/v1/brands/acme/cases", json={**body, "complainant_name": "Cleo Consumer",
                                                          "complainant_contact": "06 00 00 00 00"},
                        headers=bearer(consumer))
    assert filed.status_code == 201
    off = client.put("/api/v1/brands/acme/mediation/consumer-mediation", json={"consumer_mediation": False},
                     headers=bearer(scene.staff))
    assert off.status_code == 200 and off.get_json() == {"consumer_mediation": False}
    assert client.put("/api/v1/brands/acme/mediation/consumer-mediation", json={"consumer_mediation": True},
                      headers=bearer(consumer)).status_code == 403


def test_l612_1_a_paper_filing_is_recorded_by_the_mediation_and_the_public_page_gives_the_address(app, client,
                                                                                                   panel, make):
    scene = panel(mediators=1)
    category = filing.categories_for(scene.brand)[0]
    fields = dict(received_on=(T0 - 3 * DAY).date(), complainant_name="Paul Paper",
                  complainant_contact="3 place du Marché, Lille", category_id=category.id, facts="Broken.",
                  request="Refund.", prior_complaint_on=(T0 - 30 * DAY).date(), prior_complaint="Letter",
                  complainant_country="FR")
    with pytest.raises(DomainError, match="consumer mediation"):
        filing.record_paper_filing(scene.brand, scene.admin, **fields)
    filing.set_consumer_mediation(scene.brand, scene.staff, True)
    for someone in (scene.staff, make.user()):
        with pytest.raises(Forbidden):
            filing.record_paper_filing(scene.brand, someone, **fields)
    with pytest.raises(ValidationFailed) as future:
        filing.record_paper_filing(scene.brand, scene.admin, **{**fields, "received_on": (T0 + DAY).date()})
    assert "received_on" in future.value.fields
    case = filing.record_paper_filing(scene.brand, scene.mediators[0], **fields)
    db.session.commit()
    assert case.complainant_id is None and case.complainant_name == "Paul Paper"
    # The three weeks run from the day the letter was received.
    assert case.filed_at.date() == (T0 - 3 * DAY).date()
    assert deadlines.admissibility_due(case).date() == (T0 + 18 * DAY).date()
    assert [e.kind for e in visible_events(case, "mediator")][0] == "filed_on_paper"

    page = client.get("/b/acme/mediation/").text
    assert "free of charge, online or on paper" in page
    browser = app.test_client()
    login(browser, scene.mediators[0])
    assert browser.get("/b/acme/cases/paper").status_code == 200
    recorded = browser.post("/b/acme/cases/paper", data={
        "received_on": (T0 - DAY).date().isoformat(), "complainant_name": "Rita Post",
        "complainant_contact": "BP 12, Nantes", "category_id": category.id, "facts": "Late.", "request": "Refund.",
        "prior_complaint_on": (T0 - 20 * DAY).date().isoformat(), "prior_complaint": "Letter",
        "complainant_country": "FR"})
    assert recorded.status_code == 302
    stranger = app.test_client()
    login(stranger, scene.staff)
    assert stranger.get("/b/acme/cases/paper").status_code == 403


def test_l612_1_a_paper_filing_through_the_api(client, panel):
    scene = panel(mediators=1)
    filing.set_consumer_mediation(scene.brand, scene.staff, True)
    db.session.commit()
    category = filing.categories_for(scene.brand)[0]
    body = {"received_on": (T0 - DAY).date().isoformat(), "complainant_name": "Paul Paper",
            "complainant_contact": "Lille", "category_id": category.id, "facts": "Broken.", "request": "Refund.",
            "prior_complaint_on": (T0 - 9 * DAY).date().isoformat(), "prior_complaint": "Letter",
            "complainant_country": "FR"}
    assert client.post("/api/v1/brands/acme/cases/paper", json=body, headers=bearer(scene.staff)).status_code == 403
    missing = client.post("/api/v1/brands/acme/cases/paper", json={**body, "complainant_name": ""},
                          headers=bearer(scene.admin))
    assert missing.status_code == 422 and "complainant_name" in missing.get_json()["error"]["fields"]
    made = client.post("/api/v1/brands/acme/cases/paper", json=body, headers=bearer(scene.mediators[0]))
    assert made.status_code == 201
    assert made.get_json()["complainant"] == "Paul Paper" and made.get_json()["complainant_contact"] == "Lille"
