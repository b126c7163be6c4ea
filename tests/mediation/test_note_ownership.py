"""Private notes belong to their author: a mediator who takes over a case never reads the previous one's."""
from __future__ import annotations

from datetime import timedelta

from extensions import db
from institutions import clock
from mediation import admissibility
from mediation.models import MediationCase
from mediation.timeline import record_event
from tests.conftest import bearer, login
from tests.mediation.exchange_fixtures import insert_mediator


def _take_over(make, scene):
    """The complainant objects to the first mediator in time, the platform reassigns the case to a second one."""
    second_user, second_entry = insert_mediator(make, scene.brand, name="Noor Neutral")
    admin = make.user(name="Ada Admin", admin=True)
    case = db.session.get(MediationCase, scene.case.id)
    objection = admissibility.raise_objection(case, scene.complainant, "She knows the brand's manager.")
    admissibility.decide_objection(objection, admin, "reassigned", "A fair doubt is enough.")
    db.session.commit()
    assert case.mediator_id == second_entry.id
    return second_user


def _scene(case_scene):
    """A case whose mediator was assigned yesterday: the complainant's 7 days to object still run."""
    scene = case_scene()
    record_event(scene.case, "assigned", None, at=clock.utcnow() - timedelta(days=1))
    db.session.commit()
    return scene


def test_the_new_mediator_does_not_see_the_previous_ones_notes_on_the_page(app, make, case_scene):
    scene = _scene(case_scene)
    page = f"/b/{scene.brand.slug}/cases/{scene.case.id}"
    first = app.test_client()
    login(first, scene.mediator)
    assert first.post(f"{page}/notes", data={"note-body": "Brand evasive, secret"}).status_code == 302
    second_user = _take_over(make, scene)
    second = app.test_client()
    login(second, second_user)
    html = second.get(page).text
    assert "My private notes" in html and "Brand evasive, secret" not in html
    assert second.post(f"{page}/notes", data={"note-body": "Fresh start"}).status_code == 302
    html = second.get(page).text
    assert "Fresh start" in html and "Brand evasive, secret" not in html


def test_the_new_mediator_does_not_see_the_previous_ones_notes_in_the_api(app, client, make, case_scene):
    scene = _scene(case_scene)
    url = f"/api/v1/brands/{scene.brand.slug}/cases/{scene.case.id}"
    assert client.post(f"{url}/notes", json={"body": "Brand evasive, secret"},
                       headers=bearer(scene.mediator)).status_code == 201
    second_user = _take_over(make, scene)
    headers = bearer(second_user)
    assert client.get(f"{url}/notes", headers=headers).get_json()["items"] == []
    everything = client.get(f"{url}/messages", headers=headers).get_json()["items"]
    assert all(item["body"] != "Brand evasive, secret" for item in everything)
    assert client.post(f"{url}/notes", json={"body": "Fresh start"}, headers=headers).status_code == 201
    assert [i["body"] for i in client.get(f"{url}/notes", headers=headers).get_json()["items"]] == ["Fresh start"]
