"""The rules of elections/ballots.py pinned one by one: each canonical line and each refusal."""
from __future__ import annotations

import pytest

from elections import ballots
from elections.models import VotingMethod
from institutions.errors import ValidationFailed

P, A, IRV, S, MJ = (VotingMethod.PLURALITY, VotingMethod.APPROVAL, VotingMethod.IRV, VotingMethod.SCHULZE,
                    VotingMethod.MAJORITY_JUDGMENT)
OPTIONS = [3, 5, 7]


@pytest.mark.parametrize("method, choice, line", [
    (P, {"blank": True}, ""),
    (MJ, {"blank": True}, ""),
    (P, {"choice": 7}, "7"),
    (P, {"choice": "5"}, "5"),
    (A, {"approvals": [7]}, "7"),
    (A, {"approvals": [7, "3"]}, "{3,7}"),
    (IRV, {"ranking": [7, [5, 3]]}, "7,{3,5}"),
    (S, {"ranking": [[5], 3]}, "5,3"),
    (MJ, {"grades": {"7": 5, 3: 0, 5: 2}}, "3:0,5:2,7:5"),
])
def test_choices_become_canonical_lines(ctx, method, choice, line):
    assert ballots.encode(method, OPTIONS, choice) == line


def test_the_recall_options(ctx):
    assert ballots.encode(P, ["yes", "no"], {"choice": "yes"}) == "yes"


@pytest.mark.parametrize("method, choice, field, message", [
    (P, {"blank": True, "choice": 3}, "blank", "A blank vote carries no choice."),
    (P, {"blank": "yes", "choice": None}, "choice", "Choose a candidate, or vote blank."),
    (P, {}, "choice", "Choose a candidate, or vote blank."),
    (P, {"choice": ""}, "choice", "Choose a candidate, or vote blank."),
    (P, {"choice": 4}, "choice", "This is not one of the candidates."),
    (P, {"choice": True}, "choice", "This is not one of the candidates."),
    (A, {"approvals": "3"}, "approvals", "Give the list of candidates you approve, or vote blank."),
    (A, {"approvals": [3, 3]}, "approvals", "Each candidate can be approved only once."),
    (A, {"approvals": []}, "approvals", "Approve at least one candidate, or vote blank."),
    (IRV, {"ranking": []}, "ranking", "Rank at least one candidate, or vote blank."),
    (IRV, {"ranking": "3"}, "ranking", "Rank at least one candidate, or vote blank."),
    (IRV, {"ranking": [3, []]}, "ranking", "Rank 2 is empty."),
    (IRV, {"ranking": [3, [5, 3]]}, "ranking", "A candidate appears twice in your ranking (rank 2)."),
    (S, {"ranking": [[5, 5]]}, "ranking", "A candidate appears twice in your ranking (rank 1)."),
    (IRV, {"ranking": [9]}, "ranking", "This is not one of the candidates."),
    (MJ, {"grades": {}}, "grades", "Give each candidate a grade, or vote blank."),
    (MJ, {"grades": [0, 1, 2]}, "grades", "Give each candidate a grade, or vote blank."),
    (MJ, {"grades": {3: 0, 5: 6, 7: 0}}, "grades", "A grade is a number from 0 (Excellent) to 5 (Reject)."),
    (MJ, {"grades": {3: -1, 5: 0, 7: 0}}, "grades", "A grade is a number from 0 (Excellent) to 5 (Reject)."),
    (MJ, {"grades": {3: True, 5: 0, 7: 0}}, "grades", "A grade is a number from 0 (Excellent) to 5 (Reject)."),
    (MJ, {"grades": {3: "1", 5: 0, 7: 0}}, "grades", "A grade is a number from 0 (Excellent) to 5 (Reject)."),
    (MJ, {"grades": {3: 0, 5: 0}}, "grades", "Give every candidate a grade."),
    (MJ, {"grades": {3: 0, 5: 0, 7: 0, 8: 0}}, "grades", "This is not one of the candidates."),
])
def test_malformed_choices_are_refused_naming_the_field(ctx, method, choice, field, message):
    with pytest.raises(ValidationFailed) as refusal:
        ballots.encode(method, OPTIONS, choice)
    assert refusal.value.fields == {field: message}


def test_the_grade_bounds_are_accepted(ctx):
    assert ballots.encode(MJ, OPTIONS, {"grades": {3: 0, 5: 5, 7: 4}}) == "3:0,5:5,7:4"


@pytest.mark.parametrize("method, line, choice", [
    (P, "", {"blank": True}),
    (P, "7", {"choice": 7}),
    (P, "yes", {"choice": "yes"}),
    (A, "{3,7}", {"approvals": [3, 7]}),
    (IRV, "7,{5,3},2", {"ranking": [[7], [3, 5], [2]]}),
    (S, "3", {"ranking": [[3]]}),
    (MJ, "3:0,5:2,7:5", {"grades": {3: 0, 5: 2, 7: 5}}),
])
def test_lines_decode_to_the_apis_shape(ctx, method, line, choice):
    assert ballots.decode(method, line) == choice


def test_parse_line_sorts_each_group():
    assert ballots.parse_line("7,{5,3},2") == [[7], [3, 5], [2]]
    assert ballots._id("12") == 12 and ballots._id("yes") == "yes"
