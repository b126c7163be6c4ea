"""A mediator finds their desk from every page; nobody else sees the link."""
from __future__ import annotations

from tests.conftest import login


def test_the_main_navigation_links_a_mediator_to_their_desk(app, panel, make, client):
    with app.test_request_context():
        scene = panel()
        member = make.member(scene.brand)
    login(client, scene.mediators[0])
    assert 'href="/mediator/"' in client.get("/b/acme/").get_data(as_text=True)
    client.post("/logout")
    login(client, member)
    assert 'href="/mediator/"' not in client.get("/b/acme/").get_data(as_text=True)
