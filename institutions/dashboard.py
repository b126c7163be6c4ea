"""The staff dashboard's to-do list, to which later features add their own items.

`institutions` never imports the features built on it: each registers a function
`(brand) -> list[DashboardItem]` at import, and the dashboard asks them all.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from institutions.models import Brand


@dataclass(frozen=True)
class DashboardItem:
    """One line of what the brand owes: how many things wait, what they are, where to act."""

    count: int
    label: str     # already translated, e.g. "3 reports wait for review"
    url: str
    done_label: str = ""  # shown when count is 0, e.g. "no report waits for review"
    urgent: bool = False  # a deadline has passed: listed first, before everything else


ITEM_PROVIDERS: list[Callable[[Brand], list[DashboardItem]]] = []


def register_dashboard_items(provider: Callable[[Brand], list[DashboardItem]]) -> None:
    """Add a feature's to-dos to every brand's staff dashboard (called once, at import)."""
    if provider not in ITEM_PROVIDERS:
        ITEM_PROVIDERS.append(provider)


def dashboard_items(brand: Brand) -> list[DashboardItem]:
    """Every registered feature's to-dos for this brand: urgent ones (a deadline passed) first, then in
    registration order."""
    items = [item for provider in ITEM_PROVIDERS for item in provider(brand)]
    return sorted(items, key=lambda item: not (item.urgent and item.count > 0))
