"""The notification kinds of mandates (a contract to sign is a mandatory notice)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from institutions.features import NotificationKindDeclaration

CONTRACT_KIND = "contract"    # a contract to sign, countersign, or an end notice: always e-mailed
MISSION_KIND = "missions"     # mission orders, reports and reviews
ADVOCACY_KIND = "advocacy"    # applications and advocate recognition

KINDS = (
    NotificationKindDeclaration(CONTRACT_KIND, _l("Contracts to sign and notices about my mandates"), mandatory=True),
    NotificationKindDeclaration(MISSION_KIND, _l("Mission orders and their reviews")),
    NotificationKindDeclaration(ADVOCACY_KIND, _l("Ambassador applications and advocate recognition")),
)
