"""Error responses: HTML pages for people, one JSON shape for the API."""
from __future__ import annotations

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from extensions import db
from institutions.errors import DomainError

TITLES = {
    400: "Bad request",
    401: "Sign-in required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    413: "Too large",
    429: "Too many attempts",
    500: "Something went wrong",
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
    }


def _codes() -> dict[int, str]:
    return {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
            405: "method_not_allowed", 413: "too_large", 429: "rate_limited", 500: "server_error"}


def _page(status: int, message: str):
    return render_template("errors/error.html", status=status, message=message), status


def register_error_handlers(app: Flask) -> None:
    """Turn domain errors and HTTP errors into pages or JSON, never a bare traceback."""

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        if wants_json():
            return json_error(error.status, error.code, error.message, error.fields)
        return _page(error.status, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = _("This form has expired or was not sent from Tribune. Please reload the page and try again.")
        if wants_json():
            return json_error(400, "csrf", message)
        return _page(400, message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status == 401 and not wants_json():
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        message = _messages().get(status, error.description)
        if wants_json():
            return json_error(status, _codes().get(status, "http_error"), message)
        return _page(status, message)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error")
        if wants_json():
            return json_error(500, "server_error", _messages()[500])
        return _page(500, _messages()[500])
