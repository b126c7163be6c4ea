"""The audit trail is a hash chain that `flask audit verify` checks."""
from sqlalchemy import text

from extensions import db
from institutions import audit
from institutions.models import AuditEvent


def _three_events(make):
    brand = make.brand()
    actor = make.user()
    for n in range(3):
        audit.record("test.act", actor=actor, brand=brand, payload={"n": n}, public=True)
    db.session.commit()
    return brand


def test_chain_links_each_event_to_the_previous(app, make):
    _three_events(make)
    events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert events[0].prev_hash == audit.GENESIS_HASH
    assert audit.verify_chain().ok


def test_cli_reports_an_intact_chain(app, make):
    _three_events(make)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "3 events verified" in result.output


def test_cli_names_an_altered_event(app, make):
    _three_events(make)
    db.session.execute(text("UPDATE audit_events SET payload = :p WHERE id = 2"), {"p": '{"n":99}'})
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "event #2" in result.output and "altered" in result.output


def test_cli_names_the_event_after_a_deleted_one(app, make):
    _three_events(make)
    db.session.execute(text("DELETE FROM audit_events WHERE id = 2"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "event #3" in result.output and "removed" in result.output


def test_an_altered_hash_is_caught_too(app, make):
    _three_events(make)
    db.session.execute(text("UPDATE audit_events SET hash = :h WHERE id = 3"), {"h": "f" * 64})
    db.session.commit()
    report = audit.verify_chain()
    assert not report.ok and report.bad_event_id == 3


def test_transparency_page_lists_public_events_only(app, make, client):
    brand = make.brand(slug="open")
    audit.record("visible.act", brand=brand, public=True)
    audit.record("hidden.act", brand=brand, public=False)
    db.session.commit()
    page = client.get("/b/open/transparency")
    assert page.status_code == 200
    assert "visible.act" in page.text
    assert "hidden.act" not in page.text


def test_concurrent_writers_keep_one_unbroken_chain(app, make):
    import threading

    brand_id = make.brand().id
    errors = []

    def write(worker: int):
        try:
            with app.app_context():
                from institutions.models import Brand

                brand = db.session.get(Brand, brand_id)
                for n in range(10):
                    audit.record("test.concurrent", brand=brand, payload={"worker": worker, "n": n})
                    db.session.commit()
        except Exception as error:  # reported below: a thread's exception would otherwise vanish
            errors.append(repr(error))

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = audit.verify_chain()
    assert report.ok and report.checked == 40
