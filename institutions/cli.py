"""`flask` commands of the core: admin, audit, mail, demo."""
from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from extensions import db
from institutions import audit, features, notifications, privacy
from institutions.accounts import MIN_PASSWORD_LENGTH, new_pseudonym, normalize_email
from institutions.clock import utcnow
from institutions.errors import DomainError
from institutions.models import Brand, User

admin_cli = AppGroup("admin", help="Platform administrators.")
audit_cli = AppGroup("audit", help="The hash-chained audit trail.")
mail_cli = AppGroup("mail", help="The e-mail outbox.")
demo_cli = AppGroup("demo", help="Demonstration data.")
privacy_cli = AppGroup("privacy", help="Personal data: retention.")


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
def send_mail() -> None:
    """Send what waits in the outbox (printed in development); exit 1 if some failed."""
    sent, failed = notifications.send_pending()
    db.session.commit()
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
    now = utcnow()
    for name, clock in features.clocks():
        for line in clock(now, brand):
            click.echo(f"{name}: {line}")
        db.session.commit()  # each feature's acts are kept even if a later feature's clock fails


@privacy_cli.command("purge")
def purge_command() -> None:
    """Remove or erase every record past its retention period (RETENTION_<KIND>_DAYS settings)."""
    lines = privacy.purge()
    db.session.commit()
    for line in lines or ["nothing is past its retention period"]:
        click.echo(line)


COMMANDS = (admin_cli, audit_cli, mail_cli, demo_cli, privacy_cli, advance_command)
