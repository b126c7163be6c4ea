"""The exchange of a case: channels and who reads them, private notes, document requests and documents."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from extensions import db
from mediation import documents_store, exchange
from mediation.models import CaseDocument, CaseEvent, CaseState, MessageChannel
from mediation.forms import exchange_page_forms
from mediation.timeline import visible_events
from institutions.errors import DomainError, Forbidden, NotFound, ValidationFailed
from institutions.models import AuditEvent, Notification
from tests.mediation.exchange_fixtures import PDF, PNG


def _notified(user) -> list[str]:
    return [n.message for n in db.session.scalars(select(Notification).where(Notification.user_id == user.id))]


def _bodies(case, role) -> list[str]:
    """What this role reads; the viewer is the case's mediator (whose own notes are the only ones anyone reads)."""
    return [message.body for message in exchange.messages_for(case, role, case.mediator.user)]


def test_channels_reach_their_readers_and_no_one_else(ctx, case_scene):
    scene = case_scene(collective=True)
    case = scene.case
    exchange.post_message(case, scene.mediator, "both", "Hello both")
    exchange.post_message(case, scene.mediator, MessageChannel.COMPLAINANT, "Only the complainant")
    exchange.post_message(case, scene.mediator, "brand", "Only the brand")
    exchange.post_note(case, scene.mediator, "The brand seems in bad faith")
    exchange.post_message(case, scene.complainant, "complainant", "Between us, mediator")
    exchange.post_message(case, scene.staff, "both", "The brand to everyone")
    db.session.commit()

    assert _bodies(case, "mediator") == ["Hello both", "Only the complainant", "Only the brand",
                                         "The brand seems in bad faith", "Between us, mediator",
                                         "The brand to everyone"]
    assert _bodies(case, "complainant") == ["Hello both", "Only the complainant", "Between us, mediator",
                                            "The brand to everyone"]
    assert _bodies(case, "brand") == ["Hello both", "Only the brand", "The brand to everyone"]
    assert _bodies(case, None) == []

    # Who was told: the channel's readers, never the author, and nobody for a note.
    assert len(_notified(scene.complainant)) == 3  # both, complainant channel, the brand's message on both
    assert len(_notified(scene.joined)) == 4  # as above, plus the complainant's own message on their channel
    assert len(_notified(scene.staff)) == 2  # the mediator's both and brand messages
    assert len(_notified(scene.mediator)) == 2  # the complainant's and the brand's messages
    assert _notified(scene.outsider) == []
    assert all("bad faith" not in text for user in (scene.complainant, scene.staff) for text in _notified(user))

    # The timeline shows each message to its channel's readers; the note to the mediator alone.
    kinds = {role: [e.kind for e in visible_events(case, role)] for role in ("mediator", "complainant", "brand")}
    assert kinds["mediator"].count("note") == 1 and "note" not in kinds["complainant"] + kinds["brand"]
    assert kinds["complainant"].count("message") == 4 and kinds["brand"].count("message") == 3
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.note_written")).is_public is False


def test_parties_cannot_write_where_they_may_not(ctx, case_scene):
    scene = case_scene()
    case = scene.case
    with pytest.raises(Forbidden):
        exchange.post_message(case, scene.complainant, "brand", "Psst, brand")
    with pytest.raises(Forbidden):
        exchange.post_message(case, scene.staff, "complainant", "Psst, complainant")
    with pytest.raises(Forbidden):
        exchange.post_message(case, scene.complainant, "note", "My own note")
    with pytest.raises(Forbidden):
        exchange.post_message(case, scene.outsider, "both", "I have an opinion")
    with pytest.raises(ValidationFailed) as empty:
        exchange.post_message(case, scene.mediator, "both", "   ")
    assert "body" in empty.value.fields
    with pytest.raises(ValidationFailed) as unknown:
        exchange.post_message(case, scene.mediator, "everyone", "Hi")
    assert "channel" in unknown.value.fields


def test_before_opening_only_the_complainant_and_the_mediator_talk(ctx, case_scene):
    scene = case_scene(state=CaseState.FILED)
    case = scene.case
    assert exchange.allowed_channels(case, "mediator") == (MessageChannel.COMPLAINANT, MessageChannel.NOTE)
    assert exchange.allowed_channels(case, "complainant") == (MessageChannel.COMPLAINANT,)
    assert exchange.allowed_channels(case, "brand") == ()
    exchange.post_message(case, scene.mediator, "complainant", "Please send the invoice")
    exchange.post_message(case, scene.complainant, "complainant", "Here is what I have")
    exchange.post_note(case, scene.mediator, "Probably admissible")
    with pytest.raises(DomainError, match="Until the mediator opens the case"):
        exchange.post_message(case, scene.mediator, "both", "Hello all")
    with pytest.raises(DomainError, match="Until the mediator opens the case"):
        exchange.post_message(case, scene.staff, "brand", "We heard of it")
    # The mediator may ask the complainant for what is missing, not the brand yet.
    exchange.request_document(case, scene.mediator, from_party="complainant", description="The invoice")
    with pytest.raises(DomainError, match="from the complainant only"):
        exchange.request_document(case, scene.mediator, from_party="brand", description="The delivery slip")


@pytest.mark.parametrize("state", [CaseState.SETTLED, CaseState.WITHDRAWN, CaseState.REFUSED, CaseState.LAPSED])
def test_a_closed_case_takes_no_more_messages_nor_requests(ctx, case_scene, state):
    scene = case_scene(state=state)
    assert exchange.allowed_channels(scene.case, "mediator") == ()
    with pytest.raises(DomainError, match="closed"):
        exchange.post_message(scene.case, scene.mediator, "both", "Anyone?")
    with pytest.raises(DomainError, match="closed"):
        exchange.post_message(scene.case, scene.complainant, "both", "Anyone?")
    with pytest.raises(DomainError, match="closed"):
        exchange.request_document(scene.case, scene.mediator, from_party="complainant", description="More")


def test_a_document_shared_with_both_parties(ctx, case_scene):
    scene = case_scene()
    case = scene.case
    with pytest.raises(Forbidden):
        exchange.request_document(case, scene.complainant, from_party="brand", description="Their logs")
    request = exchange.request_document(case, scene.mediator, from_party="brand",
                                        description="The delivery slip", share_with="all")
    db.session.commit()
    assert any("delivery slip" in text for text in _notified(scene.staff))
    assert not _notified(scene.complainant)  # the request is addressed to the brand only

    with pytest.raises(Forbidden, match="not addressed to you"):
        exchange.upload_document(case, scene.complainant, request, "slip.pdf", PDF)
    with pytest.raises(ValidationFailed, match="not what its name says"):
        exchange.upload_document(case, scene.staff, request, "slip.pdf", PNG)
    document = exchange.upload_document(case, scene.staff, request, "slip.pdf", PDF)
    db.session.commit()
    assert document.visible_to == "all" and request.fulfilled_at is not None
    assert documents_store.read(document.storage_key) == PDF
    for role in ("mediator", "complainant", "brand"):
        assert exchange.documents_for(case, role) == [document]
    found, data = exchange.document_for_viewer(case, document.id, scene.complainant)
    assert found is document and data == PDF
    with pytest.raises(Forbidden):
        exchange.document_for_viewer(case, document.id, scene.outsider)
    assert any("slip.pdf" in text for text in _notified(scene.complainant))


def test_a_document_for_the_mediator_only_stays_with_its_side(ctx, case_scene):
    scene = case_scene()
    case = scene.case
    request = exchange.request_document(case, scene.mediator, from_party="both", description="Your contracts",
                                        share_with="mediator")
    from_brand = exchange.upload_document(case, scene.staff, request, "contract.pdf", PDF)
    assert request.fulfilled_at is None  # the complainant has not sent theirs yet
    from_complainant = exchange.upload_document(case, scene.complainant, request, "photo.png", PNG)
    db.session.commit()
    assert request.fulfilled_at is not None
    assert from_brand.visible_to == "brand" and from_complainant.visible_to == "complainant"
    assert exchange.documents_for(case, "mediator") == [from_brand, from_complainant]
    assert exchange.documents_for(case, "brand") == [from_brand]
    assert exchange.documents_for(case, "complainant") == [from_complainant]
    with pytest.raises(NotFound):  # the brand never learns the complainant's document exists
        exchange.document_for_viewer(case, from_complainant.id, scene.staff)
    brand_events = [e for e in visible_events(case, "brand") if e.kind == "document_sent"]
    assert [e.note for e in brand_events] == ["contract.pdf"]
    assert not any("photo.png" in text for text in _notified(scene.staff))


def test_document_requests_refusals(ctx, case_scene):
    scene = case_scene()
    case = scene.case
    with pytest.raises(ValidationFailed) as party:
        exchange.request_document(case, scene.mediator, from_party="judge", description="x")
    assert "from_party" in party.value.fields
    with pytest.raises(ValidationFailed) as share:
        exchange.request_document(case, scene.mediator, from_party="brand", description="x", share_with="public")
    assert "share_with" in share.value.fields
    with pytest.raises(ValidationFailed) as description:
        exchange.request_document(case, scene.mediator, from_party="brand", description="")
    assert "description" in description.value.fields
    request = exchange.request_document(case, scene.mediator, from_party="complainant", description="Invoice")
    with pytest.raises(Forbidden):
        exchange.upload_document(case, scene.mediator, request, "invoice.pdf", PDF)
    with pytest.raises(ValidationFailed, match="larger than 5 MB"):
        exchange.upload_document(case, scene.complainant, request, "invoice.pdf",
                                 PDF + b"0" * documents_store.MAX_BYTES)
    case.state = CaseState.WITHDRAWN
    with pytest.raises(DomainError, match="closed"):
        exchange.upload_document(case, scene.complainant, request, "invoice.pdf", PDF)
    assert db.session.scalars(select(CaseDocument)).all() == []
    requests_seen = {role: exchange.requests_for(case, role) for role in ("mediator", "complainant", "brand")}
    assert requests_seen == {"mediator": [request], "complainant": [request], "brand": []}


def test_the_page_context_offers_each_viewer_its_own_tools(app, case_scene):
    scene = case_scene()
    case = scene.case
    with app.test_request_context():
        exchange.post_note(case, scene.mediator, "A note")
        exchange.request_document(case, scene.mediator, from_party="brand", description="Slip")
        db.session.commit()
        mediator = exchange.page_context(case, scene.mediator, exchange_page_forms())["exchange"]
        brand = exchange.page_context(case, scene.staff, exchange_page_forms())["exchange"]
        complainant = exchange.page_context(case, scene.complainant, exchange_page_forms())["exchange"]
        outsider = exchange.page_context(case, scene.outsider, exchange_page_forms())["exchange"]
    assert [c for c, _label in mediator.forms["message"].channel.choices] == ["both", "complainant", "brand"]
    assert mediator.can_request and mediator.can_note and mediator.messages == []
    assert [note.body for note in mediator.notes] == ["A note"]
    assert [c for c, _label in brand.forms["message"].channel.choices] == ["both", "brand"]
    assert brand.messages == brand.notes == [] and not brand.can_note and len(brand.can_upload_for) == 1
    assert complainant.requests == [] and complainant.can_upload_for == []
    assert outsider.role is None and outsider.messages == [] and outsider.forms == {}
    assert db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "document_requested")).visible_to == "brand"


def test_what_a_person_wrote_is_in_their_data_export(ctx, case_scene):
    from institutions.privacy import export_user_data

    scene = case_scene()
    exchange.post_message(scene.case, scene.complainant, "complainant", "My side of the story")
    request = exchange.request_document(scene.case, scene.mediator, from_party="complainant", description="Invoice")
    exchange.upload_document(scene.case, scene.complainant, request, "invoice.pdf", PDF)
    db.session.commit()
    mine = export_user_data(scene.complainant)["case_exchange"]
    assert [m["body"] for m in mine["messages"]] == ["My side of the story"]
    assert [d["filename"] for d in mine["documents"]] == ["invoice.pdf"]
    assert export_user_data(scene.staff)["case_exchange"] == {"messages": [], "documents": []}
