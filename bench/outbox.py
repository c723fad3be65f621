"""How fast does the outbox send? Prints a table.

    .venv/bin/python bench/outbox.py [--messages 20000] [--workers 1] [--database URL] [--year-end]

Makes people on a scratch database (a SQLite file under /tmp unless --database names another),
queues one `password_changed` message to each in one transaction (as a year-end reminder run would
queue its reminders), then drains the outbox with --workers sender runs at once (threads, each with
its own connection) to a local SMTP server (aiosmtpd on 127.0.0.1) and checks that every message
arrived exactly once. Needs requirements-dev.txt (aiosmtpd).

--year-end: the people are in post and have logged nothing, the clock (appraisal_year.today) is
put 60 days before the current year's end, and the real year-end job (notifications/jobs.py: the
status query, then one queue() per person not complete) queues the messages instead.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from datetime import timedelta
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FLASK_ENV", "testing")

import config  # noqa: E402
from tests.mail_servers import LocalSmtp  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import OrganisationUnit, Person, StaffGroup, UnitKind  # noqa: E402
from tracker import appraisal_year  # noqa: E402
from tracker.notifications import jobs, messages, outbox, sender  # noqa: E402
from tracker.staff_history import start_in_post  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database", default=None)
    parser.add_argument("--year-end", action="store_true", help="queue through the real year-end job")
    args = parser.parse_args()
    url = args.database or f"sqlite:///{tempfile.mkdtemp(prefix='outbox-bench-')}/outbox.db"
    with LocalSmtp() as smtp:
        settings = type("Bench", (config.TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url, **smtp.settings()})
        app = create_app(settings)
        with app.app_context():
            db.drop_all()
            db.create_all()
            unit = OrganisationUnit(name="Bench Trust", kind=UnitKind.ORGANISATION)
            db.session.add(unit)
            db.session.flush()
            people = [Person(email=f"person{n}@example.org", name=f"Person {n}", job_title="Nurse", tier=2,
                             staff_group=StaffGroup.NURSING_MIDWIFERY, team_id=unit.id, active=True)
                      for n in range(args.messages)]
            db.session.add_all(people)
            db.session.flush()
            if args.year_end:
                for person in people:
                    start_in_post(person)
                db.session.commit()
                day = appraisal_year.current_year().ends_on - timedelta(days=60)
                appraisal_year.today = lambda: day  # the clock seam: 60 days before the year's end
                db.session.expunge_all()  # the job loads its recipients itself
                started = time.perf_counter()
                jobs.year_end_reminders(day)
            else:
                started = time.perf_counter()
                for n, person in enumerate(people):
                    outbox.queue(messages.PASSWORD_CHANGED, person, key=f"bench:{n}", name=person.name,
                                 changed_at="31 March 2027 at 09:00")
            db.session.commit()
            queued = time.perf_counter() - started

        def run():
            with app.app_context():
                sender.drain()
                db.session.remove()

        started = time.perf_counter()
        threads = [threading.Thread(target=run) for _ in range(args.workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        sent = time.perf_counter() - started
        ids = Counter(mail["Message-ID"] for mail in smtp.messages)
        if args.year_end:
            assert {mail["Subject"] for mail in smtp.messages} == \
                {"60 days left to complete your communication skills development"}
    twice = sum(1 for count in ids.values() if count > 1)
    assert len(ids) == args.messages and not twice, \
        f"{len(ids):,} different messages arrived of {args.messages:,}; {twice:,} more than once"
    database = url.split(":", 1)[0]
    how = "year-end job" if args.year_end else "queue() loop"
    print("| messages | queued by | database | sender runs | queue (one transaction) | send to local SMTP | send rate |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {args.messages:,} | {how} | {database} | {args.workers} | {queued:.1f} s | {sent:.1f} s "
          f"| {args.messages / sent:,.0f} a second |")


if __name__ == "__main__":
    main()
