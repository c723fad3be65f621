"""What keeping the NHS.UK macros' HTML saves (tracker/kept_macros.py), measured fairly on a loaded
machine: in one process, requests to each page alternate between kept and freshly rendered macros,
so both sides share the same load. Prints the median Python milliseconds (CPU less SQL) of each.

    .venv/bin/python bench/kept_macros_ab.py [--pairs 30]   (after bench/page_cpu.py has loaded its data)
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from markupsafe import Markup

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.dashboards import SQLITE_PATH, make_app  # noqa: E402
from bench.page_cpu import SqlClock, sign_in  # noqa: E402


def fresh(macro, params):
    return Markup(macro(params))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=30)
    args = parser.parse_args()
    from sqlalchemy import event

    from tracker import kept_macros
    from tracker.extensions import db

    app = make_app(f"sqlite:///{SQLITE_PATH}")
    staff, manager = sign_in(app, "staff@example.org"), sign_in(app, "manager@example.org")
    pages = [("My year", staff, "/my-year"), ("Log-activity form", staff, "/activities/new"),
             ("Team dashboard (manager@)", manager, "/team/"), ("Sign-off queue (manager@)", manager, "/team/queue")]
    clock = SqlClock()
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", clock.before)
        event.listen(db.engine, "after_cursor_execute", clock.after)
    print(f"Median Python ms of {args.pairs} interleaved pairs of requests (kept / fresh macros)")
    for name, client, path in pages:
        times = {"kept": [], "fresh": []}
        for i in range(args.pairs + 2):
            order = ("kept", "fresh") if i % 2 else ("fresh", "kept")
            for side in order:
                app.jinja_env.globals["kept"] = kept_macros.kept if side == "kept" else fresh
                clock.seconds = 0.0
                cpu = time.process_time()
                assert client.get(path).status_code == 200
                if i >= 2:  # two warm-ups
                    times[side].append(time.process_time() - cpu - clock.seconds)
        kept, fresh_ms = (statistics.median(times[s]) * 1000 for s in ("kept", "fresh"))
        print(f"  {name:28} kept {kept:6.1f}   fresh {fresh_ms:6.1f}", flush=True)
    app.jinja_env.globals["kept"] = kept_macros.kept


if __name__ == "__main__":
    sys.exit(main())
