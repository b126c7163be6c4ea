"""Certified results print the audit chain's head, so a printed result can later be checked against the chain."""
from __future__ import annotations

from datetime import timedelta

from elections.certification import certify
from extensions import db
from institutions import audit
from tests.elections.conftest import VOTING_CLOSE


def test_certified_results_print_the_chain_head(voting_scene, client):
    scene = voting_scene("plurality", members=4, candidates=2)
    for voter in scene.members[:3]:
        scene.vote(voter, {"choice": scene.candidates[0].id})
    scene.at(VOTING_CLOSE + timedelta(minutes=1))
    results = f"/b/{scene.brand.slug}/elections/{scene.election.id}/results"
    assert "Audit chain head" not in client.get(results).text  # counted, not certified yet
    certify(scene.election, scene.staff)
    db.session.commit()
    head = audit.chain_head()
    page = client.get(results).text
    assert "Audit chain head" in page and f"#{head.number}" in page and head.hash in page
