"""The benches' demo data: an app on a bench database, and the demo trust loaded into it once.

SQLITE_PATH (BENCH_SQLITE_PATH) names the SQLite file; DEFAULT_POSTGRES_URL the PostgreSQL database
unless BENCH_DATABASE_URL names another. Shared by bench/dashboards.py and the benches built on it.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/bench"
# BENCH_SQLITE_PATH: a file of one's own when several people bench on one machine.
SQLITE_PATH = Path(os.environ.get("BENCH_SQLITE_PATH") or Path(tempfile.gettempdir()) / "tracker-bench-dashboards.db")
PASSWORD = "demo-pass-2026"


def make_app(url: str):
    import config
    from tracker import create_app

    class BenchConfig(config.DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = url
        WTF_CSRF_ENABLED = False
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False}
        # One person asks for page after page as fast as it can: the limits on use would refuse it.
        LIMITS_PER_PERSON = LIMITS_ON_REPORTS = LIMITS_ON_EXPORTS = config.TestingConfig.LIMITS_ON_EXPORTS

    return create_app(BenchConfig)


def ensure_loaded(url: str, staff: int, years: int, reload: bool) -> None:
    from sqlalchemy import func, select

    from tracker.demo import load_demo
    from tracker.extensions import db
    from tracker.models import Person

    if url.startswith("postgresql"):
        _ensure_postgres_database(url, fresh=reload)
    elif reload:
        SQLITE_PATH.unlink(missing_ok=True)
    app = make_app(url)
    with app.app_context():
        db.create_all()
        people = db.session.scalar(select(func.count()).select_from(Person))
        if people:
            print(f"  reusing {people:,} people in {_where(url)}", file=sys.stderr)
            return
        print(f"  loading the demo trust ({staff:,} staff, {years} years) into {_where(url)} ...", file=sys.stderr)
        started = time.perf_counter()
        load_demo(staff=staff, years=years, seed=2026, today=date.today())
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))  # planner statistics, as a real database would have
        db.session.commit()
        print(f"  loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def _ensure_postgres_database(url: str, fresh: bool = False) -> None:
    """The database exists (made anew when `fresh`: an older schema's tables may not drop cleanly)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if fresh:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}).scalar():
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def _where(url: str) -> str:
    return str(SQLITE_PATH) if url.startswith("sqlite") else url.rsplit("@", 1)[-1]
