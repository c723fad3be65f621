"""How fast does the demo trust load? Prints rows, seconds and rows per second per database.

    .venv/bin/python bench/demo_load.py [--staff 20000] [--years 3] [--database sqlite|postgres|both]

Each run starts from a brand-new empty database: a SQLite file under /tmp (or BENCH_SQLITE_PATH), and the PostgreSQL
database named by BENCH_DATABASE_URL (default postgresql+psycopg://postgres:postgres@127.0.0.1:5432/bench),
whose tables are all dropped first. The schema comes from the migrations (as `flask db upgrade`).
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FLASK_ENV", "development")

from sqlalchemy import MetaData, create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

import config  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.demo import load_demo  # noqa: E402
from tracker.extensions import db  # noqa: E402

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/bench"
SQLITE_PATH = Path(os.environ.get("BENCH_SQLITE_PATH") or Path(tempfile.gettempdir()) / "tracker-bench-demo.db")
MIGRATIONS = ROOT / "migrations"


def sqlite_url() -> str:
    SQLITE_PATH.unlink(missing_ok=True)
    return f"sqlite:///{SQLITE_PATH}"


def postgres_url() -> str:
    url = config.normalise_database_url(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_POSTGRES_URL)
    _ensure_database(url)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            existing = MetaData()
            existing.reflect(bind=conn)
            existing.drop_all(bind=conn)
    finally:
        engine.dispose()
    return url


def _ensure_database(url: str) -> None:
    """Create the benchmark database if the server does not have it yet."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}).scalar()
            if not found:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


def create_schema() -> None:
    if (MIGRATIONS / "env.py").exists():
        from flask_migrate import upgrade

        logging.disable(logging.INFO)  # alembic's per-revision chatter
        try:
            upgrade(directory=str(MIGRATIONS))
        finally:
            logging.disable(logging.NOTSET)
    else:
        db.create_all()


def bench(label: str, url: str, staff: int, years: int, seed: int, today: date) -> dict:
    class BenchConfig(config.DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(BenchConfig)
    with app.app_context():
        create_schema()
        started, cpu_started = time.perf_counter(), time.process_time()
        counts = load_demo(staff=staff, years=years, seed=seed, today=today)
        db.session.commit()
        seconds = time.perf_counter() - started
        # This process's own CPU: on a shared machine, wall time also counts the waits for a core.
        cpu = time.process_time() - cpu_started
        db.session.remove()
        db.engine.dispose()
    rows = sum(counts.values())
    print(f"\n{label}: {url.split('@')[-1]}")
    for table, n in counts.items():
        print(f"  {table:<20} {n:>10,}")
    print(f"  {'rows inserted':<20} {rows:>10,}")
    print(f"  {'seconds':<20} {seconds:>10.1f}")
    print(f"  {'CPU seconds (loader)':<20} {cpu:>10.1f}")
    print(f"  {'rows per second':<20} {rows / seconds:>10,.0f}")
    return {"database": label, "rows": rows, "seconds": seconds, "cpu": cpu}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=20000, help="people in the demo trust (default 20000)")
    parser.add_argument("--years", type=int, default=3, help="appraisal years of activity (default 3)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args(argv)

    targets = {"sqlite": [("SQLite", sqlite_url)], "postgres": [("PostgreSQL", postgres_url)]}
    targets["both"] = targets["sqlite"] + targets["postgres"]
    print(f"Loading the demo trust: {args.staff:,} staff, {args.years} appraisal years, seed {args.seed}")
    results, failed = [], False
    for label, make_url_for in targets[args.database]:
        try:
            url = make_url_for()
        except OperationalError as exc:
            print(f"\n{label}: skipped, cannot reach the database ({exc.orig or exc})")
            failed = True
            continue
        results.append(bench(label, url, args.staff, args.years, args.seed, date.today()))

    if results:
        print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end")
        print(f"{'database':<12} {'rows':>10} {'seconds':>9} {'CPU s':>7} {'rows/s':>10}")
        for r in results:
            print(f"{r['database']:<12} {r['rows']:>10,} {r['seconds']:>9.1f} {r['cpu']:>7.1f} "
                  f"{r['rows'] / r['seconds']:>10,.0f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
