"""The team pages run the same number of SQL statements for 10 people as for 500."""
from __future__ import annotations

from sqlalchemy import select

from tests.factories import PASSWORD, build_directorate, make_activity_type, make_unit
from tests.support import refresh_planner_statistics
from tracker.extensions import db
from tracker.models import Behaviour, UnitKind
from tracker.reference import load_reference_data


def test_dashboard_and_queue_queries_do_not_grow_with_people_or_teams(app, client, sign_in, post_form,
                                                                      db_session, count_queries, in_year):
    load_reference_data()
    trust = make_unit("Trust", UnitKind.ORGANISATION)
    activity_type = make_activity_type("observed")
    behaviours = list(db.session.scalars(select(Behaviour).order_by(Behaviour.id)))
    build_directorate("Small", 2, 10, "small@example.org", trust, activity_type, behaviours, in_year)
    build_directorate("Large", 20, 500, "large@example.org", trust, activity_type, behaviours, in_year)
    db.session.commit()
    refresh_planner_statistics()

    counts = {}
    for email in ("small@example.org", "large@example.org"):
        sign_in(email, PASSWORD)
        pages = {}
        for url in ("/team/", "/team/?status=in_progress&sort=hours&order=desc", "/team/queue"):
            client.get(url)  # warm
            db.session.expire_all()  # as on a server, each request starts from nothing loaded
            with count_queries() as counter:
                response = client.get(url)
            assert response.status_code == 200
            pages[url] = counter.count
        counts[email] = pages
        post_form("/sign-out", {}, token_from="/")
    assert counts["small@example.org"] == counts["large@example.org"], counts
    # A fixed budget too (each request loads the signed-in person, their roles and scopes, as on a server).
    # 32: the observed-practice count, then the check of the counted year's day (tracker.figures.counted).
    assert counts["large@example.org"]["/team/"] <= 32, counts
