"""A mediation case from end to end in a real browser, each person in their own browser context.

A member files a case (with a PNG attachment), the mediator opens it from their queue, the brand takes
part, the mediator proposes, both parties accept, the case is settled, the mediator records whom the
outcome favours, and the complainant confirms the brand complied. Another member gets 403 on the case.

The scene is built through the factories and the roster service; the clock is frozen at T0 for the
whole journey (the server runs in this process, so it reads the same frozen clock).
"""
from __future__ import annotations

import re
import struct
import zlib

from playwright.sync_api import Page, expect

from extensions import db
from institutions import clock
from mediation import roster
from tests.conftest import PASSWORD
from tests.conftest import T0

BRAND_NAME = "Acme Bikes"
MEMBER_EMAIL = "carla@example.com"
STAFF_EMAIL = "sam@example.com"
MEDIATOR_EMAIL = "maya@example.com"
OUTSIDER_EMAIL = "otto@example.com"
NOTICES = (
    "You are free to accept or to refuse this proposal.",
    "Whatever you answer, the courts stay open to you: you may still take the dispute to a judge.",
    "The proposed solution may differ from the decision a judge would make.",
)
FACTS = "The bike arrived on 20 January with a cracked frame."
REQUEST = "A new frame, or a full refund."
PRIOR = "E-mail to support, ticket 4521."
PROPOSAL = "Acme Bikes replaces the frame within 15 days, at its own cost."


def _png() -> bytes:
    """A real 2x2 RGB PNG (signature, IHDR, IDAT, IEND), built by hand."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))  # filter byte + two red pixels
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def _done(page: Page, message: str) -> None:
    """The success message shown after an act."""
    expect(page.get_by_role("status").filter(has_text=message)).to_be_visible()


def _state(page: Page, label: str) -> None:
    """The case's state, under the case's heading."""
    expect(page.locator("main .status, .status").filter(has_text=label).first).to_be_visible()


def _scene(make):
    """A brand, its staff member, a verified complainant, another verified member and a mediator on the panel."""
    clock.freeze(T0)
    brand = make.brand(slug="acme", name=BRAND_NAME)
    make.staff(brand, user=make.user(email=STAFF_EMAIL, name="Sam Staff"))
    make.member(brand, user=make.user(email=MEMBER_EMAIL, name="Carla Complainant"))
    make.member(brand, user=make.user(email=OUTSIDER_EMAIL, name="Otto Outsider"))
    admin = make.user(name="Ada Admin", admin=True)
    make.user(email=MEDIATOR_EMAIL, name="Maya Mediator")
    entry = roster.add_mediator(admin, name="Maya Mediator", qualifications="Certified consumer mediator",
                                appointing_body="Paris bar council", term_starts_on=T0.date().replace(year=2026),
                                term_ends_on=T0.date().replace(year=2030), declaration_of_interests="None.",
                                email=MEDIATOR_EMAIL)
    db.session.commit()
    roster.appoint(entry, brand, admin)
    db.session.commit()


def test_a_member_files_the_mediator_opens_the_brand_answers_both_accept_and_the_member_confirms_compliance(
        make, live_server, new_context, tmp_path):
    _scene(make)
    base = live_server
    png = tmp_path / "cracked-frame.png"
    png.write_bytes(_png())

    # --- The member files a case through the form. ---------------------------------------------------------
    member = new_context().new_page()
    _sign_in(member, base, MEMBER_EMAIL)
    member.goto(f"{base}/b/acme/cases/")
    expect(member.get_by_role("heading", name=f"My mediation cases with {BRAND_NAME}", level=1)).to_be_visible()
    expect(member.get_by_text("You have no case with this brand.")).to_be_visible()
    member.get_by_role("button", name="File a case").click()  # a link styled as a button (role="button")
    expect(member.get_by_role("heading", name=f"File a case against {BRAND_NAME}", level=1)).to_be_visible()
    member.get_by_label("What the dispute is about").select_option(label="Product defect")
    member.get_by_label("What happened").fill(FACTS)
    member.get_by_label("What you ask for").fill(REQUEST)
    member.get_by_label("Date of your written complaint to the brand").fill("2027-02-01")
    member.get_by_label("Your written complaint: its content or its reference").fill(PRIOR)
    country = member.get_by_label("Your country of residence")
    expect(country).to_have_value("FR")  # the brand's country, preselected
    country.select_option(label="Belgium")
    member.get_by_label("Attachments (optional)").set_input_files(str(png))
    member.get_by_role("button", name="File the case").click()

    _done(member, "Your case is filed. The mediator decides on its admissibility within three weeks.")
    heading = member.get_by_role("heading", name=re.compile(rf"^Case #\d+ against {BRAND_NAME}$"), level=1)
    expect(heading).to_be_visible()
    case_id = int(re.search(r"#(\d+)", heading.inner_text()).group(1))
    case_url = f"{base}/b/acme/cases/{case_id}"
    expect(member).to_have_url(case_url)
    _state(member, "Filed: waiting for the admissibility decision")
    who = member.get_by_text("You are on the complainant side.")
    expect(who).to_be_visible()
    expect(who).to_contain_text("Mediator: Maya Mediator.")  # assigned from the panel on filing
    complaint = member.get_by_role("region", name="The complaint")
    for text in (FACTS, REQUEST, PRIOR, "Sent on 2027-02-01:", "Belgium", "Carla Complainant"):
        expect(complaint).to_contain_text(text)
    expect(complaint.get_by_role("link", name="cracked-frame.png")).to_be_visible()
    expect(complaint).to_contain_text("image/png")

    # The case is on the member's list.
    member.goto(f"{base}/b/acme/cases/")
    row = member.get_by_role("row").filter(has=member.get_by_role("link", name=f"Case #{case_id}", exact=True))
    expect(row).to_contain_text("Product defect")
    expect(row).to_contain_text("Filed: waiting for the admissibility decision")

    # --- The mediator finds it in their queue and opens it. ------------------------------------------------
    mediator = new_context().new_page()
    _sign_in(mediator, base, MEDIATOR_EMAIL)
    mediator.goto(f"{base}/mediator/")
    expect(mediator.get_by_role("heading", name="My cases as a mediator", level=1)).to_be_visible()
    row = mediator.get_by_role("row").filter(has=mediator.get_by_role("link", name=f"Case #{case_id}", exact=True))
    expect(row).to_contain_text(BRAND_NAME)
    expect(row).to_contain_text("Filed: waiting for the admissibility decision")
    expect(row).to_contain_text("yours")  # the next act is the mediator's
    row.get_by_role("link", name=f"Case #{case_id}", exact=True).click()
    expect(mediator.get_by_role("heading", name=f"Case #{case_id} against {BRAND_NAME}", level=1)).to_be_visible()
    expect(mediator.get_by_text("You are the mediator of this case.")).to_be_visible()
    # The attachment is the very file the member sent.
    link = mediator.get_by_role("region", name="The complaint").get_by_role("link", name="cracked-frame.png")
    attachment_url = base + link.get_attribute("href")
    download = mediator.request.get(attachment_url)
    assert download.status == 200 and download.body() == png.read_bytes()
    # R.613-1: the mediator declares their independence on the case before deciding anything.
    expect(mediator.locator("#declaration-first")).to_be_visible()
    mediator.get_by_role("button", name="I declare having no conflict in this case").click()
    expect(mediator.locator("#declaration-first")).to_have_count(0)
    acts = mediator.get_by_role("region", name="What you can do now")
    expect(acts.get_by_role("heading", name="Admissibility")).to_be_visible()
    acts.get_by_role("button", name="Open the case: notify both parties and start the 90 days").click()
    _done(mediator, "The case is open; both parties are told and the brand has 20 days to answer.")
    _state(mediator, "Open: mediation in progress")
    expect(mediator.get_by_text("You can make a proposal once the brand agrees to take part.")).to_be_visible()

    # --- The brand's staff member takes part. --------------------------------------------------------------
    staff = new_context().new_page()
    _sign_in(staff, base, STAFF_EMAIL)
    staff.goto(f"{base}/b/acme/cases/brand")
    expect(staff.get_by_role("heading", name=f"Mediation cases against {BRAND_NAME}", level=1)).to_be_visible()
    row = staff.get_by_role("row").filter(has=staff.get_by_role("link", name=f"Case #{case_id}", exact=True))
    expect(row).to_contain_text("Open: mediation in progress")
    expect(row).to_contain_text("Maya Mediator")
    row.get_by_role("link", name=f"Case #{case_id}", exact=True).click()
    expect(staff.get_by_role("heading", name=f"Case #{case_id} against {BRAND_NAME}", level=1)).to_be_visible()
    expect(staff.get_by_text(f"You read this case as staff of {BRAND_NAME}.")).to_be_visible()
    acts = staff.get_by_role("region", name="What you can do now")
    expect(acts.get_by_role("heading", name="Answer for the brand")).to_be_visible()
    acts.get_by_label("The brand's answer to the complaint").fill("We take part: the frame was checked before "
                                                                  "shipping.")
    acts.get_by_role("button", name="Take part in the mediation").click()
    _done(staff, "The brand takes part in the mediation; the complainant and the mediator are told.")
    expect(staff.get_by_role("region", name="The complaint")).to_contain_text("We take part: the frame was checked")
    expect(staff.get_by_role("region", name="Timeline")).to_contain_text("The brand takes part")

    # --- The mediator writes a proposal; the page shows the three notices and the answer deadline. --------
    mediator.reload()
    outcome = mediator.get_by_role("region", name="Proposal and outcome")
    expect(outcome.get_by_role("heading", name="Make a proposal")).to_be_visible()
    for notice in NOTICES:
        expect(outcome.get_by_role("listitem").filter(has_text=notice)).to_be_visible()
    outcome.get_by_label("The proposed solution").fill(PROPOSAL)
    expect(outcome.get_by_label("Days the parties have to answer")).to_have_value("14")
    outcome.get_by_role("button", name="Send the proposal to both parties").click()
    _done(mediator, "The proposal is sent to both parties with its notices and deadline.")
    _state(mediator, "Proposal: waiting for the answers")

    def proposal_shown(page: Page, *, complainant: str, brand: str) -> None:
        """The proposal as a party reads it: the notices, the text, the deadline in two weeks, the answers."""
        proposal = page.get_by_role("article", name=re.compile(r"^The mediator's proposal of "))
        notes = proposal.get_by_role("note", name="What you should know before answering")
        for notice in NOTICES:
            expect(notes.get_by_role("listitem").filter(has_text=notice)).to_be_visible()
        expect(proposal).to_contain_text(PROPOSAL)
        due = proposal.locator("dt:text-is('Answers due') + dd")
        expect(due.locator("time")).to_have_attribute("datetime", re.compile(r"^2027-03-15T09:00"))
        expect(due).to_contain_text("in 2 weeks")
        expect(proposal.locator("dt:text-is('The complainant') + dd")).to_contain_text(complainant)
        expect(proposal.locator("dt:text-is('The brand') + dd")).to_contain_text(brand)

    proposal_shown(mediator, complainant="no answer yet", brand="no answer yet")
    expect(mediator.get_by_role("button", name="Accept the proposal")).to_have_count(0)  # the mediator does not answer

    # --- The member accepts. -------------------------------------------------------------------------------
    member.goto(case_url)
    _state(member, "Proposal: waiting for the answers")
    proposal_shown(member, complainant="no answer yet", brand="no answer yet")
    expect(member.get_by_text("Your answer (final):")).to_be_visible()
    member.get_by_role("button", name="Accept the proposal").click()
    _done(member, "You accepted the proposal.")
    proposal_shown(member, complainant="accepted", brand="no answer yet")
    expect(member.get_by_role("button", name="Accept the proposal")).to_have_count(0)

    # --- The brand accepts: the case is settled. -----------------------------------------------------------
    staff.reload()
    proposal_shown(staff, complainant="accepted", brand="no answer yet")
    expect(staff.get_by_text(f"Your answer for {BRAND_NAME} (final, once for the brand):")).to_be_visible()
    staff.get_by_role("button", name="Accept the proposal").click()
    _done(staff, "You accepted the proposal.")
    _state(staff, "Settled")
    outcome = staff.get_by_role("region", name="Proposal and outcome")
    expect(outcome).to_contain_text("Both parties accepted the proposal on")
    expect(outcome.locator("dt:text-is('The brand') + dd")).to_contain_text("accepted")
    expect(outcome).to_contain_text("The complainant has not said yet whether the brand complied.")
    # Whom the outcome favours is the mediator's record only.
    expect(outcome.get_by_role("heading", name="Whom the outcome favours")).to_have_count(0)

    # --- The mediator records whom the outcome favours. ----------------------------------------------------
    mediator.reload()
    _state(mediator, "Settled")
    outcome = mediator.get_by_role("region", name="Proposal and outcome")
    expect(outcome.get_by_role("heading", name="Whom the outcome favours")).to_be_visible()
    expect(outcome).to_contain_text("Counted in the annual report; the parties do not see it.")
    outcome.get_by_role("group", name="The outcome favours").get_by_role("radio", name="an amicable split").check()
    outcome.get_by_role("button", name="Record the outcome").click()
    _done(mediator, "The outcome is recorded.")
    expect(mediator.get_by_text("Recorded: an amicable split.")).to_be_visible()
    expect(mediator.get_by_role("button", name="Correct the record")).to_be_visible()

    # --- The member confirms the brand complied. -----------------------------------------------------------
    member.reload()
    _state(member, "Settled")
    outcome = member.get_by_role("region", name="Proposal and outcome")
    expect(outcome).to_contain_text("Both parties accepted the proposal on")
    expect(outcome.get_by_role("heading", name="Whom the outcome favours")).to_have_count(0)
    expect(outcome.get_by_role("heading", name="Did the brand comply?")).to_be_visible()
    outcome.get_by_role("group", name="Did the brand do what it agreed?").get_by_role("radio", name="Yes, the brand complied").check()
    outcome.get_by_role("button", name="Confirm (once only)").click()
    _done(member, "Thank you: your answer is recorded.")
    expect(member.get_by_text("The complainant confirms the brand complied")).to_be_visible()
    expect(member.get_by_role("button", name="Confirm (once only)")).to_have_count(0)
    expect(member.get_by_role("region", name="Timeline")).to_contain_text("Compliance recorded")
    member.goto(f"{base}/b/acme/cases/")
    row = member.get_by_role("row").filter(has=member.get_by_role("link", name=f"Case #{case_id}", exact=True))
    expect(row).to_contain_text("Settled")

    # The staff member sees the confirmation too.
    staff.reload()
    expect(staff.get_by_text("The complainant confirms the brand complied")).to_be_visible()

    # --- Another member of the brand reads nothing of the case. -------------------------------------------
    outsider = new_context().new_page()
    _sign_in(outsider, base, OUTSIDER_EMAIL)
    response = outsider.goto(case_url)
    assert response is not None and response.status == 403
    expect(outsider.get_by_role("heading", name="Not allowed", level=1)).to_be_visible()
    expect(outsider.get_by_text(FACTS)).to_have_count(0)
    assert outsider.request.get(attachment_url).status == 403
