"""The mediation pillar's manifest: what it adds to the core."""
from __future__ import annotations

from institutions.features import Feature
from mediation import cli, clock, demo, exchange, filing, notices, permissions, privacy, report_jobs, roster
from mediation.api import cases as cases_api, exchange as exchange_api, report as report_api
from mediation.views import cases, exchange as exchange_views, mediators, report, roster as roster_views

FEATURE = Feature(
    name="mediation",
    blueprints=(cases.blueprint, exchange_views.blueprint, mediators.blueprint, roster_views.blueprint,
                report.blueprint),
    api_blueprints=(cases_api.blueprint, exchange_api.blueprint, report_api.blueprint),
    commands=cli.COMMANDS,
    template_permissions=permissions.TEMPLATE_PERMISSIONS,
    dashboard_items=(cases.brand_dashboard_items, exchange_views.brand_to_dos),
    notification_kinds=notices.KINDS,
    export_sections={"case_exchange": exchange.export_exchange, "mediation_cases": filing.export_cases,
                     "case_files": privacy.export_case_files, "mediator_roster": privacy.export_roster},
    # Withdrawing open cases first, while the complainant is still a party who may withdraw.
    erasers=(privacy.withdraw_open_cases, roster.erase_mediator),
    export_files=(privacy.export_attachments,),
    record_kinds=privacy.RECORD_KINDS,
    role_change_hooks=(roster.recheck_conflicts,),
    demo_loader=demo.load_demo_cases,
    clock=clock.advance,
    jobs={report_jobs.JOB_KIND: report_jobs.run_build_job},
)
