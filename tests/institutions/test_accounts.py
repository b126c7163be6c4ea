"""Sign up, confirm the address, sign in, reset the password: and every refusal on the way."""
import re
from datetime import timedelta

from extensions import db
from institutions import clock
from institutions.models import OutboxMessage, User
from tests.conftest import PASSWORD, login


def _signup(client, email="new@example.test", password="a-long-password", confirm=None):
    return client.post("/signup", data={
        "display_name": "Nina New", "email": email, "password": password, "confirm": confirm or password,
    })


def _link_in_last_mail(path_prefix: str) -> str:
    message = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    match = re.search(rf"https?://[^/]+({path_prefix}/[\w-]+)", message.body)
    assert match, message.body
    return match.group(1)


def test_sign_up_then_confirm_the_address_then_sign_in(app, make, client):
    response = _signup(client)
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "new@example.test"))
        assert user.email_verified_at is None
        assert user.password_hash.startswith("scrypt:")
        link = _link_in_last_mail("/verify")
    page = client.get(link, follow_redirects=True)
    assert "Your e-mail address is confirmed." in page.text
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.email == "new@example.test")).email_verified_at
    client.post("/logout")
    assert login(client, "new@example.test", "a-long-password").status_code == 302
    assert client.get("/account").status_code == 200


def test_sign_up_refuses_short_passwords_and_different_confirmations(app, make, client):
    make.user(email="taken@example.test")
    page = _signup(client, email="other@example.test", password="short")
    assert "at least 10" in page.text
    page = _signup(client, email="other@example.test", confirm="a-different-password")
    assert "The two passwords differ." in page.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_a_verification_link_works_once(app, make, client):
    _signup(client)
    with app.app_context():
        link = _link_in_last_mail("/verify")
    assert client.get(link).status_code == 302
    again = client.get(link)
    assert again.status_code == 409
    assert "already been used" in again.text


def test_an_expired_verification_link_is_refused(app, make, client):
    _signup(client)
    with app.app_context():
        link = _link_in_last_mail("/verify")
    clock.freeze(clock.utcnow() + timedelta(hours=49))
    page = client.get(link)
    assert page.status_code == 409
    assert "expired" in page.text
    with app.app_context():
        assert db.session.scalar(db.select(User)).email_verified_at is None


def test_wrong_password_is_refused_without_saying_which_part(app, make, client):
    user = make.user()
    page = login(client, user, "not-the-password")
    assert page.status_code == 200
    assert "Wrong e-mail address or password." in page.text
    page = login(client, "nobody@example.test", PASSWORD)
    assert "Wrong e-mail address or password." in page.text
    assert client.get("/account").status_code == 302


def test_login_attempts_are_rate_limited(app, make, client):
    user = make.user()
    for _ in range(5):
        login(client, user, "not-the-password")
    page = login(client, user, PASSWORD)
    assert page.status_code == 429
    assert "Too many attempts" in page.text


def test_password_reset_with_a_single_use_link(app, make, client):
    user = make.user(email="forgetful@example.test")
    client.post("/reset", data={"email": "forgetful@example.test"})
    with app.app_context():
        link = _link_in_last_mail("/reset")
    page = client.post(link, data={"password": "a-brand-new-pass", "confirm": "a-brand-new-pass"})
    assert page.status_code == 302
    assert login(client, user, "a-brand-new-pass").status_code == 302
    again = client.post(link, data={"password": "another-new-pass", "confirm": "another-new-pass"})
    assert again.status_code == 409


def test_password_reset_link_expires(app, make, client):
    make.user(email="slow@example.test")
    client.post("/reset", data={"email": "slow@example.test"})
    with app.app_context():
        link = _link_in_last_mail("/reset")
    clock.freeze(clock.utcnow() + timedelta(hours=3))
    page = client.post(link, data={"password": "a-brand-new-pass", "confirm": "a-brand-new-pass"})
    assert page.status_code == 409
    assert login(client, "slow@example.test", "a-brand-new-pass").status_code == 200


def test_reset_request_does_not_reveal_unknown_addresses(app, make, client):
    page = client.post("/reset", data={"email": "ghost@example.test"}, follow_redirects=True)
    assert "If an account uses this address" in page.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_profile_refuses_an_unknown_time_zone(app, make, client):
    user = make.user()
    login(client, user)
    page = client.post("/account/profile", data={
        "profile-display_name": "Renamed", "profile-locale": "fr", "profile-timezone": "Mars/Olympus",
    })
    assert page.status_code == 422
    assert "Unknown time zone." in page.text
    page = client.post("/account/profile", data={
        "profile-display_name": "Renamed", "profile-locale": "fr", "profile-timezone": "Europe/Paris",
    })
    assert page.status_code == 302
    with app.app_context():
        refreshed = db.session.get(User, user.id)
        assert (refreshed.display_name, refreshed.locale, refreshed.timezone) == ("Renamed", "fr", "Europe/Paris")
