"""Load and faults: people using the tracker at once, through gunicorn on PostgreSQL and Redis,
with a worker killed and PostgreSQL restarted during a run. Prints the figures; a JSON copy
goes to bench/results/ (not committed). Needs root (it starts PostgreSQL and restarts it).

    .venv/bin/python bench/load.py [--phases paced,closed,faults] [--users 50] [--seconds 120]
                                   [--closed-seconds 60] [--closed-users 20] [--workers N]

1. Redis and PostgreSQL (database `load`), migrated, with the trust-scale demo loaded once.
2. gunicorn started with explicit flags (FLASK_ENV=production), on https with a throw-away
   self-signed certificate that the client trusts (production cookies are Secure `__Host-`).
3. Its own people, once per database (kept in instance/bench-load.json): `flask user create`
   for an admin, an education lead, managers and staff; the admin (second factor enrolled
   through the web flow with pyotp) adds one team per manager and gives scopes on the web pages.
   Everyone signs in once (the lead with an authenticator code) and keeps that session.
4. Phases, each bounded in time, to 127.0.0.1 only:
   paced   staff log activities and view My year, managers view dashboards and sign off, a lead
           reports and exports, each pausing 2-5 s between pages.
   closed  staff and managers with no pauses: capacity, and CPU per request (gunicorn's processes
           and the `load` database's PostgreSQL backends, from /proc).
   faults  as paced, while one worker is killed with SIGKILL and PostgreSQL is restarted.
5. After each phase that writes: every acknowledged activity and sign-off is looked up in the database.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import gevent
from locust import constant
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load_checks  # noqa: E402
import load_people as people  # noqa: E402
import load_server as server_tools  # noqa: E402
from load_figures import Sample, failures, fault_window_failures, overall, per_request_ms, rate, recovered_after, summarise  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/load"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--phases", default="paced,closed,faults")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=120, help="length of the paced and faults runs")
    parser.add_argument("--closed-seconds", type=int, default=60)
    parser.add_argument("--closed-users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--timeout", type=int, default=300, help="gunicorn --timeout (gunicorn.conf.py's)")
    parser.add_argument("--port", type=int, default=8150)
    parser.add_argument("--redis-db", type=int, default=7)
    parser.add_argument("--kill-at", type=float, default=30, help="seconds into the faults run")
    parser.add_argument("--restart-at", type=float, default=70, help="seconds into the faults run")
    parser.add_argument("--faults", default="kill,restart", help="which faults the faults run injects")
    parser.add_argument("--grace", type=float, default=10, help="seconds after a fault still counted in its window")
    parser.add_argument("--state", default=str(ROOT / "instance" / "bench-load.json"))
    args = parser.parse_args()
    if "127.0.0.1" not in args.database_url:
        parser.error("the database must be on 127.0.0.1")
    return args


def cast(users: int, with_lead: bool) -> dict[str, int]:
    """How many of each kind: about one manager in six (one of them a senior manager), one lead."""
    lead = 1 if with_lead else 0
    managers = max(2, round((users - lead) / 6))
    return {"lead": lead, "senior manager": 1, "manager": managers - 1, "staff": users - lead - managers}


def run(base: str, counts: dict[str, int], seconds: float, paced: bool, faults=()) -> dict:
    """One Locust run, headless, in this process. `faults`: (seconds in, callable) pairs."""
    classes = {"staff": people.Staff, "manager": people.Manager, "senior manager": people.SeniorManager,
               "lead": people.Lead}
    chosen = []
    for role, count in counts.items():
        classes[role].fixed_count = count
        classes[role].wait_time = people.between(2, 5) if paced else constant(0)
        if count:
            chosen.append(classes[role])
    people.reset_accounts()
    samples: list[Sample] = []

    def heard(request_type, name, response_time, response_length, exception=None, start_time=None, **_):
        error = "" if exception is None else str(exception)[:120]
        samples.append(Sample(start_time or time.time(), name, response_time, exception is None, error))

    environment = Environment(user_classes=chosen, host=base, stop_timeout=180)
    environment.events.request.add_listener(heard)
    runner = environment.create_local_runner()
    windows = []

    def inject(at, action):
        gevent.sleep(at)
        started = time.time()
        what = action()
        windows.append({"fault": what, "start": started, "end": time.time()})

    pending = [gevent.spawn(inject, at, action) for at, action in faults]
    total = sum(counts.values())
    started = time.time()
    runner.start(total, spawn_rate=total)
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    gevent.killall(pending)  # a fault not yet due when the run ended does not happen afterwards
    return {"samples": samples, "seconds": time.time() - started, "windows": windows, "started": started}


def measured(base, counts, seconds, paced, server, database, faults=()) -> dict:
    before = _cpu(server, database)
    result = run(base, counts, seconds, paced, faults)
    after = _cpu(server, database)
    used = {k: after[k] - before[k] for k in before}
    good = sum(s.ok for s in result["samples"])
    result["cpu"] = {"requests_ok": good, "requests_per_second": rate(good, result["seconds"]),
                     **{f"{k}_ms_per_request": per_request_ms(v, good) for k, v in used.items() if k != "machine"},
                     "machine_busy_percent": round(100 * used["machine"] / result["seconds"] / os.cpu_count())}
    return result


def _cpu(server, database) -> dict:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {"app": server.cpu(), "postgres": server_tools.postgres_cpu(database),
            "client": own.ru_utime + own.ru_stime, "machine": server_tools.machine_busy_seconds()}


def report(phase: str, result: dict, grace: float) -> dict:
    samples = result["samples"]
    windows = [(w["start"], w["end"] + grace) for w in result["windows"]]
    figures = {"phase": phase, "seconds": round(result["seconds"], 1), "machine_before": result["machine"],
               "pages": overall(samples, windows), "exports": overall(samples, windows, exports=True),
               "by_kind": summarise(samples, windows), "cpu": result.get("cpu"),
               "steady_failures_why": failures(samples, windows)}
    if result["windows"]:
        figures["fault_windows"] = [{"fault": w["fault"], "at_s": round(w["start"] - result["started"], 1),
                                     "lasted_s": round(w["end"] - w["start"], 1), "window_s": round(w["end"] - w["start"] + grace, 1),
                                     "recovered_after_s": recovered_after(samples, w["end"]),
                                     **fault_window_failures(samples, [(w["start"], w["end"] + grace)])}
                                    for w in result["windows"]]
    print(f"\n== {phase}: {figures['seconds']} s; machine before: {result['machine']['uptime']}")
    print(f"{'page kind':42} {'requests':>8} {'failed':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}")
    for name, row in [*figures["by_kind"].items(), ("ALL PAGES", figures["pages"]), ("ALL EXPORTS", figures["exports"])]:
        ms = [f"{row[k]:7.0f}" if row[k] is not None else "      -" for k in ("p50", "p95", "p99", "max")]
        print(f"{name:42} {row['requests']:8} {row['failures']:6} {' '.join(ms)}")
    if figures["steady_failures_why"]:
        print("failed outside fault windows:", json.dumps(figures["steady_failures_why"]))
    if figures["cpu"]:
        print("capacity and CPU:", json.dumps(figures["cpu"]))
    for window in figures.get("fault_windows", []):
        print("fault:", json.dumps({k: (round(v, 2) if isinstance(v, float) else v) for k, v in window.items()}))
    return figures


def main() -> None:
    args = parse_args()
    database = args.database_url.rsplit("/", 1)[1]
    folder = Path(tempfile.mkdtemp(prefix="tracker-bench-load-"))
    env = server_tools.app_environment(args.database_url, args.redis_db, server_tools.new_secret())
    server_tools.ensure_redis()
    print(server_tools.ensure_database(args.database_url, env, staff=20_000, years=3))
    server = server_tools.Server(env, args.port, args.workers, args.timeout, folder)
    results = {"machine": server_tools.machine(), "workers": args.workers, "timeout": args.timeout,
               "users": args.users, "phases": []}
    print(f"machine: {json.dumps(results['machine'])}; gunicorn -w {args.workers} --timeout {args.timeout}")
    try:
        server.start()
        accounts = load_checks.provision(server, env, Path(args.state), args.database_url,
                                         cast(args.users, with_lead=True))
        people.SETTINGS.update(cert=str(server.cert), accounts=load_checks.signed_in(server, accounts))
        for phase in args.phases.split(","):
            people.SETTINGS["tag"] = f"{phase}-{datetime.now(UTC):%H%M%S}"
            people.LEDGER.__init__()
            machine = server_tools.machine()
            if phase == "closed":
                counts = cast(args.closed_users, with_lead=False)
                result = measured(server.base, counts, args.closed_seconds, False, server, database)
            else:
                faults = []
                if phase == "faults" and "kill" in args.faults:
                    faults.append((args.kill_at, lambda: f"SIGKILL gunicorn worker {server.kill_one_worker()}"))
                if phase == "faults" and "restart" in args.faults:
                    faults.append((args.restart_at, server_tools.restart_postgres))
                result = measured(server.base, cast(args.users, with_lead=True), args.seconds, True, server,
                                  database, faults)
            result["machine"] = machine
            if phase == "faults":
                result["cpu"] = None  # a killed worker and restarted backends take their CPU time with them
            figures = report(phase, result, args.grace)
            figures["writes"] = load_checks.check_writes(args.database_url, people.LEDGER, people.SETTINGS["tag"])
            figures["exports_timed"] = people.LEDGER.exports
            figures["worker_timeouts_logged"] = server.timeouts_logged()
            print("writes:", json.dumps(figures["writes"]))
            print("exports:", json.dumps(people.LEDGER.exports), "worker timeouts in the log:",
                  figures["worker_timeouts_logged"])
            results["phases"].append(figures)
    finally:
        server.stop()
        for secret in (server.key, server.cert):
            secret.unlink(missing_ok=True)
        out = ROOT / "bench" / "results"
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"load-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
        path.write_text(json.dumps(results, indent=1, default=str))
        print(f"\nfigures written to {path}; gunicorn log: {server.log}")


if __name__ == "__main__":
    main()
