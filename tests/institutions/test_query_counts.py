"""List pages run the same number of queries whatever the number of rows (no N+1)."""
from extensions import db
from institutions import audit, charter
from institutions.models import MembershipStatus, OfficeKind
from tests.conftest import login


def _queries_for(client, count_queries, path):
    with count_queries() as counter:
        assert client.get(path).status_code == 200
    return counter.count


def test_members_page_queries_do_not_grow_with_members(app, make, client, count_queries):
    brand = make.brand(slug="acme")
    login(client, make.staff(brand))
    for _ in range(3):
        make.member(brand, status=MembershipStatus.PENDING)
    few = _queries_for(client, count_queries, "/b/acme/staff/members")
    for _ in range(20):
        make.member(brand)
    assert _queries_for(client, count_queries, "/b/acme/staff/members") == few


def test_transparency_and_charter_queries_do_not_grow_with_events(app, make, client, count_queries):
    brand = make.brand(slug="acme")

    def add(n):
        for _ in range(n):
            person = make.user()
            audit.record("test.act", actor=person, brand=brand, public=True)
            charter.install_holder(brand, OfficeKind.ADVOCATE, person, source="recognition")
        db.session.commit()

    add(2)
    transparency, charter_page = (_queries_for(client, count_queries, p) for p in
                                  ("/b/acme/transparency", "/b/acme/charter"))
    add(15)
    assert _queries_for(client, count_queries, "/b/acme/transparency") == transparency
    assert _queries_for(client, count_queries, "/b/acme/charter") == charter_page
