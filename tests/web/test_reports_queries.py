"""Each report page and export runs the same number of SQL statements for a small and a large organisation."""
from __future__ import annotations

from sqlalchemy import select

from tests.factories import PASSWORD, build_directorate, make_activity_type, make_person, make_unit
from tests.support import refresh_planner_statistics
from tracker.extensions import db
from tracker.models import Behaviour, UnitKind
from tracker.reference import load_reference_data

PAGES = ("/reports/", "/reports/?tier=2&status=in_progress&sort=name", "/reports/behaviours", "/reports/training",
         "/reports/people", "/reports/people?status=not_started&sort=team&order=desc&page=2",
         "/reports/export/people.csv", "/reports/export/activities.xlsx?year=all", "/reports/export/coverage.csv",
         "/reports/export/uptake.csv")


def measure(client, count_queries) -> dict[str, int]:
    counts = {}
    for url in PAGES:
        client.get(url).get_data()
        db.session.expire_all()  # as on a server, each request starts from nothing loaded
        with count_queries() as counter:
            response = client.get(url)
            response.get_data()  # an export's queries run while it streams
        assert response.status_code == 200, url
        counts[url] = counter.count
    return counts


def test_report_queries_do_not_grow_with_the_organisation(app, client, sign_in, db_session, count_queries, in_year):
    load_reference_data()
    trust = make_unit("Trust", UnitKind.ORGANISATION)
    activity_type = make_activity_type("observed")
    behaviours = list(db.session.scalars(select(Behaviour).order_by(Behaviour.id)))
    make_person(trust, email="lead@example.org", tier=3, roles=["education_lead"])
    build_directorate("Small", 2, 10, "small@example.org", trust, activity_type, behaviours, in_year)
    db.session.commit()
    refresh_planner_statistics()
    sign_in("lead@example.org", PASSWORD)
    small = measure(client, count_queries)

    for n in range(3):
        build_directorate(f"Large {n}", 15, 300, f"large{n}@example.org", trust, activity_type, behaviours, in_year)
    db.session.commit()
    refresh_planner_statistics()
    large = measure(client, count_queries)
    assert small == large, (small, large)
    # A budget, not the point (small == large is): the session check and the second-factor gate
    # read a row or two on every request.
    assert large["/reports/"] <= 27, large
    assert large["/reports/people"] <= 13, large
