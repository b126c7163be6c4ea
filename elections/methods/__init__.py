"""Tally methods: pure functions over aggregated ballots (no database, no Flask).

Ranked methods take ``(profile, candidates, *, blank=0, seed=None)`` where ``profile`` is
``{ranking: count}`` (see :mod:`elections.methods.profile`); majority judgment takes a grade
profile instead. ``seed`` seeds the lot (the ballot box fingerprint, hex); when it is None and
a tie needs the lot, the fingerprint of the given ballots is used. Each returns a result
dataclass (:mod:`elections.methods.results`) with ``to_dict()``.
"""
from elections.methods.irv import instant_runoff
from elections.methods.lot import (
    fingerprint,
    fingerprint_counts,
    grade_profile_fingerprint,
    lot_order,
    profile_fingerprint,
)
from elections.methods.majority_judgment import majority_judgment
from elections.methods.plurality import approval, plurality
from elections.methods.profile import (
    BLANK,
    GRADES,
    canonical_grades,
    canonical_ranking,
    grade_profile,
    grade_profile_from_lines,
    normalize_ranking,
    parse_ranking,
    profile_from_lines,
    profile_from_approvals,
    profile_from_rankings,
    ranking,
)
from elections.methods.results import (
    CountResult,
    IRVResult,
    IRVRound,
    MajorityJudgmentResult,
    SchulzeResult,
    TallyResult,
)
from elections.methods.schulze import schulze

RANKED_METHODS = {
    "plurality": plurality,
    "approval": approval,
    "instant-runoff": instant_runoff,
    "schulze": schulze,
}
"""Methods over a ranked profile, by name."""

GRADED_METHODS = {"majority-judgment": majority_judgment}
"""Methods over a grade profile, by name."""

__all__ = [
    "BLANK", "GRADES", "GRADED_METHODS", "RANKED_METHODS",
    "CountResult", "IRVResult", "IRVRound", "MajorityJudgmentResult", "SchulzeResult", "TallyResult",
    "approval", "canonical_grades", "canonical_ranking", "fingerprint", "fingerprint_counts",
    "grade_profile", "grade_profile_fingerprint", "grade_profile_from_lines", "parse_ranking",
    "profile_from_lines", "instant_runoff", "lot_order", "majority_judgment",
    "normalize_ranking", "plurality", "profile_fingerprint", "profile_from_approvals",
    "profile_from_rankings", "ranking", "schulze",
]
