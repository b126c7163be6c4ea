"""A mission contract in a real browser: staff draft it (watching the live preview) and offer it, the
ambassador signs it, a signatory countersigns it, and the public registry shows the ambassador."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from playwright.sync_api import Page, expect

from institutions import clock
from mandates import clauses as schema
from tests.conftest import PASSWORD
from tests.mandates.contract_fixtures import complete_clauses

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
AMBASSADOR_EMAIL = "elodie@example.com"


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def _fill_clauses(page: Page, clauses: dict) -> None:
    """Type every clause field into the draft editor, by the field's name."""
    for clause in schema.CLAUSES:
        for spec in clause.fields:
            value = (clauses.get(clause.key) or {}).get(spec.key)
            if value in (None, "", False):
                continue
            field = page.locator(f'[name="{clause.key}__{spec.key}"]')
            if spec.kind in ("country", "choice", "law"):
                field.select_option(str(value))
            elif spec.kind == "flag":
                field.check()
            else:
                field.fill(", ".join(value) if isinstance(value, list) else str(value))


def test_staff_draft_and_offer_the_ambassador_signs_staff_countersign_the_registry_shows_it(
        make, live_server, new_context):
    brand = make.brand(slug="acme", name="Acme")
    staff = make.staff(brand, user=make.user(email="signer@example.com", name="Sam Signer"), can_sign=True)
    make.member(brand, user=make.user(email=AMBASSADOR_EMAIL, name="Elodie"))
    staff_email = staff.email
    clock.freeze(NOW)
    clauses = complete_clauses(term={"starts_on": "2027-03-01"},
                               ambassador_party={"email": AMBASSADOR_EMAIL},
                               missions={"nature": "Repair-kit videos"})

    # Staff start a mandate for the member's address and write the contract.
    desk = new_context().new_page()
    _sign_in(desk, live_server, staff_email)
    desk.goto(f"{live_server}/b/acme/mandates/")
    desk.get_by_label("E-mail address of the future ambassador").fill(AMBASSADOR_EMAIL)
    desk.get_by_label("Name shown in the public registry").fill("Élodie, repair fan")
    desk.get_by_role("button", name="Start a draft mandate").click()
    expect(desk.get_by_text("The draft is started.")).to_be_visible()
    expect(desk.get_by_role("heading", name="Mandatory clauses")).to_be_visible()
    preview = desk.locator("#contract-preview")
    expect(preview).to_contain_text("[to be completed]")
    # Offering an incomplete draft refuses, and keeps what was just typed (saved, and still in the form).
    address = desk.locator('[name="ambassador_party__postal_address"]')
    address.fill("3 quai des Brumes, 69001 Lyon")
    desk.get_by_role("button", name="Save and offer this version for signature").click()
    expect(desk.get_by_text("cannot be offered until every mandatory clause is filled")).to_be_visible()
    expect(desk.locator('[name="ambassador_party__postal_address"]')).to_have_value("3 quai des Brumes, 69001 Lyon")
    _fill_clauses(desk, clauses)
    # The script refreshes the preview from what is typed, before anything is saved.
    expect(preview).to_contain_text("Nature: Repair-kit videos")
    desk.get_by_role("button", name="Save the draft").click()
    expect(desk.get_by_text("The draft is saved.")).to_be_visible()
    expect(desk.get_by_text("Every mandatory clause is filled")).to_be_visible()
    desk.get_by_role("button", name="Save and offer this version for signature").click()
    expect(desk.get_by_text("The contract is offered")).to_be_visible()
    expect(desk.get_by_role("heading", name="Version 1 waits for the ambassador's signature")).to_be_visible()
    fingerprint = desk.locator(".waiting-version code.hash").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)

    # The ambassador reads the contract and signs it by typing their legal name.
    ambassador = new_context().new_page()
    _sign_in(ambassador, live_server, AMBASSADOR_EMAIL)
    ambassador.goto(f"{live_server}/b/acme/mandates/mine")
    expect(ambassador.get_by_text("Version 1 waits for your signature.")).to_be_visible()
    ambassador.get_by_role("button", name="Read and sign (or decline)").click()
    expect(ambassador.locator("#contract-text")).to_contain_text("Article 4. Intellectual property")
    expect(ambassador.get_by_text(fingerprint).first).to_be_visible()
    ambassador.get_by_label("Type your full legal name to sign").fill("élodie martin")
    ambassador.get_by_label("I have read this contract and I accept it.").check()
    ambassador.get_by_role("button", name="Sign the contract").click()
    expect(ambassador.get_by_text("You signed the contract.")).to_be_visible()

    # The signatory countersigns: the first day has come, so the mandate is active at once.
    desk.reload()
    expect(desk.get_by_role("heading", name="Version 1 is signed by the ambassador and waits for the brand's "
                                             "countersignature")).to_be_visible()
    expect(desk.get_by_text("2027-03-01 to 2027-08-31, once the brand countersigns")).to_be_visible()
    countersignature = desk.get_by_label("Type your full legal name, as recorded, to sign in the brand's name")
    countersignature.fill("Someone Else")
    desk.get_by_role("button", name="Countersign").click()
    expect(desk.get_by_text("Type your own full legal name, as recorded on the team page: Sam Signer.")).to_be_visible()
    desk.get_by_label("Type your full legal name, as recorded, to sign in the brand's name").fill("Sam Signer")
    desk.get_by_role("button", name="Countersign").click()
    expect(desk.get_by_text("The contract is countersigned and in force.")).to_be_visible()
    expect(desk.get_by_text("Active", exact=True)).to_be_visible()

    # The public registry, seen by anyone, lists the ambassador.
    visitor = new_context().new_page()
    visitor.goto(f"{live_server}/b/acme/registry")
    row = visitor.get_by_role("row").filter(has=visitor.get_by_role("rowheader", name="Élodie, repair fan"))
    expect(row).to_contain_text("#ad")
    expect(row).to_contain_text("Repair-kit videos")
