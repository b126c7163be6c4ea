"""How fast the audit chain is written and verified. Prints figures; never part of the suite.

    .venv/bin/python bench/audit_chain.py [EVENTS]          # SQLite in a temporary file
    DATABASE_URL=postgresql://postgres@127.0.0.1/bench .venv/bin/python bench/audit_chain.py
"""
from __future__ import annotations

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from config import TestConfig, normalize_database_url  # noqa: E402


def main(events: int) -> None:
    url = normalize_database_url(os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    from app import create_app
    from extensions import db
    from institutions import audit

    app = create_app(type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        for n in range(events):
            audit.record("bench.act", payload={"n": n}, public=True)
            if n % 100 == 99:
                db.session.commit()
        db.session.commit()
        written = time.perf_counter() - started
        started = time.perf_counter()
        report = audit.verify_chain()
        verified = time.perf_counter() - started
        assert report.ok, report.problem
        print(f"database: {db.engine.dialect.name}")
        print(f"record:  {events} events in {written:.2f} s ({events / written:,.0f} events/s, commit every 100)")
        print(f"verify:  {report.checked} events in {verified:.2f} s ({report.checked / verified:,.0f} events/s)")
        db.drop_all()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
