"""The core's own manifest: accounts, brands, the charter, the admin pages, the JSON API and representations."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from institutions import cli, customer_import, permissions, privacy
from institutions.account_views import blueprint as accounts
from institutions.admin_views import blueprint as admin
from institutions.api import blueprint as api
from institutions.brand_views import blueprint as brands
from institutions.customer_views import blueprint as customers, review_items
from institutions.features import Feature, NotificationKindDeclaration, RecordKind
from institutions.models import AccountToken, Notification, OfficeKind, OutboxMessage
from institutions.representations import api as representation_api, service as representations
from institutions.representations import views as representation_views
from institutions.job_views import blueprint as job_pages
from institutions.site_views import blueprint as site

# The core's own kinds of personal data (GDPR arts 5(1)(e), 13): the pillars declare theirs in their manifests.
RECORD_KINDS = (
    RecordKind("account", purpose=_l("Your account: e-mail address, name, language, memberships, staff roles."),
               recipients=_l("You; the brands you belong to see your membership and customer number."),
               retention=_l("Until you delete the account; then only the pseudonym stays.")),
    RecordKind("notifications", purpose=_l("Telling you of what concerns you (in the app and by e-mail)."),
               recipients=_l("You; e-mails go through the platform's mail server."),
               retention=_l("One year, then deleted (deleted with the account at once)."),
               retention_days=365,
               purge=privacy.purger("notifications and sent e-mails", Notification.created_at, OutboxMessage.sent_at)),
    RecordKind("account_links", purpose=_l("Confirming your e-mail address and resetting your password."),
               recipients=_l("You."), retention=_l("Thirty days after the link expired, then deleted."),
               retention_days=30, purge=privacy.purger("expired account links", AccountToken.expires_at)),
    RecordKind("audit_trail", purpose=_l("Proving what was done and when, in a chain nobody can rewrite unnoticed."),
               recipients=_l("The brand's staff; public acts are public."),
               retention=_l("Kept as long as the platform runs: events name people by pseudonym only.")),
)

FEATURE = Feature(
    name="institutions",
    blueprints=(site, accounts, brands, customers, admin, job_pages, representation_views.blueprint),
    api_blueprints=(api, representation_api.blueprint),
    commands=cli.COMMANDS,
    template_permissions=permissions.TEMPLATE_PERMISSIONS,
    dashboard_items=(review_items, representation_views.representation_items),
    office_summaries=((OfficeKind.PRESIDENT, representation_views.president_summary),),
    notification_kinds=(NotificationKindDeclaration(
        representations.REPRESENTATION_KIND, _l("Representations of the customer president and the brand's answers")),),
    export_sections={"representations": representations.export_representations},
    erasers=(representations.erase_representations,),
    record_kinds=RECORD_KINDS,
    jobs={customer_import.JOB_KIND: customer_import.run_import_job},
)
