"""The charter: default texts in the reader's language, staff wording, holders installed by services."""
from datetime import timedelta

from extensions import db
from institutions import charter, clock
from institutions.models import AuditEvent, OfficeKind
from tests.conftest import login


def test_charter_lists_the_four_offices_with_default_texts(app, make, client):
    make.brand(slug="acme")
    page = client.get("/b/acme/charter")
    assert page.status_code == 200
    for title in ("Customer president", "Ambassador", "Advocate", "Mediator"):
        assert title in page.text
    assert "Elected by the verified members" in page.text


def test_staff_rewrite_an_office_and_the_act_is_public(app, make, client):
    brand = make.brand(slug="acme")
    login(client, make.staff(brand))
    response = client.post("/b/acme/charter/president/edit", data={
        "obtained": "Chosen by our customers every year.", "term_months": "12",
    })
    assert response.status_code == 302
    page = client.get("/b/acme/charter")
    assert "Chosen by our customers every year." in page.text
    with app.app_context():
        assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "charter.office_updated")).is_public


def test_charter_edit_refuses_an_impossible_term(app, make, client):
    brand = make.brand(slug="acme")
    login(client, make.staff(brand))
    page = client.post("/b/acme/charter/president/edit", data={"term_months": "500"})
    assert page.status_code == 200
    assert "500" not in client.get("/b/acme/charter").text


def test_members_cannot_edit_the_charter(app, make, client):
    brand = make.brand(slug="acme")
    login(client, make.member(brand))
    assert client.get("/b/acme/charter/president/edit").status_code == 403
    assert client.post("/b/acme/charter/president/edit", data={"obtained": "x"}).status_code == 403


def test_installed_and_ended_holders_show_on_the_charter(app, make, client):
    brand = make.brand(slug="acme")
    winner = make.member(brand, user=make.user(name="Wanda Winner"))
    former = make.member(brand, user=make.user(name="Fred Former"))
    old = charter.install_holder(brand, OfficeKind.PRESIDENT, former, source="election:1",
                                 starts_at=clock.utcnow() - timedelta(days=800))
    charter.end_holding(old, "term over")
    charter.install_holder(brand, OfficeKind.PRESIDENT, winner, source="election:2",
                           term_ends_at=clock.utcnow() + timedelta(days=730))
    db.session.commit()
    page = client.get("/b/acme/charter").text
    assert "Wanda Winner" in page and "Fred Former" in page and "term over" in page
    home = client.get("/b/acme/").text
    assert "Wanda Winner" in home


def test_staff_set_the_recall_threshold_of_the_presidency(app, make, client):
    brand = make.brand(slug="acme")
    login(client, make.staff(brand))
    page = client.post("/b/acme/charter/president/edit", data={"recall_threshold_percent": "0"})
    assert page.status_code == 200 and "recall_threshold_percent" in page.text
    client.post("/b/acme/charter/president/edit", data={"recall_threshold_percent": "35", "recall_window_days": "60"})
    assert "35 % of the eligible members within 60 days" in client.get("/b/acme/charter").text
    # Offices nobody is elected to have no recall settings.
    assert "recall_threshold_percent" not in client.get("/b/acme/charter/ambassador/edit").text
