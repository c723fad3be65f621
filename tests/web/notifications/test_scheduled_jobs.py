"""The scheduled e-mails, run on days set through the clock seam (no sleeping): the daily digest
of submissions, the year-end reminders at 60, 30 and 7 days, the managers' weekly digest. Each
goes once per key (person and day, year and threshold, or ISO week) however often the job runs;
each honours the person's settings; the counts agree with the pages' own queries."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import make_activity, make_person, make_tree
from tracker import access, appraisal_year, compliance
from tracker.compliance import Status
from tracker.extensions import db
from tracker.models import ActivityStatus, Exemption, ExemptionReason, Notification
from tracker.models.notifications import DAILY_DIGEST, IMMEDIATELY
from tracker.notifications import jobs, messages, preferences, sender, worker
from tracker.roster import Roster

TITLE = "Talking with Mr Patel about his scan"


@pytest.fixture
def ward(db_session, ref, clock):
    """Ward 7 under its manager: a nurse with two activities waiting, someone not started, someone
    complete, someone exempt; the clinic (under the head of Cancer Services) has a nurse not started."""
    year = appraisal_year.current_year()
    tree = make_tree()
    observed = ref["types"]["observed_practice_feedback"]
    b = ref["b"]
    manager = make_person(tree["ward7"], email="manager@example.org", roles=["manager"], scope=[tree["ward7"]],
                          name="Wyn Wardmanager", tier=1)
    head = make_person(tree["cancer"], email="head@example.org", roles=["manager"], scope=[tree["cancer"]],
                       name="Hal Head", tier=1)
    nurse = make_person(tree["ward7"], email="nurse@example.org", line_manager=manager, name="Nia Nurse", tier=1)
    idle = make_person(tree["ward7"], email="idle@example.org", line_manager=manager, name="Ida Idle", tier=1)
    done = make_person(tree["ward7"], email="done@example.org", line_manager=manager, name="Dot Done", tier=1)
    away = make_person(tree["ward7"], email="away@example.org", line_manager=manager, name="Al Away", tier=1)
    clinic = make_person(tree["clinic"], email="clinic@example.org", name="Cy Clinic", tier=1)
    day = year.starts_on + timedelta(days=1)
    for _ in range(2):
        make_activity(nurse, observed, occurred_on=day, status=ActivityStatus.SUBMITTED,
                      behaviours=[b["1.1"], b["2.1"]], title=TITLE)
    make_activity(done, observed, occurred_on=day, behaviours=[b["1.1"], b["2.1"]])
    make_activity(manager, observed, occurred_on=day, behaviours=[b["1.1"], b["2.1"]])
    make_activity(head, observed, occurred_on=day, behaviours=[b["1.1"], b["2.1"]])
    db.session.add(Exemption(person_id=away.id, reason=ExemptionReason.LONG_TERM_ABSENCE, starts_on=year.starts_on,
                             recorded_by_id=manager.id))
    db.session.commit()
    return dict(year=year, manager=manager, head=head, nurse=nurse, idle=idle, done=done, away=away, clinic=clinic)


def rows(kind):
    return db.session.execute(select(Notification.address, Notification.idempotency_key, Notification.fields)
                              .where(Notification.kind == kind).order_by(Notification.id)).all()


def addresses(kind):
    return sorted(address for address, _, _ in rows(kind))


def choose(person, submissions=IMMEDIATELY, off=()):
    offered = tuple(preferences.OPTIONAL)
    preferences.save(person, preferences.Choices(submissions=submissions, offered=offered,
                                                 receive=frozenset(offered) - set(off)))
    db.session.commit()


# --- the daily digest -------------------------------------------------------------------------------


def test_the_daily_digest_tells_a_decider_who_chose_it_how_many_wait(app, ward, clock, smtp):
    choose(ward["manager"], DAILY_DIGEST)
    jobs.submissions_digests(clock.today())
    db.session.commit()
    sender.drain()
    [mail] = smtp.messages
    body = mail.get_content()
    assert mail["To"] == "manager@example.org" and mail["Subject"] == "Activities waiting for your sign-off: 2"
    assert "2 activities are waiting for you" in body and "/team/queue\n" in body.replace("\r", "")
    assert TITLE not in body and "Nia Nurse" not in body  # counts and a link, nothing an author wrote
    assert addresses(messages.ACTIVITY_SUBMITTED) == []


def test_the_daily_digest_goes_once_a_day_however_often_the_job_runs(app, ward, clock):
    choose(ward["manager"], DAILY_DIGEST)
    for _ in range(3):
        jobs.submissions_digests(clock.today())
    assert [key for _, key, _ in rows(messages.SUBMISSIONS_DIGEST)] == \
        [f"submissions_digest:{ward['manager'].id}:{clock.today().isoformat()}"]
    clock.move_to(clock.today() + timedelta(days=1))
    jobs.submissions_digests(clock.today())
    jobs.submissions_digests(clock.today())
    assert len(rows(messages.SUBMISSIONS_DIGEST)) == 2


def test_no_digest_for_a_decider_who_chose_immediate_emails_or_has_nothing_waiting(app, ward, clock):
    jobs.submissions_digests(clock.today())  # the manager kept "immediately"
    choose(ward["head"], DAILY_DIGEST)  # decides for the clinic, where nothing waits
    jobs.submissions_digests(clock.today())
    assert rows(messages.SUBMISSIONS_DIGEST) == []


def test_the_count_of_waiting_activities_is_each_deciders_queue(app, ward):
    counts = dict(db.session.execute(access.waiting_by_decider()).all())
    for person in (ward["manager"], ward["head"], ward["nurse"]):
        queue = db.session.scalar(select(func.count()).select_from(access.sign_off_queue(person).subquery()))
        assert counts.get(person.id, 0) == queue
    assert counts == {ward["manager"].id: 2}


# --- year-end reminders ------------------------------------------------------------------------------


@pytest.mark.parametrize("days_left, due", [(61, None), (60, 60), (58, 60), (31, 60), (30, 30), (29, 30),
                                            (8, 30), (7, 7), (1, 7), (0, 7), (-1, None)])
def test_the_reminder_due_is_the_nearest_threshold_not_yet_passed(days_left, due):
    assert jobs.year_end_threshold(days_left) == due


UNFINISHED = ["clinic@example.org", "idle@example.org", "nurse@example.org"]


def test_year_end_reminders_go_to_everyone_not_complete_and_not_exempt(app, ward, clock, smtp):
    clock.move_to(ward["year"].ends_on - timedelta(days=60))
    jobs.year_end_reminders(clock.today())
    db.session.commit()
    assert addresses(messages.YEAR_END_REMINDER) == UNFINISHED  # not Dot (complete), Al (exempt), the managers
    sender.drain()
    mail = next(m for m in smtp.messages if m["To"] == "idle@example.org")
    assert mail["Subject"] == "60 days left to complete your communication skills development"
    assert ward["year"].label in mail.get_content() and "/my-year" in mail.get_content()


def test_year_end_recipients_are_the_status_rules_unfinished(app, ward, clock):
    clock.move_to(ward["year"].ends_on - timedelta(days=7))
    year, today = ward["year"], clock.today()
    statuses = db.session.execute(compliance.status_query(Roster.of(year, today).people(), year, today)).all()
    unfinished = sorted(db.session.get(type(ward["nurse"]), row.person_id).email for row in statuses
                        if row.status not in (Status.COMPLETE.value, Status.EXEMPT.value))
    jobs.year_end_reminders(today)
    assert addresses(messages.YEAR_END_REMINDER) == unfinished == UNFINISHED


def test_each_year_end_reminder_goes_once_however_often_the_job_runs(app, ward, clock):
    ends_on = ward["year"].ends_on
    for days_left in (70, 60, 60, 59, 45, 31, 30, 30, 12, 7, 3, 0, -1, -5):
        clock.move_to(ends_on - timedelta(days=days_left))
        jobs.year_end_reminders(clock.today())
        jobs.year_end_reminders(clock.today())
    keys = sorted(key.rsplit(":", 2)[-1] for _, key, _ in rows(messages.YEAR_END_REMINDER))
    assert keys == sorted(["60", "30", "7"] * len(UNFINISHED))
    assert len({key for _, key, _ in rows(messages.YEAR_END_REMINDER)}) == 3 * len(UNFINISHED)


def test_a_job_that_missed_the_day_sends_the_reminder_due_late_but_never_one_already_passed(app, ward, clock):
    ends_on = ward["year"].ends_on
    clock.move_to(ends_on - timedelta(days=58))  # missed day 60
    jobs.year_end_reminders(clock.today())
    assert {key.rsplit(":", 1)[-1] for _, key, _ in rows(messages.YEAR_END_REMINDER)} == {"60"}
    assert {fields["days"] for _, _, fields in rows(messages.YEAR_END_REMINDER)} == {"58 days"}
    clock.move_to(ends_on - timedelta(days=6))  # missed day 30 and day 7: only the 7-day one now
    jobs.year_end_reminders(clock.today())
    assert sorted({key.rsplit(":", 1)[-1] for _, key, _ in rows(messages.YEAR_END_REMINDER)}) == ["60", "7"]


def test_nothing_outside_the_last_sixty_days_or_after_the_year(app, ward, clock):
    for moved in (ward["year"].ends_on - timedelta(days=61), ward["year"].ends_on + timedelta(days=1)):
        clock.move_to(moved)
        jobs.year_end_reminders(clock.today())
    assert rows(messages.YEAR_END_REMINDER) == []


def test_year_end_reminders_honour_the_setting(app, ward, clock):
    choose(ward["idle"], off=["year_end_reminders"])
    clock.move_to(ward["year"].ends_on - timedelta(days=30))
    jobs.year_end_reminders(clock.today())
    assert addresses(messages.YEAR_END_REMINDER) == ["clinic@example.org", "nurse@example.org"]


# --- the weekly digest ----------------------------------------------------------------------------


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def test_the_weekly_digest_tells_each_manager_what_waits_and_who_has_not_started(app, ward, clock, smtp):
    clock.move_to(monday_of(clock.today()))
    jobs.weekly_digests(clock.today())
    db.session.commit()
    digests = {address: fields for address, _, fields in rows(messages.WEEKLY_DIGEST)}
    # The ward manager: two waiting; Ida not started (Al is exempt, Dot and they are complete).
    assert (digests["manager@example.org"]["waiting"], digests["manager@example.org"]["not_started"]) == ("2", "1")
    # The head: nothing waits for them; Ida and Cy not started in Cancer Services.
    assert (digests["head@example.org"]["waiting"], digests["head@example.org"]["not_started"]) == ("0", "2")
    assert sorted(digests) == ["head@example.org", "manager@example.org"]
    sender.drain()
    mail = next(m for m in smtp.messages if m["To"] == "manager@example.org")
    body = mail.get_content()
    assert mail["Subject"] == "Your team this week: 2 waiting, 1 not started"
    assert "2 activities are waiting for your sign-off" in body and "1 person has not started yet" in body
    assert "/team/\r\n" in body and TITLE not in body and "Ida Idle" not in body


def test_the_not_started_count_is_each_managers_scope_by_the_status_rule(app, ward, clock):
    year, today = ward["year"], clock.today()
    roster = Roster.of(year, today)
    jobs.weekly_digests(today)
    digests = {address: fields for address, _, fields in rows(messages.WEEKLY_DIGEST)}
    for manager in (ward["manager"], ward["head"]):
        statuses = db.session.execute(compliance.status_query(access.managed_staff(manager, roster), year, today)).all()
        assert digests[manager.email]["not_started"] == str(sum(r.status == Status.NOT_STARTED.value for r in statuses))


def test_the_weekly_digest_goes_once_per_iso_week(app, ward, clock):
    monday = monday_of(clock.today())
    for day in (monday, monday, monday + timedelta(days=3)):
        clock.move_to(day)
        jobs.weekly_digests(clock.today())
    assert len(rows(messages.WEEKLY_DIGEST)) == 2
    clock.move_to(monday + timedelta(days=7))
    jobs.weekly_digests(clock.today())
    iso = (monday + timedelta(days=7)).isocalendar()
    assert len(rows(messages.WEEKLY_DIGEST)) == 4
    assert sum(key.endswith(f"{iso.year}-W{iso.week:02d}") for _, key, _ in rows(messages.WEEKLY_DIGEST)) == 2


def test_no_weekly_digest_for_a_manager_who_turned_it_off_or_has_nothing_to_report(app, ward, clock, ref, db_session):
    choose(ward["head"], off=["weekly_digest"])
    quiet_team = make_tree()["theatres"]
    quiet = make_person(quiet_team, email="quiet@example.org", roles=["manager"], scope=[quiet_team], tier=1)
    make_activity(quiet, ref["types"]["observed_practice_feedback"], occurred_on=ward["year"].starts_on,
                  behaviours=[ref["b"]["1.1"], ref["b"]["2.1"]])  # complete, alone in their team
    db.session.commit()
    jobs.weekly_digests(clock.today())
    assert addresses(messages.WEEKLY_DIGEST) == ["manager@example.org"]


# --- the beat schedule ---------------------------------------------------------------------------


def test_beat_runs_every_job(app):
    schedule = {entry["task"] for entry in app.extensions["celery"].conf.beat_schedule.values()}
    assert {worker.DRAIN, worker.CLEAR_TOKENS, worker.SUBMISSIONS_DIGESTS, worker.YEAR_END_REMINDERS,
            worker.WEEKLY_DIGESTS, worker.CHECK_HUB_LINKS} <= schedule
    weekly = next(e for e in app.extensions["celery"].conf.beat_schedule.values() if e["task"] == worker.WEEKLY_DIGESTS)
    assert weekly["schedule"].day_of_week == {1}  # Monday


def test_the_year_end_task_queues_and_sends(app, ward, clock, smtp):
    clock.move_to(ward["year"].ends_on - timedelta(days=7))
    # run(): the task's body in this test's application (another test may have made a newer
    # Flask app Celery's default, whose task would run in that app).
    worker.year_end_reminders.run()
    assert sorted(m["To"] for m in smtp.messages) == UNFINISHED
    worker.year_end_reminders.run()
    assert len(smtp.messages) == len(UNFINISHED)


def test_the_link_check_task_records_its_run(app, db_session):
    from tracker.models import AuditEvent

    assert worker.check_hub_links.run() == {"checked": 0, "broken": 0, "moved": 0}
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "hub.links_checked")) == 1
