"""Importing a brand's customer list (CSV): check every line first, then apply all or nothing, as a job.

The page and the API check the file at once (a faulty file is refused before any job, nothing written); the import
itself runs in the worker (`institutions.jobs`), which checks the file again (the list may have changed meanwhile),
then writes everything in one transaction: a refusal or a crash at any line leaves nothing behind.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Callable

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update
from sqlalchemy.orm import contains_eager

from extensions import db
from institutions import audit, job_runs, jobs, permissions
from institutions.clock import utcnow
from institutions.community import (BY_LISTED_EMAIL, CUSTOMER_NUMBER_PATTERN, hold_listed_customers,
                                    mark_verified_many)
from institutions.errors import DomainError, Forbidden, ValidationFailed
from institutions.models import Brand, CustomerRecord, JobRun, Membership, MembershipStatus, User

ACCEPTED_HEADERS = ({"email"}, {"customer_number"}, {"email", "customer_number"})
MAX_ROWS = 200_000
# Progress is reported every BATCH lines checked and every BATCH customers written (one INSERT of BATCH rows).
BATCH = 5_000
JOB_KIND = "customer_import"
job_runs.register_kind(JOB_KIND, _l("Customer list import"))
job_runs.register_phase("import_checking", _l("Checking the file: %(done)s of %(total)s lines."))
job_runs.register_phase("import_matching", _l("Matching the list with the members."))
job_runs.register_phase("import_writing", _l("Writing: %(done)s of %(total)s customers."))
job_runs.register_phase("import_verifying", _l("Verifying the matching members."))


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


# An unquoted ASCII local part (RFC 5322 dot-atom): checked here; its domain is checked once per file by
# email_validator. Anything else (quotes, non-ASCII) goes through email_validator whole.
_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")


def email_checker() -> Callable[[str], str]:
    """A checker of e-mail addresses (normalized and lower-cased, EmailNotValidError if invalid) that validates each
    domain once: a list of 100,000 addresses has a few thousand domains, and the domain's check is most of the cost."""
    domains: dict[str, str | None] = {}

    def check(value: str) -> str:
        """The address, normalized and lower-cased; EmailNotValidError when it is not one."""
        local, at, domain = value.rpartition("@")
        if at and 0 < len(local) <= 64 and len(value) <= 254 and domain.isascii() and _DOT_ATOM.match(local):
            key = domain.lower()
            if key not in domains:
                try:
                    domains[key] = validate_email("a@" + domain, check_deliverability=False).ascii_domain
                except EmailNotValidError:
                    domains[key] = None
            if domains[key] is not None:
                return f"{local}@{domains[key]}".lower()
        return validate_email(value, check_deliverability=False).normalized.lower()

    return check


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ValidationFailed(
            _("The file is not UTF-8 text (line %(line)d). Save it as CSV UTF-8 and try again.", line=line),
            field="file",
        )


def parse_customer_csv(data: bytes, progress: Callable[[int], None] | None = None) -> list[ImportRow]:
    """Read and check the whole file; refuse it with every faulty line number if anything is wrong.

    `progress(lines read)` is called every BATCH lines (the job's page shows it).
    """
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
    checked_email = email_checker()
    try:
        for values in reader:
            line = reader.line_num
            if progress is not None and line % BATCH == 0:
                progress(line)
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
                    email = checked_email(email)
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


def _listed(brand: Brand) -> list[tuple[int, str | None, str | None]]:
    """The brand's listed customers as (id, email, customer number), in one query."""
    return [tuple(row) for row in db.session.execute(
        select(CustomerRecord.id, CustomerRecord.email, CustomerRecord.customer_number)
        .where(CustomerRecord.brand_id == brand.id))]


def _check_actor(brand: Brand, actor: User) -> None:
    """Only the brand's staff import its customers."""
    if not permissions.can_manage_community(actor, brand):
        raise Forbidden(_("Only the brand's staff can import customers."))


def plan_import(brand: Brand, actor: User, data: bytes, rows: list[ImportRow] | None = None) -> ImportPlan:
    """Check the file (or take its checked `rows`) and say what importing it would do, changing nothing.

    Three queries whatever the size: the listed customers, the memberships with their accounts, nothing per line.
    """
    _check_actor(brand, actor)
    rows = parse_customer_csv(data) if rows is None else rows
    plan = ImportPlan(rows=rows)
    emails = {row.email for row in rows if row.email}
    existing = _listed(brand)
    listed_emails = {email for _id, email, _number in existing if email}
    listed_numbers = {number for _id, _email, number in existing if number}
    plan.already_listed = sum(
        1 for row in rows if (row.email in listed_emails) or (row.customer_number in listed_numbers)
    )
    memberships = db.session.scalars(
        select(Membership).join(Membership.user).options(contains_eager(Membership.user))
        .where(Membership.brand_id == brand.id, Membership.status != MembershipStatus.LEFT)
        .order_by(Membership.id)
    ).all()
    # Listed customers already held by a membership verify no other one.
    held = {m.customer_record_id for m in memberships if m.customer_record_id is not None}
    held_emails = {email for record_id, email, _number in existing if record_id in held and email}
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


def _write_records(brand: Brand, actor: User, rows: list[ImportRow],
                   progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """List the file's customers: new ones inserted BATCH at a time, listed ones completed; returns e-mail → id."""
    existing = _listed(brand)
    # One mutable [id, email, number] per record, reachable by its e-mail and by its number.
    by_email: dict[str, list] = {}
    by_number: dict[str, list] = {}
    for record_id, email, number in existing:
        record = [record_id, email, number]
        if email:
            by_email[email] = record
        if number:
            by_number[number] = record
    new: list[list] = []
    changed: dict[int, list] = {}
    for row in rows:
        record = by_email.get(row.email) or by_number.get(row.customer_number)
        if record is None:
            record = [None, None, None]
            new.append(record)
        # Fill in what the new file adds without stealing another record's key.
        if row.email and record[1] is None and row.email not in by_email:
            record[1] = row.email
            if record[0] is not None:
                changed[record[0]] = record
        if row.customer_number and record[2] is None and row.customer_number not in by_number:
            record[2] = row.customer_number
            if record[0] is not None:
                changed[record[0]] = record
        if record[1]:
            by_email[record[1]] = record
        if record[2]:
            by_number[record[2]] = record
    now = utcnow()
    if changed:
        db.session.execute(update(CustomerRecord), [
            {"id": record_id, "email": email, "customer_number": number}
            for record_id, email, number in changed.values()])
    for start in range(0, len(new), BATCH):
        db.session.execute(insert(CustomerRecord), [
            {"brand_id": brand.id, "email": email, "customer_number": number, "imported_at": now,
             "imported_by_id": actor.id} for _id, email, number in new[start:start + BATCH]])
        if progress is not None:
            progress(min(start + BATCH, len(new)))
    return {email: record_id for record_id, email, _number in _listed(brand) if email}


def apply_import(brand: Brand, actor: User, data: bytes, plan: ImportPlan | None = None,
                 progress: job_runs.Progress | None = None) -> ImportPlan:
    """Import the customers: list them for later sign-ups and verify matching pending members now (the caller
    commits; nothing is committed here, so a refusal or a failure anywhere leaves nothing behind)."""
    plan = plan if plan is not None else plan_import(brand, actor, data)
    total = len(plan.rows)

    def written(count: int) -> None:
        """Report the customers written so far."""
        if progress is not None:
            progress(count, total, "import_writing")

    record_ids = _write_records(brand, actor, plan.rows, written)
    if progress is not None:
        progress(total, total, "import_verifying")
    already = [(m, record_ids[m.user.email]) for m in plan.matched
               if m.status is MembershipStatus.VERIFIED and m.customer_record_id is None
               and m.user.email in record_ids]
    # Verified earlier (by staff, say): the listed customer is theirs from now on.
    hold_listed_customers(already)
    mark_verified_many([(m, record_ids.get(m.user.email)) for m in plan.to_verify_now], actor, BY_LISTED_EMAIL,
                       brand)
    db.session.flush()
    audit.record(
        "community.customers_imported", actor=actor, brand=brand,
        payload={"rows": len(plan.rows), "verified_now": len(plan.to_verify_now)}, public=True,
    )
    return plan


def summary(plan: ImportPlan) -> dict[str, int]:
    """An import's figures, as the job's result and the API show them."""
    return {"rows": len(plan.rows), "verified_now": len(plan.to_verify_now),
            "already_verified": plan.already_verified, "kept_for_later": plan.kept_for_later,
            "already_listed": plan.already_listed}


def check_size(data: bytes, limit: int) -> None:
    """Refuse a file over the configured size (IMPORT_MAX_BYTES), saying the limit."""
    if len(data) > limit:
        raise ValidationFailed(_("The file is larger than %(size)d MB.", size=limit // (1024 * 1024)), field="file")


def start_import(brand: Brand, actor: User, data: bytes) -> JobRun:
    """Check the file now (a faulty one is refused here, before any job), then queue its import; commits the job."""
    _check_actor(brand, actor)
    rows = parse_customer_csv(data)
    job = job_runs.create(JOB_KIND, brand, actor, total=len(rows), input_data=data)
    db.session.commit()
    jobs.enqueue(JOB_KIND, job_id=job.id)
    return job


def _import_work(job: JobRun, progress: job_runs.Progress) -> dict[str, int]:
    """The job: check the stored file again with progress, match it, write it all in the job's one transaction."""
    brand, actor, data = job.brand, job.requested_by, job.input_data
    if brand is None or actor is None or data is None:
        raise DomainError(_("The brand, the account that asked or the file is gone: nothing was imported."))
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    rows = parse_customer_csv(data, lambda line: progress(line, lines, "import_checking"))
    progress(len(rows), len(rows), "import_matching")
    plan = plan_import(brand, actor, data, rows=rows)
    if not job_runs.progress_while_writing():
        progress = None  # SQLite has one writer: progress would wait for the very transaction it reports on
    apply_import(brand, actor, data, plan=plan, progress=progress)
    return summary(plan)


def run_import_job(job_id: int) -> JobRun | None:
    """The worker's entry point for a queued customer import."""
    return job_runs.run(job_id, _import_work)
