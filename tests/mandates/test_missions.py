"""Mission orders: issue, accept or decline, report, the disclosure warning, send back, approve, overdue."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from institutions import clock
from institutions.errors import DomainError, Forbidden, ValidationFailed
from institutions.models import AuditEvent, Notification
from mandates import missions
from mandates.models import MandateState, OrderState
from tests.mandates.conftest import MISSION_T0

DUE = MISSION_T0 + timedelta(days=7)


def _issue(scene, **overrides):
    values = dict(title="Unboxing video", instructions="Film the new repair kit.", due_at=DUE,
                  expected_proof="A link to the published video.")
    values.update(overrides)
    order = missions.issue_order(scene.mandate, scene.staff, **values)
    db.session.commit()
    return order


def _notes(user) -> list[str]:
    return db.session.scalars(select(Notification.message).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


def test_the_mission_order_path_accept_report_send_back_approve(ctx, mission_scene):
    scene = mission_scene()
    order = _issue(scene)
    assert order.state is OrderState.ISSUED and order.disclosure_label == "#ad"  # the contract's label
    assert "New mission order" in _notes(scene.ambassador)[-1]

    missions.accept_order(order, scene.ambassador)
    db.session.commit()
    assert order.state is OrderState.ACCEPTED and "accepted" in _notes(scene.staff)[-1]

    first = missions.submit_report(order, scene.ambassador, text="Posted the video.",
                                   links="https://video.example/watch?v=1")
    db.session.commit()
    assert order.state is OrderState.REPORTED and first.label_missing
    assert "waits for your review" in _notes(scene.staff)[-1]

    # The warning must be cleared before approving; sending back is always possible.
    with pytest.raises(DomainError, match="clear the warning"):
        missions.approve(order, scene.staff)
    db.session.rollback()
    with pytest.raises(ValidationFailed) as missing_comment:
        missions.send_back(order, scene.staff, "  ")
    assert "comment" in missing_comment.value.fields
    missions.send_back(order, scene.staff, "Add the #ad label in the description, please.")
    db.session.commit()
    assert order.state is OrderState.SENT_BACK and first.decision == "sent_back"
    assert "sent back" in _notes(scene.ambassador)[-1]

    second = missions.submit_report(order, scene.ambassador, text="#AD Description updated.",
                                    links="https://video.example/watch?v=1")
    db.session.commit()
    assert not second.label_missing and missions.latest_report(order) is second
    missions.approve(order, scene.staff, "Thanks!")
    db.session.commit()
    assert order.state is OrderState.APPROVED and order.approved_at == MISSION_T0
    assert second.decision == "approved" and second.review_comment == "Thanks!"
    assert "approved" in _notes(scene.ambassador)[-1]
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("mission.%"))
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["mission.issued", "mission.accepted", "mission.reported", "mission.sent_back",
                       "mission.reported", "mission.approved"]


def test_a_warning_is_cleared_with_a_note_then_the_report_approved(ctx, mission_scene):
    scene = mission_scene()
    order = _issue(scene)
    missions.accept_order(order, scene.ambassador)
    report = missions.submit_report(order, scene.ambassador, text="Story posted (the label is on the image).",
                                    links="")
    db.session.commit()
    assert missions.warning_to_clear(order)
    with pytest.raises(ValidationFailed) as empty:
        missions.clear_warning(order, scene.staff, "")
    assert "note" in empty.value.fields
    with pytest.raises(Forbidden):
        missions.clear_warning(order, scene.ambassador, "I say it is fine")
    missions.clear_warning(order, scene.staff, "Checked the story: the label is on the picture.")
    db.session.commit()
    assert report.warning_cleared_at == MISSION_T0 and report.warning_cleared_by_id == scene.staff.id
    assert not missions.warning_to_clear(order)
    with pytest.raises(DomainError, match="no disclosure warning"):
        missions.clear_warning(order, scene.staff, "again")
    db.session.rollback()
    missions.approve(order, scene.staff)
    db.session.commit()
    assert order.state is OrderState.APPROVED


@pytest.mark.parametrize(("text", "links", "shown"), [
    ("Great kit #ad", "", True),
    ("Great kit #AD!", "", True),
    # A label only in a link is not seen by a viewer (loi 2023-451 art. 5; FTC 255.5).
    ("Great kit", "https://insta.example/p/1#ad", False),
    ("Great kit", "https://insta.example/p/1?caption=nice+%23ad+kit", False),
    ("Great kit https://insta.example/p/1#ad", "", False),
    ("Great kit https://insta.example/p/1?utm=%23ad", "", False),
    ("Great #adventure", "", False),
    ("Great kit", "https://insta.example/p/adventure", False),
    ("Great kit ad", "", False),
])
def test_art5_the_label_is_a_whole_token_of_the_text_never_of_a_link(text, links, shown):
    assert missions.label_is_shown("#ad", text, missions.parse_links(links)) is shown


def test_a_french_label_is_found_whatever_the_case_and_spacing():
    assert missions.label_is_shown("Collaboration commerciale", "COLLABORATION\n  commerciale avec Acme", [])
    assert missions.label_is_shown("Publicité", "publicité", [])
    assert not missions.label_is_shown("Publicité", "publicitéx", [])


def test_links_must_be_one_http_address_per_line(ctx, mission_scene):
    scene = mission_scene()
    order = _issue(scene)
    missions.accept_order(order, scene.ambassador)
    db.session.commit()
    with pytest.raises(ValidationFailed) as bad:
        missions.submit_report(order, scene.ambassador, text="Done #ad",
                               links="https://ok.example/1\nftp://files.example/x\n\nnot a link\nhttps://")
    assert "links" in bad.value.fields and "2, 3, 4" in bad.value.message
    with pytest.raises(ValidationFailed) as empty:
        missions.submit_report(order, scene.ambassador, text="   ", links="")
    assert "text" in empty.value.fields
    report = missions.submit_report(order, scene.ambassador, text="Done #ad",
                                    links=["  https://ok.example/1  ", "", "http://ok.example/2"])
    assert report.links == "https://ok.example/1\nhttp://ok.example/2"


def test_issuing_refuses_bad_input_and_the_wrong_people(ctx, mission_scene, make):
    scene = mission_scene()
    other = mission_scene(slug="other")
    with pytest.raises(Forbidden):  # a member acting as staff
        missions.issue_order(scene.mandate, scene.ambassador, title="t", instructions="i", due_at=DUE,
                             expected_proof="p")
    with pytest.raises(Forbidden):  # staff of another brand
        missions.issue_order(scene.mandate, other.staff, title="t", instructions="i", due_at=DUE, expected_proof="p")
    with pytest.raises(ValidationFailed) as past:
        _issue(scene, due_at=MISSION_T0 - timedelta(minutes=1))
    assert "due_at" in past.value.fields and "future" in past.value.message
    with pytest.raises(ValidationFailed) as late:
        _issue(scene, due_at=MISSION_T0 + timedelta(days=400))
    assert "after the mandate ends" in late.value.message
    with pytest.raises(ValidationFailed) as naive:
        _issue(scene, due_at=DUE.replace(tzinfo=None))
    assert "due_at" in naive.value.fields
    with pytest.raises(ValidationFailed) as title:
        _issue(scene, title="")
    assert "title" in title.value.fields
    with pytest.raises(ValidationFailed) as proof:
        _issue(scene, expected_proof="x" * 4001)
    assert "expected_proof" in proof.value.fields
    assert _issue(scene, disclosure_label=" Collaboration commerciale ").disclosure_label == "Collaboration commerciale"


def test_a_contract_without_label_needs_one_written_on_the_order(ctx, mission_scene):
    scene = mission_scene(label=None)
    assert missions.contract_label(scene.mandate) is None
    with pytest.raises(ValidationFailed) as refused:
        _issue(scene)
    assert "disclosure_label" in refused.value.fields
    assert _issue(scene, disclosure_label="advertising").disclosure_label == "Advertising"  # its listed form
    with pytest.raises(ValidationFailed) as vague:
        _issue(scene, disclosure_label="#sponsored")
    assert "disclosure_label" in vague.value.fields


def test_odd_clauses_give_no_default_label(ctx, mission_scene):
    scene = mission_scene(clauses={"disclosure": "just a string"})
    assert missions.contract_label(scene.mandate) is None


def test_orders_need_an_active_mandate(ctx, mission_scene, active_mandate, make):
    scene = mission_scene()
    for state in (MandateState.DRAFT, MandateState.OFFERED, MandateState.SCHEDULED, MandateState.REVOKED):
        other = active_mandate(scene.brand, make.member(scene.brand), state=state)
        with pytest.raises(DomainError, match="active mandate only"):
            missions.issue_order(other, scene.staff, title="t", instructions="i", due_at=DUE, expected_proof="p")


def test_no_action_on_orders_of_a_mandate_no_longer_active(ctx, mission_scene):
    scene = mission_scene()
    issued = _issue(scene)
    reported = _issue(scene, title="Second")
    missions.accept_order(reported, scene.ambassador)
    missions.submit_report(reported, scene.ambassador, text="Done #ad", links="")
    db.session.commit()
    scene.mandate.state = MandateState.REVOKED
    db.session.commit()
    for act in (lambda: missions.accept_order(issued, scene.ambassador),
                lambda: missions.decline_order(issued, scene.ambassador, "no"),
                lambda: missions.approve(reported, scene.staff),
                lambda: missions.send_back(reported, scene.staff, "more"),
                lambda: missions.submit_report(issued, scene.ambassador, text="x", links="")):
        with pytest.raises(DomainError, match="not active"):
            act()
        db.session.rollback()
    assert missions.waiting_for_ambassador(scene.ambassador, scene.brand) == {
        "to_accept": [], "to_report": [], "sent_back": []}
    assert missions.cancel_open_orders(scene.mandate) == 2
    db.session.commit()
    assert issued.state is OrderState.CANCELLED and not missions.is_overdue(issued, DUE + timedelta(days=1))


def test_a_report_on_someone_elses_order_is_refused(ctx, mission_scene, make):
    scene = mission_scene()
    order = _issue(scene)
    stranger = make.member(scene.brand)
    other = mission_scene(slug="other")
    for intruder in (stranger, scene.staff, other.ambassador):
        with pytest.raises(Forbidden, match="not yours"):
            missions.accept_order(order, intruder)
    missions.accept_order(order, scene.ambassador)
    db.session.commit()
    for intruder in (stranger, scene.staff, other.ambassador):
        with pytest.raises(Forbidden, match="not yours"):
            missions.submit_report(order, intruder, text="I did it #ad", links="")
    assert order.reports == []


def test_staff_acts_are_refused_to_members_and_to_staff_of_another_brand(ctx, mission_scene):
    scene = mission_scene()
    other = mission_scene(slug="other")
    order = _issue(scene)
    missions.accept_order(order, scene.ambassador)
    missions.submit_report(order, scene.ambassador, text="Done #ad", links="")
    db.session.commit()
    for intruder in (scene.ambassador, other.staff, other.ambassador):
        with pytest.raises(Forbidden):
            missions.approve(order, intruder)
        with pytest.raises(Forbidden):
            missions.send_back(order, intruder, "no")
    assert order.state is OrderState.REPORTED


def test_declining_needs_a_reason_and_closes_the_order(ctx, mission_scene):
    scene = mission_scene()
    order = _issue(scene)
    with pytest.raises(ValidationFailed) as empty:
        missions.decline_order(order, scene.ambassador, "")
    assert "reason" in empty.value.fields
    missions.decline_order(order, scene.ambassador, "I am travelling that week.")
    db.session.commit()
    assert order.state is OrderState.DECLINED and order.decline_reason == "I am travelling that week."
    assert "declined" in _notes(scene.staff)[-1]
    with pytest.raises(DomainError, match="already been answered"):
        missions.accept_order(order, scene.ambassador)
    with pytest.raises(DomainError):
        missions.submit_report(order, scene.ambassador, text="x", links="")
    assert not missions.is_overdue(order, DUE + timedelta(days=1))


def test_wrong_states_are_refused(ctx, mission_scene):
    scene = mission_scene()
    order = _issue(scene)
    with pytest.raises(DomainError, match="once the order is accepted"):
        missions.submit_report(order, scene.ambassador, text="Done #ad", links="")
    with pytest.raises(DomainError, match="No report waits"):
        missions.approve(order, scene.staff)
    missions.accept_order(order, scene.ambassador)
    missions.submit_report(order, scene.ambassador, text="Done #ad", links="")
    db.session.commit()
    with pytest.raises(DomainError):  # one report waits: no second one before the review
        missions.submit_report(order, scene.ambassador, text="More #ad", links="")
    missions.approve(order, scene.staff)
    db.session.commit()
    with pytest.raises(DomainError):
        missions.send_back(order, scene.staff, "too late")


def test_overdue_orders_are_flagged_on_both_sides(ctx, mission_scene):
    scene = mission_scene()
    to_accept = _issue(scene, title="A", due_at=MISSION_T0 + timedelta(days=1))
    to_report = _issue(scene, title="B", due_at=MISSION_T0 + timedelta(days=2))
    done = _issue(scene, title="C", due_at=MISSION_T0 + timedelta(days=3))
    later = _issue(scene, title="D", due_at=MISSION_T0 + timedelta(days=30))
    for order in (to_report, done):
        missions.accept_order(order, scene.ambassador)
    missions.submit_report(done, scene.ambassador, text="Done #ad", links="")
    db.session.commit()

    staff_view = missions.waiting_for_staff(scene.brand)
    assert staff_view == {"to_review": [done], "overdue": []}
    mine = missions.waiting_for_ambassador(scene.ambassador, scene.brand)
    assert mine == {"to_accept": [to_accept, later], "to_report": [to_report], "sent_back": []}

    clock.freeze(MISSION_T0 + timedelta(days=5))
    assert [missions.is_overdue(o) for o in (to_accept, to_report, done, later)] == [True, True, True, False]
    assert missions.waiting_for_staff(scene.brand)["overdue"] == [to_accept, to_report, done]
    missions.approve(done, scene.staff)  # late, but approved: no longer overdue
    db.session.commit()
    assert not missions.is_overdue(done)
    assert missions.waiting_for_staff(scene.brand) == {"to_review": [], "overdue": [to_accept, to_report]}
    # An overdue order can still be answered and reported: being late is flagged, not forbidden.
    missions.submit_report(to_report, scene.ambassador, text="Sorry, late #ad", links="")
    db.session.commit()
    assert missions.waiting_for_staff(scene.brand)["to_review"] == [to_report]


def test_an_order_seen_by_someone_else_is_refused(ctx, mission_scene, make):
    scene = mission_scene()
    order = _issue(scene)
    assert missions.order_for_viewer(scene.brand, order.id, scene.ambassador) is order
    assert missions.order_for_viewer(scene.brand, order.id, scene.staff) is order
    with pytest.raises(Forbidden):
        missions.order_for_viewer(scene.brand, order.id, make.member(scene.brand))
    other = mission_scene(slug="other")
    with pytest.raises(DomainError):  # not an order of that brand: 404
        missions.order_in_brand(other.brand, order.id)


def test_the_ambassador_exports_their_orders_and_benefits(ctx, mission_scene):
    from institutions import privacy
    from mandates import benefits

    scene = mission_scene()
    order = _issue(scene)
    missions.accept_order(order, scene.ambassador)
    missions.submit_report(order, scene.ambassador, text="Done #ad", links="https://v.example/1")
    benefits.record_benefit(scene.mandate, scene.staff, kind="money", description="Fee", value="10",
                            currency="EUR", given_on=MISSION_T0.date())
    db.session.commit()
    exported = privacy.export_user_data(scene.ambassador)
    assert exported["mission_orders"][0]["reports"][0]["links"] == ["https://v.example/1"]
    assert exported["benefits"][0]["value_minor"] == 1000
