"""The elections API: create, nominate, cast (201/409/422/403), bulletin board, results, exports."""
from datetime import timedelta

from tests.conftest import T0
from tests.elections.conftest import NOMINATIONS_OPEN, NOMINATIONS_CLOSE, VOTING_CLOSE, VOTING_OPEN, pending_member
from tests.conftest import bearer


def test_ballots_endpoint_codes(voting_scene, make, client):
    scene = voting_scene("irv")
    url = f"/api/v1/elections/{scene.election.id}/ballots"
    voter = bearer(scene.members[2])
    a, b = (c.id for c in scene.candidates)
    response = client.post(url, json={"ranking": [b, a]}, headers=voter)
    assert response.status_code == 201 and len(response.get_json()["tracker"]) == 23
    assert client.post(url, json={"ranking": [a]}, headers=voter).status_code == 409
    bad = client.post(url, json={"ranking": [a, a]}, headers=bearer(scene.members[3]))
    assert bad.status_code == 422 and "ranking" in bad.get_json()["error"]["fields"]
    unknown = client.post(url, json={"vote": a}, headers=bearer(scene.members[3]))
    assert unknown.status_code == 422 and "vote" in unknown.get_json()["error"]["fields"]
    assert client.post(url, json={"blank": True}, headers=bearer(pending_member(make, scene.brand))).status_code == 403
    assert client.post(url, json={"blank": True}, headers=bearer(scene.staff)).status_code == 403
    assert client.post(url, json={"blank": True}).status_code == 401
    assert client.get(f"/api/v1/elections/{scene.election.id}").get_json()["roll_size"] == 5


def test_full_election_through_the_api(app, make, client):
    from institutions import clock

    brand = make.brand(slug="acme")
    staff = bearer(make.staff(brand))
    people = [make.member(brand, started_at=T0 - timedelta(days=30)) for _ in range(4)]
    heads = [bearer(person) for person in people]
    clock.freeze(T0)
    body = {"title": "President 2027", "method": "plurality",
            "nominations_open_at": NOMINATIONS_OPEN.isoformat(), "nominations_close_at": NOMINATIONS_CLOSE.isoformat(),
            "voting_open_at": VOTING_OPEN.isoformat(), "voting_close_at": VOTING_CLOSE.isoformat()}
    assert client.post("/api/v1/brands/acme/elections", json=body, headers=heads[0]).status_code == 403
    bad = client.post("/api/v1/brands/acme/elections", json={**body, "voting_open_at": "tomorrow"}, headers=staff)
    assert bad.status_code == 422 and "voting_open_at" in bad.get_json()["error"]["fields"]
    election = client.post("/api/v1/brands/acme/elections", json=body, headers=staff).get_json()
    eid = election["id"]
    assert client.get(f"/api/v1/elections/{eid}").status_code == 404  # drafts are private
    assert client.post(f"/api/v1/elections/{eid}/open-nominations", headers=staff).get_json()["state"] == "nominations"
    assert client.put(f"/api/v1/elections/{eid}", json=body, headers=staff).status_code == 409
    clock.freeze(NOMINATIONS_OPEN + timedelta(minutes=5))
    mine = client.post(f"/api/v1/elections/{eid}/candidates", headers=heads[0]).get_json()
    theirs = client.post(f"/api/v1/elections/{eid}/candidates", json={"nominee_id": people[1].id},
                         headers=heads[2]).get_json()
    assert theirs["state"] == "nominated"
    client.post(f"/api/v1/elections/{eid}/candidates/{theirs['id']}/accept", headers=heads[1])
    endorsed = client.post(f"/api/v1/elections/{eid}/candidates/{mine['id']}/endorse", headers=heads[3])
    assert endorsed.get_json()["endorsements"] == 1
    assert client.post(f"/api/v1/elections/{eid}/candidates/{mine['id']}/endorse", headers=heads[3]).status_code == 409
    clock.freeze(VOTING_OPEN + timedelta(minutes=5))
    trackers = [client.post(f"/api/v1/elections/{eid}/ballots", json={"choice": mine["id"]}, headers=h)
                .get_json()["tracker"] for h in heads[:3]]
    board = client.get(f"/api/v1/elections/{eid}/bulletin-board").get_json()
    assert board["total"] == 3 and "ballot" not in board["items"][0]
    assert client.get(f"/api/v1/elections/{eid}/results").status_code == 404
    clock.freeze(VOTING_CLOSE + timedelta(minutes=5))
    results = client.get(f"/api/v1/elections/{eid}/results").get_json()
    assert results["winner"] == mine["id"] and results["outcome"] == "winner"
    check = client.post(f"/api/v1/elections/{eid}/bulletin-board/check", json={"tracker": trackers[0]})
    assert check.get_json() == {"found": True, "choice": {"choice": mine["id"]}}
    assert client.post(f"/api/v1/elections/{eid}/certify", headers=staff).get_json()["state"] == "certified"


def test_the_tracker_check_takes_the_code_in_the_body_never_in_the_address(voting_scene, client):
    scene = voting_scene()
    tracker = scene.vote(scene.members[2], {"choice": scene.candidates[0].id})
    url = f"/api/v1/elections/{scene.election.id}/bulletin-board/check"
    assert client.get(url, query_string={"tracker": tracker}).status_code == 405  # the address form is gone
    assert client.post(url, json={"tracker": tracker}).get_json() == {"found": True, "choice": None}
    assert client.post(url, json={"tracker": "AAAAA-AAAAA-AAAAA-AAAAA"}).get_json()["found"] is False
    for body in ({}, {"tracker": "  "}, {"tracker": 12}, {"tracker": tracker, "extra": 1}):
        refused = client.post(url, json=body)
        assert refused.status_code == 422, body
        assert refused.get_json()["error"]["fields"], body
