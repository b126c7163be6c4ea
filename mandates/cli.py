"""`flask mandates ...`: start and end mandates on their dates, flag overdue mission orders."""
from __future__ import annotations

from flask import Flask
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


def register_commands(app: Flask) -> None:
    """Attach the mandates commands (and the demo mandates) to the app."""
    from mandates import demo  # noqa: F401  (adds the demo mandates to `flask demo load`)

    app.cli.add_command(mandates_cli)
