"""The elections pillar's manifest: what it adds to the core."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from elections import cli, clock, demo, export_jobs, permissions, privacy, reminders, staff_dashboard, ties
from elections.api.elections import blueprint as elections_api
from elections.views.elections import blueprint as elections_views
from elections.views.recall import blueprint as recall_views
from institutions.features import Feature, NotificationKindDeclaration

FEATURE = Feature(
    name="elections",
    blueprints=(elections_views, recall_views),
    api_blueprints=(elections_api,),
    commands=cli.COMMANDS,
    template_permissions=permissions.TEMPLATE_PERMISSIONS,
    dashboard_items=(staff_dashboard.election_items,),
    notification_kinds=(NotificationKindDeclaration("elections", _l("Elections of my brands (nominations, results)")),
                        NotificationKindDeclaration(reminders.KIND,
                                                    _l("Reminders to vote before an election closes, if I have not"))),
    export_sections={"elections": privacy.export_elections},
    erasers=(privacy.erase_candidacies,),
    record_kinds=privacy.RECORD_KINDS,
    brand_ties=(ties.presidency_ties,),
    demo_loader=demo.load_demo_elections,
    clock=clock.advance,
    jobs={export_jobs.JOB_KIND: export_jobs.run_export_job},
)
