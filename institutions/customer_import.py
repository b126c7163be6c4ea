"""Importing a brand's customer list (CSV): check every line first, then apply all or nothing."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from institutions import audit, permissions
from institutions.clock import utcnow
from institutions.community import BY_LISTED_EMAIL, CUSTOMER_NUMBER_PATTERN, hold_listed_customer, mark_verified
from institutions.errors import Forbidden, ValidationFailed
from institutions.models import Brand, CustomerRecord, Membership, MembershipStatus, User

ACCEPTED_HEADERS = ({"email"}, {"customer_number"}, {"email", "customer_number"})
MAX_ROWS = 50_000


@dataclass
class ImportRow:
    """One checked line of the file."""

    line: int
    email: str | None
    customer_number: str | None


@dataclass
class ImportPlan:
    """What an import would do, shown to staff before they confirm."""

    rows: list[ImportRow]
    errors: list[str] = field(default_factory=list)
    to_verify_now: list[Membership] = field(default_factory=list)
    matched: list[Membership] = field(default_factory=list)
    already_verified: int = 0
    already_listed: int = 0
    kept_for_later: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ValidationFailed(
            _("The file is not UTF-8 text (line %(line)d). Save it as CSV UTF-8 and try again.", line=line),
            field="file",
        )


def parse_customer_csv(data: bytes) -> list[ImportRow]:
    """Read and check the whole file; refuse it with every faulty line number if anything is wrong."""
    if not data or not data.strip():
        raise ValidationFailed(_("The file is empty."), field="file")
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as error:
        raise ValidationFailed(_("Line 1: %(error)s", error=str(error)), field="file")
    columns = [name.strip().lower() for name in header]
    if set(columns) not in ACCEPTED_HEADERS or len(columns) != len(set(columns)):
        raise ValidationFailed(
            _("Line 1: the header must be \"email\", \"customer_number\" or \"email,customer_number\" "
              "(found \"%(found)s\").", found=",".join(header)),
            field="file",
        )
    errors: list[str] = []
    rows: list[ImportRow] = []
    seen_emails: dict[str, int] = {}
    seen_numbers: dict[str, int] = {}
    try:
        for values in reader:
            line = reader.line_num
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(columns):
                errors.append(_("Line %(line)d: expected %(n)d columns, found %(m)d.",
                                line=line, n=len(columns), m=len(values)))
                continue
            record = dict(zip(columns, (value.strip() for value in values)))
            email = record.get("email") or None
            number = record.get("customer_number") or None
            if email is None and number is None:
                errors.append(_("Line %(line)d: neither an e-mail nor a customer number.", line=line))
                continue
            if email is not None:
                try:
                    email = validate_email(email, check_deliverability=False).normalized.lower()
                except EmailNotValidError:
                    errors.append(_("Line %(line)d: \"%(value)s\" is not a valid e-mail address.",
                                    line=line, value=email))
                    continue
                if email in seen_emails:
                    errors.append(_("Line %(line)d: the e-mail %(value)s already appears on line %(first)d.",
                                    line=line, value=email, first=seen_emails[email]))
                    continue
                seen_emails[email] = line
            if number is not None:
                if not CUSTOMER_NUMBER_PATTERN.match(number):
                    errors.append(_("Line %(line)d: \"%(value)s\" is not a valid customer number.",
                                    line=line, value=number))
                    continue
                if number in seen_numbers:
                    errors.append(_("Line %(line)d: the customer number %(value)s already appears on line "
                                    "%(first)d.", line=line, value=number, first=seen_numbers[number]))
                    continue
                seen_numbers[number] = line
            rows.append(ImportRow(line, email, number))
            if len(rows) > MAX_ROWS:
                raise ValidationFailed(_("At most %(n)d customers per file.", n=MAX_ROWS), field="file")
    except csv.Error as error:
        errors.append(_("Line %(line)d: %(error)s", line=reader.line_num, error=str(error)))
    if errors:
        raise ValidationFailed(_("The file was refused; nothing was imported."), fields={"file": "\n".join(errors)})
    if not rows:
        raise ValidationFailed(_("The file has a header but no customers."), field="file")
    return rows


def plan_import(brand: Brand, actor: User, data: bytes) -> ImportPlan:
    """Check the file and say what importing it would do, changing nothing."""
    if not permissions.can_manage_community(actor, brand):
        raise Forbidden(_("Only the brand's staff can import customers."))
    rows = parse_customer_csv(data)
    plan = ImportPlan(rows=rows)
    emails = {row.email for row in rows if row.email}
    existing = db.session.scalars(select(CustomerRecord).where(CustomerRecord.brand_id == brand.id)).all()
    listed_emails = {record.email for record in existing if record.email}
    listed_numbers = {record.customer_number for record in existing if record.customer_number}
    plan.already_listed = sum(
        1 for row in rows if (row.email in listed_emails) or (row.customer_number in listed_numbers)
    )
    memberships = db.session.scalars(
        select(Membership).join(User, Membership.user_id == User.id)
        .where(Membership.brand_id == brand.id, Membership.status != MembershipStatus.LEFT)
    ).all()
    # Listed customers already held by a membership verify no other one.
    held = {m.customer_record_id for m in memberships if m.customer_record_id is not None}
    held_emails = {record.email for record in existing if record.id in held and record.email}
    matched_ids = set()
    for membership in memberships:
        user = membership.user
        # Only a listed address its owner confirmed verifies; a typed customer number proves nothing.
        if not (user.is_email_verified and user.email in emails):
            continue
        if user.email in held_emails and membership.customer_record_id is None:
            continue
        matched_ids.add(membership.id)
        if membership.status is MembershipStatus.VERIFIED:
            plan.already_verified += 1
        else:
            plan.to_verify_now.append(membership)
        plan.matched.append(membership)
    plan.kept_for_later = len(rows) - len(matched_ids)
    return plan


def apply_import(brand: Brand, actor: User, data: bytes) -> ImportPlan:
    """Import the customers: list them for later sign-ups and verify matching pending members now."""
    plan = plan_import(brand, actor, data)
    existing = db.session.scalars(select(CustomerRecord).where(CustomerRecord.brand_id == brand.id)).all()
    by_email = {record.email: record for record in existing if record.email}
    by_number = {record.customer_number: record for record in existing if record.customer_number}
    now = utcnow()
    for row in plan.rows:
        record = by_email.get(row.email) or by_number.get(row.customer_number)
        if record is None:
            record = CustomerRecord(brand_id=brand.id, imported_at=now, imported_by_id=actor.id)
            db.session.add(record)
        # Fill in what the new file adds without stealing another record's key.
        if row.email and record.email is None and row.email not in by_email:
            record.email = row.email
        if row.customer_number and record.customer_number is None and row.customer_number not in by_number:
            record.customer_number = row.customer_number
        if record.email:
            by_email[record.email] = record
        if record.customer_number:
            by_number[record.customer_number] = record
    db.session.flush()
    for membership in plan.matched:
        record = by_email.get(membership.user.email)
        if membership.status is MembershipStatus.VERIFIED:
            # Verified earlier (by staff, say): the listed customer is theirs from now on.
            if membership.customer_record_id is None and record is not None:
                hold_listed_customer(membership, record)
        else:
            mark_verified(membership, actor, BY_LISTED_EMAIL, record)
    db.session.flush()
    audit.record(
        "community.customers_imported", actor=actor, brand=brand,
        payload={"rows": len(plan.rows), "verified_now": len(plan.to_verify_now)}, public=True,
    )
    return plan
