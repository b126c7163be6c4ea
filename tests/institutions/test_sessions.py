"""Signing out ends the session: copied session and remember-me cookies stop working after sign-out,
password change, reset and "sign out everywhere"; a reset also revokes API tokens and older links."""
import re

from extensions import db
from institutions.models import ApiToken, OutboxMessage, User
from tests.conftest import PASSWORD, bearer, login

REMEMBER = "remember_token"


def _sign_in_remembered(client, user, password=PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password, "remember": "y"})
    assert response.status_code == 302
    assert client.get_cookie("session") is not None and client.get_cookie(REMEMBER) is not None
    return response


def _copy(app, client, *names):
    """Another browser holding copies of these cookies of `client` (what a thief would keep)."""
    thief = app.test_client()
    for name in names:
        thief.set_cookie(name, client.get_cookie(name).value)
    return thief


def _opens_account(client) -> bool:
    page = client.get("/account")
    assert page.status_code in (200, 302)
    return page.status_code == 200


def _reset_link(app, email: str) -> str:
    with app.app_context():
        message = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.to_address == email)
                                     .order_by(OutboxMessage.id.desc())).first()
    return re.search(r"https?://[^/]+(/reset/[\w-]+)", message.body).group(1)


def test_a_copied_session_cookie_and_a_copied_remember_cookie_stop_working_after_sign_out(app, make, client):
    user = make.user()
    _sign_in_remembered(client, user)
    session_copy = _copy(app, client, "session")
    remember_copy = _copy(app, client, REMEMBER)
    assert _opens_account(session_copy) and _opens_account(remember_copy)  # the copies work before

    assert client.post("/logout").status_code == 302
    assert not _opens_account(client)
    assert not _opens_account(session_copy)
    assert not _opens_account(remember_copy)
    both = _copy(app, remember_copy, REMEMBER)
    both.set_cookie("session", session_copy.get_cookie("session").value)
    assert not _opens_account(both)


def test_signing_out_ends_the_other_sessions_of_the_account_too(app, make, client):
    user = make.user()
    phone = app.test_client()
    login(phone, user)
    login(client, user)
    client.post("/logout")
    assert not _opens_account(phone)
    # Signing in again works, with a fresh session.
    assert login(phone, user).status_code == 302
    assert _opens_account(phone)


def test_changing_the_password_keeps_this_browser_and_ends_every_other_session(app, make, client):
    user = make.user()
    _sign_in_remembered(client, user)
    session_copy = _copy(app, client, "session")
    remember_copy = _copy(app, client, REMEMBER)
    other_device = app.test_client()
    login(other_device, user)

    page = client.post("/account/password", data={
        "password-current_password": PASSWORD, "password-password": "a-new-long-password",
        "password-confirm": "a-new-long-password"}, follow_redirects=True)
    assert "Every other session of your account is signed out." in page.text
    assert _opens_account(client)
    assert not _opens_account(session_copy)
    assert not _opens_account(remember_copy)
    assert not _opens_account(other_device)
    # This browser's new remember-me cookie still remembers it, alone.
    remembered = _copy(app, client, REMEMBER)
    assert _opens_account(remembered)


def test_a_refused_password_change_ends_nothing(app, make, client):
    user = make.user()
    login(client, user)
    other_device = app.test_client()
    login(other_device, user)
    page = client.post("/account/password", data={
        "password-current_password": "not-the-password", "password-password": "a-new-long-password",
        "password-confirm": "a-new-long-password"})
    assert page.status_code == 422
    assert _opens_account(other_device)


def test_a_password_reset_ends_sessions_revokes_tokens_and_every_other_link(app, make, client):
    user = make.user(email="lost@example.test")
    _sign_in_remembered(client, user)
    remember_copy = _copy(app, client, REMEMBER)
    with app.app_context():
        headers = bearer(db.session.get(User, user.id))
    program = app.test_client()  # a program using the API with a token
    assert program.get("/api/v1/me", headers=headers).status_code == 200

    visitor = app.test_client()
    visitor.post("/reset", data={"email": "lost@example.test"})
    older = _reset_link(app, "lost@example.test")
    visitor.post("/reset", data={"email": "lost@example.test"})
    newer = _reset_link(app, "lost@example.test")
    assert older != newer

    done = visitor.post(newer, data={"password": "a-brand-new-pass", "confirm": "a-brand-new-pass"})
    assert done.status_code == 302
    assert not _opens_account(client)
    assert not _opens_account(remember_copy)
    assert program.get("/api/v1/me", headers=headers).status_code == 401
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ApiToken.id)).where(ApiToken.revoked_at.is_(None))) == 0

    again = visitor.post(older, data={"password": "an-attackers-pass", "confirm": "an-attackers-pass"})
    assert again.status_code == 409
    assert login(app.test_client(), "lost@example.test", "an-attackers-pass").status_code == 200  # refused
    assert login(app.test_client(), "lost@example.test", "a-brand-new-pass").status_code == 302


def test_sign_out_everywhere_ends_every_session_from_the_account_page(app, make, client):
    user = make.user()
    _sign_in_remembered(client, user)
    laptop = app.test_client()
    _sign_in_remembered(laptop, user)
    laptop_remembered = _copy(app, laptop, REMEMBER)
    page = client.get("/account")
    assert "Sign out everywhere" in page.text

    out = client.post("/account/sign-out-everywhere", follow_redirects=True)
    assert "You are signed out everywhere" in out.text
    assert not _opens_account(client)
    assert not _opens_account(laptop)
    assert not _opens_account(laptop_remembered)


def test_an_identity_from_before_session_versions_opens_nothing(app, make, client):
    user = make.user()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)  # what the session held before session versions
        session["_fresh"] = True
    assert not _opens_account(client)
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:0"
    assert _opens_account(client)
