"""The one scoped lookup: an object of this brand, or 404 (another tenant's ids are never found)."""
from __future__ import annotations

from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from institutions.errors import NotFound
from institutions.models import Brand

M = TypeVar("M")


def get_in_brand(model: type[M], object_id: Any, brand: Brand, *, message: str | None = None,
                 options: tuple = (), where: tuple = ()) -> M:
    """The `model` row with this id whose `brand_id` is the brand's, or NotFound.

    `where` adds conditions (a join's filter for models that reach their brand through a parent, say);
    `options` loads what the caller needs in the same query.
    """
    if isinstance(object_id, bool) or not isinstance(object_id, int):
        raise NotFound(message or _("Not found."))
    query = select(model).where(model.id == object_id, *where)
    if "brand_id" in model.__table__.columns:
        query = query.where(model.__table__.columns["brand_id"] == brand.id)
    elif not where:
        raise TypeError(f"{model.__name__} has no brand_id: give the join's condition in `where`")
    found = db.session.scalar(query.options(*options))
    if found is None:
        raise NotFound(message or _("Not found."))
    return found
