"""Accounts against an attacker: shared log-in limits, token secrets never in the cookie, sign-up that
tells nothing about who is registered, Strict-Transport-Security in production."""
import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from config import rate_limit_storage_uri
from extensions import db
from institutions.models import OutboxMessage, User
from tests.conftest import PASSWORD, login

ROOT = Path(__file__).resolve().parents[2]
REDIS = ("127.0.0.1", 6379)

# A worker process of a production deployment: its own app, its own memory, the given settings.
WORKER = """
import json, sys
from app import create_app
app = create_app()
app.config["WTF_CSRF_ENABLED"] = False
client = app.test_client()
codes = [client.post("/login", data={"email": "nobody@example.com", "password": "not-the-password"},
                     environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code for _ in range(int(sys.argv[1]))]
static = client.get("/static/css/tribune.css")
print(json.dumps({"codes": codes, "hsts": static.headers.get("Strict-Transport-Security")}))
"""


def _worker(app, attempts: int, **settings) -> tuple[dict, str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("REDIS_URL", "RATELIMIT_STORAGE_URI", "TRIBUNE_ENV", "HSTS")}
    environment.update(TRIBUNE_ENV="production", SECRET_KEY="a-shared-secret-for-the-workers",
                       PUBLIC_BASE_URL="https://tribune.example",
                       DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], **settings)
    done = subprocess.run([sys.executable, "-c", WORKER, str(attempts)], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def _redis_reachable() -> bool:
    try:
        socket.create_connection(REDIS, timeout=1).close()
        return True
    except OSError:
        return False


def test_the_limit_store_is_redis_when_configured():
    assert rate_limit_storage_uri({}) == "memory://"
    assert rate_limit_storage_uri({"REDIS_URL": "redis://cache:6379/0"}) == "redis://cache:6379/0"
    assert rate_limit_storage_uri({"REDIS_URL": "redis://cache:6379/0",
                                   "RATELIMIT_STORAGE_URI": "redis://limits:6379/1"}) == "redis://limits:6379/1"


def test_log_in_attempts_are_limited_across_worker_processes(app):
    if not _redis_reachable():
        if os.environ.get("TRIBUNE_REQUIRE_REDIS") == "1":
            pytest.fail("Redis is not reachable at 127.0.0.1:6379 (TRIBUNE_REQUIRE_REDIS=1)")
        pytest.skip("Redis is not reachable at 127.0.0.1:6379: the shared limit store cannot be tested")
    shared = {"REDIS_URL": "redis://127.0.0.1:6379/0", "RATELIMIT_KEY_PREFIX": f"tribune-test-{uuid.uuid4().hex}"}
    first, first_log = _worker(app, 5, **shared)
    assert first["codes"] == [200] * 5
    # Another worker, with its own memory, sees the same count: the sixth attempt is refused.
    second, second_log = _worker(app, 1, **shared)
    assert second["codes"] == [429]
    assert "limited per process" not in first_log + second_log


def test_production_warns_when_the_limit_store_is_not_shared_and_sends_hsts(app):
    result, log = _worker(app, 1)
    assert "Log-in attempts are limited per process" in log
    assert result["hsts"] and result["hsts"].startswith("max-age=31536000")


def test_strict_transport_security_follows_the_setting(app, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers  # tests and development: off
    app.config["HSTS_ENABLED"] = True
    try:
        assert client.get("/login").headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        app.config["HSTS_ENABLED"] = None


def _session_contents(app, client) -> str:
    cookie = client.get_cookie("session")
    if cookie is None:
        return ""
    return json.dumps(app.session_interface.get_signing_serializer(app).loads(cookie.value), default=str)


def test_a_new_api_tokens_secret_never_travels_in_the_session_cookie(app, make, client):
    user = make.user()
    login(client, user)
    created = client.post("/account/tokens", data={"token-name": "my script"})
    assert created.status_code == 200
    secret = created.text.split('<code class="token-secret">')[1].split("</code>")[0]
    assert secret.startswith("trb_")
    assert created.headers["Cache-Control"] == "no-store"
    assert secret not in _session_contents(app, client)
    assert secret not in created.headers.get("Set-Cookie", "")
    again = client.get("/account")
    assert secret not in again.text and "my script" in again.text
    program = app.test_client()
    assert program.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def _sign_up(client, email):
    return client.post("/signup", data={"display_name": "Someone", "email": email,
                                        "password": "a-long-password", "confirm": "a-long-password"})


def test_sign_up_does_not_reveal_whether_an_address_has_an_account(app, make, client):
    make.user(email="taken@example.test", name="Tess Taken")
    newcomer = app.test_client()
    taken = _sign_up(client, "taken@example.test")
    fresh = _sign_up(newcomer, "fresh@example.test")
    assert (taken.status_code, taken.headers["Location"]) == (fresh.status_code, fresh.headers["Location"])
    taken_page = client.get(taken.headers["Location"]).text.replace("taken@example.test", "ADDRESS")
    fresh_page = newcomer.get(fresh.headers["Location"]).text.replace("fresh@example.test", "ADDRESS")
    strip = lambda page: page.split('name="csrf_token"')[0]  # noqa: E731 (the token differs by nature)
    assert strip(taken_page) == strip(fresh_page)
    assert "We sent a link to ADDRESS" in taken_page
    # Neither browser is signed in, so neither can tell by what it may open.
    assert client.get("/account").status_code == newcomer.get("/account").status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 2
        owner_mail = db.session.scalars(db.select(OutboxMessage).where(
            OutboxMessage.to_address == "taken@example.test")).all()
        assert len(owner_mail) == 1 and "already has one" in owner_mail[0].body
        assert db.session.scalar(db.select(User.display_name).where(User.email == "taken@example.test")) \
            == "Tess Taken"  # nothing about the owner changed
    assert login(app.test_client(), "taken@example.test", PASSWORD).status_code == 302
