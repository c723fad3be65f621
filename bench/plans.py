"""Do the pages' query plans depend on planner statistics? Prints each page's time before and after ANALYZE.

    .venv/bin/python bench/plans.py [--staff 20000] [--years 3] [--repeat 5]

PostgreSQL only (the database named by BENCH_DATABASE_URL, made anew). Builds the schema from the
migrations, turns autovacuum off on every table (so nothing gathers statistics behind our back),
loads the demo trust without ANALYZE, and times each bench page (the median of `--repeat`
requests through the Flask test client, after one warm-up): first on the freshly loaded tables,
then again after ANALYZE. The target: every page within 2x of its analysed time.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FLASK_ENV", "development")

from bench.dashboards import DEFAULT_POSTGRES_URL, _ensure_postgres_database, make_app  # noqa: E402

TARGET_RATIO = 2.0
PASSWORD = "demo-pass-2026"


def load_without_statistics(url: str, staff: int, years: int) -> float:
    from flask_migrate import upgrade
    from sqlalchemy import inspect, text

    from tracker.demo import load_demo
    from tracker.extensions import db

    _ensure_postgres_database(url, fresh=True)
    app = make_app(url)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        for table in inspect(db.engine).get_table_names():
            db.session.execute(text(f'ALTER TABLE "{table}" SET (autovacuum_enabled = false, '
                                    f'toast.autovacuum_enabled = false)'))
        db.session.commit()
        started = time.perf_counter()
        load_demo(staff=staff, years=years, seed=2026, today=date.today(), analyse=False)
        db.session.commit()
        seconds = time.perf_counter() - started
        analysed = db.session.execute(text(
            "SELECT count(*) FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL"
        )).scalar()
        assert analysed == 0, f"{analysed} tables have statistics already"
        db.session.remove()
        db.engine.dispose()
    return seconds


def pages(app) -> list[tuple[str, str, str]]:
    """(what, who, path) of every bench page: the ordinary ones and the dashboards of bench/dashboards.py."""
    from sqlalchemy import func, select

    from tracker import access
    from tracker.extensions import db
    from tracker.models import ManagerScope, OrganisationUnit, Person, UnitKind

    with app.app_context():
        def size(unit_id):
            return db.session.scalar(select(func.count()).select_from(Person).where(
                Person.active.is_(True), Person.team_id.in_(access.units_under([unit_id]))))

        scopes = db.session.execute(
            select(ManagerScope.unit_id, OrganisationUnit.kind, Person.email)
            .join(OrganisationUnit, OrganisationUnit.id == ManagerScope.unit_id)
            .join(Person, Person.id == ManagerScope.person_id)).all()
        team = min((abs(size(s.unit_id) - 40), s.email) for s in scopes if s.kind == UnitKind.TEAM)[1]
        directorate = min((abs(size(s.unit_id) - 2000), s.email) for s in scopes
                          if s.kind == UnitKind.DIRECTORATE)[1]
        db.session.remove()
    return [
        ("My year (staff@)", "staff@example.org", "/my-year"),
        ("Log-activity form (staff@)", "staff@example.org", "/activities/new"),
        ("Team dashboard (manager@)", "manager@example.org", "/team/"),
        ("Sign-off queue (manager@)", "manager@example.org", "/team/queue"),
        (f"Team dashboard, team of about 40 ({team})", team, "/team/"),
        (f"Directorate dashboard, about 2,000 ({directorate})", directorate, "/team/"),
        ("Organisation report (lead@)", "lead@example.org", "/reports/"),
    ]


def signed_in(app, email: str):
    """A test client signed in as `email`, answering the second step with the demo authenticator
    secret when the account asks for it (admin@ and lead@ do)."""
    import pyotp

    from tracker.auth import mfa

    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, email
    if response.headers["Location"].endswith("/sign-in/code"):
        response = client.post("/sign-in/code", data={"code": pyotp.TOTP(mfa.DEMO_SECRET).now()})
        assert response.status_code == 302 and "/sign-in" not in response.headers["Location"], email
    return client


def time_pages(app, page_list, repeat: int, clients: dict) -> dict[str, float]:
    """`clients` keeps each person's signed-in client between the two passes: a second factor's
    code is taken once, so signing in again within its 30 seconds would be refused."""
    times = {}
    for what, email, path in page_list:
        if email not in clients:
            clients[email] = signed_in(app, email)
        client = clients[email]
        client.get(path)  # warm-up: the session's person, the templates
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(path)
            response.get_data()
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code)
        times[what] = statistics.median(samples)
        print(f"  {what}: {times[what] * 1000:.0f} ms", file=sys.stderr)
    return times


def analyse(app) -> float:
    from sqlalchemy import text

    from tracker.extensions import db

    with app.app_context():
        started = time.perf_counter()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        db.session.remove()
        return time.perf_counter() - started


def main() -> None:
    import config

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=20000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url = config.normalise_database_url(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_POSTGRES_URL)

    print(f"Loading {args.staff:,} staff, {args.years} years into {url.rsplit('@', 1)[-1]} "
          f"with autovacuum off and no ANALYZE ...", file=sys.stderr)
    loaded = load_without_statistics(url, args.staff, args.years)
    app = make_app(url)
    page_list = pages(app)
    print("Without statistics:", file=sys.stderr)
    clients: dict = {}
    fresh = time_pages(app, page_list, args.repeat, clients)
    seconds = analyse(app)
    print(f"ANALYZE took {seconds:.1f} s. With statistics:", file=sys.stderr)
    analysed = time_pages(app, page_list, args.repeat, clients)

    print()
    print(f"{args.staff:,} staff, {args.years} years, loaded in {loaded:.0f} s; median of {args.repeat} requests; "
          f"JIT as the app sets it (off); load average {os.getloadavg()[0]:.1f} at the end")
    print(f"  {'page':58} {'no ANALYZE':>11} {'analysed':>9} {'ratio':>6}  within {TARGET_RATIO:g}x")
    worst = 0.0
    for what, _, _ in page_list:
        ratio = fresh[what] / analysed[what]
        worst = max(worst, ratio)
        print(f"  {what[:58]:58} {fresh[what] * 1000:9.0f} ms {analysed[what] * 1000:6.0f} ms {ratio:6.2f}  "
              f"{'yes' if ratio <= TARGET_RATIO else 'NO'}")
    print(f"  worst ratio {worst:.2f}")


if __name__ == "__main__":
    main()
