"""`flask elections ...`: move elections along their calendar, remind staff of terms ending."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from elections import certification, lifecycle
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


def register_commands(app: Flask) -> None:
    """Attach the elections commands (and the benchmark seeding) to the app."""
    from elections import demo  # noqa: F401  (adds the demo elections to `flask demo load`)
    from elections.bench_cli import bench_cli

    app.cli.add_command(elections_cli)
    app.cli.add_command(bench_cli)
