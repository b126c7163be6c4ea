"""The notification kind of cases: deadlines and acts in a case are mandatory notices (always e-mailed)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from institutions.features import NotificationKindDeclaration

CASE_KIND = "cases"

KINDS = (NotificationKindDeclaration(CASE_KIND, _l("My mediation cases: acts and deadlines"), mandatory=True),)
