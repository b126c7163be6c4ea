"""`flask mandates ...`: the mandates' own commands (`flask advance` runs every pillar's clock)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from extensions import db
from institutions.clock import utcnow
from mandates import clock

mandates_cli = AppGroup("mandates", help="Ambassador mandates.")


@mandates_cli.command("advance")
def advance_command() -> None:
    """Start mandates whose first day has come, complete those past their last day, apply notified endings."""
    lines = clock.advance(utcnow())
    db.session.commit()
    for line in lines:
        click.echo(line)


COMMANDS = (mandates_cli,)
