"""How fast is the audit trail page at a million events? Prints a table (SQLite; figures go in the README).

    .venv/bin/python bench/audit_trail.py [--events 1000000] [--people 10000] [--repeat 5] [--reload]

Builds (or reuses) a SQLite file under /tmp holding `people` people, each with a subject id, and
`events` audit events spread over three years (thirty actions, a few rare). Then it signs in an
admin through the Flask test client and times, as the median of repeated requests, the newest
page, a page far down (reached by its keyset link), filters by a common and a rare action, by a
person, by a month, and the CSV export of one person's events.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SQLITE_PATH = Path(tempfile.gettempdir()) / "tracker-bench-audit.db"
PASSWORD = "bench-password-2026"
ACTIONS = [f"area{n // 5}.action_{n}" for n in range(27)] + ["auth.signed_in", "auth.signed_out", "rare.action"]


def make_app():
    import config
    from tracker import create_app

    class BenchConfig(config.DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{SQLITE_PATH}"
        WTF_CSRF_ENABLED = False
        # One person asks for page after page as fast as it can: the limits on use would refuse it.
        LIMITS_PER_PERSON = LIMITS_ON_REPORTS = LIMITS_ON_EXPORTS = config.TestingConfig.LIMITS_ON_EXPORTS

    return create_app(BenchConfig)


def build(app, people: int, events: int) -> None:
    from sqlalchemy import insert

    from tracker.auth.services import hash_password
    from tracker.extensions import db
    from tracker.models import (AuditEvent, AuditSubject, OrganisationUnit, Person, PersonRole, Role, StaffGroup,
                                UnitKind)

    rng = random.Random(2026)
    with app.app_context():
        db.drop_all()
        db.create_all()
        unit = OrganisationUnit(name="Bench Trust", kind=UnitKind.ORGANISATION)
        db.session.add(unit)
        db.session.flush()
        password = hash_password(PASSWORD)
        db.session.execute(insert(Person), [
            {"id": n, "email": f"person{n}@example.org", "name": f"Person {n:05d}", "staff_group": StaffGroup.NURSING_MIDWIFERY,
             "tier": 1, "team_id": unit.id, "password_hash": password, "active": True, "session_token": uuid.uuid4().hex}
            for n in range(1, people + 1)])
        db.session.execute(insert(PersonRole), [{"person_id": 1, "role": Role.ADMIN}])
        subjects = [uuid.uuid4().hex for _ in range(people)]
        db.session.execute(insert(AuditSubject), [{"subject_id": s, "person_id": n + 1} for n, s in enumerate(subjects)])
        start = datetime(2024, 1, 1, tzinfo=UTC)
        span = 3 * 365 * 24 * 3600
        chunk = 50_000
        for first in range(0, events, chunk):
            rows = []
            for n in range(first, min(first + chunk, events)):
                action = "rare.action" if n % 10_000 == 0 else rng.choice(ACTIONS[:-1])
                rows.append({"occurred_at": start + timedelta(seconds=span * n // events),
                             "actor_subject_id": rng.choice(subjects), "action": action,
                             "about_subject_id": rng.choice(subjects) if n % 2 else None,
                             "client_address": f"10.0.{n % 256}.{n % 199}", "detail": {"n": n}})
            db.session.execute(insert(AuditEvent), rows)
        db.session.commit()


def timed(client, url: str, repeat: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        began = time.perf_counter()
        response = client.get(url)
        size = len(response.get_data())
        assert response.status_code == 200, (url, response.status_code)
        times.append(time.perf_counter() - began)
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()
    app = make_app()
    from sqlalchemy import func, select

    from tracker.extensions import db
    from tracker.models import AuditEvent

    with app.app_context():
        db.create_all()
        held = db.session.scalar(select(func.count()).select_from(AuditEvent))
    if args.reload or held < args.events:  # (each run adds its own sign-in and export events)
        began = time.perf_counter()
        build(app, args.people, args.events)
        print(f"built {args.events:,} events for {args.people:,} people in {time.perf_counter() - began:.0f} s")
    client = app.test_client()
    client.post("/sign-in", data={"email": "person1@example.org", "password": PASSWORD})
    with app.app_context():
        far = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.occurred_at, AuditEvent.id)
                                .offset(args.events // 10).limit(1))
    cases = [
        ("newest page", "/admin/audit"),
        ("a page 90% of the way down", f"/admin/audit?before={far}"),
        ("one common action", f"/admin/audit?action={ACTIONS[3]}"),
        ("a rare action (1 in 10,000)", "/admin/audit?action=rare.action"),
        ("one person (actor or subject)", "/admin/audit?person=person 04242"),
        ("one month", "/admin/audit?from_day-day=1&from_day-month=6&from_day-year=2025"
                      "&to_day-day=30&to_day-month=6&to_day-year=2025"),
        ("one person in one month", "/admin/audit?person=person 04242&from_day-day=1&from_day-month=6"
                                    "&from_day-year=2025&to_day-day=30&to_day-month=6&to_day-year=2025"),
        ("CSV of one person's events", "/admin/audit/export.csv?person=person 04242"),
    ]
    print(f"{'request':<36} {'median':>9} {'bytes':>10}")
    for label, url in cases:
        seconds, size = timed(client, url, args.repeat)
        print(f"{label:<36} {seconds * 1000:>7.0f} ms {size:>10,}")


if __name__ == "__main__":
    main()
