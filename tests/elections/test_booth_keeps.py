"""The booth keeps what the voter entered: the receipt survives a language switch, "change my choice" keeps it."""
from __future__ import annotations

import re

import pytest

from tests.conftest import login

NEXT = re.compile(r'name="next" value="([^"]*)"')


def _booth(scene):
    return f"/b/{scene.brand.slug}/elections/{scene.election.id}"


def _cast(client, scene, voter):
    login(client, voter)
    confirm = client.post(f"{_booth(scene)}/vote", data={"choice": str(scene.candidates[0].id)}).text
    choice = re.search(r'name="choice" value="([^"]+)"', confirm).group(1).replace("&#34;", '"')
    return client.post(f"{_booth(scene)}/vote/cast", data={"choice": choice})


def test_the_receipt_warns_before_the_code_is_lost_and_its_language_switch_goes_to_a_page(voting_scene, client):
    scene = voting_scene()
    receipt = _cast(client, scene, scene.members[3])
    page = receipt.text
    assert "Keep your tracker code before you leave this page." in page
    assert "changing the language shows it no more" in page
    next_value = NEXT.search(page).group(1)
    assert next_value == _booth(scene)  # the election page, never the POST-only /vote/cast
    switched = client.post("/language", data={"language": "fr", "next": next_value})
    assert switched.status_code == 302 and switched.headers["Location"] == _booth(scene)
    assert client.get(switched.headers["Location"]).status_code == 200


@pytest.mark.parametrize("target, expected", [
    ("/b/acme/elections/{id}/vote/cast", "/b/acme/elections/{id}/vote"),
    ("/b/acme/elections/{id}/certify", "/b/acme/elections/{id}"),
    ("/b/acme/elections/{id}?tab=1", "/b/acme/elections/{id}?tab=1"),
    ("/logout", "/"),
    ("https://evil.example/", "/"),
])
def test_the_language_switch_never_ends_on_a_post_only_address(voting_scene, client, target, expected):
    scene = voting_scene()
    target, expected = (value.format(id=scene.election.id) for value in (target, expected))
    switched = client.post("/language", data={"language": "fr", "next": target})
    assert switched.status_code == 302 and switched.headers["Location"] == expected
    assert client.get(expected).status_code != 405


CHANGE_FORM = re.compile(r'<form[^>]*class="calls change-form"[^>]*>(.*?)</form>', re.S)


def _change_my_choice(client, scene, fields):
    """Review the ballot, then press "Change my choice": the ballot page as it comes back."""
    confirm = client.post(f"{_booth(scene)}/vote", data=fields).text
    assert "Check your ballot" in confirm
    form = CHANGE_FORM.search(confirm).group(1)
    carried = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    data = {}
    for name, value in carried:
        data.setdefault(name, []).append(value)
    back = client.post(f"{_booth(scene)}/vote", data=data)
    assert back.status_code == 200 and "Check your ballot" not in back.text and "Review my ballot" in back.text
    return back.text


def test_change_my_choice_brings_the_ranking_back(voting_scene, client):
    scene = voting_scene("irv", candidates=3)
    a, b, c = (x.id for x in scene.candidates)
    login(client, scene.members[4])
    page = _change_my_choice(client, scene, {"rank-1": str(c), "rank-2": str(a)})
    selected = {rank: re.findall(r'<option value="(\d+)" selected>', select)
                for rank, select in re.findall(r'<select id="rank-(\d)"[^>]*>(.*?)</select>', page, re.S)}
    assert selected == {"1": [str(c)], "2": [str(a)], "3": []}


def test_change_my_choice_brings_the_grades_and_approvals_back(voting_scene, client):
    scene = voting_scene("majority-judgment")
    a, b = (x.id for x in scene.candidates)
    login(client, scene.members[4])
    page = _change_my_choice(client, scene, {f"grade-{a}": "1", f"grade-{b}": "4"})
    assert re.search(rf'id="grade-{a}-1"[^>]*checked', page) and re.search(rf'id="grade-{b}-4"[^>]*checked', page)
    assert not re.search(rf'id="grade-{a}-0"[^>]*checked', page)


def test_change_my_choice_brings_the_approvals_back(voting_scene, client):
    scene = voting_scene("approval", candidates=3)
    a, b, c = (x.id for x in scene.candidates)
    login(client, scene.members[4])
    page = _change_my_choice(client, scene, {"approvals": [str(a), str(c)]})
    assert re.search(rf'id="approve-{a}"[^>]*checked', page) and re.search(rf'id="approve-{c}"[^>]*checked', page)
    assert not re.search(rf'id="approve-{b}"[^>]*checked', page)
