"""How fast is the staff import at trust scale? Prints a table.

    .venv/bin/python bench/staff_import.py [--database sqlite|postgres|both] [--staff 20000] [--years 1]

Loads the demo trust (tracker.demo.load_demo) afresh into a SQLite file under /tmp and into the
PostgreSQL database `bench_import` beside BENCH_DATABASE_URL's (default
postgresql+psycopg://postgres:postgres@127.0.0.1:5432/bench; start it with
`bash scripts/postgres.sh bench`). Then, in a fresh process (so its peak memory is the import's,
not the loader's), it generates workforce extracts from the demo organisation and times the
preview (tracker.staff_import.build) and the apply (apply_plan + commit) of:

  - monthly: a 20,000-row extract of everyone in post (1,000 of them moved, retitled or given
    another staff group) plus new starters, "the whole organisation"  (preview < 10 s, apply < 30 s)
  - the same file again: nothing changes
  - re-run with 200 changed rows (moves and new job titles) and 50 leavers        (apply < 5 s)
  - initial load: 20,000 people new to the tracker into the demo's teams         (apply < 30 s)

and prints the peak resident memory of the measuring process (< 300 MB).
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FLASK_ENV", "development")

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/bench"
SQLITE_PATH = Path(tempfile.gettempdir()) / "tracker-bench-staff-import.db"
HEADINGS = ["Employee Number", "Assignment Number", "First Name", "Last Name", "Email Address", "Position Title",
            "Organisation", "Organisation Code", "Staff Group", "Tier", "Line Manager Employee Number"]


def make_app(url: str):
    import config
    from tracker import create_app

    class BenchConfig(config.DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = url
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False}

    return create_app(BenchConfig)


def postgres_url() -> str:
    base = os.environ.get("BENCH_DATABASE_URL", DEFAULT_POSTGRES_URL)
    return base.rsplit("/", 1)[0] + "/bench_import"


def load(url: str, staff: int, years: int) -> None:
    from sqlalchemy import update

    from tracker.demo import load_demo
    from tracker.extensions import db
    from tracker.models import OrganisationUnit

    if url.startswith("postgresql"):
        _ensure_postgres_database(url)
    else:
        SQLITE_PATH.unlink(missing_ok=True)
    app = make_app(url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        load_demo(staff=staff, years=years, seed=2026, today=date.today())
        # The workforce system's organisation codes (demo team names repeat across directorates).
        db.session.execute(update(OrganisationUnit).values(code="ORG" + db.cast(OrganisationUnit.id, db.String)))
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        print(f"  loaded the demo trust in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def _ensure_postgres_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}).scalar():
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


# --- the extracts -------------------------------------------------------------------------


def staff_in_post() -> list[dict]:
    from sqlalchemy import select
    from sqlalchemy.orm import aliased

    from tracker.extensions import db
    from tracker.models import OrganisationUnit, Person

    boss = aliased(Person)
    rows = db.session.execute(
        select(Person.employee_number, Person.name, Person.email, Person.job_title, Person.staff_group, Person.tier,
               OrganisationUnit.name.label("team"), OrganisationUnit.code, boss.employee_number.label("boss"))
        .join(OrganisationUnit, OrganisationUnit.id == Person.team_id)
        .outerjoin(boss, boss.id == Person.line_manager_id)
        .where(Person.active, Person.employee_number.is_not(None)).order_by(Person.employee_number))
    return [dict(row._mapping) for row in rows]


def teams() -> list[tuple[str, str]]:
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import OrganisationUnit, UnitKind

    return list(db.session.execute(select(OrganisationUnit.name, OrganisationUnit.code)
                                   .where(OrganisationUnit.kind == UnitKind.TEAM)).all())


def extract(people: list[dict]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADINGS)
    for p in people:
        first, _, last = p["name"].partition(" ")
        writer.writerow([p["employee_number"], f"{p['employee_number']}-1", first, last, p["email"] or "",
                         p["job_title"], p["team"], p["code"], p["staff_group"].value, p["tier"], p["boss"] or ""])
    return out.getvalue().encode("utf-8")


def changed(people: list[dict], count: int, rng: random.Random, all_teams, groups) -> list[dict]:
    """`count` people moved, retitled or regrouped (a copy)."""
    people = [dict(p) for p in people]
    for p in rng.sample(people, count):
        what = rng.randrange(3)
        if what == 0:
            p["team"], p["code"] = rng.choice(all_teams)
        elif what == 1:
            p["job_title"] = f"{p['job_title']} (acting)"
        else:
            p["staff_group"] = rng.choice(groups)
    return people


def new_starters(count: int, first: int, rng: random.Random, all_teams, groups) -> list[dict]:
    people = []
    for n in range(count):
        team, code = rng.choice(all_teams)
        people.append({"employee_number": f"{first + n}", "name": f"New{n} Starter{n}", "email": f"new{first + n}@example.org",
                       "job_title": "Healthcare Assistant", "team": team, "code": code, "staff_group": rng.choice(groups), "tier": 1,
                       "boss": None})
    return people


# --- measuring ----------------------------------------------------------------------------


def timed(raw: bytes, whole: bool) -> dict:
    from tracker import appraisal_year
    from tracker.extensions import db
    from tracker.staff_import import Options, apply_plan, build

    started = time.perf_counter()
    plan = build(raw, Options(appraisal_year.today(), whole))
    preview = time.perf_counter() - started
    assert not plan.invalid, plan.invalid[:5]
    started = time.perf_counter()
    result = apply_plan(plan)
    db.session.commit()
    applied = time.perf_counter() - started
    return {"rows": raw.count(b"\n") - 1, "preview": preview, "apply": applied, "created": result.created,
            "updated": result.updated, "unchanged": result.unchanged, "deactivated": result.deactivated}


def measure(url: str, staff: int) -> dict:
    from tracker.extensions import db
    from tracker.models import StaffGroup

    app = make_app(url)
    rng = random.Random(2026)
    results = {}
    with app.app_context():
        people = staff_in_post()
        all_teams, groups = teams(), list(StaffGroup)
        monthly = changed(people, 1_000, rng, all_teams, groups)
        monthly += new_starters(max(staff - len(monthly), 0), 900_000_000, rng, all_teams, groups)
        raw = extract(monthly)
        results["monthly"] = timed(raw, True)
        results["same file again"] = timed(raw, True)
        rerun = changed(monthly[50:], 200, rng, all_teams, groups)
        results["re-run, 200 changed, 50 left"] = timed(extract(rerun), True)
        results["initial load, 20,000 new"] = timed(
            extract(new_starters(staff, 800_000_000, rng, all_teams, groups)), False)
        db.session.remove()
    results["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--staff", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the fresh measuring process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.staff)))
        return
    urls = {"sqlite": f"sqlite:///{SQLITE_PATH}", "postgres": postgres_url()}
    chosen = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for name in chosen:
        print(f"{name}:", file=sys.stderr)
        load(urls[name], args.staff, args.years)
        output = subprocess.run([sys.executable, __file__, "--measure", urls[name], "--staff", str(args.staff)],
                                check=True, capture_output=True, text=True).stdout
        figures = json.loads(output.strip().splitlines()[-1])
        print(f"\n{name}: peak memory of the measuring process {figures.pop('peak_mb'):.0f} MB")
        print("| run | rows | preview s | apply s | created | updated | unchanged | deactivated |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for run, f in figures.items():
            print(f"| {run} | {f['rows']:,} | {f['preview']:.2f} | {f['apply']:.2f} | {f['created']:,} | "
                  f"{f['updated']:,} | {f['unchanged']:,} | {f['deactivated']:,} |")


if __name__ == "__main__":
    main()
