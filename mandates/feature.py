"""The mandates pillar's manifest: what it adds to the core."""
from __future__ import annotations

from institutions.features import Feature
from institutions.models import OfficeKind
from mandates import (advocates, applications, benefits, cli, clock, demo, missions, notices, permissions, registry,
                      staff_dashboard, ties)
from mandates import privacy
from mandates.api import community as community_api
from mandates.api import contracts as contract_api
from mandates.api import registry as registry_api
from mandates.views import community as community_views
from mandates.views import contracts as contract_views
from mandates.views import missions as mission_views
from mandates.views import registry as registry_views

FEATURE = Feature(
    name="mandates",
    blueprints=(contract_views.blueprint, mission_views.blueprint, community_views.blueprint,
                registry_views.blueprint),
    api_blueprints=(contract_api.blueprint, community_api.blueprint, registry_api.blueprint),
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
        "contracts": privacy.export_contracts,
        "signatures": privacy.export_signatures,
    },
    erasers=(advocates.erase_declarations, applications.erase_applications, privacy.erase_contracts),
    record_kinds=privacy.RECORD_KINDS,
    brand_ties=(ties.brand_ties,),
    demo_loader=demo.load_demo_mandates,
    clock=clock.advance,
)
