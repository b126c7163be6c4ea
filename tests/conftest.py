"""Fixtures for the whole suite: one migrated database per run, emptied after every test."""
from __future__ import annotations

import contextvars
import os
import re
from datetime import datetime, timezone

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.security import generate_password_hash

from app import create_app
from config import TestConfig, normalize_database_url
from extensions import db, limiter
from institutions import clock
from institutions.accounts import new_pseudonym
from institutions.models import Brand, Membership, MembershipStatus, StaffRole, User
from institutions.mail_sender import SENT_IN_MEMORY

PASSWORD = "correct-horse-battery"
# The suite's reference moment: tests move the clock relative to it.
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
# scrypt is slow on purpose; the factories share one hash of PASSWORD.
_PASSWORD_HASH = generate_password_hash(PASSWORD)


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return normalize_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'tribune-test.db'}"


def _drop_everything(url: str) -> None:
    """Start from an empty PostgreSQL schema, so the migrations build every table themselves."""
    if url.startswith("postgresql"):
        name = db.engine.url.database or ""
        # The suite empties the schema: refuse a database that does not look like a scratch one.
        if not re.search(r"(test|ci)", name):
            pytest.exit(f"refusing to run the suite on database {name!r}: its name must contain 'test' or 'ci'", 2)
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))


class IsolatedClient(FlaskClient):
    """A test client whose requests never share the test's app context (its `g` or its session).

    Flask reuses an app context that is already pushed; tests hold one for their factories, so
    without this every request would see the previous request's `g` (the signed-in user, say).
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The application on a database built by the Alembic migrations."""
    url = _database_url(tmp_path_factory)
    suite_config = type("SuiteConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                                                       "CASE_FILES_DIR": str(tmp_path_factory.mktemp("case_files"))})
    application = create_app(suite_config)
    application.test_client_class = IsolatedClient
    with application.app_context():
        _drop_everything(url)
        upgrade(directory=os.path.join(application.root_path, "migrations"))
    return application


@pytest.fixture(autouse=True)
def _clean_state(app):
    """Every test starts with empty tables, the real clock, fresh rate limits and CSRF off."""
    app.config["WTF_CSRF_ENABLED"] = False
    clock.freeze(None)
    SENT_IN_MEMORY.clear()
    with app.app_context():
        limiter.reset()
    yield
    clock.freeze(None)
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Triggers that refuse truncating legal records (signed contracts) are set aside
                # for this transaction's TRUNCATE, then enabled again.
                guards = connection.execute(text(
                    "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal AND tgtype & 32 = 32"
                )).all()
                for table, name in guards:
                    connection.execute(text(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"'))
                connection.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
                for table, name in guards:
                    connection.execute(text(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"'))
            else:
                # Triggers that refuse deleting legal records (signed contracts) are set aside
                # while the tables are emptied, then put back exactly as the migration made them.
                guards = connection.execute(text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%BEFORE DELETE%'"
                )).all()
                for name, _sql in guards:
                    connection.execute(text(f"DROP TRIGGER {name}"))
                for table in tables:
                    connection.execute(text(f"DELETE FROM {table}"))
                for _name, sql in guards:
                    connection.execute(text(sql))


@pytest.fixture
def ctx(app):
    """An app context with a request context, for calling services directly."""
    with app.test_request_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


def at(text_moment: str) -> datetime:
    """A UTC moment from '2026-05-01 12:00'."""
    return datetime.fromisoformat(text_moment).replace(tzinfo=timezone.utc)


class Factory:
    """Builders of the things tests need, committed so every client sees them."""

    def __init__(self, app):
        self.app = app
        self.counter = 0

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def user(self, email: str | None = None, name: str | None = None, verified: bool = True,
             admin: bool = False) -> User:
        n = self._next()
        user = User(
            email=email or f"person{n}@example.test", display_name=name or f"Person {n}",
            pseudonym=new_pseudonym(), password_hash=_PASSWORD_HASH, timezone="UTC",
            email_verified_at=clock.utcnow() if verified else None, is_platform_admin=admin,
            created_at=clock.utcnow(),
        )
        db.session.add(user)
        db.session.commit()
        return user

    def brand(self, slug: str | None = None, name: str | None = None) -> Brand:
        from institutions.charter import create_default_offices

        n = self._next()
        brand = Brand(slug=slug or f"brand{n}", name=name or f"Brand {n}", description="", colour="#1d4ed8",
                      country="FR", created_at=clock.utcnow())
        db.session.add(brand)
        db.session.flush()
        create_default_offices(brand)
        db.session.commit()
        return brand

    def staff(self, brand: Brand, user: User | None = None, can_sign: bool = True, legal_name: str | None = "") -> User:
        """A staff member; their legal name is their display name unless given (None: not recorded yet)."""
        user = user or self.user()
        legal_name = user.display_name if legal_name == "" else legal_name
        db.session.add(StaffRole(brand_id=brand.id, user_id=user.id, can_sign=can_sign, created_at=clock.utcnow(),
                                 legal_name=legal_name, legal_name_recorded_at=clock.utcnow() if legal_name else None))
        db.session.commit()
        return user

    def member(self, brand: Brand, user: User | None = None, status: MembershipStatus = MembershipStatus.VERIFIED,
               started_at: datetime | None = None, customer_number: str | None = None) -> User:
        user = user or self.user()
        db.session.add(Membership(brand_id=brand.id, user_id=user.id, status=status,
                                  started_at=started_at or clock.utcnow(), customer_number=customer_number,
                                  verified_at=clock.utcnow() if status is MembershipStatus.VERIFIED else None))
        db.session.commit()
        return user


@pytest.fixture
def make(app):
    """Factories: make.user(), make.brand(), make.staff(brand), make.member(brand)."""
    with app.app_context():
        yield Factory(app)


def login(client, user_or_email, password: str = PASSWORD):
    """Sign in through the real form; returns the response."""
    email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
    return client.post("/login", data={"email": email, "password": password})


def csrf_token_from(html: str) -> str:
    """The CSRF token a rendered form carries."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


class QueryCounter:
    """Counts the SQL statements run while it is active."""

    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def _count(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        from sqlalchemy import event

        self.count = 0
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._count)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as counter: ...; counter.count`."""
    with app.app_context():
        engine = db.engine
    return lambda: QueryCounter(engine)


def bearer(user: User) -> dict:
    """API headers with a fresh personal token of this user."""
    from institutions import accounts

    _, secret = accounts.create_api_token(user, "tests")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}
