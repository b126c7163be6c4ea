"""The annual report of a seeded year: every figure equals the one computed by hand below.

The seeded year 2026 (brand country FR), "received" = filed in 2026, the rest over cases closed in 2026
("opened" = admitted, the admissibility decision; "late" = that decision came after the three weeks):

 #  category  filed             opened      state          closed             days  country  detail
 1  delivery  2026-01-10        2026-01-20  settled        2026-03-11         60    FR       consumer, complied, note A
 2  delivery  2026-02-01        2026-02-11  settled        2026-04-02         60    BE       amicable, did not comply, note B
 3  delivery  2026-03-01        2026-03-30  not settled    2026-05-30         90    FR       brand, late
 4  delivery  2026-04-01        -           refused        2026-04-15         14    FR       no prior complaint
 5  refund    2026-05-01        -           refused        2026-05-08 12:00   7.5   DE       outside scope, late
 6  refund    2026-06-01        -           withdrawn      2026-06-21         20    FR       before admission, note C
 7  refund    2026-07-01        2026-07-10  open           -                        CH       (Switzerland: not in the EU)
 8  quality   2026-08-01        2026-08-05  brand refused  2026-08-21         20    FR
 9  loyalty*  2026-09-01        2026-09-05  settled        2026-10-31         60    FR       consumer, compliance unanswered
10  refund    2026-12-31 23:59  -           filed          -                        FR
11  quality   2025-11-01        2025-11-10  lapsed         2026-02-01         92    IT       (closed in 2026, filed in 2025)
12  delivery  2026-11-15        2026-11-25  settled        2027-01-20               FR       consumer, complied, note D (2027)
13  quality   2026-10-01        -           refused        2026-10-14 12:00   13.5  FR       no prior complaint
 -  delivery  2025-03-01        settled        2025-05-01               FR       note E: counts nowhere
 -  delivery  2027-01-01 00:00  filed                                   FR       counts nowhere
 -  another brand's case in 2026: counts nowhere            (* the panel's own category, named "Loyalty points")

Received: 1-10, 12, 13 = 12. delivery 5 (41.7 %), refund 4 (33.3 %), quality 2 (16.7 %), loyalty 1 (8.3 %).
Recurring (>= 20 % and >= 2 cases): delivery and refund; quality has 2 cases but 16.7 %. The closing notes (A-E:
a withdrawal's reason, a brand's...) are a case's content: never shown.
Cross-border (L.611-1: another EU member state than the brand's): BE, DE = 2 of 12 = 16.7 %; CH is outside the
Union (1, 8.3 %); domestic 9 (75.0 %).
Closed in 2026: 1-6, 8, 9, 11, 13 = 10. Refused 4, 5, 13 = 3 (30.0 %): no prior complaint 2 (66.7 %), outside
scope 1 (33.3 %). Admitted among the closed (R.614-2 4° and 5°): 1, 2, 3, 8, 9, 11 = 6 (6 was withdrawn before
admission: never a mediation). Discontinued 8, 11 = 2 of 6 (33.3 %): withdrawn 0, brand refused 1 (50.0 %),
lapsed 1 (50.0 %). Outcomes recorded 1, 2, 3, 9 = 4: consumer 2 (50.0 %), brand 1 (25.0 %), amicable 1 (25.0 %).
Durations of the admitted 60+60+90+20+60+92 = 382 over 6 = 63.7 days. Settled 1, 2, 9 = 3; compliance answered 1,
2: complied 1 of 2 = 50.0 %. Admissibility decisions in 2026: opened 1, 2, 3, 7, 8, 9, 12 and refused 4, 5, 13 =
10, late 3 and 5 = 2 (20.0 %).
"""
from __future__ import annotations

import csv
import io

import pytest

from extensions import db
from institutions import clock
from mediation import report
from mediation.models import CaseState
from tests.mediation.report_fixtures import category, insert_case, mark_published, utc

S = CaseState


@pytest.fixture
def seeded(make):
    """The year 2026 above, read on 1 March 2027."""
    clock.freeze(utc("2027-03-01 09:00"))
    brand = make.brand(slug="acme", name="Acme")
    delivery, refund, quality = (category(brand, key) for key in ("delivery", "refund", "quality"))
    loyalty = category(brand, "loyalty", "Loyalty points")
    insert_case(brand, delivery, "2026-01-10", S.SETTLED, "2026-03-11", outcome_favours="consumer", complied=True,
                closing_note="Track parcels end to end.", opened_at=utc("2026-01-20"))
    insert_case(brand, delivery, "2026-02-01", S.SETTLED, "2026-04-02", country="BE", outcome_favours="amicable",
                complied=False, closing_note="Offer a delivery window.", opened_at=utc("2026-02-11"))
    insert_case(brand, delivery, "2026-03-01", S.NOT_SETTLED, "2026-05-30", outcome_favours="brand",
                opened_at=utc("2026-03-30"), admissibility_late=True)
    insert_case(brand, delivery, "2026-04-01", S.REFUSED, "2026-04-15", refusal_reason="no_prior_complaint")
    insert_case(brand, refund, "2026-05-01", S.REFUSED, "2026-05-08 12:00", country="DE",
                refusal_reason="outside_scope", admissibility_late=True)
    insert_case(brand, refund, "2026-06-01", S.WITHDRAWN, "2026-06-21", closing_note="Explain refund delays upfront.")
    insert_case(brand, refund, "2026-07-01", S.OPEN, country="CH", opened_at=utc("2026-07-10"))
    insert_case(brand, quality, "2026-08-01", S.BRAND_REFUSED, "2026-08-21", opened_at=utc("2026-08-05"))
    insert_case(brand, loyalty, "2026-09-01", S.SETTLED, "2026-10-31", outcome_favours="consumer",
                opened_at=utc("2026-09-05"))
    insert_case(brand, refund, "2026-12-31 23:59", S.FILED)
    insert_case(brand, quality, "2025-11-01", S.LAPSED, "2026-02-01", country="IT", opened_at=utc("2025-11-10"))
    insert_case(brand, delivery, "2026-11-15", S.SETTLED, "2027-01-20", outcome_favours="consumer", complied=True,
                closing_note="A note written in 2027.", opened_at=utc("2026-11-25"))
    insert_case(brand, quality, "2026-10-01", S.REFUSED, "2026-10-14 12:00", refusal_reason="no_prior_complaint")
    insert_case(brand, delivery, "2025-03-01", S.SETTLED, "2025-05-01", outcome_favours="brand",
                closing_note="A note written in 2025.", opened_at=utc("2025-03-10"))
    insert_case(brand, delivery, "2027-01-01 00:00", S.FILED)
    other = make.brand(slug="other")
    insert_case(other, category(other, "delivery"), "2026-03-01", S.SETTLED, "2026-04-01", outcome_favours="brand",
                country="BE")
    db.session.commit()
    return brand


def _lines(lines) -> dict:
    return {line.key: (line.share.count, line.share.of, line.share.percent) for line in lines}


def test_every_figure_of_the_seeded_year(ctx, seeded):
    r = report.annual_report(seeded, 2026)
    assert r.year == 2026 and r.in_progress is False
    assert r.received == 12
    assert [line.key for line in r.categories] == ["delivery", "refund", "quality", "loyalty"]
    assert _lines(r.categories) == {"delivery": (5, 12, 41.7), "refund": (4, 12, 33.3), "quality": (2, 12, 16.7),
                                    "loyalty": (1, 12, 8.3)}
    assert r.categories[3].label == "Loyalty points"
    assert [line.key for line in r.recurring] == ["delivery", "refund"]
    assert r.recurring[0].recommendations == [] and r.recurring[1].recommendations == []  # no table for them yet
    assert (r.cross_border.count, r.cross_border.of, r.cross_border.percent) == (2, 12, 16.7)

    assert r.closed == 10
    assert (r.refused.count, r.refused.of, r.refused.percent) == (3, 10, 30.0)
    assert _lines(r.refusal_reasons) == {"no_prior_complaint": (2, 3, 66.7), "outside_scope": (1, 3, 33.3)}
    assert r.admitted_closed == 6
    assert (r.discontinued.count, r.discontinued.of, r.discontinued.percent) == (2, 6, 33.3)
    assert _lines(r.discontinued_reasons) == {"withdrawn": (0, 2, 0.0), "brand_withdrew": (0, 2, 0.0),
                                              "brand_refused": (1, 2, 50.0), "lapsed": (1, 2, 50.0)}
    assert r.with_outcome == 4
    assert _lines(r.outcomes) == {"consumer": (2, 4, 50.0), "brand": (1, 4, 25.0), "amicable": (1, 4, 25.0)}
    assert r.average_duration_days == 63.7
    assert (r.decisions, r.late_decisions.count, r.late_decisions.percent) == (10, 2, 20.0)
    assert r.settled == 3
    assert (r.compliance.count, r.compliance.of, r.compliance.percent) == (1, 2, 50.0)


def test_the_neighbouring_years_count_their_own_cases(ctx, seeded):
    r2027 = report.annual_report(seeded, 2027)
    assert r2027.in_progress is True
    assert r2027.received == 1 and r2027.closed == 1  # filed 1 Jan 2027; case 12 closed in 2027
    assert _lines(r2027.outcomes)["consumer"] == (1, 1, 100.0)
    assert r2027.recurring == []  # a single case does not recur, even at 100 %
    r2025 = report.annual_report(seeded, 2025)
    assert r2025.received == 2 and r2025.closed == 1 and r2025.average_duration_days == 61.0
    empty = report.annual_report(seeded, 2010)
    assert empty.received == 0 and empty.closed == 0 and empty.refused.percent is None
    assert empty.average_duration_days is None and empty.compliance.percent is None
    assert report.report_years(seeded) == [2027, 2026, 2025]


def test_the_page_and_the_downloads_show_the_same_figures(app, client, seeded):
    mark_published(seeded, 2026)
    db.session.commit()
    page = client.get("/b/acme/mediation/report/2026")
    assert page.status_code == 200
    text = page.text
    assert "12 cases were filed during the year." in text
    assert "10 cases were closed during the year." in text and "63.7 days on average" in text
    assert "Loyalty points" in text and "Delivery" in text and "No prior written complaint to the brand" in text
    assert "(1 of 2)" in text and "30 %" in text and "41.7 %" in text

    document = client.get("/b/acme/mediation/report/2026.json").get_json()
    assert document["received"] == 12 and document["closed"] == 10
    assert document["refused"] == {"count": 3, "of": 10, "percent": 30.0}
    assert document["recurring_problems"] == ["delivery", "refund"]
    assert document["compliance"] == {"count": 1, "of": 2, "percent": 50.0}
    assert document["average_duration_days"] == 63.7
    api = client.get("/api/v1/brands/acme/mediation/reports/2026").get_json()
    assert api == document

    download = client.get("/b/acme/mediation/report/2026.csv")
    assert download.mimetype == "text/csv" and "attachment" in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    assert rows[0] == report.CSV_HEADER
    by_section = {}
    for row in rows[1:]:
        by_section.setdefault(row[0], []).append(row)
    assert by_section["received"][0][3] == "12"
    assert [r[1:6] for r in by_section["category"]][0] == ["delivery", "Delivery", "5", "12", "41.7"]
    assert by_section["refused"][0][3:] == ["3", "10", "30.0"]
    assert by_section["average_duration_days"][0][3] == "63.7"
    assert [r[1] for r in by_section["recurring_problem"]] == ["delivery", "refund"]

    assert client.get("/b/acme/mediation/report/2031").status_code == 404
    assert client.get("/b/acme/mediation/report/2031.csv").status_code == 404
    assert client.get("/b/nobody/mediation/report/2026").status_code == 404


def test_the_report_shows_no_case_content(app, client, seeded):
    mark_published(seeded, 2026)
    db.session.commit()
    text = client.get("/b/acme/mediation/report/2026").text + client.get("/b/acme/mediation/report/2026.csv").text
    text += client.get("/b/acme/mediation/report/2026.json").get_data(as_text=True)
    for content in ("What happened.", "What I ask.", "Letter of 1 January", "Track parcels", "delivery window",
                    "refund delays", "A note written"):
        assert content not in text


def test_the_panel_page_lists_the_sitting_mediators_and_each_years_report(app, client, seeded):
    from datetime import date

    from mediation.models import Mediator, PanelSeat

    def mediator(name, *, removed=False, seat_ended=False):
        row = Mediator(name=name, qualifications="Consumer law, 12 years of practice", appointing_body="Paris Bar",
                       term_starts_on=date(2025, 1, 1), term_ends_on=date(2028, 1, 1),
                       declaration_of_interests="No link with the brand.",
                       removed_at=utc("2026-01-01") if removed else None)
        db.session.add(row)
        db.session.flush()
        db.session.add(PanelSeat(mediator_id=row.id, brand_id=seeded.id,
                                 ended_at=utc("2026-06-01") if seat_ended else None))

    for year in (2025, 2026, 2027):
        mark_published(seeded, year)
    mediator("Mona Mediator")
    mediator("Rita Removed", removed=True)
    mediator("Eddie Ended", seat_ended=True)
    db.session.commit()
    page = client.get("/b/acme/mediation/").text
    assert "Mona Mediator" in page and "Appointed by Paris Bar" in page and "No link with the brand." in page
    # Only Mona sits (the page may list those who left, with when and why: issue 10, L.613-1).
    assert page.count("Appointed by Paris Bar") == 1
    for year in (2025, 2026, 2027):
        assert f'href="/b/acme/mediation/report/{year}"' in page
    assert 'href="/b/acme/mediation/report/2024"' not in page
