"""The mediator's queue, the brand's list and my cases run a bounded number of queries whatever the number of cases."""
from __future__ import annotations

from extensions import db
from mediation import admissibility, outcome
from tests.conftest import bearer
from tests.mediation.filing_fixtures import file_case
from tests.conftest import login


def _add(scene, carla, make, rounds: int) -> None:
    """Cases in several states: filed, incomplete, open, answered, with a proposal, collective with members."""
    maya = scene.mediators[0]
    for index in range(rounds):
        kind = index % 5
        case = file_case(scene, carla, collective=kind == 4)
        if kind == 1:
            admissibility.mark_incomplete(case, maya, "The invoice")
        elif kind >= 2:
            admissibility.open_case(case, maya)
            if kind >= 3:
                admissibility.brand_answer(case, scene.staff, "We take part.")
            if kind == 3:
                outcome.propose(case, maya, "A new frame.")
            if kind == 4:
                from mediation import filing

                filing.join_case(case, make.member(scene.brand))
        db.session.commit()


def _count(client, count_queries, path, **kwargs):
    with count_queries() as counter:
        response = client.get(path, **kwargs)
        assert response.status_code == 200, (path, response.status_code)
    return counter.count


def test_case_lists_do_not_grow_with_the_cases(app, panel, make, count_queries):
    scene = panel()
    carla = make.member(scene.brand)
    clients = {}
    for name, person in (("mediator", scene.mediators[0]), ("staff", scene.staff), ("carla", carla)):
        clients[name] = app.test_client()
        login(clients[name], person)
    headers = {name: bearer(person) for name, person in (("mediator", scene.mediators[0]), ("staff", scene.staff),
                                                           ("carla", carla))}
    paths = [("mediator", "/mediator/", {}), ("staff", "/b/acme/cases/brand", {}), ("carla", "/b/acme/cases/", {}),
             ("mediator", "/api/v1/mediator/cases", {"headers": headers["mediator"]}),
             ("staff", "/api/v1/brands/acme/cases", {"headers": headers["staff"]}),
             ("carla", "/api/v1/me/cases", {"headers": headers["carla"]})]
    _add(scene, carla, make, 5)
    for who, path, options in paths:  # a token's first use records it: not counted
        clients[who].get(path, **options)
    few = [_count(clients[who], count_queries, path, **options) for who, path, options in paths]
    _add(scene, carla, make, 20)
    many = [_count(clients[who], count_queries, path, **options) for who, path, options in paths]
    assert many == few
    page = clients["mediator"].get("/mediator/").text
    assert page.count("Case #") >= 20
