"""The core's own manifest: accounts, brands, the charter, the admin pages, the JSON API and representations."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from institutions import cli, permissions
from institutions.account_views import blueprint as accounts
from institutions.admin_views import blueprint as admin
from institutions.api import blueprint as api
from institutions.brand_views import blueprint as brands
from institutions.customer_views import blueprint as customers, review_items
from institutions.features import Feature, NotificationKindDeclaration
from institutions.models import OfficeKind
from institutions.representations import api as representation_api, service as representations
from institutions.representations import views as representation_views
from institutions.site_views import blueprint as site

FEATURE = Feature(
    name="institutions",
    blueprints=(site, accounts, brands, customers, admin, representation_views.blueprint),
    api_blueprints=(api, representation_api.blueprint),
    commands=cli.COMMANDS,
    template_permissions=permissions.TEMPLATE_PERMISSIONS,
    dashboard_items=(review_items, representation_views.representation_items),
    office_summaries=((OfficeKind.PRESIDENT, representation_views.president_summary),),
    notification_kinds=(NotificationKindDeclaration(
        representations.REPRESENTATION_KIND, _l("Representations of the customer president and the brand's answers")),),
    export_sections={"representations": representations.export_representations},
    erasers=(representations.erase_representations,),
)
