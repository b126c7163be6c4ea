"""The pages of applications, mission orders, benefits and advocates, as the people involved use them."""
from __future__ import annotations

from datetime import timedelta

import pytest

from extensions import db
from institutions import clock
from mandates import applications, advocates, missions
from mandates.models import (
    AdvocacyState,
    AdvocateDeclaration,
    AmbassadorApplication,
    ApplicationState,
    Benefit,
    MandateState,
    MissionOrder,
    OrderState,
)
from tests.conftest import login
from tests.mandates.conftest import MISSION_T0

DUE = MISSION_T0 + timedelta(days=7)
ORDER_FORM = {"title": "Unboxing video", "instructions": "Film the new kit.", "due_at": "2027-03-08T09:00",
              "expected_proof": "A link to the video.", "disclosure_label": ""}


def _order(scene, **overrides) -> MissionOrder:
    values = dict(title="Unboxing video", instructions="Film it.", due_at=DUE, expected_proof="A link.")
    values.update(overrides)
    order = missions.issue_order(scene.mandate, scene.staff, **values)
    db.session.commit()
    return order


def test_the_mission_order_path_through_the_pages(app, mission_scene, make):
    scene = mission_scene()
    base = "/b/acme/missions"
    staff, ambassador = app.test_client(), app.test_client()
    login(staff, scene.staff)
    login(ambassador, scene.ambassador)

    page = staff.get(f"{base}/mandates/{scene.mandate.id}").text
    assert "Issue a mission order" in page and 'sets the disclosure label "#ad"' in page
    refused = staff.post(f"{base}/mandates/{scene.mandate.id}", data={**ORDER_FORM, "due_at": "2027-02-01T09:00"})
    assert refused.status_code == 422 and "The due date must be in the future." in refused.text
    issued = staff.post(f"{base}/mandates/{scene.mandate.id}", data=ORDER_FORM)
    assert issued.status_code == 302
    order = db.session.query(MissionOrder).one()
    assert order.disclosure_label == "#ad" and order.due_at == DUE

    mine = ambassador.get(f"{base}/").text
    assert "Orders to accept or decline" in mine and "Unboxing video" in mine
    detail = ambassador.get(f"{base}/orders/{order.id}").text
    assert "Accept the order" in detail and "Decline the order" in detail
    assert ambassador.post(f"{base}/orders/{order.id}/accept").status_code == 302
    assert "Orders to report on" in ambassador.get(f"{base}/").text

    bad = ambassador.post(f"{base}/orders/{order.id}/report", data={"text": "Posted", "links": "www.example.com"})
    assert bad.status_code == 422 and "check line(s) 1" in bad.text
    ambassador.post(f"{base}/orders/{order.id}/report", data={"text": "Posted", "links": "https://v.example/1"})
    db.session.refresh(order)
    assert order.state is OrderState.REPORTED

    review = staff.get(f"{base}/review").text
    assert "Reports to review" in review and "Unboxing video" in review
    detail = staff.get(f"{base}/orders/{order.id}").text
    assert "Warning to clear before approving" in detail and "Approve the report" not in detail
    sent = staff.post(f"{base}/orders/{order.id}/approve", data={}, follow_redirects=True)
    assert "clear the warning" in sent.text
    staff.post(f"{base}/orders/{order.id}/send-back", data={"send-back-comment": "Please add #ad."})
    page = ambassador.get(f"{base}/").text
    assert "Reports sent back" in page
    assert "Please add #ad." in ambassador.get(f"{base}/orders/{order.id}").text
    ambassador.post(f"{base}/orders/{order.id}/report", data={"text": "Fixed #ad", "links": ""})
    detail = staff.get(f"{base}/orders/{order.id}").text
    assert "Approve the report" in detail and "Warning to clear" not in detail
    staff.post(f"{base}/orders/{order.id}/approve", data={"approve-comment": ""})
    db.session.refresh(order)
    assert order.state is OrderState.APPROVED
    assert "Nothing waits for you" in ambassador.get(f"{base}/").text


def test_clearing_the_warning_through_the_page(app, mission_scene, client):
    scene = mission_scene()
    order = _order(scene)
    missions.accept_order(order, scene.ambassador)
    missions.submit_report(order, scene.ambassador, text="Story posted", links="")
    db.session.commit()
    login(client, scene.staff)
    empty = client.post(f"/b/acme/missions/orders/{order.id}/clear-warning", data={"note": ""})
    assert empty.status_code == 422
    client.post(f"/b/acme/missions/orders/{order.id}/clear-warning", data={"note": "Label on the picture."})
    detail = client.get(f"/b/acme/missions/orders/{order.id}").text
    assert "Cleared by the reviewer" in detail and "Label on the picture." in detail and "Approve the report" in detail


def test_declining_an_order_through_the_page(app, mission_scene, client):
    scene = mission_scene()
    order = _order(scene)
    login(client, scene.ambassador)
    assert client.post(f"/b/acme/missions/orders/{order.id}/decline", data={"reason": ""}).status_code == 422
    client.post(f"/b/acme/missions/orders/{order.id}/decline", data={"reason": "Away that week."})
    db.session.refresh(order)
    assert order.state is OrderState.DECLINED and "Away that week." in client.get(
        f"/b/acme/missions/orders/{order.id}").text


def test_overdue_orders_are_flagged_on_both_lists(app, mission_scene):
    scene = mission_scene()
    _order(scene, title="Late one", due_at=MISSION_T0 + timedelta(hours=1))
    _order(scene, title="On time", due_at=MISSION_T0 + timedelta(days=20))
    clock.freeze(MISSION_T0 + timedelta(days=2))
    staff, ambassador = app.test_client(), app.test_client()
    login(staff, scene.staff)
    login(ambassador, scene.ambassador)
    review = staff.get("/b/acme/missions/review").text
    assert "1 order is overdue" in review and "Late one" in review.split("Overdue orders")[1]
    assert review.count('class="status status-bad overdue-flag"') == 1
    orders = staff.get(f"/b/acme/missions/mandates/{scene.mandate.id}").text
    assert orders.count("overdue-flag") == 1
    mine = ambassador.get("/b/acme/missions/").text
    assert mine.count("overdue-flag") == 2  # in "what waits for me" and in "all my orders"
    assert "2 days late" in mine


def test_someone_elses_order_and_staff_pages_are_refused(app, mission_scene, make, client):
    scene = mission_scene()
    order = _order(scene)
    other = mission_scene(slug="other")
    login(client, other.ambassador)  # a member (and ambassador) elsewhere
    assert client.get(f"/b/acme/missions/orders/{order.id}").status_code == 403
    login(client, make.member(scene.brand))
    assert client.get(f"/b/acme/missions/orders/{order.id}").status_code == 403
    assert client.post(f"/b/acme/missions/orders/{order.id}/report", data={"text": "x #ad"}).status_code == 403
    assert client.post(f"/b/acme/missions/orders/{order.id}/accept").status_code == 403
    login(client, scene.ambassador)  # a member acting as staff
    assert client.get(f"/b/acme/missions/mandates/{scene.mandate.id}").status_code == 403
    assert client.post(f"/b/acme/missions/mandates/{scene.mandate.id}", data=ORDER_FORM).status_code == 403
    assert client.get("/b/acme/missions/review").status_code == 403
    assert client.post(f"/b/acme/missions/orders/{order.id}/approve").status_code == 403
    login(client, other.staff)  # staff of another brand
    assert client.get(f"/b/acme/missions/orders/{order.id}").status_code == 403
    assert client.get(f"/b/other/missions/orders/{order.id}").status_code == 404
    assert client.get(f"/b/acme/missions/mandates/{scene.mandate.id}/benefits").status_code == 403
    assert client.get(f"/b/other/missions/mandates/{scene.mandate.id}").status_code == 404
    assert db.session.query(MissionOrder).count() == 1 and order.reports == []


def test_a_mandate_no_longer_active_shows_its_orders_without_actions(app, mission_scene, client):
    scene = mission_scene()
    order = _order(scene)
    scene.mandate.state = MandateState.REVOKED
    db.session.commit()
    login(client, scene.staff)
    page = client.get(f"/b/acme/missions/mandates/{scene.mandate.id}").text
    assert "Mandate not active" in page and "Issue a mission order" not in page and "Unboxing video" in page
    login(client, scene.ambassador)
    assert "no longer active" in client.get(f"/b/acme/missions/orders/{order.id}").text
    refused = client.post(f"/b/acme/missions/orders/{order.id}/accept", follow_redirects=True)
    assert "not active" in refused.text


def test_benefits_page_records_and_totals(app, mission_scene, active_mandate, make, client):
    scene = mission_scene()
    login(client, scene.staff)
    url = f"/b/acme/missions/mandates/{scene.mandate.id}/benefits"
    page = client.get(url).text
    assert "Record a benefit" in page and 'value="2027-03-01"' in page
    bad = client.post(url, data={"kind": "money", "description": "Fee", "value": "-10", "currency": "EUR",
                                 "given_on": "2027-03-01"})
    assert bad.status_code == 422 and "more than zero" in bad.text
    client.post(url, data={"kind": "money", "description": "Fee", "value": "100", "currency": "eur",
                           "given_on": "2027-02-15"})
    client.post(url, data={"kind": "in_kind", "description": "Repair kit", "value": "49,90", "currency": "EUR",
                           "given_on": "2027-03-01"})
    page = client.get(url).text
    assert "€149.90" in page and "Repair kit" in page and db.session.query(Benefit).count() == 2
    # The ambassador reads their benefits, without the form.
    login(client, scene.ambassador)
    page = client.get(url).text
    assert "€149.90" in page and "Record a benefit" not in page
    assert client.post(url, data={"kind": "money", "description": "Self", "value": "1", "currency": "EUR",
                                  "given_on": "2027-03-01"}).status_code == 403
    # A mandate not active: the page says a benefit needs an ambassador first, and a post is refused.
    login(client, scene.staff)
    draft = active_mandate(scene.brand, make.member(scene.brand), state=MandateState.DRAFT)
    url = f"/b/acme/missions/mandates/{draft.id}/benefits"
    assert "making them an ambassador first" in client.get(url).text
    refused = client.post(url, data={"kind": "money", "description": "Gift", "value": "5", "currency": "EUR",
                                     "given_on": "2027-03-01"}, follow_redirects=True)
    assert "making them an ambassador first" in refused.text and db.session.query(Benefit).count() == 2


def test_applying_and_answering_through_the_pages(app, make):
    brand = make.brand(slug="acme")
    staff_user = make.staff(brand)
    alice = make.member(brand, user=make.user(name="Alice"))
    member, staff = app.test_client(), app.test_client()
    login(member, alice)
    login(staff, staff_user)
    assert "Send my application" in member.get("/b/acme/ambassadors/apply").text
    empty = member.post("/b/acme/ambassadors/apply", data={"motivation": "", "channels": "x", "audience": "y"})
    assert empty.status_code == 422
    sent = member.post("/b/acme/ambassadors/apply", data={"motivation": "I fix bikes", "channels": "YouTube",
                                                           "audience": "Cyclists"}, follow_redirects=True)
    assert "Your application is sent" in sent.text and "Waiting for an answer" in sent.text
    again = member.get("/b/acme/ambassadors/apply").text
    assert "the brand has not answered yet" in again and "Send my application" not in again
    queue = staff.get("/b/acme/ambassadors/applications").text
    assert "I fix bikes" in queue and "Accept and start a draft mandate" in queue
    application = db.session.query(AmbassadorApplication).one()
    declined = staff.post(f"/b/acme/ambassadors/applications/{application.id}/decline", data={"reason": ""},
                          follow_redirects=True)
    assert "Give the reason for declining" in declined.text
    accepted = staff.post(f"/b/acme/ambassadors/applications/{application.id}/accept")
    assert accepted.status_code == 302
    db.session.refresh(application)
    assert application.state is ApplicationState.ACCEPTED and application.mandate_id is not None
    status = member.get("/b/acme/ambassadors/my-status").text
    assert "Accepted: a contract is being prepared" in status


def test_withdrawing_an_application_and_member_pages_refused_to_others(app, make, client):
    brand = make.brand(slug="acme")
    make.staff(brand)
    alice = make.member(brand)
    application = applications.apply(brand, alice, motivation="m", channels="c", audience="a")
    db.session.commit()
    login(client, make.member(brand))
    refused = client.post(f"/b/acme/ambassadors/applications/{application.id}/withdraw", follow_redirects=True)
    assert "Only the applicant" in refused.text
    assert client.get("/b/acme/ambassadors/applications").status_code == 403  # a member acting as staff
    assert client.post(f"/b/acme/ambassadors/applications/{application.id}/accept").status_code == 403
    login(client, alice)
    client.post(f"/b/acme/ambassadors/applications/{application.id}/withdraw")
    db.session.refresh(application)
    assert application.state is ApplicationState.WITHDRAWN
    login(client, make.staff(make.brand(slug="other")))  # staff of another brand
    assert client.get("/b/acme/ambassadors/applications").status_code == 403
    assert client.post(f"/b/other/ambassadors/applications/{application.id}/accept").status_code == 404


def test_a_pending_member_is_told_why_they_cannot_apply_or_declare(app, make, client):
    from institutions.models import MembershipStatus

    brand = make.brand(slug="acme")
    login(client, make.member(brand, status=MembershipStatus.PENDING))
    assert "Only verified members of the community can apply" in client.get("/b/acme/ambassadors/apply").text
    assert "Only verified members" in client.get("/b/acme/advocates/declare").text
    refused = client.post("/b/acme/ambassadors/apply", data={"motivation": "m", "channels": "c", "audience": "a"})
    assert "Only verified members" in refused.text


def test_declaring_and_recognizing_an_advocate_through_the_pages(app, make):
    brand = make.brand(slug="acme")
    staff_user = make.staff(brand)
    ada = make.member(brand, user=make.user(name="Ada"))
    member, staff = app.test_client(), app.test_client()
    login(member, ada)
    login(staff, staff_user)
    form = member.get("/b/acme/advocates/declare").text
    assert "Declare myself an advocate" in form and 'value="customers"' in form
    sent = member.post("/b/acme/advocates/declare", data={"defends": "customers", "statement": "I help them."},
                       follow_redirects=True)
    assert "Your declaration is sent" in sent.text and "customers:" in sent.text
    declaration = db.session.query(AdvocateDeclaration).one()
    queue = staff.get("/b/acme/advocates/declarations").text
    assert "I help them." in queue and "Recognize" in queue
    staff.post(f"/b/acme/advocates/declarations/{declaration.id}/recognize")
    db.session.refresh(declaration)
    assert declaration.state is AdvocacyState.RECOGNIZED
    assert "Ada" in member.get("/b/acme/charter").text
    assert "Recognized advocate" in member.get("/b/acme/ambassadors/my-status").text
    refused = staff.post(f"/b/acme/advocates/declarations/{declaration.id}/withdraw", data={"reason": ""},
                         follow_redirects=True)
    assert "Give the reason" in refused.text
    staff.post(f"/b/acme/advocates/declarations/{declaration.id}/withdraw", data={"reason": "Rude to others."})
    db.session.refresh(declaration)
    assert declaration.state is AdvocacyState.WITHDRAWN
    status = member.get("/b/acme/ambassadors/my-status").text
    assert "Recognition withdrawn" in status and "Rude to others." in status
    assert "Declare myself an advocate" in status  # may declare again


def test_retracting_and_declining_through_the_pages(app, make, client):
    brand = make.brand(slug="acme")
    staff_user = make.staff(brand)
    ada = make.member(brand)
    first = advocates.declare(brand, ada, defends="brand", statement="s")
    db.session.commit()
    login(client, ada)
    client.post(f"/b/acme/advocates/declarations/{first.id}/retract")
    db.session.refresh(first)
    assert first.state is AdvocacyState.RETRACTED
    second = advocates.declare(brand, ada, defends="brand", statement="again")
    db.session.commit()
    assert client.get("/b/acme/advocates/declarations").status_code == 403  # a member acting as staff
    login(client, staff_user)
    client.post(f"/b/acme/advocates/declarations/{second.id}/decline", data={"reason": "Not a customer."})
    db.session.refresh(second)
    assert second.state is AdvocacyState.DECLINED and second.reason == "Not a customer."
    filtered = client.get("/b/acme/advocates/declarations?state=declined").text
    assert "Not a customer." in filtered and "again" in filtered
    assert "again" not in client.get("/b/acme/advocates/declarations?state=pending").text


@pytest.mark.parametrize("path", ["/b/acme/missions/", "/b/acme/ambassadors/apply", "/b/acme/advocates/declare",
                                  "/b/acme/ambassadors/my-status"])
def test_member_pages_ask_anonymous_visitors_to_sign_in(app, make, client, path):
    make.brand(slug="acme")
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_order_lists_cost_the_same_queries_whatever_the_number_of_orders(app, mission_scene, make, count_queries):
    scene = mission_scene()
    staff, ambassador = app.test_client(), app.test_client()
    login(staff, scene.staff)
    login(ambassador, scene.ambassador)
    pages = ((staff, "/b/acme/missions/review"), (staff, f"/b/acme/missions/mandates/{scene.mandate.id}"),
             (ambassador, "/b/acme/missions/"))

    def costs():
        found = []
        for client, path in pages:
            with count_queries() as counter:
                assert client.get(path).status_code == 200
            found.append(counter.count)
        return found

    def add_orders(n):
        for i in range(n):
            order = _order(scene, title=f"Order {i}", due_at=MISSION_T0 + timedelta(hours=i + 1))
            missions.accept_order(order, scene.ambassador)
            missions.submit_report(order, scene.ambassador, text="Done", links="")
        db.session.commit()

    add_orders(2)
    clock.freeze(MISSION_T0 + timedelta(days=1))
    few = costs()
    clock.freeze(MISSION_T0)
    add_orders(10)
    clock.freeze(MISSION_T0 + timedelta(days=1))
    assert costs() == few
