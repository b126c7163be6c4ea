"""The contract pages as staff and ambassadors use them: start, edit with the checklist and preview, offer,
sign, countersign, amend, end; refusals; the printable contract; bounded queries."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from extensions import db
from institutions import clock
from institutions.models import OutboxMessage
from mandates import contract_text, contracts
from mandates.models import Mandate, MandateState, Signature, VersionState
from tests.conftest import login
from tests.conftest import T0
from tests.mandates.contract_fixtures import LEGAL_NAME, STARTS, complete_clauses


def form_data(public_name: str = "Élodie M.", language: str = "en", **overrides) -> dict:
    """The draft editor's fields for complete clauses."""
    data = {"public_name": public_name, "language": language}
    for clause, fields in complete_clauses(**overrides).items():
        for key, value in fields.items():
            if value is False:
                continue  # an unticked checkbox is not sent
            data[f"{clause}__{key}"] = "y" if value is True else ", ".join(value) if isinstance(value, list) else str(value)
    return data


def staff_client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def test_the_whole_journey_through_the_pages(app, contract_scene):
    scene = contract_scene
    clerk = staff_client(app, scene.clerk)
    start = clerk.post("/b/acme/mandates/", data={"email": scene.ambassador.email})
    assert start.status_code == 302 and start.headers["Location"].endswith("/draft")
    mandate = db.session.scalar(select(Mandate))
    editor = clerk.get(f"/b/acme/mandates/{mandate.id}/draft").text
    assert "Missing:" in editor and "Intellectual property" in editor and "[to be completed]" in editor
    saved = clerk.post(f"/b/acme/mandates/{mandate.id}/draft", data=form_data(), follow_redirects=True)
    assert "The draft is saved." in saved.text and "Every mandatory clause is filled" in saved.text
    assert "Tribunal judiciaire de Paris" in saved.text  # the preview is refreshed on save
    offered = clerk.post(f"/b/acme/mandates/{mandate.id}/offer", follow_redirects=True)
    assert "The contract is offered" in offered.text
    db.session.expire_all()
    version = mandate.versions[0]
    assert version.state is VersionState.OFFERED and mandate.public_name == "Élodie M."

    ambassador = staff_client(app, scene.ambassador)
    mine = ambassador.get("/b/acme/mandates/mine").text
    assert "Version 1 waits for your signature." in mine
    page = ambassador.get(f"/b/acme/mandates/{mandate.id}/sign").text
    assert version.text_sha256 in page and "Article 4. Intellectual property" in page
    refused = ambassador.post(f"/b/acme/mandates/{mandate.id}/sign",
                              data={"typed_name": "Someone Else", "accept": "y", "version": "1"})
    assert refused.status_code == 422 and "exactly as the contract writes it" in refused.text
    unticked = ambassador.post(f"/b/acme/mandates/{mandate.id}/sign", data={"typed_name": LEGAL_NAME, "version": "1"})
    assert unticked.status_code == 422 and "Tick the box" in unticked.text
    signed = ambassador.post(f"/b/acme/mandates/{mandate.id}/sign", headers={"User-Agent": "Firefox/140"},
                             data={"typed_name": "ÉLODIE MARTIN", "accept": "y", "version": "1",
                                   "text_sha256": version.text_sha256}, follow_redirects=True)
    assert "You signed the contract" in signed.text

    signer = staff_client(app, scene.signer)
    detail = signer.get(f"/b/acme/mandates/{mandate.id}").text
    assert "Countersign in the brand" in detail
    assert "Countersign in the brand" not in clerk.get(f"/b/acme/mandates/{mandate.id}").text  # no signing rights
    done = signer.post(f"/b/acme/mandates/{mandate.id}/countersign",
                       data={"typed_name": "Sam Signer", "version": "1", "text_sha256": version.text_sha256},
                       follow_redirects=True)
    assert "countersigned and in force" in done.text
    db.session.expire_all()
    assert mandate.state is MandateState.SCHEDULED

    clock.freeze(T0 + timedelta(days=9))
    listing = clerk.get("/b/acme/mandates/").text  # the page view starts what is due
    assert "Active" in listing
    db.session.expire_all()
    assert mandate.state is MandateState.ACTIVE
    contract = ambassador.get(f"/b/acme/mandates/{mandate.id}/contract").text
    assert version.text_sha256 in contract and "Firefox/140" in contract and "ÉLODIE MARTIN" in contract
    for label in ("Version offered for signature", "Signed by the ambassador", "Countersigned by the brand: in force",
                  "Mandate started"):
        assert label in contract
    assert "#ad" in ambassador.get("/b/acme/mandates/mine").text
    exact = ambassador.get(f"/b/acme/mandates/{mandate.id}/contract/1.txt")
    assert exact.headers["X-Text-SHA256"] == version.text_sha256
    assert contract_text.fingerprint(exact.get_data(as_text=True)) == version.text_sha256


def test_a_malformed_field_is_shown_beside_it_and_nothing_is_saved(app, contract_scene):
    scene = contract_scene
    mandate = contracts.start_mandate(scene.brand, scene.clerk, ambassador=scene.ambassador)
    db.session.commit()
    clerk = staff_client(app, scene.clerk)
    bad = form_data(intellectual_property={"duration_months": "unlimited"}, compensation={"amount": "lots"})
    response = clerk.post(f"/b/acme/mandates/{mandate.id}/draft", data=bad)
    assert response.status_code == 422
    page = response.text
    assert re.search(r'id="intellectual_property__duration_months"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*'
                     r'id="intellectual_property__duration_months"', page)
    assert "never unlimited" in page and 'id="compensation__amount-errors"' in page
    db.session.expire_all()
    assert "powers" not in contracts.clauses_of(contracts.draft_version(mandate))


def test_offering_an_incomplete_contract_lists_the_missing_clauses(app, contract_scene):
    scene = contract_scene
    mandate = contracts.start_mandate(scene.brand, scene.clerk, ambassador=scene.ambassador)
    db.session.commit()
    clerk = staff_client(app, scene.clerk)
    refused = clerk.post(f"/b/acme/mandates/{mandate.id}/offer", follow_redirects=True)
    assert "cannot be offered until every mandatory clause is filled" in refused.text
    assert "Compensation" in refused.text and "Delegated powers" in refused.text
    db.session.expire_all()
    assert mandate.state is MandateState.DRAFT


def test_the_preview_endpoint_renders_what_is_typed_without_saving(app, contract_scene):
    scene = contract_scene
    mandate = contracts.start_mandate(scene.brand, scene.clerk, ambassador=scene.ambassador)
    db.session.commit()
    clerk = staff_client(app, scene.clerk)
    preview = clerk.post(f"/b/acme/mandates/{mandate.id}/preview", data=form_data(language="fr"))
    assert preview.status_code == 200 and preview.mimetype == "text/plain"
    assert preview.text.startswith("CONTRAT DE MISSION") and preview.headers["X-Missing-Clauses"] == ""
    partial = clerk.post(f"/b/acme/mandates/{mandate.id}/preview", data={"language": "en", "public_name": "X"})
    assert "compensation" in partial.headers["X-Missing-Clauses"].split(",")
    bad = clerk.post(f"/b/acme/mandates/{mandate.id}/preview", data=form_data(termination={"notice_days": "-4"}))
    assert bad.status_code == 422 and "termination.notice_days" in bad.text
    db.session.expire_all()
    assert contracts.draft_version(mandate).language == "en"
    editor = clerk.get(f"/b/acme/mandates/{mandate.id}/draft").text
    assert 'src="/static/js/contract_preview.js"' in editor and "<script>" not in editor and 'style="' not in editor


def test_members_and_staff_of_another_brand_are_refused(app, contract_scene, make):
    scene = contract_scene
    mandate = scene.offered()
    member = staff_client(app, make.member(scene.brand))
    foreign = staff_client(app, make.staff(make.brand(slug="other"), can_sign=True))
    for client in (member, foreign):
        assert client.get("/b/acme/mandates/").status_code == 403
        assert client.post("/b/acme/mandates/", data={"email": "x@example.test", "public_name": "X"}).status_code == 403
        assert client.get(f"/b/acme/mandates/{mandate.id}").status_code == 403
        assert client.get(f"/b/acme/mandates/{mandate.id}/contract").status_code == 403
        assert client.get(f"/b/acme/mandates/{mandate.id}/draft").status_code == 403
        assert client.post(f"/b/acme/mandates/{mandate.id}/withdraw").status_code == 403
        assert client.post(f"/b/acme/mandates/{mandate.id}/sign",
                           data={"typed_name": LEGAL_NAME, "accept": "y"}).status_code == 403
        assert client.post(f"/b/acme/mandates/{mandate.id}/decline", data={"reason": "No"}).status_code == 403
    assert foreign.get(f"/b/other/mandates/{mandate.id}").status_code == 404
    assert db.session.scalar(select(Signature)) is None
    db.session.expire_all()
    assert mandate.state is MandateState.OFFERED


def test_the_ambassador_declines_through_the_page(app, contract_scene):
    scene = contract_scene
    mandate = scene.offered()
    ambassador = staff_client(app, scene.ambassador)
    empty = ambassador.post(f"/b/acme/mandates/{mandate.id}/decline", data={"reason": ""})
    assert empty.status_code == 422 and "Give your reason" in empty.text
    declined = ambassador.post(f"/b/acme/mandates/{mandate.id}/decline", data={"reason": "Not now"},
                               follow_redirects=True)
    assert "You declined the contract" in declined.text and "Declined by the ambassador" in declined.text
    assert "No contract waits for your signature." in ambassador.get(f"/b/acme/mandates/{mandate.id}/sign").text


def test_an_invited_person_signs_up_and_finds_the_contract(app, contract_scene, make):
    scene = contract_scene
    clerk = staff_client(app, scene.clerk)
    no_name = clerk.post("/b/acme/mandates/", data={"email": "guest@example.test"})
    assert no_name.status_code == 422 and "Give the name the public registry will show" in no_name.text
    started = clerk.post("/b/acme/mandates/", data={"email": "guest@example.test", "public_name": "Guest Star"},
                         follow_redirects=True)
    assert "guest@example.test is invited by e-mail" in started.text
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "guest@example.test"))
    mandate = db.session.scalar(select(Mandate))
    contracts.update_draft(mandate, scene.clerk, complete_clauses())
    contracts.offer(mandate, scene.clerk)
    db.session.commit()
    guest = staff_client(app, make.user(email="guest@example.test"))
    assert "Version 1 waits for your signature." in guest.get("/b/acme/mandates/mine").text
    db.session.expire_all()
    assert mandate.ambassador is not None and mandate.ambassador.email == "guest@example.test"


def test_amending_through_the_pages(app, contract_scene):
    scene = contract_scene
    mandate = scene.active()
    clerk = staff_client(app, scene.clerk)
    amend = clerk.post(f"/b/acme/mandates/{mandate.id}/amend", follow_redirects=True)
    assert "Amendment: version 2" in amend.text
    assert clerk.post(f"/b/acme/mandates/{mandate.id}/draft", data=form_data(compensation={"amount": "400"}),
                      follow_redirects=True).status_code == 200
    clerk.post(f"/b/acme/mandates/{mandate.id}/offer")
    ambassador = staff_client(app, scene.ambassador)
    assert "if you decline it, the contract in force stays as it is" in \
        ambassador.get(f"/b/acme/mandates/{mandate.id}/sign").text
    db.session.expire_all()
    assert mandate.version_in_force.number == 1 and contracts.waiting_version(mandate).number == 2


def test_revoking_and_resigning_through_the_pages(app, contract_scene, make):
    scene = contract_scene
    mandate = scene.active()
    clerk = staff_client(app, scene.clerk)
    early = (STARTS + timedelta(days=3)).isoformat()
    too_soon = clerk.post(f"/b/acme/mandates/{mandate.id}/revoke", data={"reason": "Breach", "effective_on": early})
    assert too_soon.status_code == 422 and "notice is 30 days" in too_soon.text
    ambassador = staff_client(app, scene.ambassador)
    assert ambassador.post(f"/b/acme/mandates/{mandate.id}/revoke", data={"reason": "x"}).status_code == 403
    resigned = ambassador.post(f"/b/acme/mandates/{mandate.id}/resign", data={"reason": ""}, follow_redirects=True)
    assert "Your resignation is notified" in resigned.text
    assert clerk.post(f"/b/acme/mandates/{mandate.id}/revoke", data={"reason": "Too late"},
                      follow_redirects=True).status_code == 422


def test_the_contract_page_and_the_list_run_a_bounded_number_of_queries(app, contract_scene, make, count_queries):
    scene = contract_scene
    mandate = scene.active()
    url = f"/b/acme/mandates/{mandate.id}/contract"
    clerk = staff_client(app, scene.clerk)
    clerk.get(url)
    clerk.get("/b/acme/mandates/")
    with count_queries() as few:
        assert clerk.get(url).status_code == 200
    with count_queries() as few_list:
        assert clerk.get("/b/acme/mandates/").status_code == 200
    for n in range(4):  # more versions and events on the contract, more mandates in the list
        contracts.amend(mandate, scene.clerk)
        contracts.update_draft(mandate, scene.clerk, complete_clauses(compensation={"amount": str(300 + n)}))
        contracts.offer(mandate, scene.clerk)
        contracts.decline(mandate, scene.ambassador, "No")
        other = make.member(scene.brand)
        contracts.start_mandate(scene.brand, scene.clerk, ambassador=other)
        db.session.commit()
    with count_queries() as many:
        page = clerk.get(url)
    assert page.status_code == 200 and page.text.count("Declined by the ambassador") == 4
    with count_queries() as many_list:
        assert clerk.get("/b/acme/mandates/").status_code == 200
    assert many.count == few.count and many_list.count == few_list.count
