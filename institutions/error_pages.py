"""Error responses: HTML pages for people, one JSON shape for the API."""
from __future__ import annotations

from flask import Flask, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from extensions import db, login_manager
from institutions.errors import DomainError

# The narrowest integer column is SQL INTEGER (32 bits signed on PostgreSQL): a larger number in an
# address can name nothing, and sending it to the database would fail instead of answering 404.
LARGEST_ID = 2**31 - 1

TITLES = {
    400: "Bad request",
    401: "Sign-in required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    413: "Too large",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}


def wants_json() -> bool:
    """API routes always answer JSON."""
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, fields: dict | None = None):
    """The API's one error shape: {"error": {"code", "message", "fields"}}."""
    response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    response.status_code = status
    return response


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Please sign in to continue."),
        403: _("You are not allowed to do this."),
        404: _("There is nothing at this address."),
        405: _("This address does not accept this kind of request."),
        413: _("What you sent is too large."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side. Nothing was saved; please try again."),
        503: _("Tribune is unavailable for a moment. Nothing was saved; please try again in a minute."),
    }


def _codes() -> dict[int, str]:
    return {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
            405: "method_not_allowed", 413: "too_large", 429: "rate_limited", 500: "server_error",
            503: "unavailable"}


def _page(status: int, message: str):
    return render_template("errors/error.html", status=status, message=message), status


def _rollback() -> None:
    """Drop the request's transaction; a connection that is already gone has nothing to roll back."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.close()


def _answer_as_visitor() -> None:
    """Answer without the account: loading it (for its language, the navigation) would ask the database again."""
    login_manager._update_request_context_with_user()


def _respond(status: int, code: str, message):
    """The page or JSON error; if reading the account fails (the database is down), answer as to a visitor."""
    for attempt in range(2):
        try:
            text = message() if callable(message) else message
            if wants_json():
                return json_error(status, code, text)
            return _page(status, text)
        except SQLAlchemyError:
            if attempt:
                raise
            _rollback()
            _answer_as_visitor()


def _answer(status: int):
    """The platform's own error for `status` (400, 500, 503...)."""
    return _respond(status, _codes()[status], lambda: _messages()[status])


def _has_nul(values) -> bool:
    return any("\x00" in (key or "") or any("\x00" in (value or "") for value in values.getlist(key))
               for key in values)


def refuse_unusable_input():
    """Before any view: input no database can store or compare answers 404 or 400, not a crash.

    A NUL character in the address, or an id or page number beyond the database's integer range, names
    nothing (404); a NUL character in a query parameter, a form field or an uploaded file's name is
    malformed (400). PostgreSQL refuses NUL in text and overflows on such ids, where SQLite would silently
    accept them.
    """
    if "\x00" in request.path:
        abort(404)
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and not -LARGEST_ID - 1 <= value <= LARGEST_ID:
            abort(404)
    if _has_nul(request.args):
        abort(400)
    page = request.args.get("page", "")
    # Count the digits first: int() refuses strings of more than 4,300 digits.
    if not wants_json() and page.isascii() and page.isdigit() and (
            len(page.lstrip("0")) > 10 or int(page) > LARGEST_ID):
        abort(404)  # pages: no such page (the API answers 422 naming the parameter, in api_support)
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        uploads = request.files.items(multi=True)
        if _has_nul(request.form) or any("\x00" in (upload.filename or "") for _key, upload in uploads):
            abort(400)
    return None


def register_error_handlers(app: Flask) -> None:
    """Turn domain errors and HTTP errors into pages or JSON, never a bare traceback; refuse unusable input."""

    app.before_request(refuse_unusable_input)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        _rollback()
        if wants_json():
            return json_error(error.status, error.code, error.message, error.fields)
        return _respond(error.status, error.code, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _respond(400, "csrf", lambda: _(
            "This form has expired or was not sent from Tribune. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status == 401 and not wants_json():
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        return _respond(status, _codes().get(status, "http_error"),
                        lambda: _messages().get(status, error.description))

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error: Exception):
        """The database is down, unreachable, restarting or locked: 503, in the API's shape under /api/."""
        app.logger.error("database unavailable: %s", error)
        _rollback()
        _answer_as_visitor()
        response = _answer(503)
        response = app.make_response(response)
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError):
        """A lost connection is an outage (503); a value the database cannot hold is bad input (400)."""
        if error.connection_invalidated:
            return database_unavailable(error)
        if isinstance(error, DataError):
            app.logger.warning("the database refused a value: %s", error.orig)
            _rollback()
            return _answer(400)
        return unexpected_error(error)

    @app.errorhandler(OverflowError)
    def number_too_large(error: OverflowError):
        """A number or date beyond what Python or SQLite can hold came from the request: 400, not a crash."""
        app.logger.warning("overflow on input: %s", error)
        _rollback()
        return _answer(400)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        """Anything else is our bug: logged, rolled back, and a 500 that says nothing was saved."""
        _rollback()
        app.logger.exception("unhandled error")
        return _answer(500)
