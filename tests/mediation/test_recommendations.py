"""Panel mediators write recommendations that the annual report shows next to the recurring problems."""
from __future__ import annotations

import pytest

from extensions import db
from mediation import filing, recommendations, report
from institutions.errors import Forbidden, NotFound, ValidationFailed
from tests.mediation.filing_fixtures import file_case
from tests.conftest import login


def test_a_recommendation_appears_beside_its_recurring_problem(ctx, panel, make):
    scene = panel()
    category = filing.categories_for(scene.brand)[0]
    for _ in range(2):
        file_case(scene, make.member(scene.brand))
    recommendations.write_recommendation(scene.brand, scene.mediators[0], category.id, 2027,
                                         "Check frames before shipping.")
    db.session.commit()
    year = report.annual_report(scene.brand, 2027)
    line = next(line for line in year.categories if line.key == category.key)
    assert line.recurring and line.recommendations == ["Check frames before shipping."]
    assert report.as_dict(year)["categories"][0]["recommendations"] == ["Check frames before shipping."]


def test_only_panel_mediators_write_and_the_input_is_checked(ctx, panel, make):
    scene = panel()
    category = filing.categories_for(scene.brand)[0]
    other = panel(slug="other")
    with pytest.raises(Forbidden):
        recommendations.write_recommendation(scene.brand, scene.staff, category.id, 2027, "Do better.")
    with pytest.raises(NotFound):
        recommendations.write_recommendation(scene.brand, scene.mediators[0],
                                             filing.categories_for(other.brand)[0].id, 2027, "Do better.")
    with pytest.raises(ValidationFailed) as future:
        recommendations.write_recommendation(scene.brand, scene.mediators[0], category.id, 2031, "Do better.")
    assert "year" in future.value.fields
    with pytest.raises(ValidationFailed) as empty:
        recommendations.write_recommendation(scene.brand, scene.mediators[0], category.id, 2027, "  ")
    assert "text" in empty.value.fields


def test_the_mediator_publishes_from_the_categories_page(app, panel, client, make):
    with app.test_request_context():
        scene = panel()
        category_id = filing.categories_for(scene.brand)[0].id
        for _ in range(2):
            file_case(scene, make.member(scene.brand))
    login(client, scene.mediators[0])
    page = client.get("/mediator/brands/acme/categories")
    assert page.status_code == 200 and "Publish the recommendation" in page.get_data(as_text=True)
    bad = client.post("/mediator/brands/acme/recommendations", data={"category": category_id, "year": 2027,
                                                                     "text": ""})
    assert bad.status_code == 422
    done = client.post("/mediator/brands/acme/recommendations",
                       data={"category": category_id, "year": 2027, "text": "Answer within a week."})
    assert done.status_code == 302
    assert "Answer within a week." in client.get("/b/acme/mediation/report/2027").get_data(as_text=True)
    assert "Answer within a week." not in client.get("/b/acme/mediation/report/2026").get_data(as_text=True)


def test_the_api_publishes_and_refuses_with_the_field(app, panel, client):
    from tests.conftest import bearer
    with app.test_request_context():
        scene = panel()
        category_id = filing.categories_for(scene.brand)[0].id
        db.session.commit()
        mediator, staff = bearer(scene.mediators[0]), bearer(scene.staff)
    url = "/api/v1/brands/acme/mediation/recommendations"
    body = {"category_id": category_id, "year": 2027, "text": "Answer within a week."}
    assert client.post(url, json=body, headers=staff).status_code == 403
    bad = client.post(url, json={**body, "category_id": "frames"}, headers=mediator)
    assert bad.status_code == 422 and "category" in bad.get_json()["error"]["fields"]
    assert client.post(url, json=body, headers=mediator).status_code == 201
