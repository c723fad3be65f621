"""Notification settings honoured: one decision (preferences.wants), asked by outbox.queue for
every message to a person. Every kind, with the defaults and with everything turned off; and the
real events with their setting off."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import make_person, make_tree
from tests.web.notifications.test_activity_mail import decide, mails, org, submit, window_closed  # noqa: F401
from tracker.extensions import db
from tracker.models import Notification
from tracker.models.notifications import DAILY_DIGEST, IMMEDIATELY
from tracker.notifications import messages, outbox, preferences

OPTIONAL_KINDS = {messages.ACTIVITY_SIGNED_OFF, messages.ACTIVITY_RETURNED, messages.REMINDER,
                  messages.YEAR_END_REMINDER, messages.WEEKLY_DIGEST}


def turn_off_everything(person, submissions=DAILY_DIGEST):
    preferences.save(person, preferences.Choices(submissions=submissions, receive=frozenset(),
                                                 offered=tuple(preferences.OPTIONAL)))


def test_every_kind_is_either_always_sent_or_has_a_setting():
    for kind in messages.KINDS:
        assert (kind in preferences.ALWAYS) != (kind in OPTIONAL_KINDS | {messages.ACTIVITY_SUBMITTED,
                                                                           messages.SUBMISSIONS_DIGEST}), kind


@pytest.mark.parametrize("kind", sorted(messages.KINDS))
def test_each_kind_with_the_defaults_and_with_everything_turned_off(db_session, kind):
    tree = make_tree()
    default, chooser = make_person(tree["ward7"]), make_person(tree["ward7"])
    turn_off_everything(chooser)
    fields = {name: "x" for name in messages.KINDS[kind].fields}
    with_defaults = outbox.queue(kind, default, key=f"a:{kind}", **fields)
    turned_off = outbox.queue(kind, chooser, key=f"b:{kind}", **fields)
    # Defaults: everything on, submissions one e-mail each (so no digest).
    assert (with_defaults is not None) == (kind != messages.SUBMISSIONS_DIGEST)
    # Everything off, digest chosen: only what is always sent, and the digest instead of each submission.
    assert (turned_off is not None) == (kind in preferences.ALWAYS or kind == messages.SUBMISSIONS_DIGEST)
    assert db.session.scalar(select(Notification.kind).where(Notification.idempotency_key == f"b:{kind}")) == \
        (kind if turned_off is not None else None)


@pytest.mark.parametrize("kind", sorted(OPTIONAL_KINDS))
def test_turning_one_setting_off_stops_only_its_own_kinds(db_session, kind):
    tree = make_tree()
    person = make_person(tree["ward7"])
    column = {"activity_signed_off": "decisions", "activity_returned": "decisions", "reminder": "reminders",
              "year_end_reminder": "year_end_reminders", "weekly_digest": "weekly_digest"}[kind]
    offered = tuple(preferences.OPTIONAL)
    preferences.save(person, preferences.Choices(submissions=IMMEDIATELY, offered=offered,
                                                 receive=frozenset(offered) - {column}))
    for other in OPTIONAL_KINDS:
        fields = {name: "x" for name in messages.KINDS[other].fields}
        queued = outbox.queue(other, person, key=f"{kind}:{other}", **fields)
        assert (queued is None) == (preferences._OPTIONAL_KIND[other] == column), other


def test_a_submission_to_a_decider_who_chose_the_digest_is_not_mailed_at_once(app, ref, org, smtp):
    turn_off_everything(org["manager"])
    db.session.commit()
    submit(app, ref, "nurse@example.org")
    assert mails(smtp) == []
    submit(app, ref, "clin@example.org")  # another decider, defaults: at once
    assert [to for to, _, _ in mails(smtp)] == ["head@example.org"]


def test_a_decision_is_not_mailed_to_an_author_who_turned_decisions_off(app, ref, org, smtp, clock):
    turn_off_everything(org["nurse"], submissions=None)
    db.session.commit()
    activity = submit(app, ref, "nurse@example.org")
    decide(app, activity, "return", "Say more.")
    window_closed(clock, activity)
    assert [to for to, _, _ in mails(smtp)] == ["manager@example.org"]  # the submission only


def test_a_reminder_is_not_mailed_to_someone_who_turned_reminders_off(app, ref, org, smtp):
    from tracker.notifications import activity_mail

    turn_off_everything(org["nurse"], submissions=None)
    activity_mail.reminded(org["manager"], [(1, org["nurse"].id)], "2026 to 2027")
    assert db.session.scalars(select(Notification)).all() == []
    preferences.save(org["nurse"], preferences.Choices(submissions=None, receive=frozenset({"reminders"}),
                                                       offered=tuple(preferences.OPTIONAL)))
    activity_mail.reminded(org["manager"], [(2, org["nurse"].id)], "2026 to 2027")
    assert db.session.scalars(select(Notification.kind)).all() == [messages.REMINDER]


def test_reading_the_settings_of_many_recipients_costs_one_query(db_session, count_queries):
    """Events that tell many people (reminders, signing off together, the scheduled jobs) read
    every recipient's settings at once; queue() then asks nothing more per person."""
    from tracker.notifications import activity_mail

    tree = make_tree()
    sender_ = make_person(tree["ward7"], roles=["manager"])
    people = [make_person(tree["ward7"]) for _ in range(5)]
    turn_off_everything(people[1], submissions=None)  # one with a row of settings among them
    db.session.commit()

    def settings_read(first_notice, reminded):
        db.session.expire_all()
        with count_queries() as counter:
            activity_mail.reminded(sender_, [(first_notice + n, p.id) for n, p in enumerate(reminded)], "2026 to 2027")
        return [s for s in counter.statements if "notification_preference" in s]

    assert len(settings_read(0, people[:1])) == len(settings_read(10, people[1:])) == 1
