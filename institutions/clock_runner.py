"""Every pillar's clock, advanced in one place: the `flask advance` command and the job queue's schedule call this."""
from __future__ import annotations

import logging
from datetime import datetime

from extensions import db
from institutions import features
from institutions.models import Brand

logger = logging.getLogger("tribune.clock")


class AdvanceReport(list):
    """The lines the clocks returned (a list of str), and the names of the clocks that failed."""

    def __init__(self):
        super().__init__()
        self.failed: list[str] = []


def advance_all(now: datetime, brand: Brand | None = None) -> AdvanceReport:
    """Advance every installed feature's clock at `now`; each commits on its own, a failing one is rolled back.

    A clock that raises does not stop the others: its acts are undone, the error is logged and named in the report,
    and the next feature's clock runs (a bug in one pillar must not hold every other deadline).
    """
    report = AdvanceReport()
    for name, clock in features.clocks():
        try:
            lines = clock(now, brand)
            db.session.commit()
        except Exception as error:  # any bug of a pillar: keep the others running, say which one failed
            db.session.rollback()
            logger.exception("the %s clock failed", name)
            report.failed.append(name)
            report.append(f"{name}: FAILED ({type(error).__name__}: {error})")
            continue
        report.extend(f"{name}: {line}" for line in lines)
    return report
