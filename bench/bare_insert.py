"""The bare comparison for bench/vote_load.py: Flask + SQLAlchemy inserting a roll row and a ballot, nothing else.

POST /api/v1/elections/<id>/ballots takes the same requests as Tribune's ballot API (a bearer token
and a JSON ballot) and, in one transaction, inserts one vote record keyed by (election, voter) and
one ballot with a random key and the hash of a fresh tracker; a second ballot from the same voter
hits the vote record's primary key and gets 409. No authentication lookup (the voter is the hash of
the token), no election, no roll check, no validation of the ballot, no audit: what is left is the
cost of Flask, the ORM session and the database, which is what Tribune's figures are compared with.

gunicorn serves it as `bare_insert:create_app()` from bench/, with the same workers and the same
kind of database as Tribune (DATABASE_URL). vote_load.py runs it with --compare-bare; alone:

    .venv/bin/python bench/bare_insert.py --voters 5000 --concurrency 64 --database postgresql
"""
from __future__ import annotations

import hashlib
import os
import secrets
import sys
import time
import uuid

from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Integer, String, Text, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class BareVoteRecord(db.Model):
    __tablename__ = "bare_vote_records"

    election_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    voter: Mapped[str] = mapped_column(String(64), primary_key=True)


class BareBallot(db.Model):
    __tablename__ = "bare_ballots"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    election_id: Mapped[int] = mapped_column(Integer, index=True)
    tracker_hash: Mapped[str] = mapped_column(String(64), unique=True)
    content: Mapped[str] = mapped_column(Text)


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "sqlite:///bare.db")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """The same SQLite settings as Tribune (WAL, busy timeout, foreign keys)."""
    if not type(dbapi_connection).__module__.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(SQLALCHEMY_DATABASE_URI=_database_url(), SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True})
    db.init_app(app)

    @app.get("/health")
    def health():
        db.session.execute(text("SELECT 1"))
        return jsonify({"status": "ok"})

    @app.post("/api/v1/elections/<int:election_id>/ballots")
    def cast(election_id: int):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return jsonify({"error": {"code": "unauthenticated"}}), 401
        voter = hashlib.sha256(token.strip().encode()).hexdigest()
        content = request.get_data(as_text=True)
        tracker = secrets.token_hex(10).upper()
        db.session.add(BareVoteRecord(election_id=election_id, voter=voter))
        db.session.add(BareBallot(id=uuid.uuid4().hex, election_id=election_id, content=content,
                                  tracker_hash=hashlib.sha256(tracker.encode()).hexdigest()))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return jsonify({"error": {"code": "conflict", "message": "already voted"}}), 409
        return jsonify({"tracker": tracker}), 201

    return app


def init_schema(url: str) -> None:
    """Create the two tables (before gunicorn starts, so that workers do not race to create them)."""
    os.environ["DATABASE_URL"] = url
    app = create_app()
    with app.app_context():
        db.create_all()
        db.engine.dispose()


def bench_bare(args, tokens: list[str] | None = None, options: list | None = None):
    """Serve this app with gunicorn like Tribune, load it with vote_load's client, check the tables."""
    import vote_load as vl

    tokens = tokens or ["trb_" + secrets.token_urlsafe(32) for _ in range(args.voters)]
    options = options or list(range(1, args.candidates + 1))
    election_id = 1
    with vl.fresh_database(args.database, f"bench_{os.getpid()}_bare", args.pg_admin_url) as url:
        started = time.perf_counter()
        saved = os.environ.get("DATABASE_URL")
        try:
            init_schema(url)
        finally:
            if saved is None:
                os.environ.pop("DATABASE_URL", None)
            else:
                os.environ["DATABASE_URL"] = saved
        env = vl.app_environment(url)
        setup = time.perf_counter() - started
        with vl.Server("bare_insert:create_app()", vl.BENCH_DIR, env, args.workers, args.gunicorn_arg) as server:
            jobs = vl.make_jobs(server.port, f"/api/v1/elections/{election_id}/ballots", tokens, args.method, options)
            vl.log(f"[bare] gunicorn on port {server.port}: {len(jobs)} voters x 2 requests, "
                   f"{args.concurrency} clients")
            load, app_cpu, db_cpu = vl.measured_load(server, jobs, args.concurrency, args.database, args.timeout)
        where = {"e": election_id}
        figures = vl.scalar_queries(url, {
            "ballots": ("SELECT count(*) FROM bare_ballots WHERE election_id = :e", where),
            "records": ("SELECT count(*) FROM bare_vote_records WHERE election_id = :e", where),
            "distinct": ("SELECT count(DISTINCT tracker_hash) FROM bare_ballots WHERE election_id = :e", where),
        })
        hashes = set(vl.column_values(url, "SELECT tracker_hash FROM bare_ballots WHERE election_id = :e", where))
    problems = vl.check_run(load, len(tokens), len(tokens), figures["ballots"], figures["records"], hashes,
                            figures["distinct"])
    return vl.Run("bare insert", args.database, args.workers, args.concurrency, len(tokens), load, len(tokens),
                  figures["ballots"], figures["records"], problems, app_cpu, db_cpu, setup)


def main(argv=None) -> int:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import vote_load as vl

    args = vl.parse_args(argv)
    vl._stop_on_sigterm()
    run = bench_bare(args)
    print()
    print(f"Bare insert under load: {args.voters} voters, each casts once then tries again")
    vl.print_table([run])
    return 0 if run.ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted: gunicorn stopped, benchmark databases removed", file=sys.stderr)
        sys.exit(130)
