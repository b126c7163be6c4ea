"""What a ballot says, as one canonical line of text, and how a voter's choice becomes that line.

The canonical forms are those of `elections.methods.profile` (the PrefLib order syntax), so the
fingerprint and the lot can be recomputed by anyone from the exported ballots:
- blank vote: ""                     (every method)
- plurality: "7"                     (one option)
- approval: "{3,7}" (or "7" alone)   (the approved options, one group)
- ranking (IRV, Schulze): "7,{3,5},2" (best first; braces join options ranked equal)
- majority judgment: "3:0,5:2,7:5"   (option:grade, 0 = Excellent ... 5 = Reject, every option graded)
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from elections.methods.lot import fingerprint_counts
from elections.methods.profile import canonical_grades, canonical_ranking, candidate_sort_key, parse_ranking
from elections.models import VotingMethod
from institutions.errors import ValidationFailed

GRADES = (_l("Excellent"), _l("Very good"), _l("Good"), _l("Fair"), _l("Poor"), _l("Reject"))
REJECT = len(GRADES) - 1


__all__ = ["GRADES", "encode", "decode", "parse_line", "fingerprint_counts"]


def _option(value: Any, options: set, field: str):
    """An option id from the request (int or the recall's "yes"/"no"), or a refusal."""
    if isinstance(value, bool):
        raise ValidationFailed(_("This is not one of the candidates."), field=field)
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if value not in options:
        raise ValidationFailed(_("This is not one of the candidates."), field=field)
    return value


def encode(method: VotingMethod, options: list, choice: dict[str, Any]) -> str:
    """Turn a voter's choice into the canonical line, refusing anything malformed with the field named.

    `choice` holds one of: {"blank": true}, {"choice": id}, {"approvals": [ids]},
    {"ranking": [id or [ids ranked equal], ...]} (best first), {"grades": {id: grade index}}.
    """
    allowed = set(options)
    if choice.get("blank") is True:
        if len(choice) != 1:
            raise ValidationFailed(_("A blank vote carries no choice."), field="blank")
        return ""
    if method is VotingMethod.PLURALITY:
        if "choice" not in choice or choice["choice"] in (None, ""):
            raise ValidationFailed(_("Choose a candidate, or vote blank."), field="choice")
        return str(_option(choice["choice"], allowed, "choice"))
    if method is VotingMethod.APPROVAL:
        approvals = choice.get("approvals")
        if not isinstance(approvals, list):
            raise ValidationFailed(_("Give the list of candidates you approve, or vote blank."), field="approvals")
        picked = {_option(value, allowed, "approvals") for value in approvals}
        if len(picked) != len(approvals):
            raise ValidationFailed(_("Each candidate can be approved only once."), field="approvals")
        if not picked:
            raise ValidationFailed(_("Approve at least one candidate, or vote blank."), field="approvals")
        return canonical_ranking([picked])
    if method.is_ranked:
        return _encode_ranking(choice.get("ranking"), allowed)
    if method is VotingMethod.MAJORITY_JUDGMENT:
        return _encode_grades(choice.get("grades"), options)
    raise ValidationFailed(_("Unknown voting method."), field="method")


def _encode_ranking(ranking: Any, allowed: set) -> str:
    if not isinstance(ranking, list) or not ranking:
        raise ValidationFailed(_("Rank at least one candidate, or vote blank."), field="ranking")
    seen: set = set()
    groups = []
    for position, entry in enumerate(ranking, start=1):
        members = entry if isinstance(entry, list) else [entry]
        if not members:
            raise ValidationFailed(_("Rank %(n)d is empty.", n=position), field="ranking")
        group = set()
        for value in members:
            option = _option(value, allowed, "ranking")
            if option in seen or option in group:
                raise ValidationFailed(
                    _("A candidate appears twice in your ranking (rank %(n)d).", n=position), field="ranking"
                )
            group.add(option)
        seen |= group
        groups.append(group)
    return canonical_ranking(groups)


def _encode_grades(grades: Any, options: list) -> str:
    if not isinstance(grades, dict) or not grades:
        raise ValidationFailed(_("Give each candidate a grade, or vote blank."), field="grades")
    by_option = {}
    for key, grade in grades.items():
        option = _option(key, set(options), "grades")
        if isinstance(grade, bool) or not isinstance(grade, int) or not 0 <= grade <= REJECT:
            raise ValidationFailed(_("A grade is a number from 0 (Excellent) to 5 (Reject)."), field="grades")
        by_option[option] = grade
    missing = [option for option in options if option not in by_option]
    if missing:
        raise ValidationFailed(_("Give every candidate a grade."), field="grades")
    return canonical_grades([by_option[option] for option in options], options)


def parse_line(line: str) -> list:
    """A canonical ranking line as groups: "7,{3,5},2" -> [[7], [3, 5], [2]]."""
    return [sorted(group, key=candidate_sort_key) for group in parse_ranking(line)]


def decode(method: VotingMethod, line: str) -> dict[str, Any]:
    """The choice a canonical line holds, in the API's shape (for receipts and the bulletin board)."""
    if line == "":
        return {"blank": True}
    if method is VotingMethod.MAJORITY_JUDGMENT:
        return {"grades": {_id(k): int(v) for k, v in (pair.split(":") for pair in line.split(","))}}
    groups = parse_line(line)
    if method is VotingMethod.PLURALITY:
        return {"choice": groups[0][0]}
    if method is VotingMethod.APPROVAL:
        return {"approvals": [option for group in groups for option in group]}
    return {"ranking": groups}


def _id(text: str):
    return int(text) if text.isdigit() else text
