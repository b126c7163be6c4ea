"""A member votes in the browser in each voting method, finds their tracker after close, and the
results page names the same winner as the recount tool run on the downloaded PrefLib export.

The scene (tests/elections/conftest.py): candidates "Member 0", "Member 1" and "Member 2", seven
verified voters. Six of them vote through the ballot box service; "Member 6" votes in the browser.
Each method's ballots are chosen so the count needs no lot and the winner is known in advance.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Callable

import pytest
from playwright.sync_api import Page, expect

from institutions import clock
from tests.conftest import PASSWORD
from tests.elections.conftest import VOTING_CLOSE

ROOT = Path(__file__).resolve().parents[2]
TRACKER = re.compile(r"^[A-Z0-9]{5}(-[A-Z0-9]{5}){3}$")
A, B, C = "Member 0", "Member 1", "Member 2"  # the candidates, in ballot order
VOTER_INDEX = 6  # "Member 6" votes in the browser


def _pick(page: Page, name: str) -> None:
    page.get_by_role("radio", name=name, exact=True).check()


def _approve(page: Page, *names: str) -> None:
    for name in names:
        page.get_by_role("checkbox", name=name, exact=True).check()


def _rank(page: Page, *names: str) -> None:
    """One select per rank; ranks left after the last name stay empty."""
    for position, name in enumerate(names, start=1):
        label = "Rank 1 (your first choice)" if position == 1 else f"Rank {position}"
        page.get_by_label(label, exact=True).select_option(label=name)


def _grade(page: Page, grades: dict[str, str]) -> None:
    for name, grade in grades.items():
        page.get_by_role("group", name=f"Your grade for {name}", exact=True).get_by_label(grade, exact=True).check()


@dataclass
class Case:
    method: str
    others: list  # the six other voters' choices, by candidate letter (see _choice)
    fill: Callable[[Page], None]  # how Member 6 fills the ballot
    says: list  # what the confirmation page and the tracker check show of Member 6's ballot (see _shows)
    winner: str
    javascript: bool = True


CASES = [
    # B 3, A 2, C 1 + Member 6's C: B wins.
    Case("plurality", [A, B, B, C, B, A], lambda page: _pick(page, C), [f"Chosen: {C}"], B),
    # Approvals: B 4, A 3, C 3 (Member 6 approves A and C).
    Case("approval", [[B], [B, C], [A, B], [B], [C], [A]], lambda page: _approve(page, A, C),
         ["2 candidates approved:", A, C], B),
    # First choices A 3, B 3, C 1 (Member 6's, ranking only two): C is eliminated and Member 6's
    # ballot goes to A, who wins 4 to 3.
    Case("irv", [[A, B], [A, C, B], [A, B], [B, A], [B, C], [B]], lambda page: _rank(page, C, A),
         ["Ranking, from the first choice:", C, A, "Candidates left unranked count as ranked below"], A),
    # A beats B 5-2 and C 4-3: the Condorcet winner. Filled with JavaScript off (plain selects).
    Case("schulze", [[A, B, C], [A, C, B], [B, A, C], [B, C, A], [C, A, B], [A, B, C]],
         lambda page: _rank(page, C, A, B), ["Ranking, from the first choice:", C, A, B], A, javascript=False),
    # Medians: A Good, B Very good, C Fair: B wins.
    Case("majority-judgment",
         [{A: 1, B: 0, C: 3}, {A: 1, B: 1, C: 4}, {A: 2, B: 0, C: 5}, {A: 3, B: 1, C: 2}, {A: 0, B: 2, C: 3},
          {A: 2, B: 1, C: 4}],
         lambda page: _grade(page, {A: "Good", B: "Poor", C: "Excellent"}),
         ["Grades given", (A, "Good"), (B, "Poor"), (C, "Excellent")], B),
]


def _choice(method: str, vote, ids: dict[str, int]) -> dict:
    """A choice for elections.ballot_box.cast_ballot from candidate names."""
    if method == "plurality":
        return {"choice": ids[vote]}
    if method == "approval":
        return {"approvals": [ids[name] for name in vote]}
    if method in ("irv", "schulze"):
        return {"ranking": [ids[name] for name in vote]}
    return {"grades": {ids[name]: grade for name, grade in vote.items()}}


def _shows(region, says: list) -> None:
    """Each text is in the region; a (candidate, grade) pair is a row of its table."""
    for item in says:
        if isinstance(item, tuple):
            name, grade = item
            row = region.get_by_role("row").filter(has=region.page.get_by_role("rowheader", name=name, exact=True))
            expect(row.get_by_role("cell")).to_have_text(grade)
        else:
            expect(region).to_contain_text(item)


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def _open_election(page: Page, base: str, brand, title: str) -> None:
    """From the brand's home, through its Elections section, to the election's page."""
    page.goto(f"{base}/b/{brand.slug}/")
    page.get_by_role("navigation", name=f"Sections of {brand.name}").get_by_role("link", name="Elections").click()
    expect(page.get_by_role("heading", name=f"Elections of {brand.name}", level=1)).to_be_visible()
    page.get_by_role("row").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()


def _recount(path: Path, method: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "elections.recount", str(path), "--method", method, "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"recount failed ({done.returncode}): {done.stderr}"
    return json.loads(done.stdout)


@pytest.mark.parametrize("case", CASES, ids=[case.method for case in CASES])
def test_a_member_votes_finds_their_tracker_and_the_results_match_the_recount(
        case, voting_scene, live_server, new_context, tmp_path):
    scene = voting_scene(case.method, members=VOTER_INDEX + 1, candidates=3)
    ids = {candidacy.display_name: candidacy.id for candidacy in scene.candidates}
    assert set(ids) == {A, B, C}
    voters = scene.members[:VOTER_INDEX]
    for voter, vote in zip(voters, case.others, strict=True):
        scene.vote(voter, _choice(case.method, vote, ids))
    member = scene.members[VOTER_INDEX]
    email, brand, title = member.email, scene.brand, scene.election.title

    page = new_context(java_script_enabled=case.javascript, accept_downloads=True).new_page()
    _sign_in(page, live_server, email)

    # To the booth, from the brand's elections list.
    _open_election(page, live_server, brand, title)
    page.get_by_role("button", name="Vote", exact=True).click()
    expect(page.get_by_role("heading", name=f"Your ballot: {title}", level=1)).to_be_visible()
    case.fill(page)
    page.get_by_role("button", name="Review my ballot").click()

    # The confirmation step repeats the choice before anything is cast.
    expect(page.get_by_role("heading", name="Check your ballot", level=1)).to_be_visible()
    _shows(page.get_by_role("region", name="Your choice"), case.says)
    page.get_by_role("button", name="Cast my ballot").click()

    # The tracker, shown once.
    expect(page.get_by_role("heading", name="Your ballot is cast", level=1)).to_be_visible()
    tracker = page.get_by_role("region", name="Your tracker code").get_by_role("code").inner_text().strip()
    assert TRACKER.match(tracker), tracker

    # Voting closes; the next page view closes and counts the election.
    clock.freeze(VOTING_CLOSE + timedelta(minutes=1))
    _open_election(page, live_server, brand, title)
    result = page.get_by_role("region", name="Result")
    expect(result).to_contain_text("Winner of the count:")
    result.get_by_role("link", name="Bulletin board: every ballot, and checking your tracker").click()

    # The member finds their ballot on the bulletin board, and what it says.
    expect(page.get_by_role("heading", name=f"Bulletin board: {title}", level=1)).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text(f"{VOTER_INDEX + 1} ballots")
    page.get_by_label("Your tracker code").fill(tracker.lower())  # case does not matter
    page.get_by_role("button", name="Check my tracker").click()
    check = page.get_by_role("status")
    expect(check).to_contain_text("Found: Your ballot is in the box.")
    _shows(check, case.says)

    # The results page names the winner...
    page.get_by_role("link", name="Compare with the published results").click()
    expect(page.get_by_role("heading", name=f"Results: {title}", level=1)).to_be_visible()
    outcome = page.get_by_role("region", name="Outcome").inner_text()
    shown = re.search(r"Winner of the count:\s*(.+?)\s*\(takes office", outcome)
    assert shown, f"no winner on the results page: {outcome!r}"
    winner = shown.group(1)
    assert winner == case.winner

    # ... and the recount tool, run on the PrefLib file downloaded from that page, finds the same.
    extension = "cat" if case.method == "majority-judgment" else "toi"
    with page.expect_download() as download_info:
        page.get_by_role("region", name="Check the count yourself").get_by_role(
            "link", name="All ballots in the PrefLib format").click()
    download = download_info.value
    assert download.suggested_filename.endswith(f"-ballots.{extension}"), download.suggested_filename
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    recount = _recount(path, case.method)
    assert recount["ballots"] + recount["blank"] == VOTER_INDEX + 1
    assert not recount["tie_broken_by_lot"]
    assert recount["winner"] == winner


def test_with_javascript_a_ranked_candidate_cannot_be_picked_twice_and_the_ranking_is_read_back(
        voting_scene, live_server, new_context):
    scene = voting_scene("irv", members=VOTER_INDEX + 1, candidates=3)
    member = scene.members[VOTER_INDEX]
    page = new_context().new_page()
    _sign_in(page, live_server, member.email)
    page.goto(f"{live_server}/b/{scene.brand.slug}/elections/{scene.election.id}/vote")
    page.get_by_label("Rank 1 (your first choice)", exact=True).select_option(label=A)
    expect(page.get_by_label("Rank 2", exact=True).get_by_role("option", name=A)).to_be_disabled()
    summary = page.get_by_role("status")
    expect(summary).to_have_text(f"Your ranking: 1. {A}")
    page.get_by_label("Rank 3", exact=True).select_option(label=B)
    expect(summary).to_contain_text("A rank is empty but a later rank is filled")
