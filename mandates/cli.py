"""`flask mandates ...`: start and end mandates on their dates, flag overdue mission orders."""
from __future__ import annotations

from flask.cli import AppGroup

mandates_cli = AppGroup("mandates", help="Ambassador mandates.")


@mandates_cli.command("advance")
def advance_command() -> None:
    """Start mandates whose first day has come, complete those past their last day, apply notified endings."""
    import click

    from extensions import db
    from mandates import ending

    moved = ending.advance_due()
    db.session.commit()
    click.echo(f"{len(moved)} mandates moved")


COMMANDS = (mandates_cli,)
