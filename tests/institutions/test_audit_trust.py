"""The audit chain cannot be quietly altered, truncated or rewritten: the hash covers every stored field,
and a head kept from a page or `flask audit head` catches what a self-consistent chain would hide."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import String, cast, delete, literal, select, text, update

from extensions import db
from institutions import audit
from institutions.models import AuditEvent
from tests.conftest import login

HEAD_LINE = re.compile(r"^(\d+) ([0-9a-f]{64})\n$")


def _events(make, n: int = 3, slug: str = "acme"):
    """A brand, its staff member and n public acts of theirs."""
    brand = make.brand(slug=slug, name="Acme")
    actor = make.user(name="Alice Actor")
    for i in range(n):
        audit.record("test.act", actor=actor, brand=brand, subject=brand, payload={"n": i}, public=True)
    db.session.commit()
    return brand, actor


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["audit", *args])


def _kept_head(app) -> str:
    """The head as `flask audit head` prints it, rewritten N:HASH as --head takes it."""
    result = _cli(app, "head")
    assert result.exit_code == 0
    number, digest = HEAD_LINE.match(result.output).groups()
    return f"{number}:{digest}"


# --- every stored field is covered --------------------------------------------------------------------------------

def _tamperings(make):
    """For each column of audit_events (but the hash), a change an attacker with UPDATE rights could make."""
    other_brand, other_user = make.brand(slug="other"), make.user(name="Mallory")
    return {
        "id": 40,
        "created_at": lambda e: e.created_at + timedelta(seconds=1),
        "brand_id": other_brand.id,
        "actor_id": other_user.id,
        "actor_pseudonym": other_user.pseudonym,
        "action": "test.other_act",
        "subject_type": "Election",
        "subject_id": 999,
        "payload": '{"n": 1}',  # the same JSON as the stored '{"n":1}', only spaced: still a change of the row
        "is_public": False,
        "prev_hash": "a" * 64,
    }


def test_every_column_of_an_event_is_covered_by_the_chain(app, make):
    _events(make)
    cases = _tamperings(make)
    db.session.commit()
    columns = {column.name for column in AuditEvent.__table__.columns} - {"hash"}
    assert set(cases) == columns, "a new column of audit_events must be hashed (audit.canonical_json) and tested here"
    assert audit.verify_chain().ok
    original = {c: v for c, v in db.session.execute(select(AuditEvent.__table__).where(AuditEvent.id == 2)).one()
                ._mapping.items()}
    for column, value in cases.items():
        event = db.session.get(AuditEvent, 2)
        value = value(event) if callable(value) else value
        db.session.execute(update(AuditEvent.__table__).where(AuditEvent.id == 2).values({column: value}))
        db.session.commit()
        report = audit.verify_chain()
        assert not report.ok, f"changing {column} went unnoticed"
        assert report.bad_event_id in (2, 3), column  # the altered one, or (id, prev_hash) the one after the gap
        db.session.execute(update(AuditEvent.__table__).where(AuditEvent.id == (40 if column == "id" else 2))
                           .values(original))
        db.session.commit()
        assert audit.verify_chain().ok, f"restoring {column} did not mend the chain"


def test_an_event_credited_to_another_account_is_caught(app, make, client):
    brand, alice = _events(make)
    mallory = make.user(name="Mallory Impostor")
    db.session.commit()
    assert "Alice Actor" in client.get("/b/acme/transparency").text
    db.session.execute(text("UPDATE audit_events SET actor_id = :who WHERE id = 2"), {"who": mallory.id})
    db.session.commit()
    assert "Mallory Impostor" in client.get("/b/acme/transparency").text  # what the page now claims...
    result = _cli(app, "verify")  # ...and what the check says about it
    assert result.exit_code == 1
    assert "BROKEN at event #2" in result.output and "altered" in result.output


def test_the_service_and_the_hash_formula_agree_on_a_standard_sha256(app, make):
    import hashlib

    _events(make, 1)
    event = db.session.get(AuditEvent, 1)
    assert event.hash == hashlib.sha256((audit.GENESIS_HASH + audit.canonical_json(event)).encode()).hexdigest()
    assert f'"actor_id":{event.actor_id}' in audit.canonical_json(event)


# --- the head -------------------------------------------------------------------------------------------------------

def test_head_prints_the_number_and_hash_of_the_last_event(app, make):
    assert _cli(app, "head").output == f"0 {audit.GENESIS_HASH}\n"  # an empty chain
    _events(make, 4)
    last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    result = _cli(app, "head")
    assert result.exit_code == 0 and result.output == f"4 {last.hash}\n"


def test_verify_holds_a_kept_head_while_the_chain_grows(app, make):
    brand, actor = _events(make)
    kept = _kept_head(app)
    audit.record("test.later", actor=actor, brand=brand, public=True)
    db.session.commit()
    result = _cli(app, "verify", "--head", kept)
    assert result.exit_code == 0, result.output
    assert "4 events verified" in result.output and "holds the kept head 3 " in result.output
    # as `flask audit head` prints it (a space instead of the colon), it is read the same way
    assert _cli(app, "verify", "--head", kept.replace(":", " ")).exit_code == 0


def test_deleting_the_newest_events_is_caught_against_a_kept_head(app, make):
    _events(make, 5)
    kept = _kept_head(app)
    db.session.execute(text("DELETE FROM audit_events WHERE id > 3"))
    db.session.commit()
    assert _cli(app, "verify").exit_code == 0  # what is left is a consistent chain: only the head can tell
    result = _cli(app, "verify", "--head", kept)
    assert result.exit_code == 1
    assert "BROKEN at event #4" in result.output
    assert "ends at event #3 but the kept head is event #5" in result.output and "removed" in result.output


def test_a_full_rewrite_with_recomputed_hashes_is_caught_against_a_kept_head(app, make):
    _events(make, 3)
    mallory = make.user(name="Mallory")
    db.session.commit()
    kept = _kept_head(app)
    # The attacker has the code: they credit event 1 to Mallory and recompute every hash after it.
    db.session.execute(update(AuditEvent).where(AuditEvent.id == 1).values(actor_id=mallory.id,
                                                                             actor_pseudonym=mallory.pseudonym))
    # prev_hash is unique: park the links first, as a careful attacker would.
    number = cast(AuditEvent.id, String)
    db.session.execute(update(AuditEvent).values(prev_hash=literal("p") + number, hash=literal("h") + number))
    prev = audit.GENESIS_HASH
    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all():
        event.prev_hash = prev
        event.hash = audit.chain_hash(prev, event)
        db.session.flush()
        prev = event.hash
    db.session.commit()
    assert _cli(app, "verify").exit_code == 0  # consistent in itself
    result = _cli(app, "verify", "--head", kept)
    assert result.exit_code == 1
    assert "BROKEN at event #3" in result.output and "rewritten" in result.output
    assert kept.split(":")[1] in result.output  # it says which hash it expected


@pytest.mark.parametrize("value", ["abc", "3", "3:", "3:xyz", "3:" + "a" * 63, "-1:" + "a" * 64, "3:" + "g" * 64,
                                   "0:" + "a" * 64, "9" * 30 + ":" + "a" * 64, ""])
def test_a_malformed_head_is_a_usage_error(app, make, value):
    _events(make, 1)
    result = _cli(app, "verify", "--head", value)
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--head'" in result.output
    assert ("N:HASH" in result.output) != value.startswith("0:")  # event 0 gets its own explanation
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_a_head_beyond_any_event_never_written_fails_too(app, make):
    _events(make, 2)
    result = _cli(app, "verify", "--head", "7:" + "b" * 64)
    assert result.exit_code == 1 and "kept head is event #7" in result.output


# --- the head on the pages ------------------------------------------------------------------------------------------

def test_the_transparency_page_publishes_the_chain_head(app, make, client):
    brand, actor = _events(make, 2)
    other = make.brand(slug="elsewhere")
    audit.record("test.private", brand=other)  # another brand's, not public: still the head of the one chain
    db.session.commit()
    head = audit.chain_head()
    assert head.number == 3
    page = client.get("/b/acme/transparency").text
    assert "Audit chain head" in page and "#3" in page and head.hash in page
    assert f"flask audit verify --head 3:{head.hash}" in page


def test_the_admin_health_page_shows_the_head_and_checks_a_kept_one(app, make, client):
    _events(make, 3)
    admin = make.user(email="root@example.test")
    admin.is_platform_admin = True
    db.session.commit()
    head = audit.chain_head()
    login(client, admin)
    page = client.get("/admin/audit")
    assert page.status_code == 200 and head.hash in page.text and "Intact" in page.text
    assert "still holds the kept head #3" in client.get(f"/admin/audit?head=3:{head.hash}").text
    db.session.execute(delete(AuditEvent).where(AuditEvent.id == 3))
    db.session.commit()
    truncated = client.get(f"/admin/audit?head=3:{head.hash}")
    assert truncated.status_code == 200 and "Broken" in truncated.text and "removed" in truncated.text
    malformed = client.get("/admin/audit?head=not-a-head")
    assert malformed.status_code == 422 and "64 hexadecimal digits" in malformed.text


def test_the_annual_report_carries_the_chain_head_in_every_format(app, make, client):
    brand, _actor = _events(make, 2)
    from institutions.clock import utcnow
    from tests.mediation.report_fixtures import mark_published

    year = utcnow().year
    mark_published(brand, year)  # a draft is the panel's only (R.614-2, issue 10)
    db.session.commit()
    head = audit.chain_head()
    page = client.get(f"/b/acme/mediation/report/{year}")
    assert page.status_code == 200 and head.hash in page.text
    document = client.get(f"/b/acme/mediation/report/{year}.json").get_json()
    assert document["audit_chain_head"] == {"number": 2, "hash": head.hash}
    assert client.get(f"/api/v1/brands/acme/mediation/reports/{year}").get_json()["audit_chain_head"]["number"] == 2
    csv_text = client.get(f"/b/acme/mediation/report/{year}.csv").get_data(as_text=True)
    assert f"audit_chain_head,2,{head.hash}" in csv_text
