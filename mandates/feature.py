"""The mandates pillar's manifest: what it adds to the core."""
from __future__ import annotations

from institutions.features import Feature
from institutions.models import OfficeKind
from mandates import (advocates, applications, benefits, cli, clock, demo, missions, notices, permissions, registry,
                      staff_dashboard)
from mandates.community_api import blueprint as community_api
from mandates.community_views import blueprint as ambassadors
from mandates.contract_api import blueprint as contract_api
from mandates.contract_views import blueprint as contracts
from mandates.mission_views import blueprint as mission_views
from mandates.registry_api import blueprint as registry_api
from mandates.registry_views import blueprint as registry_views

FEATURE = Feature(
    name="mandates",
    blueprints=(contracts, mission_views, ambassadors, registry_views),
    api_blueprints=(contract_api, community_api, registry_api),
    commands=cli.COMMANDS,
    template_permissions=permissions.TEMPLATE_PERMISSIONS,
    dashboard_items=(staff_dashboard.mandate_items,),
    office_summaries=((OfficeKind.AMBASSADOR, registry.ambassador_summary),
                      (OfficeKind.ADVOCATE, registry.advocate_summary)),
    notification_kinds=notices.KINDS,
    export_sections={
        "advocate_declarations": advocates.export_declarations,
        "ambassador_applications": applications.export_applications,
        "benefits": benefits.export_benefits,
        "mission_orders": missions.export_orders,
    },
    erasers=(advocates.erase_declarations, applications.erase_applications),
    demo_loader=demo.load_demo_mandates,
    clock=clock.advance,
)
