"""Domain errors: services raise them, views turn them into messages and the API into JSON."""
from __future__ import annotations


class DomainError(Exception):
    """A rule refused the act; `field` names the input at fault when there is one."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, field: str | None = None, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = str(message)
        self.fields = dict(fields or {})
        if field:
            self.fields.setdefault(field, self.message)


class ValidationFailed(DomainError):
    """The input itself is malformed."""

    status = 422
    code = "invalid"


class Forbidden(DomainError):
    """The actor may not do this."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """The thing does not exist (or is not visible to the actor)."""

    status = 404
    code = "not_found"


def required_text(value: str | None, field: str, label: str, maximum: int) -> str:
    """A required free text, stripped and within `maximum` characters, or a refusal naming the field."""
    from flask_babel import gettext

    value = (value or "").strip()
    if not value:
        raise ValidationFailed(gettext("%(label)s: this field is required.", label=label), field=field)
    if len(value) > maximum:
        raise ValidationFailed(gettext("%(label)s: at most %(n)d characters.", label=label, n=maximum), field=field)
    return value
