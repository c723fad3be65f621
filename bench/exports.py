"""How fast are the big exports? Prints a table.

    .venv/bin/python bench/exports.py [--database sqlite|postgres|both] [--staff 20000] [--years 3]
                                      [--repeat 3] [--reload]

Builds (or reuses) the demo trust like bench/dashboards.py: a SQLite file (BENCH_SQLITE_PATH, default
/tmp/tracker-bench-exports.db) and the PostgreSQL database named by BENCH_DATABASE_URL (default
postgresql+psycopg://postgres:postgres@127.0.0.1:5432/bench). Each export is then written by
tracker.reports.exporting.prepare (the code path of the download and of a prepared export) in a fresh
process of its own, so the peak memory printed is that export's. Median of --repeat runs:

  - the activities export of all years, XLSX                               (target < 15 s)
  - the by-person export of everyone, CSV and XLSX                         (CSV < 10 s, < 200 MB)
  - the activities export of all years, CSV, in rows a second, against the database writing the
    same rows the simplest way: activities joined to their type with the behaviour codes gathered
    by group_concat / string_agg, through `sqlite3 -csv` and psql `COPY (...) TO STDOUT WITH CSV`,
    measured in the same run                                                (target >= 0.5 of it)
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
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FLASK_ENV", "development")

from bench import dashboards  # noqa: E402  (the loader and the machine's description)

DEFAULT_POSTGRES_URL = dashboards.DEFAULT_POSTGRES_URL
SQLITE_PATH = Path(os.environ.get("BENCH_SQLITE_PATH") or Path(tempfile.gettempdir()) / "tracker-bench-exports.db")
dashboards.SQLITE_PATH = SQLITE_PATH

# (name, export key, format, year argument, target seconds)
EXPORTS = [
    ("activities_xlsx", "activities", "xlsx", "all", 15.0),
    ("activities_csv", "activities", "csv", "all", None),
    ("people_csv", "people", "csv", None, 10.0),
    ("people_xlsx", "people", "xlsx", None, None),
]

# The same rows written the simplest way: no scope, no neutralising, no labels.
_SIMPLE = """SELECT a.id, a.owner_id, a.occurred_on, t.label, a.course_id, a.duration_minutes, {codes},
 a.status, a.decided_by_id, a.decided_at
FROM activity a JOIN activity_type t ON t.id = a.type_id
LEFT JOIN activity_behaviour ab ON ab.activity_id = a.id LEFT JOIN behaviour b ON b.id = ab.behaviour_id
WHERE a.deleted_at IS NULL AND a.status <> 'draft'
GROUP BY a.id, t.label ORDER BY a.occurred_on, a.id"""
SIMPLE_SQL = {"sqlite": _SIMPLE.format(codes="group_concat(b.code, '; ')"),
              "postgresql": _SIMPLE.format(codes="string_agg(b.code, '; ' ORDER BY b.code)")}


def export_once(url: str, key: str, fmt: str, year: str | None) -> dict:
    """Write one export to /dev/null through exporting.prepare; seconds, rows and bytes."""
    from werkzeug.datastructures import MultiDict

    from tracker import scope_filters
    from tracker.reports import exporting

    app = dashboards.make_app(url)
    with app.app_context():
        filters = scope_filters.parse(MultiDict({"year": year} if year else {}), None,
                                      unit_for=lambda viewer, unit_id: None,
                                      allow_all_years=exporting.EXPORTS[key].all_years)
        started = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_SELF)
        cpu_before = before.ru_utime + before.ru_stime
        rows = []
        prepared = exporting.prepare(key, fmt, actor=None, scope=lambda roster: roster.people(), filters=filters,
                                     today=scope_filters.today(), source="bench", progress=rows.append)
        size = sum(len(chunk) for chunk in prepared.body)
        elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"seconds": elapsed, "rows": sum(rows), "bytes": size, "peak_mb": usage.ru_maxrss / 1024,
            "cpu_seconds": usage.ru_utime + usage.ru_stime - cpu_before}


def in_own_process(url: str, key: str, fmt: str, year: str | None) -> dict:
    output = subprocess.run([sys.executable, __file__, "--export", url, key, fmt, year or ""],
                            capture_output=True, text=True, cwd=str(ROOT))
    if output.returncode:
        sys.exit(f"the {key} {fmt} export failed:\n{output.stderr}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def database_dump(url: str) -> tuple[float, int]:
    """Seconds for the database's own tool to write the simple query as CSV, and its rows."""
    from sqlalchemy.engine import make_url

    if url.startswith("sqlite"):
        command, env = ["sqlite3", "-csv", str(SQLITE_PATH), SIMPLE_SQL["sqlite"]], None
    else:
        parsed = make_url(url)
        command = ["psql", "-X", "-q", "-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432),
                   "-U", parsed.username, "-d", parsed.database,
                   "-c", f"COPY ({SIMPLE_SQL['postgresql']}) TO STDOUT WITH CSV"]
        env = {**os.environ, "PGPASSWORD": parsed.password or ""}
    if not shutil.which(command[0]):
        sys.exit(f"{command[0]} is needed for the comparison")
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.PIPE, check=True, env=env)
    return time.perf_counter() - started, done.stdout.count(b"\n")


def measure(url: str, repeat: int, only: list[str] | None = None) -> dict:
    results = {"database": "SQLite" if url.startswith("sqlite") else "PostgreSQL", "rows": []}
    for name, key, fmt, year, target in EXPORTS:
        if only and name not in only:
            continue
        runs = [in_own_process(url, key, fmt, year) for _ in range(repeat)]
        row = {"name": name, "what": f"{key} {fmt.upper()}{', all years' if year == 'all' else ''}",
               "seconds": statistics.median(r["seconds"] for r in runs), "rows": runs[0]["rows"],
               "bytes": runs[0]["bytes"], "peak_mb": max(r["peak_mb"] for r in runs), "target": target,
               "cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs)}
        results["rows"].append(row)
        print(f"  {row['what']}: {row['seconds']:.2f} s, {row['rows']:,} rows", file=sys.stderr)
        if name == "activities_csv":
            # Ours and the database's dump alternate, so both see the same machine.
            dumps = [database_dump(url) for _ in range(repeat)]
            results["dump"] = {"seconds": statistics.median(d[0] for d in dumps), "rows": dumps[0][1],
                               "ours_seconds": row["seconds"], "ours_rows": row["rows"]}
    return results


def print_table(all_results: list[dict], args) -> None:
    print()
    print(f"Machine: {dashboards._cpu_name()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}; load average at the end "
          f"{os.getloadavg()[0]:.1f}")
    print(f"Demo trust: --staff {args.staff} --years {args.years}; median of {args.repeat} runs, each export in "
          f"a fresh process")
    for results in all_results:
        print()
        print(results["database"])
        print(f"  {'export':34} {'rows':>9} {'MB':>7} {'seconds':>8} {'CPU s':>6} {'rows/s':>9} {'peak MB':>8} "
              f"{'target':>8}  ok")
        for row in results["rows"]:
            target = f"< {row['target']:g} s" if row["target"] else ""
            ok = "" if row["target"] is None else ("yes" if row["seconds"] < row["target"] else "NO")
            print(f"  {row['what']:34} {row['rows']:9,} {row['bytes'] / 1e6:7.1f} {row['seconds']:8.2f} "
                  f"{row['cpu_seconds']:6.2f} "
                  f"{row['rows'] / row['seconds']:9,.0f} {row['peak_mb']:8.0f} {target:>8}  {ok}")
        d = results.get("dump")
        if d is None:
            continue
        tool = "sqlite3 -csv" if results["database"] == "SQLite" else "psql COPY ... TO STDOUT WITH CSV"
        ours, theirs = d["ours_rows"] / d["ours_seconds"], d["rows"] / d["seconds"]
        print(f"  Activities CSV: {ours:,.0f} rows/s; {tool} of the simple query: {theirs:,.0f} rows/s "
              f"({d['rows']:,} rows in {d['seconds']:.2f} s); ours / database = {ours / theirs:.2f} "
              f"(target >= 0.5: {'yes' if ours / theirs >= 0.5 else 'NO'})")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--export":
        _, _, url, key, fmt, year = sys.argv
        print(json.dumps(export_once(url, key, fmt, year or None)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--staff", type=int, default=20000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reload", action="store_true", help="drop and load the data set again")
    parser.add_argument("--only", nargs="+", choices=[e[0] for e in EXPORTS], help="measure only these exports")
    args = parser.parse_args()
    import config

    urls = []
    if args.database in ("sqlite", "both"):
        urls.append(f"sqlite:///{SQLITE_PATH}")
    if args.database in ("postgres", "both"):
        urls.append(config.normalise_database_url(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_POSTGRES_URL))
    all_results = []
    for url in urls:
        print(f"{dashboards._where(url)}:", file=sys.stderr)
        code = ("import sys; sys.argv = ['x']; "
                f"sys.path.insert(0, {str(ROOT)!r}); import bench.exports; from bench.dashboards import ensure_loaded; "
                f"ensure_loaded({url!r}, {args.staff}, {args.years}, {args.reload})")
        subprocess.run([sys.executable, "-c", code], check=True, cwd=str(ROOT))
        all_results.append(measure(url, args.repeat, args.only))
    print_table(all_results, args)


if __name__ == "__main__":
    main()
