"""The annual report runs the same number of queries whatever the number of cases (one for the figures)."""
from __future__ import annotations

from datetime import date

from extensions import db
from institutions import clock
from mediation import report
from mediation.models import CaseState, Mediator, PanelSeat
from tests.mediation.report_fixtures import category, insert_case, mark_published, utc

STATES = [(CaseState.SETTLED, dict(outcome_favours="consumer", complied=True)),
          (CaseState.NOT_SETTLED, dict(outcome_favours="brand")),
          (CaseState.REFUSED, dict(refusal_reason="too_late")),
          (CaseState.WITHDRAWN, {}), (CaseState.BRAND_REFUSED, {}), (CaseState.LAPSED, {}),
          (CaseState.OPEN, {}), (CaseState.FILED, {})]


def _add(brand, categories, n: int, offset: int = 0) -> None:
    for i in range(offset, offset + n):
        state, extra = STATES[i % len(STATES)]
        closed = f"2026-{1 + i % 11:02d}-20" if state not in (CaseState.OPEN, CaseState.FILED) else None
        insert_case(brand, categories[i % len(categories)], f"2026-{1 + i % 11:02d}-0{1 + i % 9}", state, closed,
                    country="FR" if i % 3 else "BE", **extra)
    db.session.commit()


def _queries(client, count_queries, path: str) -> int:
    with count_queries() as counter:
        assert client.get(path).status_code == 200
    return counter.count


PATHS = ("/b/acme/mediation/report/2026", "/b/acme/mediation/report/2026.json", "/b/acme/mediation/report/2026.csv",
         "/api/v1/brands/acme/mediation/reports/2026", "/b/acme/mediation/")


def test_the_report_queries_do_not_grow_with_the_cases(app, make, client, count_queries):
    clock.freeze(utc("2027-02-01"))
    brand = make.brand(slug="acme")
    categories = [category(brand, key) for key in ("delivery", "billing", "product_defect")]
    categories.append(category(brand, "panel:loyalty:4", "Loyalty points"))
    for n in range(2):
        mediator = Mediator(name=f"Mediator {n}", qualifications="Lawyer", appointing_body="Bar",
                            term_starts_on=date(2025, 1, 1), term_ends_on=date(2028, 1, 1),
                            declaration_of_interests="None")
        db.session.add(mediator)
        db.session.flush()
        db.session.add(PanelSeat(mediator_id=mediator.id, brand_id=brand.id))
    mark_published(brand, 2026)
    _add(brand, categories, 8)
    few = {path: _queries(client, count_queries, path) for path in PATHS}
    _add(brand, categories, 120, offset=8)
    many = {path: _queries(client, count_queries, path) for path in PATHS}
    assert many == few

    assert brand.country == "FR"  # loaded before counting: the report reads the brand it is given
    with count_queries() as counter:
        figures = report.annual_report(brand, 2026)
    # the cases, the year's recommendations, the mediators seated on the panel during the year
    assert counter.count == 3 and figures.received == 128
