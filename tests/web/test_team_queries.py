"""The team pages run the same number of SQL statements for 10 people as for 500."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import insert, select

from tests.conftest import refresh_planner_statistics
from tests.factories import PASSWORD, make_activity_type, make_person, make_unit, password_hash
from tracker.appraisal_year import year_containing
from tracker.extensions import db
from tracker.models import Activity, ActivityStatus, Behaviour, Person, StaffGroup, UnitKind, activity_behaviour
from tracker.reference import load_reference_data

TODAY = date.today()
DAY = max(year_containing(TODAY).starts_on, TODAY - timedelta(days=2))


def build_directorate(name: str, teams: int, people: int, email: str, trust, activity_type, behaviours):
    directorate = make_unit(name, UnitKind.DIRECTORATE, trust)
    units = [make_unit(f"{name} team {i}", UnitKind.TEAM, directorate) for i in range(teams)]
    manager = make_person(units[0], email=email, tier=3, roles=["manager"], scope=[directorate])
    # Bulk inserts that let the database number the rows (so PostgreSQL's sequences stay right).
    person_ids = db.session.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True), [
        {"email": f"{email.split('@')[0]}-{i}@example.org", "name": f"Person {i:04d}",
         "staff_group": list(StaffGroup)[i % 9], "tier": 1 + i % 3, "team_id": units[i % teams].id,
         "line_manager_id": manager.id, "password_hash": password_hash(), "active": True, "session_token": f"t{email}{i}"}
        for i in range(people)
    ]).all()
    statuses = list(ActivityStatus)
    activity_ids = db.session.scalars(insert(Activity).returning(Activity.id, sort_by_parameter_order=True), [
        {"owner_id": person_ids[i], "occurred_on": DAY, "title": "Practice", "type_id": activity_type.id,
         "duration_minutes": 90, "status": statuses[i % 4], "reflection": {}, "manager_may_read": False}
        for i in range(people)
    ]).all()
    db.session.execute(insert(activity_behaviour), [
        {"activity_id": activity_ids[i], "behaviour_id": behaviours[(i + k) % len(behaviours)].id}
        for i in range(people) for k in range(3)
    ])
    return manager


def test_dashboard_and_queue_queries_do_not_grow_with_people_or_teams(app, client, sign_in, post_form,
                                                                      db_session, count_queries):
    load_reference_data()
    trust = make_unit("Trust", UnitKind.ORGANISATION)
    activity_type = make_activity_type("observed")
    behaviours = list(db.session.scalars(select(Behaviour).order_by(Behaviour.id)))
    build_directorate("Small", 2, 10, "small@example.org", trust, activity_type, behaviours)
    build_directorate("Large", 20, 500, "large@example.org", trust, activity_type, behaviours)
    db.session.commit()
    refresh_planner_statistics()

    counts = {}
    for email in ("small@example.org", "large@example.org"):
        sign_in(email, PASSWORD)
        pages = {}
        for url in ("/team/", "/team/?status=in_progress&sort=hours&order=desc", "/team/queue"):
            client.get(url)  # warm: the first request of a session loads the person
            with count_queries() as counter:
                response = client.get(url)
            assert response.status_code == 200
            pages[url] = counter.count
        counts[email] = pages
        post_form("/sign-out", {}, token_from="/")
    assert counts["small@example.org"] == counts["large@example.org"], counts
    assert counts["large@example.org"]["/team/"] <= 25, counts
