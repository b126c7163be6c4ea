"""Hooks run whenever someone's role at a brand changes (staff joins, membership starts, is verified or ends).

Later features (the mediation roster re-checks its mediators' conflicts of interest) register a function
`(user, brand) -> None` at import, so that `institutions.brands` and `institutions.community` never import them.
"""
from __future__ import annotations

from typing import Callable

from institutions.models import Brand, User

ROLE_CHANGE_HOOKS: list[Callable[[User, Brand], None]] = []


def on_role_change(hook: Callable[[User, Brand], None]) -> Callable[[User, Brand], None]:
    """Register a function called after a person's role at a brand changed (once, at import)."""
    if hook not in ROLE_CHANGE_HOOKS:
        ROLE_CHANGE_HOOKS.append(hook)
    return hook


def role_changed(user: User, brand: Brand) -> None:
    """Tell every registered feature that this person's role at this brand changed (inside the caller's transaction)."""
    for hook in list(ROLE_CHANGE_HOOKS):
        hook(user, brand)
