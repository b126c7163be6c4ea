"""`flask elections ...`: move elections along their calendar, remind staff of terms ending."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from elections import clock
from elections.bench_cli import bench_cli
from extensions import db
from institutions.clock import utcnow

elections_cli = AppGroup("elections", help="Customer-president elections.")


@elections_cli.command("advance")
def advance_command() -> None:
    """Open voting, close and count what is due; end finished terms; remind staff of terms ending."""
    summary = clock.advance(utcnow())
    db.session.commit()
    click.echo("\n".join(summary))


COMMANDS = (elections_cli, bench_cli)
