"""How long a customer-list import takes, and how much memory, at 10,000 and 100,000 lines. Prints figures; never
part of the suite.

    .venv/bin/python bench/customer_import.py [--heap] [LINES ...]       # SQLite in a fresh temporary file
    DATABASE_URL=postgresql://postgres@127.0.0.1/bench_test .venv/bin/python bench/customer_import.py

Each size runs in a process of its own, on an empty database (its tables dropped and created again), with a brand
whose community has one pending member per 20 lines, each with a confirmed address on the list (so the import
verifies 5 % of the lines; the others are kept for later sign-ups). The lines are "email,customer_number". Stages:
  check    the page's/API's synchronous check of the upload (parse_customer_csv), before any job;
  preview  the page's synchronous preview (plan_import: the check again plus the matching);
  job      the worker's job (run_import_job: check with progress, match, write, verify, commit).
Peak memory is the process's peak resident set (getrusage ru_maxrss) after each stage; with --heap, a second pass
gives the Python heap's peak during each stage (tracemalloc: several times slower, so never in the timed pass).
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from config import TestConfig, normalize_database_url  # noqa: E402

MEMBER_EVERY = 20


def _file(lines: int) -> bytes:
    """A customer list of `lines` lines, e-mail and number on each."""
    return b"email,customer_number\n" + b"".join(
        f"firstname.lastname{n}@example-shop.org,C-{n:07d}\n".encode() for n in range(lines))


def _setup(lines: int):
    """An empty database with a brand, its staff member and the pending members the list will verify."""
    from sqlalchemy import insert

    from extensions import db
    from institutions.accounts import new_pseudonym
    from institutions.clock import utcnow
    from institutions.models import Brand, Membership, MembershipStatus, StaffRole, User

    db.drop_all()
    db.create_all()
    now = utcnow()
    brand = Brand(slug="bench", name="Bench", description="", colour="#1d4ed8", country="FR", created_at=now)
    staff = User(email="staff@example-shop.org", display_name="Staff", pseudonym=new_pseudonym(), password_hash="x",
                 timezone="UTC", email_verified_at=now, created_at=now)
    db.session.add_all([brand, staff])
    db.session.flush()
    db.session.add(StaffRole(brand_id=brand.id, user_id=staff.id, can_sign=True, created_at=now, legal_name="Staff"))
    members = range(0, lines, MEMBER_EVERY)
    db.session.execute(insert(User), [
        {"email": f"firstname.lastname{n}@example-shop.org", "display_name": f"Member {n}",
         "pseudonym": new_pseudonym(), "password_hash": "x", "timezone": "UTC", "email_verified_at": now,
         "created_at": now, "is_platform_admin": False} for n in members])
    user_ids = db.session.scalars(db.select(User.id).where(User.id != staff.id)).all()
    db.session.execute(insert(Membership), [
        {"brand_id": brand.id, "user_id": user_id, "status": MembershipStatus.PENDING, "started_at": now,
         "needs_review": False} for user_id in user_ids])
    db.session.commit()
    return brand.id, staff.id, len(user_ids)


def _measure(stage, function, traced: bool):
    """Run one stage: (seconds, Python heap peak in MB or None) and the process's peak RSS in MB after it."""
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    heap = None
    if traced:
        heap = tracemalloc.get_traced_memory()[1] / 2 ** 20
        tracemalloc.stop()
    return result, seconds, heap, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(lines: int, traced: bool) -> None:
    """One size, one pass (timed, or traced for the heap's peak)."""
    url = normalize_database_url(os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    from app import create_app
    from extensions import db
    from institutions import customer_import
    from institutions.models import Brand, CustomerRecord, JobRun, JobState, User

    app = create_app(type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    data = _file(lines)
    with app.test_request_context():
        brand_id, staff_id, members = _setup(lines)
        brand, staff = db.session.get(Brand, brand_id), db.session.get(User, staff_id)
        figures = []
        _rows, seconds, heap, rss = _measure("check", lambda: customer_import.parse_customer_csv(data), traced)
        figures.append(("check", seconds, heap, rss))
        plan, seconds, heap, rss = _measure("preview", lambda: customer_import.plan_import(brand, staff, data), traced)
        figures.append(("preview", seconds, heap, rss))
        assert len(plan.to_verify_now) == members
        db.session.rollback()
        customer_import.jobs.enqueue = lambda name, **kwargs: None  # queued only: the job is timed on its own
        job = customer_import.start_import(brand, staff, data)
        job_id = job.id

    def the_job():
        """The worker's run, in an app context of its own."""
        with app.app_context():
            customer_import.run_import_job(job_id)

    _none, seconds, heap, rss = _measure("job", the_job, traced)
    figures.append(("job", seconds, heap, rss))
    with app.app_context():
        job = db.session.get(JobRun, job_id)
        assert job.state is JobState.DONE, job.error
        assert db.session.scalar(db.select(db.func.count(CustomerRecord.id))) == lines
        dialect = db.engine.dialect.name
        db.session.remove()  # PostgreSQL: an open transaction's locks would hold DROP TABLE
        db.drop_all()
    if traced:
        print("  " + ", ".join(f"{stage} heap peak {heap:.0f} MB" for stage, _s, heap, _r in figures))
        return
    print(f"{dialect}: {lines:,} lines ({len(data) / 2 ** 20:.1f} MB), {members:,} members verified by the job")
    for stage, seconds, _heap, rss in figures:
        print(f"  {stage:<8} {seconds:7.2f} s   process peak RSS {rss:6.0f} MB")


def main(sizes: list[int], heap: bool) -> None:
    """Each size in a process of its own (a fresh peak RSS), timed, then traced with --heap."""
    for lines in sizes:
        for traced in ("", "traced") if heap else ("",):
            subprocess.run([sys.executable, __file__, "--one", str(lines), traced], check=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        run(int(sys.argv[2]), traced=len(sys.argv) > 3 and sys.argv[3] == "traced")
    else:
        arguments = sys.argv[1:]
        main([int(arg) for arg in arguments if arg != "--heap"] or [10_000, 100_000], heap="--heap" in arguments)
