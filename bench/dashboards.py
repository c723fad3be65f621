"""How fast are the dashboards and exports on a trust-scale organisation? Prints a table.

    .venv/bin/python bench/dashboards.py [--database sqlite|postgres|both] [--staff 20000] [--years 3]
                                         [--repeat 7] [--export-repeat 3] [--reload]

Builds (or reuses, when it already holds people) a demo trust from tracker.demo.load_demo:
a SQLite file under /tmp (BENCH_SQLITE_PATH to choose it), and the PostgreSQL database named by BENCH_DATABASE_URL (default
postgresql+psycopg://postgres:postgres@127.0.0.1:5432/bench; `bash scripts/postgres.sh test bench`).
Then, in a fresh process (so its peak memory is the pages' and exports', not the loader's), it
signs in through the Flask test client and times, as the median of repeated requests:

  - the team dashboard of the manager whose team is nearest 40 people      (target < 100 ms)
  - the team dashboard of the senior manager whose directorate is nearest 2,000 (< 500 ms)
  - the organisation report                                                (< 1 s)
  - the by-person export of everyone, CSV (< 5 s) and XLSX (< 15 s)
  - the activities export of all years, CSV, against the database's own CSV dump of the same
    rows (`sqlite3 -csv` / psql `COPY (...) TO STDOUT WITH CSV`)            (>= half its rows/s)

Beside each time is the floor: the same SQL statements that request ran, executed bare on a
DBAPI cursor in the same process (fetching every row), so the ratio shows what the ORM, the
templates and the file writing add. Exports are read chunk by chunk (not buffered), as a browser
would, and the peak resident memory of the measuring process is printed at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FLASK_ENV", "development")

from bench.data_set import (  # noqa: E402  (re-exported: the other benches import them from here)
    DEFAULT_POSTGRES_URL, PASSWORD, SQLITE_PATH, _ensure_postgres_database, _where, ensure_loaded, make_app,
)
TARGETS = {"team": 0.1, "directorate": 0.5, "organisation": 1.0, "people_csv": 5.0, "people_xlsx": 15.0}
# The scale issue's targets for an integrated care system (about 100,000 staff, a directorate of 10,000).
SYSTEM_STAFF = 90_000
SYSTEM_TARGETS = {**TARGETS, "directorate": 0.3, "organisation": 0.5, "people_csv": 10.0}


def directorate_size_for(staff: int) -> int:
    return 10_000 if staff >= SYSTEM_STAFF else 2_000


# --- measuring ---------------------------------------------------------------------------


class Recorder:
    """Records every SQL statement (with its parameters) a request runs."""

    def __init__(self):
        self.statements = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append((statement, parameters))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_request(client, url: str) -> tuple[float, int]:
    """Seconds for the whole response (read chunk by chunk, never held whole) and its size."""
    started = time.perf_counter()
    response = client.get(url, buffered=False)
    size = 0
    for chunk in response.response:
        size += len(chunk)
    response.close()
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, size


def floor_of(statements, engine) -> float:
    """The same statements run bare on a DBAPI cursor, reading every row (in batches, so the
    floor does not hold a whole export in memory either: a named, server-side cursor on
    PostgreSQL, as the export itself uses)."""
    raw = engine.raw_connection()
    postgres = engine.dialect.name == "postgresql"
    try:
        started = time.perf_counter()
        for number, (statement, parameters) in enumerate(statements):
            if statement.strip().upper().startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK",
                                                     "INSERT", "UPDATE")):
                continue
            cursor = raw.cursor(name=f"floor{number}") if postgres else raw.cursor()
            cursor.execute(statement, parameters)
            while cursor.fetchmany(2000):
                pass
            cursor.close()
        elapsed = time.perf_counter() - started
    finally:
        raw.rollback()
        raw.close()
    return elapsed


def measure(url: str, repeat: int, export_repeat: int, directorate_size: int | None = None) -> dict:
    from sqlalchemy import event, func, select

    from tracker import access
    from tracker.extensions import db
    from tracker.models import ManagerScope, OrganisationUnit, Person, UnitKind
    from tracker.reports import exporting
    from tracker.scope_filters import Filters

    app = make_app(url)
    results = {"database": "SQLite" if url.startswith("sqlite") else "PostgreSQL", "rows": []}
    with app.app_context():
        engine = db.engine
        if url.startswith("sqlite"):
            results["version"] = "SQLite " + db.session.execute(db.text("select sqlite_version()")).scalar()
        else:
            results["version"] = db.session.execute(db.text("show server_version")).scalar().split()[0]
            results["version"] = "PostgreSQL " + results["version"]

        def scope_size(unit_id):
            return db.session.scalar(select(func.count()).select_from(Person).where(
                Person.active.is_(True), Person.team_id.in_(access.units_under([unit_id]))))

        scopes = db.session.execute(
            select(ManagerScope.person_id, ManagerScope.unit_id, OrganisationUnit.kind, Person.email)
            .join(OrganisationUnit, OrganisationUnit.id == ManagerScope.unit_id)
            .join(Person, Person.id == ManagerScope.person_id)).all()
        teams = [(abs(scope_size(s.unit_id) - 40), s.email, scope_size(s.unit_id)) for s in scopes
                 if s.kind == UnitKind.TEAM]
        everyone = db.session.scalar(select(func.count()).select_from(Person).where(Person.active.is_(True)))
        directorate_size = directorate_size or directorate_size_for(everyone)
        targets = SYSTEM_TARGETS if everyone >= SYSTEM_STAFF else TARGETS
        directorates = [(abs(scope_size(s.unit_id) - directorate_size), s.email, scope_size(s.unit_id)) for s in scopes
                        if s.kind == UnitKind.DIRECTORATE]
        _, team_email, team_people = min(teams)
        _, directorate_email, directorate_people = min(directorates)
        activities_sql = exporting.activities_query(select(Person), Filters(year=None), for_csv=True)
        activity_rows = db.session.scalar(select(func.count()).select_from(activities_sql.order_by(None).subquery()))
        literal_sql = str(activities_sql.compile(engine, compile_kwargs={"literal_binds": True}))
        db.session.remove()

    # Requests run outside any outer app context: each gets its own, as under a real server
    # (an outer one would share flask.g, and so the signed-in person, between requests).
    clients = {}

    def client_for(email):
        """One signed-in client per person: an education lead's second factor takes each code once."""
        if email in clients:
            return clients[email]
        client = app.test_client()
        response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, email
        if response.headers["Location"].endswith("/sign-in/code"):
            import pyotp

            from tracker.models import SecondFactor

            with app.app_context():
                secret = db.session.scalar(select(SecondFactor.secret).join(Person, Person.id == SecondFactor.person_id)
                                           .where(Person.email == email))
                db.session.remove()
            response = client.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
            assert response.status_code == 302, (email, "second factor")
        clients[email] = client
        return client

    def page(name, label, email, path, n, target):
        client = client_for(email)
        timed_request(client, path)  # warm caches and the session's person
        recorder = Recorder()
        event.listen(engine, "before_cursor_execute", recorder)
        try:
            timed_request(client, path)
        finally:
            event.remove(engine, "before_cursor_execute", recorder)
        times, size = [], 0
        for _ in range(n):
            elapsed, size = timed_request(client, path)
            times.append(elapsed)
        floors = [floor_of(recorder.statements, engine) for _ in range(max(3, n // 2))]
        row = {"name": name, "what": label, "median_s": statistics.median(times), "floor_s": statistics.median(floors),
               "queries": len(recorder.statements), "bytes": size, "target_s": target}
        results["rows"].append(row)
        print(f"  {label}: {row['median_s'] * 1000:.0f} ms", file=sys.stderr)
        return row

    page("team", f"Team dashboard, {team_people} people ({team_email})", team_email, "/team/", repeat,
         targets["team"])
    page("directorate", f"Directorate dashboard, {directorate_people:,} people", directorate_email, "/team/",
         repeat, targets["directorate"])
    page("organisation", f"Organisation report, {everyone:,} people", "lead@example.org", "/reports/", repeat,
         targets["organisation"])
    upkeep_of_one_change(app, repeat, results)
    results["rss_before_exports_mb"] = results["peak_rss_mb"] = rss_mb()
    if not export_repeat:  # pages only
        results["activities"] = {"dump_rows_per_s": None}
        return results
    page("people_csv", f"By-person export CSV, {everyone:,} rows", "lead@example.org",
         "/reports/export/people.csv", export_repeat, targets["people_csv"])
    page("people_xlsx", f"By-person export XLSX, {everyone:,} rows", "lead@example.org",
         "/reports/export/people.xlsx", export_repeat, targets["people_xlsx"])
    ours = page("activities_csv", f"Activities export CSV, all years, {activity_rows:,} rows", "lead@example.org",
                "/reports/export/activities.csv?year=all", export_repeat, None)
    results["peak_rss_mb"] = peak_mb()

    dump = database_dump_seconds(url, literal_sql, export_repeat)
    results["activities"] = {"rows": activity_rows, "ours_s": ours["median_s"], "dump_s": dump,
                             "ours_rows_per_s": activity_rows / ours["median_s"],
                             "dump_rows_per_s": activity_rows / dump if dump else None}
    return results


def upkeep_of_one_change(app, repeat: int, results: dict) -> None:
    """What every save, submission or decision adds: one person's kept figures for the year of the
    latest activity recomputed (tracker.figures.upkeep.refresh), rolled back after."""
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.figures import upkeep
    from tracker.models import Activity

    with app.app_context():
        owner, day = db.session.execute(select(Activity.owner_id, Activity.occurred_on)
                                        .order_by(Activity.id.desc()).limit(1)).one()
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            upkeep.refresh(owner, day)
            times.append(time.perf_counter() - started)
        db.session.rollback()
        db.session.remove()
    median = statistics.median(times)
    results["rows"].append({"name": "upkeep", "what": "Kept figures of one person's year (each save, sign-off)",
                            "median_s": median, "floor_s": median, "queries": 3, "bytes": 0, "target_s": 0.05})
    print(f"  upkeep of one change: {median * 1000:.1f} ms", file=sys.stderr)


def database_dump_seconds(url: str, sql: str, repeat: int) -> float | None:
    """Median seconds for the database's own command-line tool to write the same rows as CSV."""
    from sqlalchemy.engine import make_url

    if url.startswith("sqlite"):
        if not shutil.which("sqlite3"):
            return None
        command = ["sqlite3", "-csv", str(SQLITE_PATH), sql]
        env = None
    else:
        if not shutil.which("psql"):
            return None
        parsed = make_url(url)
        command = ["psql", "-X", "-q", "-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432),
                   "-U", parsed.username, "-d", parsed.database, "-c", f"COPY ({sql}) TO STDOUT WITH CSV"]
        env = {**os.environ, "PGPASSWORD": parsed.password or ""}
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True, env=env)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# --- printing ------------------------------------------------------------------------------


def print_table(all_results: list[dict], repeat: int, export_repeat: int) -> None:
    cpu = _cpu_name()
    print()
    print(f"Machine: {cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()} "
          f"{platform.release()}")
    print(f"Median of {repeat} requests per page, {export_repeat} per export, through the Flask test client.")
    for results in all_results:
        print()
        print(f"{results['version']}")
        print(f"  {'what':58} {'median':>9} {'SQL floor':>10} {'ratio':>6} {'queries':>8} {'target':>8}  ok")
        for row in results["rows"]:
            ratio = row["median_s"] / row["floor_s"] if row["floor_s"] else float("nan")
            target = f"< {row['target_s']:g} s" if row["target_s"] else ""
            ok = "" if row["target_s"] is None else ("yes" if row["median_s"] < row["target_s"] else "NO")
            print(f"  {row['what'][:58]:58} {_fmt(row['median_s']):>9} {_fmt(row['floor_s']):>10} {ratio:6.1f} "
                  f"{row['queries']:8d} {target:>8}  {ok}")
        a = results["activities"]
        if a["dump_rows_per_s"]:
            share = a["ours_rows_per_s"] / a["dump_rows_per_s"]
            tool = "sqlite3 -csv" if results["database"] == "SQLite" else "psql COPY ... TO STDOUT WITH CSV"
            print(f"  Activities export: {a['ours_rows_per_s']:,.0f} rows/s; {tool}: {a['dump_rows_per_s']:,.0f} rows/s; "
                  f"ours / database = {share:.2f} (target >= 0.5: {'yes' if share >= 0.5 else 'NO'})")
        print(f"  Peak memory of the measuring process: {results['peak_rss_mb']:.0f} MB "
              f"(before the exports: {results['rss_before_exports_mb']:.0f} MB; target < 200 MB: "
              f"{'yes' if results['peak_rss_mb'] < 200 else 'NO'})")


def _fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--staff", type=int, default=20000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--export-repeat", type=int, default=3, help="0: the pages only")
    parser.add_argument("--directorate-size", type=int,
                        help="the directorate dashboard measured is the one nearest this many people "
                             "(default 2,000; 10,000 at 90,000 staff or more)")
    parser.add_argument("--reload", action="store_true", help="drop and load the data set again")
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:
        print(json.dumps(measure(args.measure, args.repeat, args.export_repeat, args.directorate_size)))
        return

    urls = []
    if args.database in ("sqlite", "both"):
        urls.append(f"sqlite:///{SQLITE_PATH}")
    if args.database in ("postgres", "both"):
        import config

        urls.append(config.normalise_database_url(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_POSTGRES_URL))
    all_results = []
    for url in urls:
        print(f"{_where(url)}:", file=sys.stderr)
        _load(url, args)  # in its own process, so the measuring process starts small
        command = [sys.executable, __file__, "--measure", url, "--repeat", str(args.repeat),
                   "--export-repeat", str(args.export_repeat)]
        if args.directorate_size:
            command += ["--directorate-size", str(args.directorate_size)]
        output = subprocess.run(command, capture_output=True, text=True)
        sys.stderr.write(output.stderr)
        if output.returncode:
            sys.exit(f"measuring {_where(url)} failed")
        all_results.append(json.loads(output.stdout.strip().splitlines()[-1]))
    print_table(all_results, args.repeat, args.export_repeat)


def _load(url: str, args) -> None:
    code = ("import sys; sys.argv = ['x']; "
            f"sys.path.insert(0, {str(ROOT)!r}); "
            "from bench.dashboards import ensure_loaded; "
            f"ensure_loaded({url!r}, {args.staff}, {args.years}, {bool(args.reload)})")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(ROOT))


if __name__ == "__main__":
    main()
