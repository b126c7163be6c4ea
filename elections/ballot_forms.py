"""Reading the ballot form (which works without JavaScript) into a choice the ballot box understands."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from elections.models import VotingMethod
from institutions.errors import ValidationFailed


def choice_from_form(method: VotingMethod, options: list, form: MultiDict) -> dict[str, Any]:
    """The voter's choice from the posted fields; a refusal names the field when the form is inconsistent."""
    if form.get("blank"):
        return {"blank": True}
    if method is VotingMethod.PLURALITY:
        return {"choice": form.get("choice") or None}
    if method is VotingMethod.APPROVAL:
        return {"approvals": form.getlist("approvals")}
    if method.is_ranked:
        return {"ranking": _ranking_from_selects(options, form)}
    return {"grades": {key[len("grade-"):]: _grade(form[key]) for key in form if key.startswith("grade-")}}


def _ranking_from_selects(options: list, form: MultiDict) -> list:
    """One select per rank: ranks must be filled from the first, each candidate once."""
    picks = [form.get(f"rank-{position}", "") for position in range(1, len(options) + 1)]
    last_filled = max((index for index, pick in enumerate(picks) if pick), default=-1)
    ranking = []
    for index, pick in enumerate(picks[: last_filled + 1]):
        if not pick:
            raise ValidationFailed(
                _("Rank %(n)d is empty but a later rank is filled: fill the ranks in order, from the first.",
                  n=index + 1), field="ranking")
        if pick in ranking:
            raise ValidationFailed(
                _("You put the same candidate at two ranks (rank %(n)d): each candidate can be ranked once.",
                  n=index + 1), field="ranking")
        ranking.append(pick)
    return ranking


def _grade(raw: str):
    return int(raw) if raw.isdigit() else raw
