"""A customer number alone verifies no one: the listed address (confirmed) or the brand's code does,
and one listed customer verifies at most one membership. Number-only verifications are reviewed."""
import importlib.util
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from sqlalchemy.exc import IntegrityError

from extensions import db
from institutions import community, customer_import
from institutions.errors import DomainError, Forbidden
from institutions.models import AuditEvent, CustomerRecord, Membership, MembershipStatus
from tests.conftest import bearer, login

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def _status(user, brand):
    return db.session.scalar(db.select(Membership.status).where(
        Membership.user_id == user.id, Membership.brand_id == brand.id))


def _listed(ctx_brand, staff, content: bytes):
    customer_import.apply_import(ctx_brand, staff, content)
    db.session.commit()


def _code_for(brand, staff, number: str) -> str:
    record = db.session.scalar(db.select(CustomerRecord).where(
        CustomerRecord.brand_id == brand.id, CustomerRecord.customer_number == number))
    _record, code = community.issue_customer_code(brand, staff, record.id)
    db.session.commit()
    return code


def test_a_customer_number_without_its_address_verifies_no_one(ctx, make):
    brand = make.brand()
    staff = make.staff(brand)
    _listed(brand, staff, b"email,customer_number\nowner@example.test,C-1\n,C-2\n")
    # Someone with their own confirmed address types a listed number: pending, for staff to check.
    stranger = make.user(email="stranger@example.test")
    membership = community.join(brand, stranger, "C-1")
    assert membership.status is MembershipStatus.PENDING
    other = make.user(email="other@example.test")
    assert community.join(brand, other, "C-2").status is MembershipStatus.PENDING
    # Confirming one's own address later does not help either, nor importing the list again.
    late = make.user(email="late@example.test", verified=False)
    community.join(brand, late, "C-1")
    late.email_verified_at = late.created_at
    assert community.verify_on_email_confirmed(late) == []
    _listed(brand, staff, b"email,customer_number\nowner@example.test,C-1\n,C-2\n")
    assert {_status(u, brand) for u in (stranger, other, late)} == {MembershipStatus.PENDING}
    # The listed address itself, once confirmed, does verify.
    owner = make.user(email="owner@example.test")
    joined = community.join(brand, owner)
    assert joined.status is MembershipStatus.VERIFIED and joined.verification_source == community.BY_LISTED_EMAIL


def test_a_typed_number_is_refused_through_the_page_and_the_api(app, make, client):
    brand = make.brand(slug="acme", name="Acme")
    staff = make.staff(brand)
    with app.app_context():
        _listed(brand, staff, b"email,customer_number\nowner@example.test,C-1\n")
    web = make.user()
    login(client, web)
    page = client.post("/b/acme/join", data={"customer_number": "C-1"}, follow_redirects=True)
    assert "pending until Acme verifies" in page.text
    program = make.user()
    with app.app_context():
        headers = bearer(program)
    answer = client.post("/api/v1/brands/acme/memberships", json={"customer_number": "C-1"}, headers=headers)
    assert answer.status_code == 201 and answer.json["status"] == "pending"


def test_one_listed_customer_verifies_one_membership(ctx, make):
    brand = make.brand()
    staff = make.staff(brand)
    _listed(brand, staff, b"email,customer_number\nowner@example.test,C-1\n")
    code = _code_for(brand, staff, "C-1")
    first = make.user(email="first@example.test")
    assert community.join(brand, first, "C-1", code).status is MembershipStatus.VERIFIED

    # A second account with the same number and code is refused, and nothing is written.
    second = make.user(email="second@example.test")
    with pytest.raises(DomainError, match="already verifies another membership"):
        community.join(brand, second, "C-1", code)
    db.session.rollback()
    assert _status(second, brand) is None
    # The listed address's owner is not verified on top of it: staff decide.
    owner = make.user(email="owner@example.test")
    assert community.join(brand, owner).status is MembershipStatus.PENDING
    db.session.commit()
    # The database refuses it too, whatever the path.
    held = db.session.scalar(db.select(Membership.customer_record_id).where(Membership.user_id == first.id))
    with pytest.raises(IntegrityError):
        db.session.execute(sa.update(Membership).where(Membership.user_id == owner.id)
                           .values(customer_record_id=held))
    db.session.rollback()

    # Once the first member leaves, the listed customer is free for the one who proves it.
    community.leave(brand, first)
    db.session.commit()
    community.leave(brand, owner)
    assert community.join(brand, owner).status is MembershipStatus.VERIFIED


def test_an_import_verifies_one_membership_per_listed_address(ctx, make):
    brand = make.brand()
    staff = make.staff(brand)
    _listed(brand, staff, b"email,customer_number\nowner@example.test,C-1\n")
    holder = make.user(email="holder@example.test")
    community.join(brand, holder, "C-1", _code_for(brand, staff, "C-1"))
    db.session.commit()
    owner = make.member(brand, user=make.user(email="owner@example.test"), status=MembershipStatus.PENDING)
    plan = customer_import.apply_import(brand, staff, b"email\nowner@example.test\n")
    db.session.commit()
    assert plan.to_verify_now == []
    assert _status(owner, brand) is MembershipStatus.PENDING


def test_staff_issue_a_code_and_the_member_types_it_with_the_number(app, make, client):
    brand = make.brand(slug="acme", name="Acme")
    staff = make.staff(brand)
    with app.app_context():
        _listed(brand, staff, b"customer_number\nC-77\nC-78\n")
        record_id = db.session.scalar(db.select(CustomerRecord.id).where(CustomerRecord.customer_number == "C-77"))
    login(client, staff)
    listing = client.get("/b/acme/staff/customers?q=c-7")
    assert listing.status_code == 200 and "C-77" in listing.text and "C-78" in listing.text
    issued = client.post(f"/b/acme/staff/customers/{record_id}/code")
    assert issued.status_code == 200
    code = re.search(r'<code class="token-secret">([A-Z0-9-]+)</code>', issued.text).group(1)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert code not in client.get("/b/acme/staff/customers").text  # shown once
    with app.app_context():
        stored = db.session.get(CustomerRecord, record_id)
        assert stored.code_hash and code.replace("-", "") not in stored.code_hash

    member = app.test_client()
    customer = make.user(email="somewhere-else@example.test")
    login(member, customer)
    wrong = member.post("/b/acme/join", data={"customer_number": "C-78", "verification_code": code},
                        follow_redirects=True)
    assert "This customer number and verification code do not match." in wrong.text
    with app.app_context():
        assert _status(customer, brand) is None  # a refused code leaves no membership behind
    typed = code.lower().replace("-", " ")  # case, spaces and dashes do not matter
    right = member.post("/b/acme/join", data={"customer_number": "C-77", "verification_code": typed},
                        follow_redirects=True)
    assert "Your customer code is right" in right.text
    with app.app_context():
        membership = db.session.scalar(db.select(Membership).where(Membership.user_id == customer.id))
        assert membership.status is MembershipStatus.VERIFIED
        assert membership.verification_source == community.BY_CUSTOMER_CODE
        assert membership.customer_record_id == record_id


def test_a_pending_member_verifies_later_with_a_code_and_a_new_code_replaces_the_old(app, make, client):
    brand = make.brand(slug="acme", name="Acme")
    staff = make.staff(brand)
    customer = make.member(brand, status=MembershipStatus.PENDING)
    with app.app_context():
        _listed(brand, staff, b"customer_number\nC-5\n")
        old_code = _code_for(brand, staff, "C-5")
        new_code = _code_for(brand, staff, "C-5")
    login(client, customer)
    assert "Did Acme give you a verification code?" in client.get("/b/acme/").text
    refused = client.post("/b/acme/verify-code", data={"customer_number": "C-5", "verification_code": old_code},
                          follow_redirects=True)
    assert "do not match" in refused.text
    done = client.post("/b/acme/verify-code", data={"customer_number": "C-5", "verification_code": new_code},
                       follow_redirects=True)
    assert "you are a verified member of Acme" in done.text
    with app.app_context():
        assert _status(customer, brand) is MembershipStatus.VERIFIED


def test_only_the_brands_staff_issue_codes(app, make, client):
    brand = make.brand(slug="acme")
    staff = make.staff(brand)
    other_staff = make.staff(make.brand(slug="other"))
    with app.app_context():
        _listed(brand, staff, b"customer_number\nC-1\n")
        record_id = db.session.scalar(db.select(CustomerRecord.id))
        with pytest.raises(Forbidden):
            community.issue_customer_code(brand, other_staff, record_id)
    login(client, other_staff)
    assert client.post(f"/b/acme/staff/customers/{record_id}/code").status_code == 403
    member = make.member(brand)
    member_client = app.test_client()
    login(member_client, member)
    assert member_client.get("/b/acme/staff/customers").status_code == 403


def _number_only_membership(brand, user, number):
    """A membership verified the old way: the list matched the number its owner typed."""
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == user.id))
    membership.customer_number = number
    membership.verification_source = "import"
    membership.needs_review = True
    db.session.commit()
    return membership


def test_staff_review_memberships_verified_by_number_alone(app, make, client):
    brand = make.brand(slug="acme")
    staff = make.staff(brand)
    keep = make.member(brand, user=make.user(name="Kept Customer"))
    drop = make.member(brand, user=make.user(name="Number Typist"))
    with app.app_context():
        _number_only_membership(brand, keep, "C-1")
        _number_only_membership(brand, drop, "C-2")
    login(client, staff)
    dashboard = client.get("/b/acme/staff/")
    assert "2 memberships verified by a customer number alone wait for your review" in dashboard.text
    page = client.get("/b/acme/staff/members/review")
    assert "Kept Customer" in page.text and "Number Typist" in page.text
    with app.app_context():
        keep_id = db.session.scalar(db.select(Membership.id).where(Membership.user_id == keep.id))
        drop_id = db.session.scalar(db.select(Membership.id).where(Membership.user_id == drop.id))
    client.post(f"/b/acme/staff/members/{keep_id}/review/confirm")
    client.post(f"/b/acme/staff/members/{drop_id}/review/revoke")
    page = client.get("/b/acme/staff/members/review")
    assert "No membership waits for a review." in page.text
    with app.app_context():
        assert _status(keep, brand) is MembershipStatus.VERIFIED
        assert _status(drop, brand) is MembershipStatus.PENDING
        actions = db.session.scalars(db.select(AuditEvent.action)).all()
        assert {"membership.review_confirmed", "membership.verification_revoked"} <= set(actions)
    # A member cannot review, and a decided membership is not reviewed twice.
    member_client = app.test_client()
    login(member_client, keep)
    assert member_client.post(f"/b/acme/staff/members/{drop_id}/review/confirm").status_code == 403
    with app.app_context(), pytest.raises(DomainError):
        community.confirm_review(db.session.get(Membership, keep_id), staff)


def _migrate(connection, revisions):
    context = MigrationContext.configure(connection, opts={"render_as_batch": True})
    with Operations.context(context):
        for revision in revisions:
            spec = importlib.util.spec_from_file_location(revision.revision, revision.path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            module.upgrade()


def test_the_migration_marks_memberships_verified_by_number_alone(tmp_path):
    scripts = ScriptDirectory(str(MIGRATIONS))
    before = list(reversed(list(scripts.walk_revisions("base", "0006_election_trust"))))
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as connection:
        _migrate(connection, before)
        now = "2026-01-01 00:00:00"
        connection.execute(sa.text(
            "INSERT INTO brands (id, slug, name, description, colour, country, created_at) "
            "VALUES (1, 'acme', 'Acme', '', '#000000', 'FR', :now)"), {"now": now})
        for uid, email, confirmed in ((1, "owner@example.test", now), (2, "typist@example.test", now),
                                      (3, "staffed@example.test", now)):
            connection.execute(sa.text(
                "INSERT INTO users (id, email, password_hash, display_name, pseudonym, timezone, "
                "email_verified_at, is_platform_admin, created_at) VALUES (:id, :email, 'x', :email, :p, 'UTC', "
                ":confirmed, false, :now)"), {"id": uid, "email": email, "p": f"person-{uid}", "confirmed": confirmed,
                                              "now": now})
        connection.execute(sa.text(
            "INSERT INTO customer_records (id, brand_id, email, customer_number, imported_at) "
            "VALUES (1, 1, 'owner@example.test', 'C-1', :now), (2, 1, NULL, 'C-2', :now)"), {"now": now})
        for mid, uid, number, source in ((1, 1, None, "import"), (2, 2, "C-2", "import"), (3, 3, None, "staff")):
            connection.execute(sa.text(
                "INSERT INTO memberships (id, brand_id, user_id, status, customer_number, started_at, verified_at, "
                "verification_source) VALUES (:id, 1, :uid, 'verified', :number, :now, :now, :source)"),
                {"id": mid, "uid": uid, "number": number, "source": source, "now": now})

        _migrate(connection, [scripts.get_revision("0007_account_trust")])
        rows = connection.execute(sa.text(
            "SELECT id, needs_review, customer_record_id, verification_source, status FROM memberships ORDER BY id"
        )).all()
    assert [tuple(row) for row in rows] == [
        (1, False, 1, "listed_email", "verified"),   # the listed, confirmed address: kept, holds its customer
        (2, True, None, "import", "verified"),       # a typed number alone: marked for review
        (3, False, None, "staff", "verified"),       # verified by staff: untouched
    ]


def test_an_erased_account_no_longer_holds_its_listed_customer(ctx, make):
    from institutions import privacy
    from tests.conftest import PASSWORD

    brand = make.brand()
    staff = make.staff(brand)
    _listed(brand, staff, b"customer_number\nC-9\n")
    code = _code_for(brand, staff, "C-9")
    gone = make.user()
    community.join(brand, gone, "C-9", code)
    db.session.commit()
    privacy.delete_account(gone, PASSWORD)
    db.session.commit()
    successor = make.user()
    assert community.join(brand, successor, "C-9", code).status is MembershipStatus.VERIFIED
    db.session.commit()
