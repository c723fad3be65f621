"""How much server CPU does an ordinary page cost, and how much of it is Python? Prints a table.

    .venv/bin/python bench/page_cpu.py [--database sqlite|postgres|both] [--staff 5000] [--repeat 30]
                                       [--profile]

Uses the demo trust that bench/dashboards.py builds (built here when the database holds no
people; same files and BENCH_DATABASE_URL). Signs in through the Flask test client and, for each
page (My year, the log-activity form, an activity save, the team dashboard, the sign-off queue),
times `--repeat` requests after two warm-ups, each as:

  - wall: the whole request, in this process;
  - CPU: this process's CPU time (time.process_time) over the request;
  - SQL: this process's CPU time inside the driver's execute calls (cursor events): on SQLite the
    database's own work (its engine runs in this process), on PostgreSQL only the driver's;
  - Python: CPU less SQL (PostgreSQL's own time is spent in its server process, not here).

The target is a Python median of at most 25 ms per page. With --profile (or for a page over the
target) it profiles the page and says which part of the code costs what: the time spent inside
each package (SQLAlchemy, Jinja and the templates, WTForms, Werkzeug/Flask, the tracker, the driver).
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import time
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FLASK_ENV", "development")

from bench import dashboards  # noqa: E402
from bench.dashboards import DEFAULT_POSTGRES_URL, _cpu_name, ensure_loaded, make_app  # noqa: E402

TARGET_MS = 25.0
PASSWORD = "demo-pass-2026"


class FormFields(HTMLParser):
    """The fields a browser would send from the page's file-upload form (the activity form): what it shows."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("enctype") == "multipart/form-data":
            self._in_form = True
        if not self._in_form or "name" not in a and tag not in ("option",):
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "file", "button"):
                return
            self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields.append((a["name"], ""))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))

    def handle_data(self, data):
        if self._textarea:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self._in_form:
            self._in_form = False


def sign_in(app, email):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, (email, response.status_code)
    return client


class SqlClock:
    """This process's CPU time spent inside the driver's execute calls, and how many there were
    (CPU, not wall: on a shared machine waiting is not cost; on SQLite it is the database's work)."""

    def __init__(self):
        self.seconds = 0.0
        self.count = 0
        self._started = 0.0

    def before(self, *_):
        self._started = time.process_time()

    def after(self, *_):
        self.seconds += time.process_time() - self._started
        self.count += 1


def measure(url: str, repeat: int, profile: bool) -> list[dict]:
    from sqlalchemy import event, select

    from tracker.extensions import db
    from tracker.models import Activity, ActivityStatus, Person

    app = make_app(url)
    with app.app_context():
        engine = db.engine
        staff_id = db.session.scalar(select(Person.id).where(Person.email == "staff@example.org"))
        draft_id = db.session.scalar(select(Activity.id).where(
            Activity.owner_id == staff_id, Activity.status == ActivityStatus.DRAFT,
            Activity.deleted_at.is_(None)).order_by(Activity.occurred_on.desc()))
        db.session.remove()

    staff, manager = sign_in(app, "staff@example.org"), sign_in(app, "manager@example.org")
    edit_url = f"/activities/{draft_id}/edit"
    parser = FormFields()
    parser.feed(staff.get(edit_url).get_data(as_text=True))
    from werkzeug.datastructures import MultiDict

    save_form = MultiDict([(k, v) for k, v in parser.fields if k != "action"] + [("action", "draft")])
    waiting = decidable([int(n) for n in dict.fromkeys(re.findall(r'/team/activities/(\d+)"', manager.get(
        "/team/queue").get_data(as_text=True)))], app)
    sign_off = SignOffs(manager, waiting)

    pages = [
        ("My year", staff, "GET", "/my-year", None),
        ("Log-activity form", staff, "GET", "/activities/new", None),
        ("Activity save (draft)", staff, "POST", edit_url, save_form),
        ("Team dashboard (manager@)", manager, "GET", "/team/", None),
        ("Sign-off queue (manager@)", manager, "GET", "/team/queue", None),
    ]
    if len(waiting) >= repeat + 2:
        pages.append(("Sign-off (manager@)", manager, "POST", sign_off.next_url, {"decision": "sign_off"}))
    else:
        print(f"  sign-off not measured: {len(waiting)} activities wait for manager@, {repeat + 2} needed",
              file=sys.stderr)
    clock = SqlClock()
    event.listen(engine, "before_cursor_execute", clock.before)
    event.listen(engine, "after_cursor_execute", clock.after)
    rows = []
    for name, client, method, path, form in pages:
        request = _requester(name, client, method, path, form)
        for _ in range(2):
            request()
        walls, cpus, sqls, queries = [], [], [], 0
        for _ in range(repeat):
            clock.seconds, clock.count = 0.0, 0
            wall, cpu = time.perf_counter(), time.process_time()
            request()
            cpu = time.process_time() - cpu
            wall = time.perf_counter() - wall
            walls.append(wall)
            cpus.append(cpu)
            sqls.append(clock.seconds)
            queries = clock.count
        pythons = [c - s for c, s in zip(cpus, sqls)]
        row = {"page": name, "wall": statistics.median(walls), "cpu": statistics.median(cpus),
               "sql": statistics.median(sqls), "python": statistics.median(pythons), "queries": queries}
        rows.append(row)
    event.remove(engine, "before_cursor_execute", clock.before)
    event.remove(engine, "after_cursor_execute", clock.after)
    for (name, client, method, path, form), row in zip(pages, rows):
        enough = path != sign_off.next_url or len(sign_off.waiting) >= max(5, repeat // 3)
        if (profile or row["python"] * 1000 > TARGET_MS) and enough:
            row["parts"] = profile_parts(_requester(name, client, method, path, form), max(5, repeat // 3),
                                         row["python"])
        print(f"  {name}: Python {row['python'] * 1000:.1f} ms", file=sys.stderr)
    sign_off.undo_all()
    return rows


def decidable(activity_ids: list[int], app) -> list[int]:
    """Those of the queue's activities dated in a year still open (a closed year's are refused)."""
    from sqlalchemy import select

    from tracker import appraisal_year
    from tracker.extensions import db
    from tracker.models import Activity
    from tracker.year_closing import first_open_day

    with app.app_context():
        open_from = first_open_day(appraisal_year.today())
        dated = dict(db.session.execute(select(Activity.id, Activity.occurred_on)
                                        .where(Activity.id.in_(activity_ids))).all())
        db.session.remove()
    return [activity_id for activity_id in activity_ids if dated.get(activity_id) and dated[activity_id] >= open_from]


class SignOffs:
    """Each sign-off request decides the next waiting activity (a decision is made once); every one
    is undone at the end, within the undo window, so the bench data stays as it was."""

    def __init__(self, client, activity_ids: list[int]):
        self.client, self.waiting, self.decided = client, list(activity_ids), []

    def next_url(self) -> str:
        activity_id = self.waiting.pop(0)
        self.decided.append(activity_id)
        return f"/team/activities/{activity_id}/decision"

    def undo_all(self) -> None:
        for activity_id in self.decided:
            response = self.client.post(f"/team/activities/{activity_id}/undo")
            assert response.status_code == 302, ("undo", activity_id, response.status_code)
        self.decided = []


def _requester(name, client, method, path, form):
    def request():
        response = client.open(path() if callable(path) else path, method=method, data=form)
        body = response.get_data()
        # A save answers with a redirect; a 200 would be the form again, refused.
        assert response.status_code == (302 if method == "POST" else 200), (name, response.status_code, body[:300])
        return response

    return request


PARTS = (  # (label, path fragment): the first that matches a function's file names its part
    ("SQLAlchemy ORM", "/sqlalchemy/orm/"),
    ("SQLAlchemy SQL building and compiling", "/sqlalchemy/sql/"),
    ("SQLAlchemy engine and results", "/sqlalchemy/"),
    ("driver (psycopg / sqlite3)", "/psycopg"),
    ("Jinja (templates and macros)", "/jinja2/"),
    ("Jinja (templates and macros)", "<template>"),
    ("Jinja (templates and macros)", "/templates/"),
    ("Jinja (templates and macros)", "/markupsafe/"),
    ("WTForms and Flask-WTF", "/wtforms/"),
    ("WTForms and Flask-WTF", "/flask_wtf/"),
    ("Flask, Werkzeug, Flask-Login", "/werkzeug/"),
    ("Flask, Werkzeug, Flask-Login", "/flask/"),
    ("Flask, Werkzeug, Flask-Login", "/flask_login/"),
    ("Flask, Werkzeug, Flask-Login", "/flask_sqlalchemy/"),
    ("the tracker's own code", "/tracker/"),
)


def profile_parts(request, times: int, python_seconds: float) -> list[tuple[str, float]]:
    """Milliseconds per request spent in each part: each function's own time goes to the part its
    file belongs to (a built-in's to the parts of its callers), scaled to the measured Python median
    so the profiler's own overhead does not count."""
    # CPU time, not wall: on a shared machine a wall-clock profile charges the waits for a core
    # to whichever system call was running when the process lost it.
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(times):
        request()
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    totals: dict[str, float] = defaultdict(float)
    for (filename, _line, _function), (_cc, _nc, tottime, _ct, callers) in stats.items():
        part = _part_of(filename)
        if part is not None:
            totals[part] += tottime
            continue
        # A built-in (or a file of no part): share its time among the parts of its callers.
        shares = {_part_of(caller[0]) or "other": timing[2] for caller, timing in callers.items()}
        whole = sum(shares.values())
        for caller_part, share in shares.items():
            totals[caller_part] += tottime * (share / whole if whole else 1 / len(shares))
        if not shares:
            totals["other"] += tottime
    profiled = sum(totals.values()) or 1.0
    ordered = sorted(totals.items(), key=lambda item: -item[1])
    return [(label, python_seconds * 1000 * seconds / profiled) for label, seconds in ordered
            if python_seconds * 1000 * seconds / profiled >= 0.5]


def _part_of(filename: str) -> str | None:
    return next((label for label, fragment in PARTS if fragment in filename), None)


def print_table(results: list[tuple[str, list[dict]]], repeat: int) -> None:
    import platform

    print()
    print(f"Machine: {_cpu_name()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; load average "
          f"{os.getloadavg()[0]:.1f} at the end")
    print(f"Median of {repeat} requests per page through the Flask test client; target: Python <= {TARGET_MS:g} ms")
    for label, rows in results:
        print()
        print(label)
        print(f"  {'page':30} {'wall':>8} {'CPU':>8} {'SQL':>8} {'Python':>8} {'queries':>8}  ok")
        for r in rows:
            ok = "yes" if r["python"] * 1000 <= TARGET_MS else "NO"
            print(f"  {r['page']:30} {r['wall'] * 1000:7.1f}  {r['cpu'] * 1000:7.1f}  {r['sql'] * 1000:7.1f}  "
                  f"{r['python'] * 1000:7.1f}  {r['queries']:7d}  {ok}")
        for r in rows:
            if r.get("parts"):
                parts = "; ".join(f"{part} {ms:.1f}" for part, ms in r["parts"])
                print(f"    {r['page']}, Python by part (ms, profile scaled to the median): {parts}")


def main() -> None:
    arg = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arg.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    arg.add_argument("--staff", type=int, default=5000)
    arg.add_argument("--years", type=int, default=3)
    arg.add_argument("--repeat", type=int, default=30)
    arg.add_argument("--profile", action="store_true", help="profile every page, not only those over the target")
    arg.add_argument("--sqlite", default=os.environ.get("BENCH_SQLITE_PATH", str(dashboards.SQLITE_PATH)),
                     help="the SQLite file (default BENCH_SQLITE_PATH or bench/dashboards.py's)")
    arg.add_argument("--reload", action="store_true", help="drop and load the data set again")
    args = arg.parse_args()
    import config

    urls = []
    if args.database in ("sqlite", "both"):
        dashboards.SQLITE_PATH = Path(args.sqlite)
        urls.append(("SQLite", f"sqlite:///{args.sqlite}"))
    if args.database in ("postgres", "both"):
        urls.append(("PostgreSQL", config.normalise_database_url(
            os.environ.get("BENCH_DATABASE_URL") or DEFAULT_POSTGRES_URL)))
    results = []
    for label, url in urls:
        ensure_loaded(url, args.staff, args.years, args.reload)
        results.append((label, measure(url, args.repeat, args.profile)))
    print_table(results, args.repeat)


if __name__ == "__main__":
    main()
