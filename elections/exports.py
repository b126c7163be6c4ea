"""The anonymized ballots, as CSV and as PrefLib, for anyone to recount with any software.

Candidates are written under their candidacy ids (PrefLib's ``# ALTERNATIVE ID`` lines, the
CSV's id row), so a recount of the file finds the ballot box's fingerprint and draws the same lot.
"""
from __future__ import annotations

from elections import ballot_box
from elections.ballot_files import write_csv, write_graded_csv
from elections.methods.profile import grade_profile_from_lines, profile_from_lines
from elections.models import Election, ElectionState, VotingMethod
from elections.preflib import write_cat, write_toi


def is_published(election: Election) -> bool:
    """Ballots are published once voting has closed (and never during the vote)."""
    return election.state in (ElectionState.CLOSED, ElectionState.CERTIFIED)


def is_graded(election: Election) -> bool:
    """Whether the ballots are grades (majority judgment) rather than rankings."""
    return election.method is VotingMethod.MAJORITY_JUDGMENT


def preflib_extension(election: Election) -> str:
    """PrefLib's extension for this election's ballots: ``cat`` for grades, ``toi`` for rankings."""
    return "cat" if is_graded(election) else "toi"


def file_name(election: Election, extension: str) -> str:
    """The download's file name, e.g. ``election-12-ballots.toi``."""
    return f"election-{election.id}-ballots.{extension}"


def _profile(election: Election, counts: dict[str, int] | None = None) -> tuple[dict, int, list, dict]:
    """(profile, blank, candidates, names) from the ballot box's aggregated counts (read now unless given)."""
    candidates = ballot_box.options_of(election)
    names = ballot_box.option_names(election)
    counts = ballot_box.ballot_counts(election) if counts is None else counts
    if is_graded(election):
        profile, blank = grade_profile_from_lines(counts, candidates)
    else:
        profile, blank = profile_from_lines(counts)
    return profile, blank, candidates, {candidate: str(name) for candidate, name in names.items()}


def ballots_csv(election: Election, counts: dict[str, int] | None = None) -> str:
    """Every ballot, one CSV row each (ranks, or grade names for majority judgment)."""
    profile, blank, candidates, names = _profile(election, counts)
    writer = write_graded_csv if is_graded(election) else write_csv
    return writer(profile, candidates, names, blank=blank)


def ballots_preflib(election: Election, counts: dict[str, int] | None = None) -> str:
    """Every ballot in PrefLib format: ``.toi`` rankings, or ``.cat`` for grades."""
    profile, blank, candidates, names = _profile(election, counts)
    extension = preflib_extension(election)
    published = (election.closed_at or election.voting_close_at).date().isoformat()
    header = {"title": f"{election.brand.name}: {election.title}", "file_name": file_name(election, extension),
              "description": f"Tribune election {election.id}, method {election.method.value}, "
                             f"fingerprint {election.fingerprint or ''}",
              "publication_date": published}
    if is_graded(election):
        return write_cat(profile, candidates, names, blank=blank, **header)
    return write_toi(profile, candidates, names, blank=blank, **header)
