"""Tribune's application factory: the one place that wires everything together."""
from __future__ import annotations

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import Config
from extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config: type | dict | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, CLI, error handlers, template globals."""
    app = Flask(__name__, instance_relative_config=True, template_folder="templates", static_folder="static")
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)

    _allow_test_domains(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    _register_error_handlers(app)
    _register_template_globals(app)
    _register_request_hooks(app)
    return app


def _allow_test_domains(app: Flask) -> None:
    """In development and tests, accept the reserved .test domain the demo accounts use."""
    import email_validator

    email_validator.TEST_ENVIRONMENT = bool(app.config.get("TESTING") or app.config.get("DEVELOPMENT"))


def _init_extensions(app: Flask) -> None:
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
    from institutions import auth_loading  # noqa: F401  (registers the user loaders)


def _register_blueprints(app: Flask) -> None:
    from institutions.account_views import blueprint as accounts
    from institutions.admin_views import blueprint as admin
    from institutions.api import blueprint as api
    from institutions.brand_views import blueprint as brands
    from institutions.site_views import blueprint as site
    from elections.api import blueprint as elections_api
    from elections.views import blueprint as elections, recall_blueprint as recall
    from mandates.community_api import blueprint as mandates_community_api
    from mandates.community_views import blueprint as ambassadors
    from mandates.contract_api import blueprint as mandates_api
    from mandates.contract_views import blueprint as mandates
    from mandates.mission_views import blueprint as missions
    from mandates.registry_api import blueprint as registry_api
    from mandates.registry_views import blueprint as registry
    from institutions.representations import api as representation_api, views as representation_views
    from mediation.api import cases as cases_api_module, exchange as exchange_api, report as report_api
    from mediation.views import (cases as case_views, exchange as exchange_views, mediators as mediator_views,
                                 report as report_views, roster as roster_views)

    for blueprint in (site, accounts, brands, admin, elections, recall, mandates, missions, ambassadors, registry,
                      case_views.blueprint, exchange_views.blueprint, mediator_views.blueprint,
                      roster_views.blueprint, report_views.blueprint, representation_views.blueprint):
        app.register_blueprint(blueprint)
    # The API authenticates with bearer tokens only and ignores cookies, so CSRF cannot reach it.
    for blueprint in (api, elections_api, mandates_api, mandates_community_api, registry_api,
                      cases_api_module.blueprint, exchange_api.blueprint, report_api.blueprint,
                      representation_api.blueprint):
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from elections.cli import register_commands as register_election_commands
    from institutions.cli import register_commands
    from mediation.cli import register_commands as register_case_commands
    from mandates.cli import register_commands as register_mandate_commands

    register_commands(app)
    register_election_commands(app)
    register_mandate_commands(app)
    register_case_commands(app)


def _register_error_handlers(app: Flask) -> None:
    from institutions.error_pages import register_error_handlers

    register_error_handlers(app)


def _register_template_globals(app: Flask) -> None:
    from elections.permissions import TEMPLATE_PERMISSIONS as election_permissions
    from institutions.presentation import register_template_helpers
    from mediation.permissions import TEMPLATE_PERMISSIONS as case_permissions
    from mandates.permissions import TEMPLATE_PERMISSIONS as mandate_permissions

    register_template_helpers(app)
    app.jinja_env.globals.update(election_permissions)
    app.jinja_env.globals.update(mandate_permissions)
    app.jinja_env.globals.update(case_permissions)


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
