"""Tribune's application factory: the one place that wires everything together."""
from __future__ import annotations

from importlib import import_module

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import Config
from extensions import babel, csrf, db, limiter, login_manager, migrate


# The pillars, once: each one's manifest says what it adds (routes, commands, dashboard items...).
FEATURES = ("institutions.feature", "elections.feature", "mandates.feature", "mediation.feature")


def create_app(config: type | dict | None = None) -> Flask:
    """Build the app: config, extensions, each feature's manifest, error handlers, template helpers."""
    app = Flask(__name__, instance_relative_config=True, template_folder="templates", static_folder="static")
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)

    _require_public_base_url(app)
    _allow_test_domains(app)
    _init_extensions(app)
    _install_features(app)
    _register_error_handlers(app)
    _register_template_helpers(app)
    _register_request_hooks(app)
    _warn_about_unshared_state(app)
    return app


def _is_production(app: Flask) -> bool:
    return not (app.debug or app.testing or app.config.get("DEVELOPMENT"))


def _sends_hsts(app: Flask) -> bool:
    """Strict-Transport-Security: when configured, else in production only (never in development or tests)."""
    configured = app.config.get("HSTS_ENABLED")
    return _is_production(app) if configured is None else bool(configured)


def _require_public_base_url(app: Flask) -> None:
    """Production refuses to start without PUBLIC_BASE_URL: every e-mailed link is built from it."""
    if _is_production(app) and not app.config.get("PUBLIC_BASE_URL"):
        raise RuntimeError("PUBLIC_BASE_URL is not set: in production (TRIBUNE_ENV=production) set it to the address "
                           "people reach this site at, e.g. PUBLIC_BASE_URL=https://tribune.example; every link in "
                           "e-mails is built from it.")


def _warn_about_unshared_state(app: Flask) -> None:
    """In production, say at start when log-in limits are counted per process instead of in a shared store."""
    if _is_production(app) and str(app.config.get("RATELIMIT_STORAGE_URI", "memory://")).startswith("memory://"):
        app.logger.warning(
            "Log-in attempts are limited per process (memory storage): with several workers or machines each one "
            "allows the full limit. Set REDIS_URL or RATELIMIT_STORAGE_URI=redis://... to share the limit."
        )


def _allow_test_domains(app: Flask) -> None:
    """In development and tests, accept the reserved .test domain the demo accounts use."""
    import email_validator

    email_validator.TEST_ENVIRONMENT = bool(app.config.get("TESTING") or app.config.get("DEVELOPMENT"))


def _init_extensions(app: Flask) -> None:
    from institutions.auth_loading import install_user_loading
    from institutions.locale import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories="translations",
    )
    limiter.init_app(app)
    login_manager.init_app(app)
    install_user_loading()
    _init_jobs(app)


def _init_jobs(app: Flask) -> None:
    """The job queue and its schedule (institutions/jobs.py): Redis, or the embedded SQLite file."""
    from institutions import jobs

    jobs.init_app(app)


def _install_features(app: Flask) -> None:
    from institutions.features import install_features

    install_features(app, tuple(import_module(name).FEATURE for name in FEATURES))


def _register_error_handlers(app: Flask) -> None:
    from institutions.error_pages import register_error_handlers

    register_error_handlers(app)


def _register_template_helpers(app: Flask) -> None:
    from institutions.presentation import register_template_helpers

    register_template_helpers(app)


def _register_request_hooks(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        """Forbid framing, sniffing and inline scripts on every response."""
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if _sends_hsts(app):
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={int(app.config.get('HSTS_MAX_AGE', 31536000))}; includeSubDomains")
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.teardown_request
    def rollback_leftovers(error=None):
        """One transaction per request: whatever a failed request left is rolled back."""
        if error is not None:
            db.session.rollback()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: WAL for concurrent readers, a busy timeout for writers, enforced foreign keys."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
