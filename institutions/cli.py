"""`flask` commands of the core: admin, audit, mail, demo, privacy, jobs, advance."""
from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from extensions import db
from institutions import audit, jobs, mail_sender, privacy
from institutions.accounts import MIN_PASSWORD_LENGTH, new_pseudonym, normalize_email
from institutions.clock import utcnow
from institutions.clock_runner import advance_all
from institutions.errors import DomainError
from institutions.models import Brand, User

admin_cli = AppGroup("admin", help="Platform administrators.")
audit_cli = AppGroup("audit", help="The hash-chained audit trail.")
mail_cli = AppGroup("mail", help="The e-mail outbox.")
demo_cli = AppGroup("demo", help="Demonstration data.")
privacy_cli = AppGroup("privacy", help="Personal data: retention.")
jobs_cli = AppGroup("jobs", help="The job queue: the worker (which also runs the schedule) and its state.")


@admin_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", default="Platform admin", show_default=True)
@click.password_option(help="At least 10 characters.")
def create_admin(email: str, name: str, password: str) -> None:
    """Create a platform admin (or promote the existing account with this address)."""
    try:
        email = normalize_email(email)
    except DomainError as error:
        raise click.BadParameter(error.message, param_hint="--email")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(f"at least {MIN_PASSWORD_LENGTH} characters", param_hint="--password")
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, display_name=name, pseudonym=new_pseudonym(), timezone="UTC",
                    password_hash=generate_password_hash(password), created_at=utcnow())
        db.session.add(user)
    user.is_platform_admin = True
    user.email_verified_at = user.email_verified_at or utcnow()
    db.session.flush()
    audit.record("platform.admin_granted", subject=user, payload={"admin": user.pseudonym})
    db.session.commit()
    click.echo(f"{email} is a platform admin.")


def _kept_head(_ctx, _param, value: str | None) -> audit.ChainHead | None:
    """Read --head N:HASH, or stop with a usage error saying how it is written."""
    if value is None:
        return None
    try:
        return audit.parse_head(value)
    except ValueError as error:
        raise click.BadParameter(str(error))


@audit_cli.command("verify")
@click.option("--head", "kept_head", metavar="N:HASH", callback=_kept_head,
              help="A head kept earlier (from `flask audit head`): fail if the chain no longer holds it.")
def verify_audit(kept_head: audit.ChainHead | None) -> None:
    """Recompute the chain (and check it holds a kept head); exit 1 naming the first bad event and why."""
    report = audit.verify_chain(kept_head=kept_head)
    if report.ok:
        click.echo(f"audit chain intact: {report.checked} events verified")
        if kept_head is not None:
            click.echo(f"it holds the kept head {kept_head}")
        return
    click.echo(f"audit chain BROKEN at event #{report.bad_event_id}: {report.problem}", err=True)
    raise SystemExit(1)


@audit_cli.command("head")
def audit_head() -> None:
    """Print the chain's head as `N HASH` (event number and hash): keep it to check the chain later."""
    click.echo(str(audit.chain_head()))


@mail_cli.command("send")
@click.option("--limit", default=500, show_default=True, type=click.IntRange(min=1),
              help="At most this many messages in this run.")
def send_mail(limit: int) -> None:
    """Send what is due in the outbox, each marked sent in its own commit; exit 1 if some failed."""
    sent, failed = mail_sender.send_pending(limit=limit)
    click.echo(f"{sent} sent, {failed} failed")
    if failed:
        raise SystemExit(1)


@demo_cli.command("load")
def load_demo() -> None:
    """Create the demo brand, people and roles (idempotent) and print the demo logins."""
    from institutions.demo import DEMO_PASSWORD, load_demo_data

    logins = load_demo_data()
    db.session.commit()
    click.echo("Demo logins (password for all: %s):" % DEMO_PASSWORD)
    for role, email in logins:
        click.echo(f"  {role:<16} {email}")


@click.command("advance")
@with_appcontext
@click.option("--brand", "slug", default=None, help="Only this brand (its slug); every brand without it.")
def advance_command(slug: str | None) -> None:
    """Advance every feature's clock: open, close, expire and remind what is due now."""
    brand = None
    if slug is not None:
        brand = db.session.scalar(select(Brand).where(Brand.slug == slug))
        if brand is None:
            raise click.BadParameter(f"no brand with the slug {slug!r}", param_hint="--brand")
    report = advance_all(utcnow(), brand)
    for line in report:
        click.echo(line)
    if report.failed:  # the other clocks ran and kept their acts; say which failed and exit 1
        click.echo(f"failed: {', '.join(report.failed)} (see the log)", err=True)
        raise SystemExit(1)


@privacy_cli.command("purge")
def purge_command() -> None:
    """Remove or erase every record past its retention period (RETENTION_<KIND>_DAYS settings)."""
    lines = privacy.purge()
    db.session.commit()
    for line in lines or ["nothing is past its retention period"]:
        click.echo(line)


@jobs_cli.command("worker")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
@click.option("--no-schedule", is_flag=True,
              help="Run tasks but not the schedule (on every machine but one, so the periodic tasks run once).")
def jobs_worker(workers: int, no_schedule: bool) -> None:
    """Run the job queue's worker; it is also the scheduler (clocks and outbox every minute, purge at 03:00 UTC)."""
    import logging

    from flask import current_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = current_app._get_current_object()
    try:
        consumer = jobs.make_consumer(app, workers=workers, periodic=not no_schedule)
    except jobs.JobsMisconfigured as error:
        raise click.UsageError(str(error))
    click.echo(f"job queue: {jobs.describe_storage(jobs.queue(app))}; {workers} worker(s); "
               f"schedule {'off' if no_schedule else 'on'}")
    consumer.run()


@jobs_cli.command("status")
def jobs_status() -> None:
    """Say where the queue lives, how many jobs wait, and when each periodic task runs next."""
    huey = jobs.queue()
    click.echo(f"storage: {jobs.describe_storage(huey)}")
    click.echo(f"pending: {huey.pending_count()}, scheduled: {huey.scheduled_count()}")
    for name, words, moment in jobs.next_runs(utcnow()):
        click.echo(f"{name}: {words}, next at {moment.strftime('%Y-%m-%d %H:%M UTC') if moment else '—'}")


COMMANDS = (admin_cli, audit_cli, mail_cli, demo_cli, privacy_cli, jobs_cli, advance_command)
