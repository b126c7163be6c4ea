"""`flask cases ...`: move cases whose deadlines passed, remind parties and mediators of what is due."""
from __future__ import annotations

import click
from flask.cli import AppGroup

cases_cli = AppGroup("cases", help="Mediation cases.")


@cases_cli.command("remind")
@click.option("--days", default=3, show_default=True, type=click.IntRange(0, 365),
              help="Remind of the deadlines due within this many days.")
def remind_command(days: int) -> None:
    """Close what fell due (brand silent, mediation over, proposals unanswered), then remind of what is near."""
    from extensions import db
    from mediation import deadlines

    moved = deadlines.advance_due()
    sent = deadlines.send_reminders(days)
    db.session.commit()
    click.echo(f"{len(moved)} cases moved, {sent} reminders sent")


COMMANDS = (cases_cli,)
