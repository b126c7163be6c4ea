"""Importing the brand's customer list: checked whole, applied whole, or refused with line numbers."""
import base64
import io

import pytest

from extensions import db
from institutions import community, customer_import
from institutions.errors import ValidationFailed
from institutions.models import CustomerRecord, Membership, MembershipStatus
from tests.conftest import login


def _status(user):
    return db.session.scalar(db.select(Membership.status).where(Membership.user_id == user.id))


@pytest.mark.parametrize("content, expected", [
    (b"mail\nx@example.test\n", "Line 1: the header must be"),
    (b"email\nx@example.test\nnot-an-email\n", "Line 3: \"not-an-email\" is not a valid e-mail address."),
    (b"email\na@example.test\nb@example.test\nA@example.test\n", "Line 4: the e-mail a@example.test already appears on line 2."),
    (b"customer_number\nC-1\nC-1\n", "Line 3: the customer number C-1 already appears on line 2."),
    ("email\nzoé@exämple.test\n".encode("latin-1"), "not UTF-8"),
    (b"email,customer_number\na@example.test\n", "Line 2: expected 2 columns, found 1."),
    (b"", "The file is empty."),
    (b"email\n", "no customers"),
])
def test_bad_files_are_refused_with_the_line(ctx, make, content, expected):
    brand = make.brand()
    staff = make.staff(brand)
    with pytest.raises(ValidationFailed) as refusal:
        customer_import.apply_import(brand, staff, content)
    assert expected in refusal.value.message + " " + " ".join(refusal.value.fields.values())
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(CustomerRecord.id))) == 0


def test_a_file_with_one_bad_line_imports_nothing(ctx, make):
    brand = make.brand()
    staff = make.staff(brand)
    pending = make.member(brand, user=make.user(email="good@example.test"), status=MembershipStatus.PENDING)
    with pytest.raises(ValidationFailed):
        customer_import.apply_import(brand, staff, b"email\ngood@example.test\nbad@@example\n")
    db.session.rollback()
    assert _status(pending) is MembershipStatus.PENDING
    assert db.session.scalar(db.select(db.func.count(CustomerRecord.id))) == 0


def test_import_verifies_listed_members_now_and_later_sign_ups(ctx, make):
    brand = make.brand()
    staff = make.staff(brand)
    by_email = make.member(brand, user=make.user(email="ann@example.test"), status=MembershipStatus.PENDING)
    by_number = make.member(brand, status=MembershipStatus.PENDING, customer_number="C-7")
    unlisted = make.member(brand, status=MembershipStatus.PENDING)
    plan = customer_import.plan_import(brand, staff, b"email,customer_number\nann@example.test,\n,C-7\nlater@example.test,C-9\n")
    # A typed customer number proves nothing (anyone can type one): only the listed, confirmed address verifies.
    assert (len(plan.rows), len(plan.to_verify_now), plan.kept_for_later) == (3, 1, 2)
    assert _status(by_email) is MembershipStatus.PENDING  # planning changes nothing
    customer_import.apply_import(brand, staff, b"email,customer_number\nann@example.test,\n,C-7\nlater@example.test,C-9\n")
    db.session.commit()
    assert _status(by_email) is MembershipStatus.VERIFIED
    assert _status(by_number) is MembershipStatus.PENDING
    assert _status(unlisted) is MembershipStatus.PENDING

    later = make.user(email="later@example.test")
    membership = community.join(brand, later)
    assert membership.status is MembershipStatus.VERIFIED


def test_a_listed_address_counts_only_once_confirmed(ctx, make):
    from institutions import accounts

    brand = make.brand()
    staff = make.staff(brand)
    customer_import.apply_import(brand, staff, b"email\nsoon@example.test\n")
    newcomer = accounts.sign_up("soon@example.test", "a-long-password", "Soon")
    membership = community.join(brand, newcomer)
    assert membership.status is MembershipStatus.PENDING  # anyone could type that address
    newcomer.email_verified_at = newcomer.created_at
    community.verify_on_email_confirmed(newcomer)
    assert membership.status is MembershipStatus.VERIFIED


def test_reimporting_the_same_list_adds_no_duplicates(ctx, make):
    brand = make.brand()
    staff = make.staff(brand)
    customer_import.apply_import(brand, staff, b"email\na@example.test\n")
    customer_import.apply_import(brand, staff, b"email,customer_number\na@example.test,C-1\n")
    db.session.commit()
    records = db.session.scalars(db.select(CustomerRecord)).all()
    assert [(r.email, r.customer_number) for r in records] == [("a@example.test", "C-1")]


def test_import_page_previews_then_confirms(app, make, client):
    brand = make.brand(slug="acme")
    staff = make.staff(brand)
    pending = make.member(brand, user=make.user(email="ann@example.test", name="Ann Listed"),
                          status=MembershipStatus.PENDING)
    login(client, staff)
    content = b"email\nann@example.test\nlater@example.test\n"
    preview = client.post("/b/acme/staff/members/import",
                          data={"file": (io.BytesIO(content), "customers.csv")}, content_type="multipart/form-data")
    assert preview.status_code == 200
    assert "Ann Listed" in preview.text
    with app.app_context():
        assert _status(pending) is MembershipStatus.PENDING
    done = client.post("/b/acme/staff/members/import/confirm",
                       data={"payload": base64.b64encode(content).decode()}, follow_redirects=True)
    assert "2 customers imported; 1 members verified now." in done.text
    with app.app_context():
        assert _status(pending) is MembershipStatus.VERIFIED


def test_import_page_shows_every_bad_line(app, make, client):
    brand = make.brand(slug="acme")
    login(client, make.staff(brand))
    content = b"email\nnope\nalso-nope\n"
    page = client.post("/b/acme/staff/members/import",
                       data={"file": (io.BytesIO(content), "customers.csv")}, content_type="multipart/form-data")
    assert page.status_code == 422
    assert "Line 2" in page.text and "Line 3" in page.text
