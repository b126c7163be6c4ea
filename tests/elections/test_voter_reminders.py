"""Voters on the roll who have not voted are reminded before voting closes: each reminder once, never those who voted."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from elections import lifecycle, reminders
from elections.models import ElectionReminder
from extensions import db
from institutions import clock, jobs
from institutions.errors import ValidationFailed
from institutions.models import AuditEvent, Notification
from tests.conftest import T0, bearer, login
from tests.elections.conftest import NOMINATIONS_CLOSE, NOMINATIONS_OPEN, VOTING_CLOSE, VOTING_OPEN, draft

# A five-day vote, so that both default reminders (72 h and 24 h before the close) fall inside it.
LONG_CLOSE = VOTING_OPEN + timedelta(days=5)


def reminders_of(user) -> list[Notification]:
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                         Notification.kind == reminders.KIND)).all()


def advance(app, moment) -> str:
    """Run `flask advance` at this moment; its output."""
    clock.freeze(moment)
    result = app.test_cli_runner().invoke(args=["advance"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def test_non_voters_are_reminded_three_days_and_one_day_before_close_and_voters_never(app, voting_scene):
    scene = voting_scene(members=5, voting_close_at=LONG_CLOSE)
    voters, others = scene.members[:2], scene.members[2:]
    for voter in voters:
        scene.vote(voter, {"blank": True})
    assert "elections: 0 voter reminders sent" in advance(app, LONG_CLOSE - timedelta(hours=72, minutes=1))
    assert "elections: 3 voter reminders sent" in advance(app, LONG_CLOSE - timedelta(hours=72) + timedelta(minutes=1))
    notice = reminders_of(others[0])[0]
    assert "Customer president 2027" in notice.message and "have not voted yet" in notice.message
    assert notice.link == f"/b/{scene.brand.slug}/elections/{scene.election.id}"
    # The next minutes send nothing again.
    assert "elections: 0 voter reminders sent" in advance(app, LONG_CLOSE - timedelta(hours=70))
    # One more person votes before the last day: they are not reminded again.
    clock.freeze(LONG_CLOSE - timedelta(hours=30))
    scene.vote(others[0], {"blank": True})
    assert "elections: 2 voter reminders sent" in advance(app, LONG_CLOSE - timedelta(hours=23))
    assert "elections: 0 voter reminders sent" in advance(app, LONG_CLOSE - timedelta(hours=1))
    assert [len(reminders_of(person)) for person in voters] == [0, 0]
    assert [len(reminders_of(person)) for person in others] == [1, 2, 2]


def test_the_job_queue_schedule_sends_them_through_the_clocks(app, voting_scene):
    scene = voting_scene(members=3, voting_close_at=LONG_CLOSE)
    scene.vote(scene.members[0], {"blank": True})
    clock.freeze(LONG_CLOSE - timedelta(hours=24))
    jobs.task(app, "advance_clocks")()  # immediate mode in the suite: runs here, in its own context, and commits
    db.session.expire_all()
    assert [len(reminders_of(person)) for person in scene.members] == [0, 1, 1]


def test_a_reminder_missed_while_nothing_ran_is_not_doubled_by_the_next(app, voting_scene):
    scene = voting_scene(members=3, voting_close_at=LONG_CLOSE)
    # Nothing ran between three days and ten hours before the close: one reminder goes (the 24-hour one), not two.
    assert "elections: 3 voter reminders sent" in advance(app, LONG_CLOSE - timedelta(hours=10))
    assert [len(reminders_of(person)) for person in scene.members] == [1, 1, 1]
    assert "elections: 0 voter reminders sent" in advance(app, LONG_CLOSE - timedelta(hours=9))


def test_a_reminder_before_voting_opens_is_never_sent(app, voting_scene, client):
    scene = voting_scene(members=2)  # a two-day vote: 72 hours before the close is before it opens
    assert "elections: 0 voter reminders sent" in advance(app, VOTING_OPEN + timedelta(minutes=2))
    assert "elections: 2 voter reminders sent" in advance(app, VOTING_CLOSE - timedelta(hours=24))
    login(client, scene.staff)
    page = client.get(f"/b/{scene.brand.slug}/elections/{scene.election.id}").get_data(as_text=True)
    assert "72 hours before voting closes: not sent, that is before voting opens." in page
    assert "24 hours before voting closes (" in page


def test_no_reminder_once_voting_closed_and_the_record_of_who_was_reminded_goes(app, voting_scene):
    scene = voting_scene(members=3)
    advance(app, VOTING_CLOSE - timedelta(hours=2))
    assert db.session.scalar(select(func.count()).select_from(ElectionReminder)) == 3
    assert "elections: 0 voter reminders sent" in advance(app, VOTING_CLOSE + timedelta(minutes=1))
    assert db.session.scalar(select(func.count()).select_from(ElectionReminder)) == 0
    assert [len(reminders_of(person)) for person in scene.members] == [1, 1, 1]


def test_an_election_without_reminders_reminds_nobody(app, voting_scene):
    scene = voting_scene(members=3, reminder_hours="")
    assert scene.election.reminder_hours == ""
    assert "elections: 0 voter reminders sent" in advance(app, VOTING_CLOSE - timedelta(hours=1))
    assert all(not reminders_of(person) for person in scene.members)


def test_the_round_is_audited_as_a_count_without_names(app, voting_scene):
    scene = voting_scene(members=3)
    advance(app, VOTING_CLOSE - timedelta(hours=23))
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "election.voter_reminders_sent")).one()
    assert json.loads(event.payload) == {"hours": 24, "reminded": 3}  # a count: no id, no name
    assert event.subject_id == scene.election.id and not event.is_public
    assert not any(person.pseudonym in event.payload for person in scene.members)


def test_each_election_sets_its_own_reminders(ctx, make):
    brand = make.brand()
    staff = make.staff(brand)
    clock.freeze(T0)
    own = lifecycle.create_draft(brand, staff, draft(reminder_hours=" 6, 48 ,12"))
    default = lifecycle.create_draft(brand, staff, draft())
    assert own.reminder_hours == "48,12,6" and default.reminder_hours == "72,24"
    assert [r.hours for r in reminders.schedule(own)] == [48, 12, 6]


@pytest.mark.parametrize("bad, message", [
    ("0", "whole numbers from 1 to 720"), ("721", "whole numbers from 1 to 720"), ("soon", "whole numbers"),
    ("24,-1", "whole numbers"), ("2.5", "whole numbers"), ("24,24", "only once"), ("1,2,3,4,5,6", "At most 5"),
])
def test_a_bad_reminder_setting_is_refused(ctx, make, bad, message):
    brand = make.brand()
    staff = make.staff(brand)
    clock.freeze(T0)
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.create_draft(brand, staff, draft(reminder_hours=bad))
    assert "reminder_hours" in refused.value.fields and message in refused.value.message


def test_staff_set_the_reminders_on_the_draft_page_and_see_them(app, make, client):
    brand = make.brand(slug="acme")
    staff = make.staff(brand)
    member = make.member(brand)
    clock.freeze(T0)
    election = lifecycle.create_draft(brand, staff, draft())
    db.session.commit()
    login(client, staff)
    form = {"title": "Customer president 2027", "description": "", "method": "plurality",
            "nominations_open_at": NOMINATIONS_OPEN.strftime("%Y-%m-%dT%H:%M"),
            "nominations_close_at": NOMINATIONS_CLOSE.strftime("%Y-%m-%dT%H:%M"),
            "voting_open_at": VOTING_OPEN.strftime("%Y-%m-%dT%H:%M"),
            "voting_close_at": VOTING_CLOSE.strftime("%Y-%m-%dT%H:%M"),
            "endorsements_required": "0", "term_months": "24"}
    edit = f"/b/acme/elections/{election.id}/edit"
    assert 'value="72,24"' in client.get(edit).get_data(as_text=True)
    refused = client.post(edit, data={**form, "reminder_hours": "24,soon"})
    assert refused.status_code == 422 and "whole numbers from 1 to 720" in refused.get_data(as_text=True)
    assert client.post(edit, data={**form, "reminder_hours": "36,2"}).status_code == 302
    db.session.refresh(election)
    assert election.reminder_hours == "36,2"
    page = client.get(f"/b/acme/elections/{election.id}").get_data(as_text=True)
    assert "36 hours before voting closes (" in page and "2 hours before voting closes (" in page
    client.get("/logout")
    login(client, member)
    assert "Reminders to vote" not in client.get(f"/b/acme/elections/{election.id}").get_data(as_text=True)


def test_the_api_takes_and_shows_the_setting_and_refuses_a_bad_one(app, make, client):
    brand = make.brand(slug="acme")
    staff = bearer(make.staff(brand))
    clock.freeze(T0)
    body = {"title": "President 2027", "method": "plurality",
            "nominations_open_at": NOMINATIONS_OPEN.isoformat(), "nominations_close_at": NOMINATIONS_CLOSE.isoformat(),
            "voting_open_at": VOTING_OPEN.isoformat(), "voting_close_at": VOTING_CLOSE.isoformat()}
    bad = client.post("/api/v1/brands/acme/elections", json={**body, "reminder_hours": "tomorrow"}, headers=staff)
    assert bad.status_code == 422 and "reminder_hours" in bad.get_json()["error"]["fields"]
    assert client.post("/api/v1/brands/acme/elections", json={**body, "reminder_hours": 24},
                       headers=staff).status_code == 422
    made = client.post("/api/v1/brands/acme/elections", json={**body, "reminder_hours": "12"}, headers=staff)
    assert made.status_code == 201 and made.get_json()["reminder_hours"] == "12"
    assert client.post("/api/v1/brands/acme/elections", json=body, headers=staff).get_json()["reminder_hours"] == "72,24"
