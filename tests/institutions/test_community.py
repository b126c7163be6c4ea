"""Joining a community, verification by staff, leaving; staff never join their own brand."""
from extensions import db
from institutions import permissions
from institutions.models import Membership, MembershipStatus, Notification
from tests.conftest import login


def _membership(user):
    return db.session.scalar(db.select(Membership).where(Membership.user_id == user.id))


def test_join_is_pending_until_staff_verify(app, make, client):
    brand = make.brand(slug="acme")
    staff = make.staff(brand)
    customer = make.user()
    login(client, customer)
    page = client.post("/b/acme/join", data={"customer_number": "C-42"}, follow_redirects=True)
    assert "pending" in page.text
    with app.app_context():
        membership = _membership(customer)
        assert membership.status is MembershipStatus.PENDING and membership.customer_number == "C-42"
        assert not permissions.is_verified_member(customer, brand)
        started = membership.started_at
    client.post("/logout")

    login(client, staff)
    listing = client.get("/b/acme/staff/members?status=pending")
    assert customer.display_name in listing.text
    assert client.post(f"/b/acme/staff/members/{membership.id}/verify").status_code == 302
    with app.app_context():
        membership = _membership(customer)
        assert membership.status is MembershipStatus.VERIFIED
        assert membership.started_at == started  # eligibility counts from joining, not from verification
        assert db.session.scalar(db.select(Notification).where(Notification.user_id == customer.id))
    # A second verification is refused, not repeated.
    page = client.post(f"/b/acme/staff/members/{membership.id}/verify", follow_redirects=True)
    assert "Only a pending membership can be verified." in page.text


def test_pending_member_cannot_act_as_staff_or_verified_member(app, make, client):
    brand = make.brand(slug="acme")
    pending = make.member(brand, status=MembershipStatus.PENDING)
    other = make.member(brand, status=MembershipStatus.PENDING)
    with app.app_context():
        other_id = _membership(other).id
        assert not permissions.is_verified_member(pending, brand)
    login(client, pending)
    assert client.post(f"/b/acme/staff/members/{other_id}/verify").status_code == 403
    assert client.get("/b/acme/staff/members").status_code == 403


def test_joining_twice_and_staff_joining_are_refused(app, make, client):
    brand = make.brand(slug="acme")
    member = make.member(brand)
    login(client, member)
    page = client.post("/b/acme/join", data={}, follow_redirects=True)
    assert "already a member" in page.text
    client.post("/logout")
    login(client, make.staff(brand))
    page = client.post("/b/acme/join", data={}, follow_redirects=True)
    assert "Brand staff cannot join" in page.text


def test_malformed_customer_number_is_refused(app, make, client):
    make.brand(slug="acme")
    customer = make.user()
    login(client, customer)
    page = client.post("/b/acme/join", data={"customer_number": "<script>"}, follow_redirects=True)
    assert "A customer number has" in page.text
    with app.app_context():
        assert _membership(customer) is None


def test_leave_and_join_again_starts_a_new_membership_date(app, make, client):
    from datetime import timedelta

    from institutions import clock

    brand = make.brand(slug="acme")
    member = make.member(brand, started_at=clock.utcnow() - timedelta(days=300))
    login(client, member)
    client.post("/b/acme/leave")
    with app.app_context():
        assert _membership(member).status is MembershipStatus.LEFT
    client.post("/b/acme/join", data={})
    with app.app_context():
        membership = _membership(member)
        assert membership.status is MembershipStatus.PENDING
        assert clock.utcnow() - membership.started_at < timedelta(minutes=1)


def test_anonymous_visitors_are_sent_to_sign_in(app, make, client):
    make.brand(slug="acme")
    response = client.post("/b/acme/join", data={})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
