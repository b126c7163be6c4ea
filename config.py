"""Settings read from the environment, with an embedded SQLite default in instance/."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent / "instance"


def normalize_database_url(url: str) -> str:
    """Accept the usual postgresql:// (or postgres://) form and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    INSTANCE_DIR.mkdir(exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def rate_limit_storage_uri(environ) -> str:
    """Where Flask-Limiter counts attempts: RATELIMIT_STORAGE_URI, else REDIS_URL, else this process's memory.

    Memory is per process: with several workers, each would allow the limit again.
    """
    return environ.get("RATELIMIT_STORAGE_URI") or environ.get("REDIS_URL") or "memory://"


DEV_BASE_URL = "http://127.0.0.1:5000"  # what `make run` serves


class Config:
    """Production-safe defaults; development and tests relax only what they must."""

    ENV_NAME = os.environ.get("TRIBUNE_ENV", "production")
    DEVELOPMENT = ENV_NAME == "development"
    SECRET_KEY = _secret_key()
    SQLALCHEMY_DATABASE_URI = normalize_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'tribune.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = not DEVELOPMENT
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = not DEVELOPMENT
    # Strict-Transport-Security on every answer: None means "outside development, debug and tests";
    # HSTS=1 or HSTS=0 forces it on or off.
    HSTS_ENABLED = {"1": True, "0": False}.get(os.environ.get("HSTS", ""))
    HSTS_MAX_AGE = int(os.environ.get("HSTS_MAX_AGE", str(365 * 24 * 3600)))
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("en", "fr")

    RATELIMIT_STORAGE_URI = rate_limit_storage_uri(os.environ)
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "tribune")
    # If Redis is unreachable, count in memory for a while rather than answer 500 to every log-in.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "5 per minute")

    # Mail: "console" prints messages (development), "smtp" sends them.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console" if DEVELOPMENT else "smtp")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "Tribune <no-reply@tribune.localhost>")
    # Every link in an e-mail is built from it. Production has no default: create_app refuses to start without it
    # (a link to 127.0.0.1 in a real e-mail leads nowhere); development and tests use the local address.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or (DEV_BASE_URL if DEVELOPMENT else None)
    MAIL_SMTP_TIMEOUT = int(os.environ.get("MAIL_SMTP_TIMEOUT", "30"))
    # A sender holds the messages it claimed this long (renewed before each one is sent); keep it well above
    # MAIL_SMTP_TIMEOUT, or a slow send could be taken over by another sender and delivered twice.
    MAIL_CLAIM_SECONDS = int(os.environ.get("MAIL_CLAIM_SECONDS", "300"))
    MAIL_CLAIM_BATCH = int(os.environ.get("MAIL_CLAIM_BATCH", "50"))  # claimed at a time, so senders share work
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "6"))
    # Minutes to wait after the 1st, 2nd... failed attempt (the last step repeats).
    MAIL_RETRY_MINUTES = tuple(int(step) for step in os.environ.get("MAIL_RETRY_MINUTES", "1,5,30,120,720").split(","))
    # Tests only: a pause after each message, so a test can kill a sender mid-batch.
    MAIL_SEND_DELAY_SECONDS = float(os.environ.get("MAIL_SEND_DELAY_SECONDS", "0"))

    EMAIL_TOKEN_HOURS = 48
    RESET_TOKEN_HOURS = 2
    INVITATION_DAYS = 14
    # A customer list of up to 200,000 lines (institutions/customer_import.MAX_ROWS) fits in 16 MB; the preview's
    # confirm form sends it back base64-encoded (4/3 of its size), hence the form and request limits.
    IMPORT_MAX_BYTES = 16 * 1024 * 1024
    MAX_CONTENT_LENGTH = 24 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 24 * 1024 * 1024
    # Where a disclosure label counts as shown: within the first N characters of a publication's text, or
    # "first_line" for only its first line (mandates/disclosure.py).
    DISCLOSURE_WINDOW = os.environ.get("DISCLOSURE_WINDOW", "200")

    # Case attachments: "filesystem" keeps them in CASE_FILES_DIR (default instance/case_files; with several
    # machines, a volume they all mount), "database" in the database itself (nothing to share but the database).
    CASE_FILES_STORAGE = os.environ.get("CASE_FILES_STORAGE", "filesystem")
    CASE_FILES_DIR = os.environ.get("CASE_FILES_DIR") or None
    # Quotas, in megabytes: everything attached to one case, and what one person may send over the last N days.
    CASE_FILES_CASE_QUOTA_MB = int(os.environ.get("CASE_FILES_CASE_QUOTA_MB", "50"))
    CASE_FILES_PERSON_QUOTA_MB = int(os.environ.get("CASE_FILES_PERSON_QUOTA_MB", "100"))
    CASE_FILES_PERSON_QUOTA_DAYS = int(os.environ.get("CASE_FILES_PERSON_QUOTA_DAYS", "30"))
    API_PAGE_SIZE = 20
    API_MAX_PAGE_SIZE = 100

    # The job queue (institutions/jobs.py): JOBS_URL, else REDIS_URL (redis://…), else the SQLite file
    # instance/jobs.db. JOBS_NAME keeps two deployments (or tests) on one Redis apart; JOBS_IMMEDIATE=1 runs
    # tasks at once in the caller (no worker); JOBS_TICK_SECONDS shortens the schedule's minute (tests only).
    JOBS_URL = os.environ.get("JOBS_URL") or None
    REDIS_URL = os.environ.get("REDIS_URL") or None
    JOBS_NAME = os.environ.get("JOBS_NAME", "tribune")
    JOBS_IMMEDIATE = os.environ.get("JOBS_IMMEDIATE") or None
    JOBS_TICK_SECONDS = int(os.environ.get("JOBS_TICK_SECONDS", "60"))
    # A job still "running" this long after it started is marked failed by the sweeper (its worker was killed);
    # the files finished jobs offer (ballots, reports) are deleted this many days after they were made.
    JOBS_STALE_MINUTES = int(os.environ.get("JOBS_STALE_MINUTES", "60"))
    JOBS_FILE_DAYS = int(os.environ.get("JOBS_FILE_DAYS", "7"))


class TestConfig(Config):
    """Used by the suite: cookies over plain HTTP, a fast password hash is NOT used (real scrypt)."""

    TESTING = True
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    MAIL_BACKEND = "memory"
    RATELIMIT_STORAGE_URI = "memory://"
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or DEV_BASE_URL
