"""The staff dashboard lists what every feature owes the community, with links to act."""
from __future__ import annotations

from extensions import db
from institutions.models import MembershipStatus
from mandates import applications
from tests.conftest import login


def test_dashboard_lists_feature_to_dos_and_refuses_members(app, make, client):
    brand = make.brand(slug="acme")
    staff = make.staff(brand)
    applicant = make.member(brand)
    applications.apply(brand, applicant, motivation="I love the brand", channels="Blog", audience="2,000 readers")
    db.session.commit()
    login(client, staff)
    page = client.get("/b/acme/staff/").get_data(as_text=True)
    assert "1 ambassador application waits for an answer" in page
    assert "0 counted elections wait for certification" in page
    assert "/b/acme/ambassadors/applications" in page
    client.post("/logout")
    login(client, applicant)
    assert client.get("/b/acme/staff/").status_code == 403


def test_brand_home_offers_a_member_the_ways_to_take_part(app, make, client):
    brand = make.brand(slug="acme")
    member = make.member(brand)
    login(client, member)
    page = client.get("/b/acme/").get_data(as_text=True)
    assert "/b/acme/ambassadors/apply" in page and "/b/acme/advocates/declare" in page
    assert "/b/acme/mandates/mine" in page
    pending = make.member(brand, status=MembershipStatus.PENDING)
    client.post("/logout")
    login(client, pending)
    assert "/b/acme/ambassadors/apply" not in client.get("/b/acme/").get_data(as_text=True)
