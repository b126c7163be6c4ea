"""The annual report against R.614-2 (and directive 2013/11 art. 7(2)): which cases each item counts, the legal
meaning of cross-border, the networks of item 7°, drafts and publication, and a report per mediator.

The clock stands at 1 March 2027 (T0): the year 2026 is over, 2027 is in progress.
"""
from __future__ import annotations

import json

from sqlalchemy import select

import pytest

from extensions import db
from institutions.errors import DomainError, Forbidden, NotFound
from institutions.models import AuditEvent
from mediation import recommendations, report, roster
from mediation.models import CaseState, MediationCase, ReportPublication
from tests.conftest import bearer, login
from tests.mediation.report_fixtures import category, insert_case, utc

S = CaseState


@pytest.fixture
def year(panel):
    """A panel of two mediators (Maya, Noor) and the cases of 2026 below; returns the Panel.

    Maya: 1 settled (opened, 60 days), 2 withdrawn before admission (5 days), 3 refused (10 days).
    Noor: 4 brand refused (opened, 30 days), 5 withdrawn after opening (20 days), 6 settled (opened, 40 days),
    the last two cross-border (BE) and the brand refusal from Switzerland (CH, not in the Union).
    Every case is a "delivery" case (6 of 6: a recurring problem in both mediators' reports).
    """
    scene = panel(mediators=2)
    maya, noor = scene.entries
    delivery = category(scene.brand, "delivery")
    insert_case(scene.brand, delivery, "2026-01-01", S.SETTLED, "2026-03-02", opened_at=utc("2026-01-05"),
                outcome_favours="consumer", complied=True, mediator_id=maya.id)
    insert_case(scene.brand, delivery, "2026-02-01", S.WITHDRAWN, "2026-02-06", mediator_id=maya.id)
    insert_case(scene.brand, delivery, "2026-03-01", S.REFUSED, "2026-03-11", refusal_reason="outside_scope",
                mediator_id=maya.id, admissibility_late=True)
    insert_case(scene.brand, delivery, "2026-04-01", S.BRAND_REFUSED, "2026-05-01", opened_at=utc("2026-04-05"),
                country="CH", mediator_id=noor.id)
    insert_case(scene.brand, delivery, "2026-05-01", S.WITHDRAWN, "2026-05-21", opened_at=utc("2026-05-05"),
                country="BE", mediator_id=noor.id)
    insert_case(scene.brand, delivery, "2026-06-01", S.SETTLED, "2026-07-11", opened_at=utc("2026-06-05"),
                country="BE", outcome_favours="amicable", mediator_id=noor.id)
    db.session.commit()
    scene.delivery = delivery
    return scene


def _recommend(scene, text="Give every parcel a tracking number.", who=0):
    recommendations.write_recommendation(scene.brand, scene.mediators[who], scene.delivery.id, 2026, text)
    db.session.commit()


def test_r614_2_4_interruptions_count_admitted_cases_only(ctx, year):
    r = report.annual_report(year.brand, 2026)
    assert r.closed == 6 and r.refused.count == 1
    # Admitted: 1, 4, 5, 6. The refusal (3) and the withdrawal before admission (2) were never mediations.
    assert r.admitted_closed == 4
    assert (r.discontinued.count, r.discontinued.of, r.discontinued.percent) == (2, 4, 50.0)
    reasons = {line.key: (line.share.count, line.share.of) for line in r.discontinued_reasons}
    assert reasons == {"withdrawn": (1, 2), "brand_withdrew": (0, 2), "brand_refused": (1, 2), "lapsed": (0, 2)}


def test_l612_2_a_withdrawal_by_the_brand_is_its_own_cause_of_interruption(ctx, year):
    insert_case(year.brand, year.delivery, "2026-09-01", S.WITHDRAWN, "2026-09-11", opened_at=utc("2026-09-03"),
                withdrawn_by="brand")
    db.session.commit()
    reasons = {line.key: line.share.count for line in report.annual_report(year.brand, 2026).discontinued_reasons}
    assert reasons == {"withdrawn": 1, "brand_withdrew": 1, "brand_refused": 1, "lapsed": 0}


def test_r614_2_5_average_duration_counts_admitted_cases_only(ctx, year):
    # Filing to closing of 1, 4, 5, 6: 60 + 30 + 20 + 40 = 150 over 4 (not 165 over 6 with the refused and the
    # early withdrawal).
    assert report.annual_report(year.brand, 2026).average_duration_days == 37.5


def test_l611_1_cross_border_means_a_consumer_in_another_member_state(ctx, year):
    assert report.origin("BE", "FR") == "cross_border" and report.origin("el", "DE") == "cross_border"
    assert report.origin("FR", "FR") == "domestic"
    for consumer, brand in (("CH", "FR"), ("US", "FR"), ("GB", "DE"), ("FR", "CH"), ("", "FR")):
        assert report.origin(consumer, brand) == "outside_eu", (consumer, brand)

    r = report.annual_report(year.brand, 2026)
    assert (r.cross_border.count, r.cross_border.of) == (2, 6)  # the two Belgians; not the Swiss
    origins = {line.key: line for line in r.by_origin}
    assert [line.key for line in r.by_origin] == ["domestic", "cross_border", "outside_eu"]
    assert [origins[key].share.count for key in origins] == [3, 2, 1]
    domestic, cross = origins["domestic"].figures, origins["cross_border"].figures
    assert (domestic.closed, domestic.refused.count, domestic.admitted_closed) == (3, 1, 1)
    assert domestic.average_duration_days == 60.0 and domestic.discontinued.percent == 0.0
    assert (cross.closed, cross.admitted_closed, cross.discontinued.count) == (2, 2, 1)
    assert cross.average_duration_days == 30.0
    assert [o.share.count for o in cross.outcomes] == [0, 0, 1]  # consumer, brand, amicable


def test_l612_2_late_admissibility_decisions_are_counted(ctx, year):
    r = report.annual_report(year.brand, 2026)
    # Decisions: the openings of 1, 4, 5, 6 and the refusal of 3 (2 was withdrawn before any decision).
    assert (r.decisions, r.late_decisions.count, r.late_decisions.percent) == (5, 1, 20.0)
    assert report.as_dict(r)["late_decisions"] == {"count": 1, "of": 5, "percent": 20.0}


def test_r614_2_7_the_report_states_each_mediators_cross_border_networks(app, client, year):
    maya, noor = year.entries
    maya.networks = "FIN-NET; ECC-Net France"
    _recommend(year)
    report.publish(year.brand, 2026, year.mediators[0])
    db.session.commit()
    page = client.get("/b/acme/mediation/report/2026").text
    assert "Cooperation within cross-border networks" in page
    assert "FIN-NET; ECC-Net France" in page and "No cooperation within a cross-border network" in page
    document = client.get("/b/acme/mediation/report/2026.json").get_json()
    assert document["cross_border_networks"] == [
        {"mediator": maya.id, "name": "Maya Mediator", "networks": "FIN-NET; ECC-Net France"},
        {"mediator": noor.id, "name": "Noor Neutral", "networks": ""}]
    csv_text = client.get("/b/acme/mediation/report/2026.csv").get_data(as_text=True)
    assert "cross_border_networks,Maya Mediator,FIN-NET; ECC-Net France" in csv_text


def test_r614_2_2_a_recurring_problem_needs_a_recommendation_before_publication(ctx, year):
    with pytest.raises(DomainError, match="Delivery"):
        report.publish(year.brand, 2026, year.mediators[0])
    db.session.rollback()
    assert db.session.scalar(select(ReportPublication)) is None

    _recommend(year)
    publication = report.publish(year.brand, 2026, year.mediators[1])
    db.session.commit()
    assert publication.published_by_id == year.entries[1].id
    assert publication.figures_sha256 == report.figures_digest(report.annual_report(year.brand, 2026))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mediation.report_published"))
    assert event is not None and json.loads(event.payload)["figures_sha256"] == publication.figures_sha256
    with pytest.raises(DomainError, match="already published"):
        report.publish(year.brand, 2026, year.mediators[0])


def test_r614_2_only_a_panel_mediator_publishes_and_only_a_finished_year(ctx, year, make):
    _recommend(year)
    with pytest.raises(Forbidden):
        report.publish(year.brand, 2026, year.staff)
    with pytest.raises(Forbidden):
        report.publish(year.brand, 2026, year.admin)
    with pytest.raises(DomainError, match="once the year is over"):
        report.publish(year.brand, 2027, year.mediators[0])
    with pytest.raises(NotFound):
        report.publish(year.brand, 2031, year.mediators[0])


def test_r614_2_a_draft_is_seen_by_the_panels_mediators_only(app, client, year, make):
    paths = ("/b/acme/mediation/report/2026", "/b/acme/mediation/report/2026.json",
             "/b/acme/mediation/report/2026.csv", "/api/v1/brands/acme/mediation/reports/2026",
             f"/b/acme/mediation/report/2026/mediators/{year.entries[0].id}")
    for path in paths:
        assert client.get(path).status_code == 404, path
    assert 'href="/b/acme/mediation/report/2026"' not in client.get("/b/acme/mediation/").text
    api = client.get("/api/v1/brands/acme/mediation/reports/2026", headers=bearer(year.staff))
    assert api.status_code == 404 and "not published" in api.get_json()["error"]["message"]

    login(client, year.mediators[0])
    page = client.get("/b/acme/mediation/report/2026")
    assert page.status_code == 200 and "Draft" in page.text and "Publish the 2026 report" in page.text
    assert client.get("/b/acme/mediation/report/2026.json").get_json()["published"] is False
    assert "(draft: only the panel sees it)" in client.get("/b/acme/mediation/").text
    in_progress = client.get("/b/acme/mediation/report/2027")
    assert in_progress.status_code == 200 and "Publish the 2027 report" not in in_progress.text
    refused = client.post("/b/acme/mediation/report/2026/publish", follow_redirects=True)
    assert "Every recurring problem needs a recommendation" in refused.text
    assert db.session.scalar(select(ReportPublication)) is None

    _recommend(year)
    done = client.post("/b/acme/mediation/report/2026/publish", follow_redirects=True)
    assert "The 2026 report is published." in done.text and "Publish the 2026 report" not in done.text
    client.post("/logout")
    public = client.get("/b/acme/mediation/report/2026")
    assert public.status_code == 200 and "Published on" in public.text
    assert client.get("/api/v1/brands/acme/mediation/reports/2026").get_json()["published"] is True


def test_r614_2_publishing_is_refused_to_anyone_but_a_panel_mediator(app, client, year):
    _recommend(year)
    assert client.post("/b/acme/mediation/report/2026/publish").status_code in (302, 401)  # to the login page
    login(client, year.staff)
    assert client.post("/b/acme/mediation/report/2026/publish").status_code == 403
    assert db.session.scalar(select(ReportPublication)) is None


def test_r614_2_a_report_per_mediator(app, client, year, make):
    maya, noor = year.entries
    own = report.annual_report(year.brand, 2026, mediator=maya)
    assert own.mediator is maya and own.received == 3 and own.closed == 3 and own.refused.count == 1
    assert own.admitted_closed == 1 and own.average_duration_days == 60.0
    assert [line.name for line in own.networks] == ["Maya Mediator"]
    theirs = report.annual_report(year.brand, 2026, mediator=noor)
    assert (theirs.received, theirs.admitted_closed, theirs.discontinued.count) == (3, 3, 2)
    assert theirs.cross_border.count == 2
    panel = report.annual_report(year.brand, 2026)
    assert [(line.mediator_id, line.name) for line in panel.mediators] == [(maya.id, "Maya Mediator"),
                                                                           (noor.id, "Noor Neutral")]
    # A mediator of another panel has no report here.
    _user, stranger = make_stranger(make, year)
    with pytest.raises(NotFound):
        report.annual_report(year.brand, 2026, mediator=stranger)

    _recommend(year)
    report.publish(year.brand, 2026, year.mediators[0])
    db.session.commit()
    page = client.get(f"/b/acme/mediation/report/2026/mediators/{maya.id}")
    assert page.status_code == 200 and "Mediation report 2026 of Maya Mediator for Acme Bikes" in page.text
    assert "3 cases were filed during the year." in page.text
    document = client.get(f"/b/acme/mediation/report/2026/mediators/{noor.id}.json").get_json()
    assert document["mediator"] == {"id": noor.id, "name": "Noor Neutral"} and document["received"] == 3
    assert document["discontinued"] == {"count": 2, "of": 3, "percent": 66.7}
    api = client.get(f"/api/v1/brands/acme/mediation/reports/2026/mediators/{noor.id}").get_json()
    assert api["received"] == 3 and api["mediator"]["id"] == noor.id
    assert "mediator_reports" in client.get("/b/acme/mediation/report/2026.json").get_json()
    assert f'href="/b/acme/mediation/report/2026/mediators/{maya.id}"' in client.get(
        "/b/acme/mediation/report/2026").text
    assert client.get(f"/b/acme/mediation/report/2026/mediators/{stranger.id}").status_code == 404
    assert client.get("/b/acme/mediation/report/2026/mediators/99999").status_code == 404


def make_stranger(make, scene):
    """A mediator on the roster, on another brand's panel only."""
    from tests.mediation.filing_fixtures import add_to_roster

    other = make.brand(slug="other")
    user, entry = add_to_roster(make, scene.admin, "Omar Other")
    roster.appoint(entry, other, scene.admin)
    db.session.commit()
    return user, entry


def test_r614_2_2_each_mediators_recurring_problem_needs_a_recommendation(ctx, year):
    """A category recurring among one mediator's cases blocks the publication until it has a recommendation."""
    maya, _noor = year.entries
    billing = category(year.brand, "billing")
    for day in ("2026-08-01", "2026-08-02"):
        insert_case(year.brand, billing, day, S.OPEN, opened_at=utc(day), mediator_id=maya.id)
    db.session.commit()
    _recommend(year)
    # Billing: 2 of the panel's 8 cases (25 %), 2 of Maya's 5 (40 %): it recurs in both.
    missing = report.missing_recommendations(year.brand, 2026)
    assert ("the panel", "Billing") in missing and ("Maya Mediator", "Billing") in missing
    with pytest.raises(DomainError, match="Billing"):
        report.publish(year.brand, 2026, year.mediators[0])
    db.session.rollback()
    recommendations.write_recommendation(year.brand, year.mediators[0], billing.id, 2026, "Send clear invoices.")
    db.session.commit()
    assert report.missing_recommendations(year.brand, 2026) == []
    assert report.publish(year.brand, 2026, year.mediators[0]).year == 2026


def test_r614_2_2_the_api_publishes_only_with_every_recommendation(app, client, year):
    url = "/api/v1/brands/acme/mediation/reports/2026/publish"
    assert client.post(url, json={}, headers=bearer(year.staff)).status_code == 403
    refused = client.post(url, json={}, headers=bearer(year.mediators[0]))
    assert refused.status_code == 409 and "Delivery" in refused.get_json()["error"]["message"]
    assert db.session.scalar(select(ReportPublication)) is None
    _recommend(year)
    done = client.post(url, json={}, headers=bearer(year.mediators[1]))
    assert done.status_code == 200 and done.get_json()["published"] is True
    assert client.post(url, json={}, headers=bearer(year.mediators[1])).status_code == 409
    assert client.get("/api/v1/brands/acme/mediation/reports/2026").get_json()["published"] is True


def test_r614_2_a_published_report_stays_as_published(app, client, year):
    _recommend(year)
    report.publish(year.brand, 2026, year.mediators[0])
    db.session.commit()
    published = client.get("/b/acme/mediation/report/2026.json").get_json()
    noor = year.entries[1]
    noors = client.get(f"/b/acme/mediation/report/2026/mediators/{noor.id}").text
    assert "Noor" in noors
    # Later: a closed case file is purged at the end of its retention, another recommendation is written, a case
    # of 2026 is recorded late. The published figures do not move; the digest published in the trail still matches.
    purged = db.session.scalars(select(MediationCase).where(MediationCase.brand_id == year.brand.id)).first()
    db.session.delete(purged)
    insert_case(year.brand, year.delivery, "2026-08-01", S.REFUSED, "2026-08-11", refusal_reason="outside_scope")
    db.session.commit()
    _recommend(year, "Written after publication.", who=1)
    again = client.get("/b/acme/mediation/report/2026.json").get_json()
    for document in (published, again):  # the trail's head as of reading, not a figure
        document.pop("audit_chain_head")
    assert again == published and again["received"] == 6
    assert "Written after publication." not in client.get("/b/acme/mediation/report/2026").text
    publication = db.session.scalar(select(ReportPublication))
    assert report.figures_digest(report.report_for(year.brand, 2026, None)) == publication.figures_sha256
    assert client.get(f"/b/acme/mediation/report/2026/mediators/{noor.id}").status_code == 200
    # The live computation has moved: only the frozen inputs keep the published report.
    assert report.annual_report(year.brand, 2026).received == 6 and report.annual_report(
        year.brand, 2026).refused.count == 2
