"""`flask cases ...`: move cases whose deadlines passed, remind parties and mediators of what is due.

`flask cases remind` is the older name of the mediation part of `flask advance`; it stays as an alias.
"""
from __future__ import annotations

import click
from flask.cli import AppGroup

from extensions import db
from institutions.clock import utcnow
from mediation import clock

cases_cli = AppGroup("cases", help="Mediation cases.")


@cases_cli.command("remind")
@click.option("--days", default=clock.REMINDER_DAYS, show_default=True, type=click.IntRange(0, 365),
              help="Remind of the deadlines due within this many days.")
def remind_command(days: int) -> None:
    """Close what fell due (brand silent, mediation over, proposals unanswered), then remind of what is near."""
    lines = clock.advance(utcnow(), within_days=days)
    db.session.commit()
    for line in lines:
        click.echo(line)


COMMANDS = (cases_cli,)
