"""Download all my data; delete my account: personal data erased, the audit trail keeps a pseudonym."""
import json

from extensions import db
from institutions import audit
from institutions.models import AuditEvent, Membership, MembershipStatus, User
from tests.conftest import PASSWORD, login


def test_export_contains_my_data(app, make, client):
    brand = make.brand(slug="acme")
    user = make.member(brand, user=make.user(email="me@example.test", name="Mia"), customer_number="C-1")
    login(client, user)
    response = client.get("/account/export.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["account"]["email"] == "me@example.test"
    assert data["memberships"][0]["brand"] == "acme" and data["memberships"][0]["customer_number"] == "C-1"


def test_delete_account_erases_personal_data_but_keeps_the_chain(app, make, client):
    brand = make.brand(slug="acme")
    user = make.member(brand, user=make.user(email="gone@example.test", name="Gina Gone"))
    audit.record("test.act", actor=user, brand=brand, public=True)
    db.session.commit()
    pseudonym = user.pseudonym
    login(client, user)
    page = client.post("/account/delete", data={"delete-password": "wrong", "delete-confirm": "y"})
    assert page.status_code == 422 and "The password is wrong." in page.text
    response = client.post("/account/delete", data={"delete-password": PASSWORD, "delete-confirm": "y"})
    assert response.status_code == 302
    with app.app_context():
        erased = db.session.get(User, user.id)
        assert erased.email != "gone@example.test" and erased.display_name == pseudonym
        assert erased.deleted_at is not None
        membership = db.session.scalar(db.select(Membership).where(Membership.user_id == user.id))
        assert membership.status is MembershipStatus.LEFT
        assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "test.act")).actor_pseudonym == pseudonym
        assert audit.verify_chain().ok
    assert "Gina Gone" not in client.get("/b/acme/transparency").text
    assert login(client, "gone@example.test").status_code == 200  # refused: the form is shown again
    assert client.get("/account").status_code == 302
