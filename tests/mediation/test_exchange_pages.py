"""The exchange and the outcome on the case page, as the mediator, the complainant and the brand use them."""
from __future__ import annotations

import io
import re
from datetime import timedelta

from extensions import db
from institutions import clock
from mediation.models import CaseDocument, CaseMessage, CaseState, DocumentRequest, MessageChannel
from tests.conftest import T0
from tests.mediation.exchange_fixtures import PDF, PNG
from tests.conftest import login


def _clients(app, scene):
    people = {}
    for name in ("mediator", "complainant", "staff", "outsider"):
        people[name] = app.test_client()
        login(people[name], getattr(scene, name))
    return people


def _page(scene) -> str:
    return f"/b/{scene.brand.slug}/cases/{scene.case.id}"


def _section(html: str, section_id: str) -> str:
    """The text of one <section id=...> of the page (empty when it is not there)."""
    match = re.search(rf'<section id="{section_id}".*?</section>', html, re.S)
    return match.group(0) if match else ""


def test_messages_and_notes_on_the_case_page(app, case_scene):
    scene = case_scene()
    c = _clients(app, scene)
    page = _page(scene)

    mediator_page = c["mediator"].get(page).text
    assert 'name="message-channel"' in mediator_page and "My private notes" in mediator_page
    assert c["mediator"].post(f"{page}/messages", data={"message-channel": "both", "message-body": "Hello both"}
                              ).status_code == 302
    c["mediator"].post(f"{page}/messages", data={"message-channel": "brand", "message-body": "Brand, a word"})
    done = c["mediator"].post(f"{page}/notes", data={"note-body": "Brand evasive"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"{page}#notes")
    refused = c["mediator"].post(f"{page}/messages", data={"message-channel": "both", "message-body": ""})
    assert refused.status_code == 422 and "This field is required." in _section(refused.text, "exchange")

    complainant_page = c["complainant"].get(page).text
    exchange = _section(complainant_page, "exchange")
    assert "Hello both" in exchange and "Brand, a word" not in exchange
    assert "Brand evasive" not in complainant_page and "My private notes" not in complainant_page
    assert re.findall(r'<option value="(\w+)"', exchange) == ["both", "complainant"]
    sneaky = c["complainant"].post(f"{page}/messages", data={"message-channel": "brand", "message-body": "Hi"})
    assert sneaky.status_code == 422 and "Not a valid choice" in sneaky.text
    c["complainant"].post(f"{page}/messages", data={"message-channel": "complainant", "message-body": "In private"})

    brand_exchange = _section(c["staff"].get(page).text, "exchange")
    assert "Hello both" in brand_exchange and "Brand, a word" in brand_exchange
    assert "In private" not in brand_exchange and "Brand evasive" not in brand_exchange
    assert db.session.query(CaseMessage).filter_by(channel=MessageChannel.NOTE).count() == 1

    # A third party reaches neither the page nor its acts.
    assert c["outsider"].get(page).status_code == 403
    assert c["outsider"].post(f"{page}/messages", data={"message-channel": "both", "message-body": "x"}
                              ).status_code == 403
    assert c["outsider"].post(f"{page}/proposal/accept").status_code == 403


def test_a_document_asked_sent_and_read_through_the_pages(app, case_scene):
    scene = case_scene()
    c = _clients(app, scene)
    page = _page(scene)
    asked = c["mediator"].post(f"{page}/document-requests", data={
        "request-from_party": "brand", "request-description": "The delivery slip", "request-share_with": "all"})
    assert asked.status_code == 302
    request = db.session.query(DocumentRequest).one()

    staff_page = c["staff"].get(page).text
    assert "The delivery slip" in staff_page and f'id="upload-file-{request.id}"' in staff_page
    assert "The delivery slip" not in c["complainant"].get(page).text  # not asked of them

    upload = f"{page}/document-requests/{request.id}/upload"
    bad = c["staff"].post(upload, data={"upload-file": (io.BytesIO(PNG), "slip.pdf")},
                          content_type="multipart/form-data")
    assert bad.status_code == 422
    assert f'id="upload-file-{request.id}-errors"' in bad.text and "not what its name says" in bad.text
    sent = c["staff"].post(upload, data={"upload-file": (io.BytesIO(PDF), "slip.pdf")},
                           content_type="multipart/form-data")
    assert sent.status_code == 302
    document = db.session.query(CaseDocument).one()

    documents = _section(c["complainant"].get(page).text, "documents")
    assert "Documents the other side sent, shared with you" in documents and "slip.pdf" in documents
    download = c["complainant"].get(f"{page}/attachments/{document.id}")
    assert download.status_code == 200 and download.data == PDF
    assert c["outsider"].get(f"{page}/attachments/{document.id}").status_code == 403
    not_theirs = c["complainant"].post(upload, data={"upload-file": (io.BytesIO(PDF), "mine.pdf")},
                                       content_type="multipart/form-data")
    assert not_theirs.status_code == 422 and "This request is not addressed to you." in not_theirs.text
    assert db.session.query(CaseDocument).count() == 1


def test_the_proposal_journey_through_the_pages(app, case_scene):
    scene = case_scene()
    c = _clients(app, scene)
    page = _page(scene)

    outcome = _section(c["mediator"].get(page).text, "outcome")
    assert "Make a proposal" in outcome and "free to accept or to refuse" in outcome
    too_short = c["mediator"].post(f"{page}/proposal", data={"proposal-text": "Bike", "proposal-answer_days": "2"})
    assert too_short.status_code == 422 and "Number must be between 7 and 30." in too_short.text
    made = c["mediator"].post(f"{page}/proposal", data={"proposal-text": "A new bike within 10 days",
                                                          "proposal-answer_days": "14"})
    assert made.status_code == 302

    for who in ("complainant", "staff"):
        outcome = _section(c[who].get(page).text, "outcome")
        assert "A new bike within 10 days" in outcome
        for notice in ("You are free to accept or to refuse this proposal.",
                       "the courts stay open to you", "may differ from the decision a judge would make"):
            assert notice in outcome
        assert "Accept the proposal" in outcome and "Refuse the proposal" in outcome
        assert (T0 + timedelta(days=14)).isoformat() in outcome and "in 2 weeks" in outcome

    assert c["mediator"].post(f"{page}/proposal/accept").status_code == 422  # not a party
    clock.freeze(T0 + timedelta(days=1))
    assert c["complainant"].post(f"{page}/proposal/accept").status_code == 302
    again = c["complainant"].post(f"{page}/proposal/refuse")
    assert again.status_code == 422 and "Your side has already answered" in again.text
    assert c["staff"].post(f"{page}/proposal/accept").status_code == 302
    db.session.expire_all()
    assert scene.case.state is CaseState.SETTLED

    mediator_outcome = _section(c["mediator"].get(page).text, "outcome")
    assert "Settled" in mediator_outcome and "Whom the outcome favours" in mediator_outcome
    assert c["mediator"].post(f"{page}/outcome", data={"favours-favours": "consumer"}).status_code == 302
    assert "Whom the outcome favours" not in _section(c["complainant"].get(page).text, "outcome")

    complainant_outcome = _section(c["complainant"].get(page).text, "outcome")
    assert "Did the brand comply?" in complainant_outcome and 'name="compliance-complied"' in complainant_outcome
    assert c["complainant"].post(f"{page}/compliance", data={"compliance-complied": "yes"}).status_code == 302
    for who in ("complainant", "staff", "mediator"):
        assert "The complainant confirms the brand complied" in c[who].get(page).text
    db.session.expire_all()
    assert scene.case.complied is True and scene.case.outcome_favours == "consumer"


def test_extension_and_withdrawal_through_the_pages(app, case_scene):
    scene = case_scene()
    c = _clients(app, scene)
    page = _page(scene)
    assert "Extend the mediation period" in c["mediator"].get(page).text
    assert "Extend the mediation period" not in c["complainant"].get(page).text
    empty = c["mediator"].post(f"{page}/extension", data={"extension-reason": "", "extension-days": "90"})
    assert empty.status_code == 422 and "<details" in empty.text and 'id="extend" open' in empty.text
    assert c["mediator"].post(f"{page}/extension", data={"extension-reason": "Expert needed",
                                                          "extension-days": "45"}).status_code == 302
    complainant_page = c["complainant"].get(page).text
    assert "extended the mediation period by 45 days in all" in complainant_page and "Expert needed" in complainant_page
    second = c["mediator"].post(f"{page}/extension", data={"extension-reason": "More", "extension-days": "10"})
    assert second.status_code == 302
    complainant_page = c["complainant"].get(page).text
    assert "by 55 days in all" in complainant_page and "Expert needed" in complainant_page and "More" in complainant_page

    staff_page = c["staff"].get(page).text
    assert "Withdraw my case" not in staff_page and "Withdraw the brand from the mediation" in staff_page
    assert "Withdraw my case" in c["complainant"].get(page).text
    assert c["complainant"].post(f"{page}/withdraw", data={"withdraw-reason": "Agreed directly"}
                                 ).status_code == 302
    db.session.expire_all()
    assert scene.case.state is CaseState.WITHDRAWN
    closed = c["complainant"].get(page).text
    assert "Withdrawn" in closed and "Agreed directly" in closed and "Withdraw my case" not in closed
    assert "The case is closed: the exchange is over." in closed


def test_the_staff_dashboard_lists_what_the_brand_owes_in_the_exchange(app, case_scene):
    scene = case_scene()
    c = _clients(app, scene)
    page = _page(scene)
    c["mediator"].post(f"{page}/document-requests", data={
        "request-from_party": "both", "request-description": "Your records", "request-share_with": "all"})
    c["mediator"].post(f"{page}/proposal", data={"proposal-text": "Refund half", "proposal-answer_days": "14"})
    dashboard = c["staff"].get(f"/b/{scene.brand.slug}/staff/").text
    assert "1 mediation proposal waits for the brand&#39;s answer" in dashboard
    assert "1 document asked by a mediator waits to be sent" in dashboard
    request = db.session.query(DocumentRequest).one()
    c["staff"].post(f"{page}/document-requests/{request.id}/upload",
                    data={"upload-file": (io.BytesIO(PDF), "records.pdf")}, content_type="multipart/form-data")
    c["staff"].post(f"{page}/proposal/refuse")
    dashboard = c["staff"].get(f"/b/{scene.brand.slug}/staff/").text
    assert "0 mediation proposals wait for the brand&#39;s answer" in dashboard
    assert "0 documents asked by a mediator wait to be sent" in dashboard
