"""Feature manifests: every pillar is installed from its manifest, and two features cannot claim one name."""
from __future__ import annotations

import pytest
from flask import Blueprint, Flask

from institutions.features import Feature, FeatureConflict, NotificationKindDeclaration, installed_features
from institutions.features import install_features


def _can_do(user) -> bool:
    return True


def test_the_app_installs_the_core_and_the_three_pillars(app):
    with app.app_context():
        assert [feature.name for feature in installed_features()] == ["institutions", "elections", "mandates",
                                                                        "mediation"]
        assert {"elections", "mandates", "cases", "advance", "demo"} <= set(app.cli.commands)
        # Each pillar's template permissions reach the templates (one name from each).
        for name in ("can_edit_charter", "can_vote", "can_sign_contract", "can_view_case"):
            assert callable(app.jinja_env.globals[name])


@pytest.mark.parametrize("second", [
    Feature(name="b", template_permissions={"can_do": _can_do}),
    Feature(name="b", export_sections={"things": lambda user: {}}),
    Feature(name="b", notification_kinds=(NotificationKindDeclaration("things", "Things"),)),
    Feature(name="a"),
], ids=["template name", "export section", "notification kind", "feature name"])
def test_two_features_cannot_export_the_same_name(second):
    first = Feature(name="a", template_permissions={"can_do": _can_do}, export_sections={"things": lambda user: {}},
                    notification_kinds=(NotificationKindDeclaration("things", "Things"),))
    app = Flask("conflict")
    with pytest.raises(FeatureConflict):
        install_features(app, (first, second))
    assert "can_do" not in app.jinja_env.globals  # refused before anything was installed


def test_a_feature_brings_its_routes_and_permissions():
    blueprint = Blueprint("things", __name__)
    blueprint.add_url_rule("/things", "index", lambda: "things")
    app = Flask("one")
    install_features(app, (Feature(name="things", blueprints=(blueprint,), template_permissions={"can_do": _can_do}),))
    assert app.test_client().get("/things").text == "things"
    assert app.jinja_env.globals["can_do"] is _can_do
