"""What a pillar adds to the core, declared in one place: the feature manifest and its installation.

Each pillar fills one `Feature` in its `feature.py`; `create_app` installs them in a loop. The core never
imports a pillar: it reads what the installed manifests declare (dashboard items, office summaries,
notification kinds, export sections, erasers, role-change hooks, demo loaders, clocks, jobs).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping

import click
from flask import Blueprint, Flask, current_app

from extensions import csrf
from institutions.models import Brand, OfficeKind, User

# A clock advances what is due at `now` (for one brand, or every brand with None) and returns lines saying what it
# did, e.g. ["2 elections opened"]; the `advance` command prints them.
Clock = Callable[[datetime, "Brand | None"], list[str]]
DemoLoader = Callable[[Any], list[tuple[str, str]]]
# A person's ties to a brand that make them partial in its disputes (an office, a mandate, a benefit...): given
# (user id, brand id) pairs, a feature answers, for each pair it ties, the reasons in words (e.g. "the sitting
# presidency"); pairs it does not tie are left out. Batched so that checking a whole panel costs a few queries.
BrandTies = Callable[[set[tuple[int, int]]], Mapping[tuple[int, int], list[str]]]
EXTENSION_KEY = "tribune.features"


@dataclass(frozen=True)
class NotificationKindDeclaration:
    """A kind of notice a feature sends (`mandatory` ones are always e-mailed)."""

    key: str
    label: object
    mandatory: bool = False


@dataclass(frozen=True)
class RecordKind:
    """A kind of personal data: why, who sees it, how long (GDPR 5(1)(e), 13); RETENTION_<KEY>_DAYS overrides the
    default days (None: kept, `retention` says why); `purge(cutoff)` removes what is older and says what it did."""
    key: str
    purpose: object
    recipients: object
    retention: object
    retention_days: int | None = None
    purge: Callable[[datetime], list[str]] | None = None


@dataclass(frozen=True)
class Feature:
    """One pillar's (or the core's own) contributions to the app."""

    name: str
    blueprints: tuple[Blueprint, ...] = ()
    # JSON routes authenticate with bearer tokens only and ignore cookies, so CSRF cannot reach them.
    api_blueprints: tuple[Blueprint, ...] = ()
    commands: tuple[click.Command, ...] = ()
    template_permissions: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    dashboard_items: tuple[Callable[[Brand], list], ...] = ()
    office_summaries: tuple[tuple[OfficeKind, Callable[[Brand], Any]], ...] = ()
    notification_kinds: tuple[NotificationKindDeclaration, ...] = ()
    export_sections: Mapping[str, Callable[[User], Any]] = field(default_factory=dict)
    erasers: tuple[Callable[[User], None], ...] = ()
    export_files: tuple[Callable[[User], list[tuple[str, bytes]]], ...] = ()
    record_kinds: tuple[RecordKind, ...] = ()
    role_change_hooks: tuple[Callable[[User, Brand], None], ...] = ()
    brand_ties: tuple[BrandTies, ...] = ()
    demo_loader: DemoLoader | None = None
    clock: Clock | None = None
    # One-off jobs by name, run by the job queue's worker: `institutions.jobs.enqueue(name, **kwargs)`.
    jobs: Mapping[str, Callable[..., Any]] = field(default_factory=dict)


class FeatureConflict(RuntimeError):
    """Two features declare the same name (a template permission, an export section, a notification kind…)."""


def install_features(app: Flask, features: tuple[Feature, ...]) -> None:
    """Install every feature in order: routes, commands, template permissions, then the core's registries."""
    from institutions import charter, dashboard, notifications, privacy, role_changes

    _refuse_duplicates(features)
    app.extensions[EXTENSION_KEY] = features
    for feature in features:
        for blueprint in feature.blueprints:
            app.register_blueprint(blueprint)
        for blueprint in feature.api_blueprints:
            csrf.exempt(blueprint)
            app.register_blueprint(blueprint)
        for command in feature.commands:
            app.cli.add_command(command)
        app.jinja_env.globals.update(feature.template_permissions)
        # The registries are module-level because they describe code, not data: registering again (a second
        # app in the same process) replaces an entry with itself.
        for kind in feature.notification_kinds:
            notifications.register_kind(kind.key, kind.label, kind.mandatory)
        privacy.EXPORT_SECTIONS.update(feature.export_sections)
        for eraser in feature.erasers:
            if eraser not in privacy.ERASERS:
                privacy.ERASERS.append(eraser)
        privacy.EXPORT_FILES.extend(files for files in feature.export_files if files not in privacy.EXPORT_FILES)
        privacy.RECORD_KINDS.update({kind.key: kind for kind in feature.record_kinds})
        for hook in feature.role_change_hooks:
            role_changes.on_role_change(hook)
        for provider in feature.dashboard_items:
            dashboard.register_dashboard_items(provider)
        for kind, provider in feature.office_summaries:
            charter.register_office_summary(kind, provider)


def _refuse_duplicates(features: tuple[Feature, ...]) -> None:
    """Fail at start-up when two features export the same template name, export section or notification kind."""
    names = [feature.name for feature in features]
    _check("feature", [(name, name) for name in names])
    _check("template name", [(key, f.name) for f in features for key in f.template_permissions])
    _check("export section", [(key, f.name) for f in features for key in f.export_sections])
    _check("notification kind", [(kind.key, f.name) for f in features for kind in f.notification_kinds])
    _check("command", [(command.name, f.name) for f in features for command in f.commands])
    _check("record kind", [(kind.key, f.name) for f in features for kind in f.record_kinds])
    _check("job", [(name, f.name) for f in features for name in f.jobs])


def _check(what: str, entries: list[tuple[str, str]]) -> None:
    seen: dict[str, str] = {}
    for key, owner in entries:
        if key in seen:
            raise FeatureConflict(f"{what} {key!r} is declared by both {seen[key]!r} and {owner!r}")
        seen[key] = owner


def installed_features() -> tuple[Feature, ...]:
    """The features of the running app, in installation order."""
    return current_app.extensions.get(EXTENSION_KEY, ())


def clocks() -> list[tuple[str, Clock]]:
    """Every installed feature's clock, by feature name, in installation order."""
    return [(feature.name, feature.clock) for feature in installed_features() if feature.clock is not None]


def jobs() -> dict[str, Callable[..., Any]]:
    """Every installed feature's one-off jobs, by name (the job queue's worker runs them)."""
    return {name: function for feature in installed_features() for name, function in feature.jobs.items()}


def demo_loaders() -> list[DemoLoader]:
    """Every installed feature's demo loader, in installation order."""
    return [feature.demo_loader for feature in installed_features() if feature.demo_loader is not None]


def brand_ties(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], list[str]]:
    """What every installed feature declares tying each (user id, brand id) pair; untied pairs are absent."""
    found: dict[tuple[int, int], list[str]] = {}
    if not pairs:
        return found
    for feature in installed_features():
        for ties in feature.brand_ties:
            for pair, reasons in ties(set(pairs)).items():
                if pair in pairs and reasons:
                    found.setdefault(pair, []).extend(reasons)
    return found


def ties_to_brand(user: User, brand: Brand) -> list[str]:
    """The reasons, in words, this person is tied to this brand (empty: no declared tie)."""
    return brand_ties({(user.id, brand.id)}).get((user.id, brand.id), [])
