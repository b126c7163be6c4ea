"""In a real browser: cookies copied from a signed-in browser stop opening the account once it signs out."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.conftest import PASSWORD


def test_copied_cookies_stop_working_after_sign_out(app, make, live_server, new_context):
    user = make.user(email="careful@example.com", name="Carla Careful")
    email = user.email

    owner = new_context().new_page()
    owner.goto(f"{live_server}/login")
    owner.get_by_label("E-mail address").fill(email)
    owner.get_by_label("Password", exact=True).fill(PASSWORD)
    owner.get_by_label("Keep me signed in on this device").check()
    owner.get_by_role("button", name="Sign in").click()
    expect(owner).not_to_have_url(re.compile(r"/login"))
    cookies = owner.context.cookies()
    assert {"session", "remember_token"} <= {cookie["name"] for cookie in cookies}

    # Another browser given copies of those cookies opens the account...
    thief = new_context()
    thief.add_cookies(cookies)
    stolen = thief.new_page()
    stolen.goto(f"{live_server}/account")
    expect(stolen.get_by_role("heading", name="Your account", level=1)).to_be_visible()
    remembered_only = new_context()
    remembered_only.add_cookies([cookie for cookie in cookies if cookie["name"] == "remember_token"])
    remembered = remembered_only.new_page()
    remembered.goto(f"{live_server}/account")
    expect(remembered.get_by_role("heading", name="Your account", level=1)).to_be_visible()

    # ...until the owner signs out.
    owner.get_by_role("button", name="Sign out").first.click()
    expect(owner.get_by_text("You are signed out.")).to_be_visible()

    thief.clear_cookies()
    thief.add_cookies(cookies)
    stolen.goto(f"{live_server}/account")
    expect(stolen).to_have_url(re.compile(r"/login"))
    expect(stolen.get_by_role("heading", name="Your account", level=1)).to_have_count(0)
    remembered_only.clear_cookies()
    remembered_only.add_cookies([cookie for cookie in cookies if cookie["name"] == "remember_token"])
    remembered.goto(f"{live_server}/account")
    expect(remembered).to_have_url(re.compile(r"/login"))
