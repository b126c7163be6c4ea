"""One visitor's journey in a real browser: sign up, confirm the address, join a brand, get verified."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from extensions import db
from institutions.models import OutboxMessage
from tests.conftest import PASSWORD

PHONE = {"width": 390, "height": 844}
PHONE_SCREENSHOT = "/tmp/tribune-e2e-phone.png"

VISITOR_NAME = "Camille Durand"
# example.com is valid everywhere; special-use domains such as .test pass only where TESTING relaxes email_validator.
VISITOR_EMAIL = "camille@example.com"
VISITOR_PASSWORD = "a-long-enough-secret"


def _verification_path(app, email: str) -> str:
    """The /verify/<token> path of the confirmation e-mail waiting in the outbox."""
    with app.app_context():
        bodies = db.session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.to_address == email).order_by(OutboxMessage.id)
        ).all()
    links = [match.group(0) for body in bodies for match in re.finditer(r"/verify/[A-Za-z0-9_\-]+", body)]
    assert links, f"no verification link in the outbox for {email}: {bodies!r}"
    return links[-1]


def _community_entry(page, brand_name: str):
    """The list item of /me/brands about one brand's community."""
    return page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=brand_name, exact=True))


def test_a_visitor_signs_up_joins_a_brand_and_is_verified_by_its_staff(app, make, live_server, new_context):
    brand = make.brand(slug="acme", name="Acme")
    staff = make.staff(brand)
    staff_email = staff.email

    # A visitor creates an account.
    member = new_context().new_page()
    member.goto(f"{live_server}/signup")
    signup_form = member.locator("form").filter(has=member.get_by_role("button", name="Create my account"))
    expect(signup_form.locator('input[name="csrf_token"]')).to_have_value(re.compile(r".{20,}"))
    member.get_by_label("Your name, as others will see it").fill(VISITOR_NAME)
    member.get_by_label("E-mail address").fill(VISITOR_EMAIL)
    member.get_by_label("Password (at least 10 characters)").fill(VISITOR_PASSWORD)
    member.get_by_label("Password again").fill(VISITOR_PASSWORD)
    member.get_by_role("button", name="Create my account").click()
    expect(member.get_by_text(f"We sent a link to {VISITOR_EMAIL}")).to_be_visible()

    # The e-mailed link confirms the address.
    member.goto(live_server + _verification_path(app, VISITOR_EMAIL))
    expect(member.get_by_text("Your e-mail address is confirmed.")).to_be_visible()
    # Sign-up does not sign in (it would tell a new address from a registered one): sign in now.
    expect(member).to_have_url(re.compile(r"/login"))
    member.get_by_label("E-mail address").fill(VISITOR_EMAIL)
    member.get_by_label("Password", exact=True).fill(VISITOR_PASSWORD)
    member.get_by_role("button", name="Sign in").click()
    expect(member).not_to_have_url(re.compile(r"/login"))

    # The visitor joins Acme's community: pending until the brand checks.
    member.goto(f"{live_server}/b/acme/")
    expect(member.get_by_role("heading", name="Acme").first).to_be_visible()
    member.get_by_role("button", name="Join the community").click()
    expect(member.get_by_text("Your membership is pending until Acme verifies you are a customer")).to_be_visible()
    expect(member.get_by_role("button", name="Join the community")).to_have_count(0)
    expect(member.get_by_text(re.compile("pending", re.IGNORECASE)).first).to_be_visible()
    member.goto(f"{live_server}/me/brands")
    expect(_community_entry(member, "Acme")).to_contain_text(re.compile("pending", re.IGNORECASE))

    # The brand's staff member, in another browser, verifies the new member.
    desk = new_context().new_page()
    desk.goto(f"{live_server}/login")
    desk.get_by_label("E-mail address").fill(staff_email)
    desk.get_by_label("Password", exact=True).fill(PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    expect(desk).not_to_have_url(re.compile(r"/login"))
    desk.goto(f"{live_server}/b/acme/staff/members")
    row = desk.get_by_role("row").filter(has_text=VISITOR_NAME)
    expect(row).to_have_count(1)
    expect(row.get_by_text(re.compile("pending", re.IGNORECASE)).first).to_be_visible()
    row.get_by_role("button", name=re.compile(r"^Verify")).click()
    expect(desk.get_by_text(f"{VISITOR_NAME} is now a verified member.")).to_be_visible()

    # Back in the first browser, the member sees the verified status.
    member.goto(f"{live_server}/me/brands")
    entry = _community_entry(member, "Acme")
    expect(entry).to_contain_text(re.compile("verified", re.IGNORECASE))
    expect(entry).not_to_contain_text(re.compile("pending", re.IGNORECASE))
    member.goto(f"{live_server}/b/acme/")
    expect(member.get_by_role("main")).to_contain_text(re.compile("verified member", re.IGNORECASE))
    expect(member.get_by_role("main")).not_to_contain_text(re.compile("pending", re.IGNORECASE))

    # For the owner to look at: the brand home at a phone's width (not an assertion).
    member.set_viewport_size(PHONE)
    member.reload()
    expect(member.get_by_role("heading", name="Acme").first).to_be_visible()
    member.screenshot(path=PHONE_SCREENSHOT, full_page=True)
