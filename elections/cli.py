"""`flask elections ...`: move elections along their calendar, remind staff of terms ending."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from elections import certification, lifecycle
from elections.bench_cli import bench_cli
from extensions import db

elections_cli = AppGroup("elections", help="Customer-president elections.")


@elections_cli.command("advance")
def advance_command() -> None:
    """Open voting, close and count what is due; end finished terms; remind staff of terms ending."""
    moved = lifecycle.advance_due()
    ended = certification.end_expired_terms()
    reminded = certification.remind_terms_ending()
    db.session.commit()
    click.echo(f"{len(moved)} elections moved, {ended} terms ended, {reminded} reminders sent")


COMMANDS = (elections_cli, bench_cli)
