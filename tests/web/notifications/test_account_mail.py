""""Forgotten your password?" and the other e-mails about one's own account, through the outbox to
the local SMTP server: one answer whether or not the address exists, a single-use link valid an
hour (a newer one voids it), limits on asking, a new password that ends the other sessions and
keeps the second factor, and the mails for an admin's link, a lock-out, a changed password and a
changed second factor."""
from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, make_person, make_tree
from tests.support import csrf_token_from
from tracker.auth import links, mfa, reset
from tracker.extensions import db
from tracker.models import Notification, Person, SecondFactor, SetPasswordLink
from tracker.models._types import utcnow
from tracker.notifications import sender

LINK = re.compile(r"http://localhost/set-password/([A-Za-z0-9_-]+)")
NEW_PASSWORD = "a-brand-new-password-2026"


@pytest.fixture
def org(db_session, clock):
    tree = make_tree()
    people = {"admin": make_person(tree["trust"], email="admin@example.org", roles=["admin"], name="Ann Admin"),
              "nurse": make_person(tree["ward7"], email="nurse@example.org", name="Nia Nurse")}
    db.session.commit()
    return people


def ask_for_link(client, email: str):
    page = client.get("/forgotten-password").get_data(as_text=True)
    return client.post("/forgotten-password", data={"email": email, "csrf_token": csrf_token_from(page)})


def mails_to(smtp, address: str) -> list:
    return [mail for mail in smtp.messages if mail["To"] == address]


def link_in(mail) -> str:
    return LINK.search(mail.get_content()).group(1)


def set_new_password(client, token: str, password: str = NEW_PASSWORD):
    page = client.get(f"/set-password/{token}").get_data(as_text=True)
    return client.post(f"/set-password/{token}", data={"password": password, "confirmation": password,
                                                       "csrf_token": csrf_token_from(page)})


def same_page(response) -> str:
    """The page without what differs on every response (the script nonce)."""
    return re.sub(r'nonce="[^"]+"', "", response.get_data(as_text=True))


def kinds() -> list[str]:
    db.session.expire_all()
    return [row.kind for row in db.session.scalars(select(Notification).order_by(Notification.id))]


def test_sign_in_offers_forgotten_password(client):
    assert 'href="/forgotten-password">Forgotten your password?</a>' in client.get("/sign-in").get_data(as_text=True)
    assert "Forgotten your password?" in client.get("/forgotten-password").get_data(as_text=True)


def test_the_answer_is_the_same_whether_or_not_the_address_exists(client, org, smtp):
    known = ask_for_link(client, "nurse@example.org")
    unknown = ask_for_link(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert same_page(known).replace("nurse@example.org", "@") == same_page(unknown).replace("nobody@example.org", "@")
    assert "If nurse@example.org is the email address of an account, we have sent a link" in known.get_data(as_text=True)
    assert sender.drain() == {"sent": 1}
    [mail] = smtp.messages
    assert mail["To"] == "nurse@example.org" and mail["Subject"] == "Reset your password"


def test_the_link_sets_a_new_password_ends_other_sessions_and_says_so_by_mail(app, client, org, smtp, sign_in):
    elsewhere = app.test_client()
    token = csrf_token_from(elsewhere.get("/sign-in").get_data(as_text=True))
    assert elsewhere.post("/sign-in", data={"email": "nurse@example.org", "password": PASSWORD,
                                            "csrf_token": token}).status_code == 302
    assert elsewhere.get("/account/sessions").status_code == 200
    ask_for_link(client, "nurse@example.org")
    sender.drain()
    token = link_in(mails_to(smtp, "nurse@example.org")[0])
    assert len(db.session.scalars(select(SetPasswordLink)).all()) == 1
    assert db.session.scalar(select(SetPasswordLink.token_hash)) == links.token_hash(token)  # only its hash
    assert set_new_password(client, token).location == "/sign-in"
    assert elsewhere.get("/account/sessions").status_code == 302  # the old session ended
    assert sign_in("nurse@example.org", NEW_PASSWORD).status_code == 302
    assert app.test_client().get(f"/set-password/{token}").status_code == 404  # used up
    sender.drain()
    assert [mail["Subject"] for mail in mails_to(smtp, "nurse@example.org")] == \
        ["Reset your password", "Your password was changed"]


def test_the_link_works_for_an_hour_and_a_newer_one_voids_it(client, org, smtp):
    ask_for_link(client, "nurse@example.org")
    ask_for_link(client, "nurse@example.org")
    sender.drain()
    first, second = (link_in(mail) for mail in mails_to(smtp, "nurse@example.org"))
    assert links.usable_link(first) is None
    row = links.usable_link(second)
    assert links.usable_link(second, now=row.created_at + timedelta(minutes=59)) is not None
    assert links.usable_link(second, now=row.created_at + timedelta(hours=1)) is None


def test_asking_too_often_sends_no_more_links_and_says_nothing_of_the_account(app, client, org, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_LIMITS_PER_ACCOUNT", "2 per hour")
    answers = [ask_for_link(client, "nurse@example.org").status_code for _ in range(3)]
    assert answers == [200, 200, 200]
    assert sender.drain() == {"sent": 2}


def test_one_address_asking_too_often_is_told_to_wait(app, client, org, smtp, monkeypatch, clock):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_LIMITS_PER_ADDRESS", "3 per hour")
    for n in range(3):
        assert ask_for_link(client, f"someone{n}@example.org").status_code == 200
    refused = ask_for_link(client, "nurse@example.org")
    assert refused.status_code == 429
    assert reset.TOO_MANY.split("{")[0] in refused.get_data(as_text=True)
    assert kinds() == []


def test_a_reset_does_not_skip_the_second_factor(app, client, org, smtp):
    db.session.add(SecondFactor(person_id=org["admin"].id, secret=pyotp.random_base32(), enrolled_at=utcnow()))
    db.session.commit()
    ask_for_link(client, "admin@example.org")
    sender.drain()
    set_new_password(client, link_in(mails_to(smtp, "admin@example.org")[0]))
    page = client.get("/sign-in").get_data(as_text=True)
    typed = client.post("/sign-in", data={"email": "admin@example.org", "password": NEW_PASSWORD,
                                          "csrf_token": csrf_token_from(page)})
    assert typed.location == "/sign-in/code"


def test_an_admins_set_password_link_is_shown_and_e_mailed(client, org, smtp, sign_in, post_form):
    sign_in("admin@example.org", PASSWORD)
    nurse = org["nurse"]
    page = post_form(f"/admin/people/{nurse.id}/set-password-link", token_from=f"/admin/people/{nurse.id}")
    html = page.get_data(as_text=True)
    assert "We have also sent it to nurse@example.org by email." in html
    shown = re.search(r"<code>http://localhost/set-password/([A-Za-z0-9_-]+)</code>", html).group(1)
    sender.drain()
    [mail] = mails_to(smtp, "nurse@example.org")
    assert mail["Subject"] == "Set your password" and link_in(mail) == shown


def test_a_lock_out_is_told_by_mail(app, client, org, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_LOCK_AFTER", 3)
    for _ in range(3):
        page = client.get("/sign-in").get_data(as_text=True)
        client.post("/sign-in", data={"email": "nurse@example.org", "password": "wrong-password-guess",
                                      "csrf_token": csrf_token_from(page)})
    assert db.session.get(Person, org["nurse"].id).sign_in_locked_at is not None
    sender.drain()
    [mail] = mails_to(smtp, "nurse@example.org")
    assert mail["Subject"] == "Signing in to your account is locked"
    assert "http://localhost/forgotten-password" in mail.get_content()


def test_changing_ones_password_is_told_by_mail(client, org, smtp, sign_in, post_form):
    sign_in("nurse@example.org", PASSWORD)
    done = post_form("/change-password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                          "confirmation": NEW_PASSWORD})
    assert done.status_code == 302
    sender.drain()
    [mail] = mails_to(smtp, "nurse@example.org")
    assert mail["Subject"] == "Your password was changed"


def test_a_refused_change_of_password_sends_nothing(client, org, smtp, sign_in, post_form):
    sign_in("nurse@example.org", PASSWORD)
    post_form("/change-password", {"current_password": PASSWORD, "new_password": "short",
                                   "confirmation": "short"})
    assert kinds() == [] and sender.drain() == {}


def test_a_second_factor_set_up_or_reset_is_told_by_mail(app, org, smtp):
    admin, nurse = org["admin"], org["nurse"]
    secret = pyotp.random_base32()
    db.session.add(SecondFactor(person_id=nurse.id, secret=secret))
    db.session.flush()
    mfa.enrol(nurse, pyotp.TOTP(secret).at(mfa.now()))
    db.session.commit()
    mfa.reset(admin, nurse)
    db.session.commit()
    sender.drain()
    mails = mails_to(smtp, "nurse@example.org")
    assert [mail["Subject"] for mail in mails] == ["Your second factor was changed"] * 2
    assert "an authenticator app was set up" in mails[0].get_content()
    assert "an administrator reset the second factor" in mails[1].get_content()


def test_in_process_mode_sends_after_the_requests_commit(app, client, org, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFICATIONS_IN_PROCESS", True)
    ask_for_link(client, "nurse@example.org")
    [mail] = smtp.messages  # sent before the response came back, with no worker and no drain here
    assert mail["Subject"] == "Reset your password"
    assert db.session.scalar(select(Notification.status)) == "sent"


def test_asking_for_a_reset_is_on_the_audit_trail_without_naming_who_asked(client, org, smtp):
    from tracker.models import AuditEvent

    ask_for_link(client, "nurse@example.org")
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == links.RESET_REQUESTED)).all()
    assert event.actor_subject_id is None and event.about_subject_id is not None
