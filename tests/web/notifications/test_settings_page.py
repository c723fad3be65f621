"""The "Notification settings" page: reachable by every signed-in person from the account links;
a decider chooses immediate e-mails or a daily digest for submissions and cannot turn them off;
the rest can each be turned off; bad input (sent with a real CSRF token) changes nothing; a
change is one transaction, audited."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, make_person, make_tree
from tracker.auth.notification_routes import SAVED
from tracker.extensions import db
from tracker.models import AuditEvent, NotificationPreference
from tracker.models.notifications import DAILY_DIGEST, IMMEDIATELY
from tracker.notifications import preferences

URL = "/account/notifications"
EVERYTHING = ["decisions", "reminders", "year_end_reminders", "weekly_digest"]


@pytest.fixture
def people(db_session):
    tree = make_tree()
    manager = make_person(tree["ward7"], email="manager@example.org", roles=["manager"], scope=[tree["ward7"]])
    nurse = make_person(tree["ward7"], email="nurse@example.org", line_manager=manager)
    db.session.commit()
    return {"manager": manager, "nurse": nurse}


def stored(person):
    db.session.expire_all()
    return db.session.get(NotificationPreference, person.id)


def settings_events():
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "notifications.settings_changed")).all()


def test_every_signed_in_person_finds_the_page_from_the_account_links(app, client, sign_in, people):
    sign_in("nurse@example.org", PASSWORD)
    home = client.get("/").get_data(as_text=True)
    assert f'href="{URL}"' in home and "Notification settings" in home
    page = client.get(URL).get_data(as_text=True)
    assert "<h1>Notification settings</h1>" in page
    assert "E-mails we always send" in page and "an export you asked for is ready" in page
    # Not a decider: no choice about submissions, and no managers' summary.
    assert 'name="submissions"' not in page and 'value="weekly_digest"' not in page
    for name in ("decisions", "reminders", "year_end_reminders"):
        assert f'value="{name}" checked' in page  # the defaults: everything on
    assert app.test_client().get(URL).status_code == 302  # signing in is needed


def test_a_decider_sees_the_submissions_choice_set_to_immediately(client, sign_in, people):
    sign_in("manager@example.org", PASSWORD)
    page = client.get(URL).get_data(as_text=True)
    assert 'name="submissions" type="radio" value="immediately" checked' in page
    assert "You cannot turn these e-mails off" in page and 'value="weekly_digest" checked' in page


def test_a_decider_chooses_the_daily_digest_and_turns_the_summary_off(client, sign_in, post_form, people):
    sign_in("manager@example.org", PASSWORD)
    response = post_form(URL, {"submissions": DAILY_DIGEST, "receive": ["decisions", "reminders", "year_end_reminders"]})
    assert response.status_code == 302 and response.location == URL
    assert SAVED in client.get(URL).get_data(as_text=True)  # the success banner
    row = stored(people["manager"])
    assert (row.submissions, row.decisions, row.reminders, row.year_end_reminders, row.weekly_digest) == \
        (DAILY_DIGEST, True, True, True, False)
    [event] = settings_events()
    assert event.detail == {"submissions": DAILY_DIGEST, "weekly_digest": False}
    page = client.get(URL).get_data(as_text=True)
    assert 'value="daily_digest" checked' in page and 'value="weekly_digest" checked' not in page


@pytest.mark.parametrize("name", ["decisions", "reminders", "year_end_reminders"])
def test_each_setting_can_be_turned_off_and_on_again(client, sign_in, post_form, people, name):
    sign_in("nurse@example.org", PASSWORD)
    others = [n for n in EVERYTHING[:3] if n != name]
    assert post_form(URL, {"receive": others}).status_code == 302
    row = stored(people["nurse"])
    assert {n: getattr(row, n) for n in EVERYTHING[:3]} == {n: n != name for n in EVERYTHING[:3]}
    assert row.submissions == IMMEDIATELY and row.weekly_digest is True  # not offered: left alone
    assert post_form(URL, {"receive": EVERYTHING[:3]}).status_code == 302
    assert getattr(stored(people["nurse"]), name) is True
    assert len(settings_events()) == 2


def test_saving_without_a_change_writes_nothing(client, sign_in, post_form, people):
    sign_in("nurse@example.org", PASSWORD)
    assert post_form(URL, {"receive": EVERYTHING[:3]}).status_code == 302
    assert stored(people["nurse"]) is None and settings_events() == []


@pytest.mark.parametrize("who, form, field, message", [
    ("manager@example.org", {"receive": EVERYTHING}, "submissions", "Choose how you want to hear"),  # cannot turn off
    ("manager@example.org", {"submissions": "never", "receive": EVERYTHING}, "submissions", "Choose how you want to hear"),
    ("manager@example.org", {"submissions": DAILY_DIGEST, "receive": ["decisions", "everything"]}, "receive",
     "Choose only from the e-mails listed"),
    # Not offered to someone who decides for nobody: refused, not quietly stored.
    ("nurse@example.org", {"receive": ["decisions", "weekly_digest"]}, "receive", "Choose only from the e-mails listed"),
])
def test_bad_input_changes_nothing_and_says_what_to_fix(client, sign_in, post_form, people, who, form, field, message):
    sign_in(who, PASSWORD)
    response = post_form(URL, form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page and message in page
    assert f'href="#{field}"' in page and page.count('id="' + field + '"') == 1  # the summary links to the field
    assert "Error: Notification settings" in page
    assert stored(people["manager"]) is None and stored(people["nurse"]) is None and settings_events() == []


def test_a_nurse_cannot_choose_a_digest_of_submissions_they_never_get(client, sign_in, post_form, people):
    sign_in("nurse@example.org", PASSWORD)
    assert post_form(URL, {"submissions": DAILY_DIGEST, "receive": []}).status_code == 302
    row = stored(people["nurse"])
    assert row.submissions == IMMEDIATELY and not row.decisions


def test_a_post_without_the_csrf_token_changes_nothing(client, sign_in, people):
    sign_in("manager@example.org", PASSWORD)
    response = client.post(URL, data={"submissions": DAILY_DIGEST, "receive": []})
    assert response.status_code == 400
    assert stored(people["manager"]) is None


def test_a_post_with_another_sessions_token_changes_nothing(app, client, sign_in, post_form, people):
    from tests.support import csrf_token_from

    other = app.test_client()
    token = csrf_token_from(other.get("/sign-in").get_data(as_text=True))
    sign_in("manager@example.org", PASSWORD)
    assert client.post(URL, data={"submissions": DAILY_DIGEST, "csrf_token": token}).status_code == 400
    assert stored(people["manager"]) is None


def test_the_choices_are_the_ones_the_rule_offers(people):
    assert preferences.shown_to(people["manager"]) == (True, EVERYTHING)
    assert preferences.shown_to(people["nurse"]) == (False, EVERYTHING[:3])
