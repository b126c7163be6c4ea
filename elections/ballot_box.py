"""The secret ballot box: the frozen roll, casting once, trackers, the count at close."""
from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from flask_babel import gettext as _
from sqlalchemy import bindparam, event, exists, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from elections import ballots, tally
from elections.eligibility import eligible_members_query
from elections.phases import ballot_candidacies, voting_is_open
from elections.models import Ballot, Candidacy, Election, ElectionKind, ElectionState, RollEntry, VoteRecord
from elections.nominations import refuse_ineligible
from extensions import db
from institutions import audit, charter
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


# What casting needs to know, in one round trip: whether the voter is on the frozen roll, whether
# they voted, and the candidacies on the ballot in ballot order (one row each; a single row with
# no candidacy when there are none, as in a recall). Built once, on the tables' columns (no ORM
# machinery): it runs for every ballot.
_elections, _roll, _records, _candidacies = (Election.__table__, RollEntry.__table__, VoteRecord.__table__,
                                             Candidacy.__table__)
_VOTER_STANDING = (
    select(
        exists().where(_roll.c.election_id == _elections.c.id, _roll.c.user_id == bindparam("voter_id"))
        .label("on_roll"),
        exists().where(_records.c.election_id == _elections.c.id, _records.c.user_id == bindparam("voter_id"))
        .label("voted"),
        _candidacies.c.id,
    )
    .select_from(_elections)
    .outerjoin(_candidacies, (_candidacies.c.election_id == _elections.c.id) & _candidacies.c.on_ballot.is_(True))
    .where(_elections.c.id == bindparam("election_id"))
    .order_by(_candidacies.c.ballot_position)
)
_INSERT_VOTE_RECORD = insert(_records)
_INSERT_BALLOT = insert(Ballot.__table__)


@dataclass(frozen=True)
class VoterStanding:
    """Where a voter stands in an election: on the roll?, voted?, and the options the ballot offers."""

    on_roll: bool
    voted: bool
    options: list


def voter_standing(election: Election, voter: User) -> VoterStanding:
    """On the roll, voted, and the ballot's options, read in one query."""
    rows = db.session.execute(_VOTER_STANDING, {"election_id": election.id, "voter_id": voter.id}).all()
    if election.kind is ElectionKind.RECALL:
        options = list(RECALL_OPTIONS)
    else:
        options = [candidacy_id for _on_roll, _voted, candidacy_id in rows if candidacy_id is not None]
    return VoterStanding(on_roll=bool(rows and rows[0].on_roll), voted=bool(rows and rows[0].voted), options=options)


def cast_ballot(election: Election, voter: User, choice: dict, now: datetime | None = None) -> str:
    """Put one secret ballot in the box and return the tracker (shown once, stored only hashed)."""
    now = now or utcnow()
    if not voting_is_open(election, now):
        raise DomainError(_("Voting is not open: it runs from %(start)s to %(end)s (UTC).",
                            start=election.voting_open_at.strftime("%Y-%m-%d %H:%M"),
                            end=election.voting_close_at.strftime("%Y-%m-%d %H:%M")))
    standing = voter_standing(election, voter)
    if not standing.on_roll:
        refuse_ineligible(voter, election)
        raise Forbidden(_("You are not on the voter roll frozen when voting opened."))
    content = ballots.encode(election.method, standing.options, choice)
    if standing.voted:
        raise DomainError(_("You have already voted in this election: one voter, one ballot."))
    tracker = new_tracker()
    # The roll row and the ballot are written together; the roll's key refuses a second ballot
    # even when two submissions race past the check above (the later one waits for the earlier
    # transaction, then fails on the key).
    try:
        db.session.execute(_INSERT_VOTE_RECORD, {"election_id": election.id, "user_id": voter.id})
    except IntegrityError:
        db.session.rollback()
        raise DomainError(_("You have already voted in this election: one voter, one ballot."))
    db.session.execute(_INSERT_BALLOT, {"id": uuid.uuid4().hex, "election_id": election.id,
                                        "tracker_hash": tracker_hash(tracker), "content": content})
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
    """{canonical line: count}, aggregated in the database (fast for a million ballots).

    The index on (election_id, content) answers the query alone, in content order; the table's
    columns (not the ORM attributes) keep the ~10^5 result rows off the ORM's loading machinery.
    """
    ballots_table = Ballot.__table__
    rows = db.session.execute(
        select(ballots_table.c.content, func.count())
        .where(ballots_table.c.election_id == election.id)
        .group_by(ballots_table.c.content)
    )
    return dict(rows.all())


def ballot_counts_in_batches(election: Election, batch: int, counted: Callable[[int], None]) -> dict[str, int]:
    """The same counts as ballot_counts, read `batch` distinct lines at a time in content order (the same index
    answers each step), calling `counted(ballots so far)` after each step: a long export shows its progress."""
    ballots_table = Ballot.__table__
    counts: dict[str, int] = {}
    last: str | None = None
    so_far = 0
    while True:
        query = (select(ballots_table.c.content, func.count()).where(ballots_table.c.election_id == election.id)
                 .group_by(ballots_table.c.content).order_by(ballots_table.c.content).limit(batch))
        if last is not None:
            query = query.where(ballots_table.c.content > last)
        rows = db.session.execute(query).all()
        for content, count in rows:
            counts[content] = count
            so_far += count
        if rows:
            last = rows[-1][0]
            counted(so_far)
        if len(rows) < batch:
            return counts


def turnout(election: Election) -> int:
    """How many voted (blank ballots included)."""
    # One ballot per voter, cast with its vote record; the ballots are counted because the who-voted records are
    # purged once their retention period is over (elections/privacy.py), and the turnout must not change then.
    return db.session.scalar(
        select(func.count()).select_from(Ballot).where(Ballot.election_id == election.id)
    ) or 0


# At close, each table's rows of the election are deleted and written again as new rows, in an
# order drawn from the database's strong random source. On PostgreSQL each table is rewritten in its
# own subtransaction (a SAVEPOINT), so the new vote records and the new ballots carry different
# `xmin`s, while the close stays one atomic transaction. The old rows are dead tuples until the
# VACUUM run after the commit (see `_reclaim_after_commit`).
_SHUFFLE_POSTGRESQL = (
    "WITH gone AS (DELETE FROM vote_records WHERE election_id = :election_id RETURNING user_id) "
    "INSERT INTO vote_records (election_id, user_id) "
    "SELECT :election_id, user_id FROM gone ORDER BY gen_random_uuid()",
    # The new id is also the sort key (PostgreSQL evaluates the two identical volatile calls once):
    # ids and the physical order are both fresh and random, neither follows the order of voting.
    "WITH gone AS (DELETE FROM ballots WHERE election_id = :election_id RETURNING tracker_hash, content) "
    "INSERT INTO ballots (id, election_id, tracker_hash, content) "
    "SELECT replace(gen_random_uuid()::text, '-', ''), :election_id, tracker_hash, content FROM gone "
    "ORDER BY gen_random_uuid()",
)
# SQLite's tables have no rowid (see the models): their physical order is their key's, the voter id
# for vote records (not the order of voting) and the random ballot id, drawn again here.
_SHUFFLE_SQLITE = ("UPDATE ballots SET id = lower(hex(randomblob(16))) WHERE election_id = :election_id",)
RECLAIM_KEY = "elections.reclaim_ballot_rows"


def unlink_at_rest(election: Election) -> None:
    """Rewrite the election's vote records and ballots in a fresh random order, so nothing stored pairs them."""
    db.session.flush()
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    for statement in _SHUFFLE_POSTGRESQL if postgresql else _SHUFFLE_SQLITE:
        with db.session.begin_nested():  # its own subtransaction: its own xmin on PostgreSQL
            db.session.execute(text(statement), {"election_id": election.id})
    # Loaded ballots name ids that no longer exist.
    for instance in [obj for obj in db.session.identity_map.values() if isinstance(obj, Ballot)]:
        db.session.expunge(instance)
    if postgresql:
        install_reclaim()
        db.session.info[RECLAIM_KEY] = True


def reclaim_dead_rows() -> None:
    """PostgreSQL: VACUUM the vote records and ballots so the rows deleted at close leave the pages and indexes."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM vote_records, ballots"))


def _reclaim_after_commit(session) -> None:
    """After the commit of a close: VACUUM (it cannot run inside a transaction)."""
    if session.in_nested_transaction():  # a SAVEPOINT released: the close is not committed yet
        return
    if session.info.pop(RECLAIM_KEY, False):
        reclaim_dead_rows()


def _forget_reclaim(session) -> None:
    """A rolled-back close deleted nothing: no VACUUM is owed."""
    if not session.in_nested_transaction():
        session.info.pop(RECLAIM_KEY, None)


def install_reclaim() -> None:
    """Run the VACUUM after whichever commit closes an election (page view, API call or `flask advance`).

    Installed by the first close, on the scoped session every request and command uses.
    """
    if not event.contains(db.session, "after_commit", _reclaim_after_commit):
        event.listen(db.session, "after_commit", _reclaim_after_commit)
        event.listen(db.session, "after_rollback", _forget_reclaim)


def close_and_count(election: Election, now: datetime) -> None:
    """At close: fingerprint the box, count once, store the result, then unlink ballots from voters at rest."""
    counts = ballot_counts(election)
    election.fingerprint = ballots.fingerprint_counts(counts)
    election.closed_at = now
    election.certification_due_at = now + timedelta(days=charter.certification_days(election.brand))
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
    unlink_at_rest(election)
    audit.record("election.closed", brand=election.brand, subject=election, public=True,
                 payload={"fingerprint": election.fingerprint, "ballots": cast, "blank": election.blank_ballots,
                          "outcome": election.outcome, "winner": election.winner_candidacy_id,
                          "certification_due_at": election.certification_due_at.isoformat()})


def stored_result(election: Election) -> dict | None:
    """The result computed once at close."""
    return json.loads(election.result_json) if election.result_json else None
