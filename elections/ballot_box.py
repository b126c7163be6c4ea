"""The secret ballot box: the frozen roll, casting once, trackers, the count at close."""
from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from elections import ballots, tally
from elections.eligibility import eligible_members_query
from elections.lifecycle import ballot_candidacies, voting_is_open
from elections.models import Ballot, Election, ElectionKind, ElectionState, RollEntry, VoteRecord
from elections.nominations import refuse_ineligible
from extensions import db
from institutions import audit
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden
from institutions.models import User

RECALL_OPTIONS = ["yes", "no"]
TRACKER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def options_of(election: Election) -> list:
    """The ids a ballot may name: candidacy ids in ballot order, or yes/no for a recall."""
    if election.kind is ElectionKind.RECALL:
        return list(RECALL_OPTIONS)
    return [candidacy.id for candidacy in ballot_candidacies(election)]


def option_names(election: Election) -> dict:
    """How each option is shown: the candidate's name, or Yes/No for a recall."""
    if election.kind is ElectionKind.RECALL:
        return {"yes": _("Yes, end the presidency"), "no": _("No, keep the president")}
    return {candidacy.id: candidacy.display_name for candidacy in ballot_candidacies(election)}


def freeze_roll(election: Election, now: datetime) -> int:
    """Copy the eligible members into the roll when voting opens; its size is published."""
    eligible = eligible_members_query(election).subquery()
    db.session.execute(
        insert(RollEntry).from_select(["election_id", "user_id"], select(db.literal(election.id), eligible.c.id))
    )
    election.roll_size = db.session.scalar(
        select(func.count()).select_from(RollEntry).where(RollEntry.election_id == election.id)
    )
    election.roll_frozen_at = now
    db.session.flush()
    audit.record("election.voting_opened", brand=election.brand, subject=election, public=True,
                 payload={"roll_size": election.roll_size, "candidates": len(options_of(election))})
    return election.roll_size


def new_tracker() -> str:
    """A random code the voter keeps, e.g. 'K7Q2M-9XH4D-PW3RT-A8NC6' (100 bits)."""
    code = "".join(secrets.choice(TRACKER_ALPHABET) for _ in range(20))
    return "-".join(code[i:i + 5] for i in range(0, 20, 5))


def tracker_hash(tracker: str) -> str:
    """What the ballot box stores of a tracker: SHA-256 of the code as shown (spaces, dashes, case ignored)."""
    characters = "".join(char for char in tracker.upper() if char.isalnum())
    canonical = "-".join(characters[i:i + 5] for i in range(0, len(characters), 5))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def on_roll(election: Election, user: User) -> bool:
    """Whether this person is on the frozen roll."""
    return db.session.get(RollEntry, (election.id, user.id)) is not None


def has_voted(election: Election, user: User) -> bool:
    """Whether this person voted (never what)."""
    return db.session.get(VoteRecord, (election.id, user.id)) is not None


def cast_ballot(election: Election, voter: User, choice: dict, now: datetime | None = None) -> str:
    """Put one secret ballot in the box and return the tracker (shown once, stored only hashed)."""
    now = now or utcnow()
    if not voting_is_open(election, now):
        raise DomainError(_("Voting is not open: it runs from %(start)s to %(end)s (UTC).",
                            start=election.voting_open_at.strftime("%Y-%m-%d %H:%M"),
                            end=election.voting_close_at.strftime("%Y-%m-%d %H:%M")))
    if not on_roll(election, voter):
        refuse_ineligible(voter, election)
        raise Forbidden(_("You are not on the voter roll frozen when voting opened."))
    content = ballots.encode(election.method, options_of(election), choice)
    if has_voted(election, voter):
        raise DomainError(_("You have already voted in this election: one voter, one ballot."))
    tracker = new_tracker()
    # The roll row and the ballot are written together; the roll's key refuses a second ballot
    # even when two submissions race past the check above.
    db.session.add(VoteRecord(election_id=election.id, user_id=voter.id))
    db.session.add(Ballot(id=uuid.uuid4().hex, election_id=election.id, tracker_hash=tracker_hash(tracker),
                          content=content))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(_("You have already voted in this election: one voter, one ballot."))
    return tracker


@dataclass
class TrackerCheck:
    """What the bulletin board says of a tracker."""

    found: bool
    choice: dict | None = None


def check_tracker(election: Election, tracker: str) -> TrackerCheck:
    """Is this tracker's ballot in the box? After close, also what it says."""
    ballot = db.session.scalar(
        select(Ballot).where(Ballot.election_id == election.id, Ballot.tracker_hash == tracker_hash(tracker or ""))
    )
    if ballot is None:
        return TrackerCheck(found=False)
    if election.state in (ElectionState.CLOSED, ElectionState.CERTIFIED):
        return TrackerCheck(found=True, choice=ballots.decode(election.method, ballot.content))
    return TrackerCheck(found=True)


def bulletin_board(election: Election, page: int = 1, per_page: int = 100):
    """Tracker hashes while voting; every ballot with its content after close (sorted by hash)."""
    return db.paginate(
        select(Ballot).where(Ballot.election_id == election.id).order_by(Ballot.tracker_hash),
        page=page, per_page=per_page, error_out=False,
    )


def ballot_counts(election: Election) -> dict[str, int]:
    """{canonical line: count}, aggregated in the database (fast for a million ballots)."""
    rows = db.session.execute(
        select(Ballot.content, func.count()).where(Ballot.election_id == election.id).group_by(Ballot.content)
    )
    return {content: count for content, count in rows}


def turnout(election: Election) -> int:
    """How many voted (blank ballots included)."""
    return db.session.scalar(
        select(func.count()).select_from(VoteRecord).where(VoteRecord.election_id == election.id)
    ) or 0


def close_and_count(election: Election, now: datetime) -> None:
    """At close: fingerprint the box, count once, store the result; below quorum, no winner."""
    counts = ballot_counts(election)
    election.fingerprint = ballots.fingerprint_counts(counts)
    election.closed_at = now
    options = options_of(election)
    result = tally.count(election.method, options, counts, seed=election.fingerprint)
    cast = sum(counts.values())
    election.ballots_counted = cast
    election.blank_ballots = counts.get("", 0)
    quorum_needed = None
    if election.quorum_percent:
        quorum_needed = -(-election.quorum_percent * (election.roll_size or 0) // 100)  # ceiling
    if quorum_needed is not None and cast < quorum_needed:
        election.outcome = "no_quorum"
        election.winner_candidacy_id = None
    elif not options:
        election.outcome = "no_candidates"
    elif election.kind is ElectionKind.RECALL:
        yes, no = result["counts"].get("yes", 0), result["counts"].get("no", 0)
        election.outcome = "recall_carried" if yes > no else "recall_rejected"
    elif result["winner"] is None:
        election.outcome = "no_winner"
    else:
        election.outcome = "winner"
        election.winner_candidacy_id = result["winner"]
    result["quorum_needed"] = quorum_needed
    election.result_json = json.dumps(result, sort_keys=True, default=str)
    db.session.flush()
    audit.record("election.closed", brand=election.brand, subject=election, public=True,
                 payload={"fingerprint": election.fingerprint, "ballots": cast, "blank": election.blank_ballots,
                          "outcome": election.outcome, "winner": election.winner_candidacy_id})


def stored_result(election: Election) -> dict | None:
    """The result computed once at close."""
    return json.loads(election.result_json) if election.result_json else None
