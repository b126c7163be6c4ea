"""The representation pages: the public list with status and time left, overdue shown as overdue; the president's
form, co-signing, the staff's acknowledgement and answer; the charter's deadline setting."""
from __future__ import annotations

from datetime import timedelta

from extensions import db
from institutions import charter, clock
from institutions.representations import service as representations
from institutions.representations.models import Representation, RepresentationState
from tests.conftest import T0
from tests.conftest import login


def _file(scene, title="Repair prices"):
    representation = representations.file(scene.brand, scene.president, title=title, body="Publish repair prices.")
    db.session.commit()
    return representation


def test_the_president_files_members_cosign_and_staff_answer_through_the_pages(app, make, client, scene):
    login(client, scene.president)
    listing = client.get("/b/acme/representations")
    assert "File a representation" in listing.text and "Sitting president: Pia President." in listing.text
    refused = client.post("/b/acme/representations/new", data={"title": "", "body": "x"})
    assert refused.status_code == 422 and "title" in refused.text
    filed = client.post("/b/acme/representations/new", data={"title": "Repair prices", "body": "Publish them."})
    assert filed.status_code == 302
    representation = db.session.scalar(db.select(Representation))
    page_url = f"/b/acme/representations/{representation.id}"
    assert filed.headers["Location"].endswith(page_url)
    assert "Co-sign this representation" not in client.get(page_url).text  # the author does not co-sign

    member = scene.members[0]
    login(client, member)
    page = client.get(page_url).text
    assert "Co-sign this representation" in page and "0 members co-signed." in page
    assert client.post(f"{page_url}/cosign").status_code == 302
    page = client.get(page_url).text
    assert "You co-signed this representation." in page and "1 member co-signed." in page
    assert member.display_name not in page  # the public sees the count, not the names
    client.post(f"{page_url}/cosign")
    assert "You have already co-signed this representation." in client.get(page_url).text
    assert client.post(f"{page_url}/acknowledge").status_code == 403
    assert client.post(f"{page_url}/answer", data={"answer": "accepted", "reasons": "x"}).status_code == 403
    assert client.get("/b/acme/representations/new").status_code == 403
    assert "Only the president files representations" in client.get("/b/acme/representations/new").text

    login(client, scene.staff)
    page = client.get(page_url).text
    assert member.display_name in page and "Acknowledge receipt" in page
    client.post(f"{page_url}/acknowledge")
    assert "Acknowledged, waiting for the answer" in client.get(page_url).text
    client.post(f"{page_url}/answer", data={"answer": "declined", "reasons": ""})
    assert "Choose the answer and give its reasons" in client.get(page_url).text
    clock.freeze(T0 + timedelta(days=4))
    client.post(f"{page_url}/answer", data={"answer": "partly_accepted", "reasons": "Online next month."})
    client.get("/logout")

    page = client.get(page_url).text
    assert "Answered: Partly accepted" in page and "Online next month." in page
    assert "Answered: Partly accepted" in client.get("/b/acme/representations").text


def test_the_public_list_shows_time_left_then_overdue(app, client, scene):
    representation = _file(scene)
    listing = client.get("/b/acme/representations").text
    assert "Repair prices" in listing and "Waiting for the brand to acknowledge and answer" in listing
    assert "in 4 weeks" in listing or "in 30 days" in listing or "in 1 month" in listing
    clock.freeze(T0 + timedelta(days=32))
    listing = client.get("/b/acme/representations").text
    assert "Overdue: the brand has not answered in time" in listing and "2 days late" in listing
    page = client.get(f"/b/acme/representations/{representation.id}").text
    assert "The brand has not answered, and the due date has passed." in page
    representations.answer(representation, scene.staff, decision="accepted", reasons="Sorry for the delay.")
    db.session.commit()
    assert "Answered late: Accepted" in client.get("/b/acme/representations").text


def test_the_brand_pages_link_to_representations_and_mediation(app, client, scene):
    _file(scene)
    home = client.get("/b/acme/").text
    assert 'href="/b/acme/representations"' in home and 'href="/b/acme/mediation/"' in home
    assert "The president filed 1 representation to the brand" in home
    clock.freeze(T0 + timedelta(days=31))
    assert "1 is overdue" in client.get("/b/acme/").text
    assert client.get("/b/acme/representations/999").status_code == 404


def test_the_staff_dashboard_lists_representations_overdue_first(app, client, scene):
    _file(scene)
    clock.freeze(T0 + timedelta(days=31))
    login(client, scene.staff)
    page = client.get("/b/acme/staff/").text
    overdue = page.index("1 representation of the president is overdue")
    waiting = page.index("1 representation of the president waits for the brand&#39;s answer")
    assert overdue < waiting


def test_staff_set_the_answer_deadline_on_the_charter(app, client, scene):
    login(client, scene.staff)
    form = client.get("/b/acme/charter/president/edit").text
    assert "representation_response_days" in form
    assert "representation_response_days" not in client.get("/b/acme/charter/mediator/edit").text
    refused = client.post("/b/acme/charter/president/edit", data={"representation_response_days": "0"})
    assert refused.status_code == 200 and "representation_response_days" in refused.text
    client.post("/b/acme/charter/president/edit", data={"representation_response_days": "15"})
    office = charter.office_of(scene.brand, charter.OfficeKind.PRESIDENT)
    db.session.refresh(office)
    assert office.representation_response_days == 15
    assert "within 15 days" in client.get("/b/acme/charter").text
    login(client, scene.president)
    client.post("/b/acme/representations/new", data={"title": "Hours", "body": "Open on Sundays."})
    representation = db.session.scalar(db.select(Representation))
    assert representation.response_days == 15 and representation.state is RepresentationState.FILED


def test_the_list_page_runs_the_same_queries_whatever_the_number_of_representations(app, client, count_queries,
                                                                                    scene):
    def add(n):
        for i in range(n):
            representation = _file(scene, title=f"Demand {i}")
            for member in scene.members:
                representations.cosign(representation, member)
            if i % 2:
                representations.answer(representation, scene.staff, decision="accepted", reasons="Yes.")
        db.session.commit()

    add(2)
    with count_queries() as few:
        assert client.get("/b/acme/representations").status_code == 200
    add(12)
    with count_queries() as many:
        assert client.get("/b/acme/representations").status_code == 200
    assert many.count == few.count
