"""The mediation pillar's manifest: what it adds to the core."""
from __future__ import annotations

from institutions.features import Feature
from mediation import cli, clock, demo, exchange, filing, notices, permissions, roster
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
    export_sections={"case_exchange": exchange.export_exchange, "mediation_cases": filing.export_cases},
    erasers=(roster.erase_mediator,),
    role_change_hooks=(roster.recheck_conflicts,),
    demo_loader=demo.load_demo_cases,
    clock=clock.advance,
)
