"""`flask bench ...`: data for the benchmarks in bench/.

`flask --app app bench seed-election --voters 5000 --method plurality --tokens-file tokens.txt`
builds, in the configured database, a fresh brand with one staff member, N verified members who
joined a year ago (each with a personal API token), and an election that is in its voting period
*now*, with its roll frozen. The people are bulk-inserted (one shared password hash, tokens made
like institutions.accounts.create_api_token makes them); the election goes through the real
services (create_draft, open_nominations, nominate, advance) with the clock moved back in time,
since the services refuse dates in the past.

It writes one bearer token per line to the tokens file (voter order) and prints exactly one JSON
line on stdout: {"election_id": ..., "candidate_ids": [...]} (candidacy ids in ballot order).
Progress goes to stderr.
"""
from __future__ import annotations

import json
import os
import secrets
import time
from datetime import timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import insert
from werkzeug.security import generate_password_hash

from elections import ballot_box, lifecycle, nominations
from elections import clock as elections_clock
from elections.models import ElectionState, VotingMethod
from extensions import db
from institutions import clock
from institutions.accounts import API_TOKEN_PREFIX, hash_token
from institutions.brands import RESERVED_SLUGS, SLUG_PATTERN
from institutions.charter import create_default_offices
from institutions.models import ApiToken, Brand, Membership, MembershipStatus, StaffRole, User

bench_cli = AppGroup("bench", help="Seed data for the benchmarks in bench/.")

CHUNK = 1000
# Members joined long before the election's eligibility cut-off.
MEMBERS_JOINED = timedelta(days=365)
# The election is created this long before now (on a frozen clock), so its calendar is "in the future".
CREATED_BEFORE = timedelta(days=2)


def _log(message: str) -> None:
    click.echo(message, err=True)


def _chunks(rows: list, size: int = CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _unique_pseudonyms(count: int) -> list[str]:
    """Like accounts.new_pseudonym(), without the (improbable) duplicates inside one batch."""
    made: set[str] = set()
    while len(made) < count:
        made.add("person-" + secrets.token_hex(6))
    return list(made)


def _insert_users(rows: list[dict]) -> list[int]:
    """Bulk-insert users, returning their ids in the order of `rows`."""
    ids: list[int] = []
    statement = insert(User).returning(User.id, sort_by_parameter_order=True)
    for chunk in _chunks(rows):
        ids.extend(db.session.scalars(statement, chunk).all())
    return ids


def seed_people(brand: Brand, voters: int, now) -> tuple[User, list[int], list[str]]:
    """The staff member (ORM), then `voters` verified members with one API token each (bulk)."""
    password_hash = generate_password_hash(secrets.token_urlsafe(16))  # nobody signs in with a password
    joined = now - MEMBERS_JOINED
    slug = brand.slug
    pseudonyms = _unique_pseudonyms(voters + 1)

    staff = User(email=f"staff@{slug}.bench.example", display_name="Bench staff", pseudonym=pseudonyms.pop(),
                 password_hash=password_hash, timezone="UTC", email_verified_at=joined, created_at=joined)
    db.session.add(staff)
    db.session.flush()
    db.session.add(StaffRole(brand_id=brand.id, user_id=staff.id, can_sign=True, created_at=joined))

    user_ids = _insert_users([
        {"email": f"voter{n}@{slug}.bench.example", "display_name": f"Voter {n}", "pseudonym": pseudonyms[n],
         "password_hash": password_hash, "timezone": "UTC", "locale": None, "email_verified_at": joined,
         "is_platform_admin": False, "created_at": joined, "deleted_at": None}
        for n in range(voters)
    ])
    memberships = [
        {"brand_id": brand.id, "user_id": user_id, "status": MembershipStatus.VERIFIED, "customer_number": None,
         "started_at": joined, "verified_at": joined, "verified_by_id": staff.id, "verification_source": "staff",
         "left_at": None}
        for user_id in user_ids
    ]
    for chunk in _chunks(memberships):
        db.session.execute(insert(Membership), chunk)

    secrets_out: list[str] = []
    tokens = []
    for user_id in user_ids:
        secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
        secrets_out.append(secret)
        tokens.append({"user_id": user_id, "name": "bench", "prefix": secret[:10], "token_hash": hash_token(secret),
                       "created_at": now, "last_used_at": None, "revoked_at": None})
    for chunk in _chunks(tokens):
        db.session.execute(insert(ApiToken), chunk)
    db.session.flush()
    return staff, user_ids, secrets_out


def seed_election(voters: int, method: str, candidates: int, slug: str | None = None) -> dict:
    """Build the brand, people and an election in its voting period now; commit; return the summary."""
    if voters < 1:
        raise click.BadParameter("at least one voter", param_hint="--voters")
    if not 1 <= candidates <= voters:
        raise click.BadParameter("between 1 and the number of voters", param_hint="--candidates")
    real_now = clock.utcnow()
    slug = slug or f"bench-{secrets.token_hex(4)}"
    started = time.perf_counter()
    try:
        brand = Brand(slug=slug, name=f"Bench {slug}", description="Benchmark data", colour="#1d4ed8",
                      country="FR", created_at=real_now - MEMBERS_JOINED)
        db.session.add(brand)
        db.session.flush()
        create_default_offices(brand)
        staff, user_ids, tokens = seed_people(brand, voters, real_now)
        _log(f"seeded {voters} members with API tokens in {time.perf_counter() - started:.1f} s")

        # The services take "now" from the clock and refuse past dates: create the election two days
        # ago, with a calendar whose voting period contains the real now.
        created = real_now - CREATED_BEFORE
        clock.freeze(created)
        election = lifecycle.create_draft(brand, staff, lifecycle.ElectionDraft(
            title=f"Bench election ({method}, {voters} voters)", description="", method=method,
            nominations_open_at=created + timedelta(hours=1), nominations_close_at=real_now - timedelta(days=1),
            voting_open_at=real_now - timedelta(hours=1), voting_close_at=real_now + timedelta(days=1),
            endorsements_required=0, quorum_percent=None, term_months=24,
        ))
        lifecycle.open_nominations(election, staff)
        clock.freeze(created + timedelta(hours=1, minutes=1))
        people = db.session.scalars(db.select(User).where(User.id.in_(user_ids[:candidates]))).all()
        for person in sorted(people, key=lambda p: p.id):
            nominations.nominate(election, person, person)
        clock.freeze(None)
        elections_clock.advance_election(election, clock.utcnow())
        if election.state is not ElectionState.VOTING:
            raise click.ClickException(f"the election is {election.state.value}, not in its voting period")
        candidate_ids = ballot_box.options_of(election)
        summary = {"election_id": election.id, "candidate_ids": candidate_ids}
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        clock.freeze(None)
    _log(f"election {election.id} ({method}) open for voting, roll of {election.roll_size}, "
         f"{len(candidate_ids)} candidates, brand {slug}; {time.perf_counter() - started:.1f} s in all")
    return {"summary": summary, "tokens": tokens}


@bench_cli.command("seed-election")
@click.option("--voters", type=click.IntRange(min=1), required=True, help="Verified members on the roll.")
@click.option("--method", type=click.Choice([m.value for m in VotingMethod]), default="plurality",
              show_default=True)
@click.option("--tokens-file", type=click.Path(dir_okay=False, writable=True), required=True,
              help="Where to write one API token per line (voter order).")
@click.option("--candidates", type=click.IntRange(min=1), default=4, show_default=True,
              help="Members who stand (they are voters too).")
@click.option("--slug", default=None, help="The brand's address (default: bench-<random>).")
def seed_election_command(voters: int, method: str, tokens_file: str, candidates: int, slug: str | None) -> None:
    """Seed a brand, N members with API tokens and an election open for voting now; print its ids as JSON."""
    if slug is not None and (not SLUG_PATTERN.match(slug) or slug in RESERVED_SLUGS):
        raise click.BadParameter("1 to 40 lower-case letters, digits or hyphens", param_hint="--slug")
    seeded = seed_election(voters, method, candidates, slug)
    # The tokens are live credentials: readable by their owner only.
    descriptor = os.open(tokens_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(descriptor, "w", encoding="ascii") as handle:
        handle.write("\n".join(seeded["tokens"]) + "\n")
    click.echo(json.dumps(seeded["summary"]))
