"""Brands are tenants: created by the platform admin, staffed by invitation, walled off from each other."""
import re

from extensions import db
from institutions.models import Brand, Membership, MembershipStatus, Office, OutboxMessage, StaffRole
from tests.conftest import login


def _invitation_link() -> str:
    message = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    return re.search(r"(/invitations/[\w-]+)", message.body).group(1)


def test_admin_creates_a_brand_with_its_charter_and_first_staff(app, make, client):
    admin = make.user(admin=True)
    login(client, admin)
    response = client.post("/admin/", data={
        "name": "Acme", "slug": "acme", "description": "We sell anvils.", "colour": "#123456", "country": "US",
        "first_staff_email": "boss@acme.test",
    })
    assert response.status_code == 302
    with app.app_context():
        brand = db.session.scalar(db.select(Brand).where(Brand.slug == "acme"))
        assert {o.kind.value for o in db.session.scalars(db.select(Office).where(Office.brand_id == brand.id))} == {
            "president", "ambassador", "advocate", "mediator"}
        link = _invitation_link()
    assert client.get("/b/acme/").status_code == 200
    client.post("/logout")

    boss = make.user(email="boss@acme.test")
    login(client, boss)
    assert client.get("/b/acme/staff/").status_code == 403
    assert client.post(link).status_code == 302
    assert client.get("/b/acme/staff/").status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(StaffRole).where(StaffRole.user_id == boss.id)).can_sign


def test_brand_creation_refuses_bad_input_and_duplicates(app, make, client):
    admin = make.user(admin=True)
    make.brand(slug="taken")
    login(client, admin)
    page = client.post("/admin/", data={"name": "X", "slug": "Bad Slug!", "colour": "#123456", "country": "FR"})
    assert page.status_code == 422
    assert "lower-case letters" in page.text
    page = client.post("/admin/", data={"name": "X", "slug": "taken", "colour": "#123456", "country": "FR"})
    assert "Another brand already uses this address." in page.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Brand.id))) == 1


def test_only_platform_admins_create_brands(app, make, client):
    login(client, make.user())
    assert client.get("/admin/").status_code == 403
    assert client.post("/admin/", data={"name": "X", "slug": "x", "colour": "#123456", "country": "FR"}).status_code == 403


def test_an_invitation_for_another_address_is_refused(app, make, client):
    brand = make.brand(slug="acme")
    boss = make.staff(brand)
    login(client, boss)
    client.post("/b/acme/staff/team", data={"email": "colleague@acme.test"})
    with app.app_context():
        link = _invitation_link()
    client.post("/logout")
    login(client, make.user(email="intruder@example.test"))
    page = client.post(link, follow_redirects=True)
    assert "sent to another e-mail address" in page.text
    assert client.get("/b/acme/staff/").status_code == 403


def test_staff_of_one_brand_cannot_see_or_change_another_brands_members(app, make, client):
    mine, theirs = make.brand(slug="mine"), make.brand(slug="theirs")
    me = make.staff(mine)
    pending = make.member(theirs, status=MembershipStatus.PENDING)
    with app.app_context():
        membership_id = db.session.scalar(db.select(Membership.id).where(Membership.user_id == pending.id))
    login(client, me)
    assert client.get("/b/theirs/staff/members").status_code == 403
    assert client.get("/b/theirs/staff/members/import").status_code == 403
    assert client.post(f"/b/theirs/staff/members/{membership_id}/verify").status_code == 403
    assert client.get("/b/theirs/charter/president/edit").status_code == 403
    # Through my own brand's address, the other brand's membership id is simply not found.
    page = client.post(f"/b/mine/staff/members/{membership_id}/verify", follow_redirects=True)
    assert "No such member in this community." in page.text
    with app.app_context():
        assert db.session.get(Membership, membership_id).status is MembershipStatus.PENDING


def test_brand_pages_carry_the_brand_colour(app, make, client):
    brand = make.brand(slug="acme")
    brand.colour = "#9d174d"
    db.session.commit()
    assert "/b/acme/brand.css" in client.get("/b/acme/").text
    css = client.get("/b/acme/brand.css")
    assert css.mimetype == "text/css" and "#9d174d" in css.text
