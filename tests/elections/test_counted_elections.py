"""After the count only certification remains: no cancelling; certification has a deadline from the charter."""
from __future__ import annotations

from datetime import timedelta

import pytest

from elections import lifecycle
from elections.models import ElectionState
from extensions import db
from institutions import charter, clock
from institutions.errors import DomainError, ValidationFailed
from institutions.models import MembershipStatus, OfficeKind
from tests.conftest import bearer, login
from tests.elections.conftest import VOTING_CLOSE

CLOSED = VOTING_CLOSE + timedelta(minutes=1)


def _counted(voting_scene):
    scene = voting_scene()
    scene.vote(scene.members[2], {"choice": scene.candidates[0].id})
    scene.at(CLOSED)
    assert scene.election.state is ElectionState.CLOSED
    return scene


def test_the_service_refuses_to_cancel_a_counted_election(voting_scene):
    scene = _counted(voting_scene)
    with pytest.raises(DomainError, match="cannot be cancelled, only certified"):
        lifecycle.cancel(scene.election, scene.staff, "We do not like the winner")
    db.session.rollback()
    assert scene.election.state is ElectionState.CLOSED and scene.election.cancel_reason is None


def test_the_service_refuses_once_voting_time_is_over_even_before_the_count(voting_scene):
    scene = voting_scene()
    with pytest.raises(DomainError, match="only certified"):
        lifecycle.cancel(scene.election, scene.staff, "We do not like the turnout", now=VOTING_CLOSE)


def test_cancelling_during_voting_still_works_with_a_reason(voting_scene):
    scene = voting_scene()
    with pytest.raises(ValidationFailed):
        lifecycle.cancel(scene.election, scene.staff, " ")
    lifecycle.cancel(scene.election, scene.staff, "The candidate list was wrong.")
    assert scene.election.state is ElectionState.CANCELLED


def test_the_api_answers_409_to_cancelling_a_counted_election(voting_scene, client):
    scene = _counted(voting_scene)
    response = client.post(f"/api/v1/elections/{scene.election.id}/cancel",
                           json={"reason": "We do not like the winner"}, headers=bearer(scene.staff))
    assert response.status_code == 409
    assert client.get(f"/api/v1/elections/{scene.election.id}").get_json()["state"] == "closed"


def test_the_page_refuses_and_offers_no_cancel_form(voting_scene, client):
    scene = _counted(voting_scene)
    login(client, scene.staff)
    url = f"/b/acme/elections/{scene.election.id}"
    page = client.get(url).text
    assert "Cancel the election" not in page and "Certify the result" in page
    answer = client.post(f"{url}/cancel", data={"reason": "We do not like the winner"}, follow_redirects=True)
    assert "only certified" in answer.text
    db.session.refresh(scene.election)
    assert scene.election.state is ElectionState.CLOSED


def test_certification_deadline_comes_from_the_charter(voting_scene, client):
    scene = voting_scene()
    office = charter.office_of(scene.brand, OfficeKind.PRESIDENT)
    login(client, scene.staff)
    refused = client.post("/b/acme/charter/president/edit", data={"certification_days": "0"})
    assert refused.status_code == 200 and charter.certification_days(scene.brand) == 14
    saved = client.post("/b/acme/charter/president/edit", data={"certification_days": "3", "term_months": "24"})
    assert saved.status_code == 302
    db.session.refresh(office)
    assert office.certification_days == 3
    with pytest.raises(ValidationFailed):
        charter.update_office_texts(office, scene.staff, {}, 24, certification_days=400)
    scene.at(CLOSED)
    assert scene.election.certification_due_at == CLOSED + timedelta(days=3)


def test_default_deadline_is_14_days(voting_scene):
    scene = _counted(voting_scene)
    assert scene.election.certification_due_at == CLOSED + timedelta(days=14)


def test_an_overdue_certification_shows_everywhere_and_leads_the_dashboard(voting_scene, client, make):
    scene = _counted(voting_scene)
    url = f"/b/acme/elections/{scene.election.id}"
    clock.freeze(CLOSED + timedelta(days=13))
    assert "Certification overdue" not in client.get(url).text
    assert "Certification overdue" not in client.get("/b/acme/").text
    clock.freeze(CLOSED + timedelta(days=15))
    assert "Certification overdue" in client.get(url).text
    assert "Certification overdue" in client.get(f"{url}/results").text
    home = client.get("/b/acme/").text
    assert "Certification overdue" in home and scene.election.title in home
    assert client.get(f"/api/v1/elections/{scene.election.id}").get_json()["certification_overdue"] is True
    make.member(scene.brand, status=MembershipStatus.PENDING)
    login(client, scene.staff)
    dashboard = client.get("/b/acme/staff/").text
    overdue_at = dashboard.index("is overdue")
    assert overdue_at < dashboard.index("waits to be verified")  # before every other to-do
    assert overdue_at < dashboard.index("counted election waits for certification")


def test_certifying_ends_the_overdue_notice(voting_scene, client):
    from elections.certification import certify

    scene = _counted(voting_scene)
    clock.freeze(CLOSED + timedelta(days=20))
    certify(scene.election, scene.staff)
    db.session.commit()
    assert "Certification overdue" not in client.get(f"/b/acme/elections/{scene.election.id}").text
    assert "Certification overdue" not in client.get("/b/acme/").text
