"""Personal data in elections: what a person's export holds, what erasing their account does, retention.

The export says in which elections the person was on the roll and voted, never what they voted: no stored data
links a voter to a ballot (README, "Ballot secrecy"), so there is nothing else to give.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from elections import nominations
from elections.models import (Candidacy, CandidacyState, Election, ElectionState, Endorsement, RecallPetition,
                              RecallSignature, RollEntry, VoteRecord)
from elections.phases import before_voting
from extensions import db
from institutions.clock import utcnow
from institutions.features import RecordKind
from institutions.models import User


def _iso(moment):
    return moment.isoformat() if moment else None


def _election(election: Election) -> dict:
    return {"id": election.id, "brand": election.brand.slug, "title": election.title, "state": election.state.value}


def export_elections(user: User) -> dict:
    """Candidacies, statements, nominations, endorsements, roll entries, votes (that, not what) and petitions signed."""
    candidacies = db.session.scalars(select(Candidacy).where(Candidacy.user_id == user.id).order_by(Candidacy.id)).all()
    nominated = db.session.scalars(select(Candidacy).where(Candidacy.nominated_by_id == user.id)
                                   .order_by(Candidacy.id)).all()
    endorsed = db.session.scalars(select(Endorsement).where(Endorsement.user_id == user.id)
                                  .order_by(Endorsement.id)).all()
    on_roll = db.session.scalars(select(Election).join(RollEntry, RollEntry.election_id == Election.id)
                                 .where(RollEntry.user_id == user.id).order_by(Election.id)).all()
    voted = db.session.scalars(select(Election).join(VoteRecord, VoteRecord.election_id == Election.id)
                               .where(VoteRecord.user_id == user.id).order_by(Election.id)).all()
    signed = db.session.scalars(select(RecallSignature).where(RecallSignature.user_id == user.id)
                                .order_by(RecallSignature.id)).all()
    opened = db.session.scalars(select(RecallPetition).where(RecallPetition.opened_by_id == user.id)
                                .order_by(RecallPetition.id)).all()
    return {
        "candidacies": [{"election": _election(c.election), "display_name": c.display_name, "state": c.state.value,
                         "statement": c.statement_markdown, "statement_rejected_reason": c.statement_rejected_reason,
                         "nominated_at": _iso(c.created_at), "answered_at": _iso(c.answered_at),
                         "withdrawn_at": _iso(c.withdrawn_at), "on_ballot": c.on_ballot} for c in candidacies],
        "nominations_made": [{"election": _election(c.election), "nominee": c.display_name,
                              "at": _iso(c.created_at)} for c in nominated],
        "endorsements": [{"election": _election(e.candidacy.election), "candidate": e.candidacy.display_name,
                          "at": _iso(e.created_at)} for e in endorsed],
        "roll_entries": [_election(e) for e in on_roll],
        # That they voted, in which election; what they voted is not linked to them anywhere.
        "voted_in": [_election(e) for e in voted],
        "petitions_signed": [{"petition": s.petition_id, "brand": s.petition.brand.slug, "signed_at": _iso(s.signed_at)}
                             for s in signed],
        "petitions_opened": [{"petition": p.id, "brand": p.brand.slug, "reason": p.reason,
                              "opened_at": _iso(p.opened_at)} for p in opened],
    }


def erase_candidacies(user: User) -> None:
    """Erasing an account: standing candidacies withdrawn before voting, statements erased, the pseudonym shown."""
    now = utcnow()
    for candidacy in db.session.scalars(select(Candidacy).where(Candidacy.user_id == user.id)):
        standing = candidacy.state in (CandidacyState.NOMINATED, CandidacyState.ACCEPTED)
        if standing and before_voting(candidacy.election, now):
            nominations.withdraw(candidacy, user, now)
        # A candidacy on a ballot already cast stays (the count depends on it), under the pseudonym.
        candidacy.display_name = user.pseudonym
        candidacy.statement_markdown = ""
        candidacy.statement_rejected_reason = None
    db.session.flush()


def purge_voter_lists(cutoff: datetime) -> list[str]:
    """Delete the roll and who-voted lists of elections certified or cancelled before the cutoff."""
    done = select(Election.id).where(
        ((Election.state == ElectionState.CERTIFIED) & (Election.certified_at < cutoff))
        | ((Election.state == ElectionState.CANCELLED) & (Election.cancelled_at < cutoff)))
    rolls = db.session.execute(delete(RollEntry).where(RollEntry.election_id.in_(done))).rowcount
    votes = db.session.execute(delete(VoteRecord).where(VoteRecord.election_id.in_(done))).rowcount
    return [f"{rolls} roll entries and {votes} vote records of past elections deleted"] if rolls or votes else []


RECORD_KINDS = (
    RecordKind(
        "voter_lists",
        purpose=_l("Knowing who may vote and refusing a second ballot (the roll, and that you voted, never what)."),
        recipients=_l("Nobody outside the platform; the brand sees the roll's size and the turnout."),
        retention=_l("One year after the election is certified or cancelled, then deleted (the ballots stay, "
                     "anonymous)."),
        retention_days=365, purge=purge_voter_lists),
    RecordKind(
        "candidacies",
        purpose=_l("Standing for office: candidacies, statements, nominations and endorsements."),
        recipients=_l("The public (candidates, statements and results are public)."),
        retention=_l("Kept as the public record of the election; when you delete your account, a standing "
                     "candidacy is withdrawn before voting, statements are erased and names become the pseudonym."),
        retention_days=None),
    RecordKind(
        "recall_petitions",
        purpose=_l("Counting the signatures of a recall petition."),
        recipients=_l("The public sees the count only."),
        retention=_l("Kept as long as the petition's record; the signature names nobody once the account is "
                     "deleted."),
        retention_days=None),
)
