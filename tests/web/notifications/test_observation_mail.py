"""The observer's e-mail (issue 19 with the outbox): asking and reminding each queue one message to
the typed address (an observer often has no account) with the requester's name, the link and its
expiry, never the situation note or the behaviours; the link in it works; a rolled-back request
sends nothing; a reminder's new link voids the first."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.factories import PASSWORD
from tests.web import test_observation as observed
from tracker.extensions import db
from tracker.models import Notification, ObservationRequest
from tracker.notifications import sender
from tracker.observation import requests

org = observed.org  # the same people and draft activity as tests/web/test_observation.py

MAIL_LINK = re.compile(r"http://localhost/observe/[A-Za-z0-9_-]+")
NOTE = "A family meeting about Mrs Jones in bay 3."


def mails_to(smtp, address: str) -> list:
    return [mail for mail in smtp.messages if mail["To"] == address]


def asked(client, sign_in, post_form, org):
    sign_in("staff@example.org", PASSWORD)
    response = observed.ask(client, post_form, org["draft"], org["behaviours"][:2], situation_note=NOTE)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_asking_e_mails_the_observer_a_working_link_without_the_note(app, client, sign_in, post_form, org,
                                                                  smtp, today):
    page = asked(client, sign_in, post_form, org)
    assert "The link was e-mailed to Dr Ola Observer" in page
    assert sender.drain() == {"sent": 1}
    [mail] = mails_to(smtp, "ola.observer@nhs.net")
    body = mail.get_content()
    assert mail["Subject"] == "Sam Staff has asked you to observe them"
    assert "Dear Dr Ola Observer" in body and "Sam Staff has asked you" in body
    expiry = today + timedelta(days=14)
    assert re.search(rf"until {expiry.day} {expiry:%B %Y} at \d\d:\d\d \(UK time\)", body)
    assert "Mrs Jones" not in body and "family meeting" not in body and "Breaking bad news" not in body
    assert not any(b.text in body for b in org["behaviours"][:2])
    link = MAIL_LINK.search(body).group(0)
    assert link in page  # the same link is shown once to the requester, as a mail may not arrive
    row = db.session.scalar(select(Notification))
    assert (row.kind, row.person_id, row.address) == ("observation_request", None, "ola.observer@nhs.net")
    observer = app.test_client()
    answer = observer.get(link.removeprefix("http://localhost"))
    assert answer.status_code == 200 and "Send feedback" in answer.get_data(as_text=True)


def test_a_rolled_back_request_sends_nothing(org, smtp):
    typed = requests.AskInput("Dr Ola Observer", "ola.observer@nhs.net", [str(org["behaviours"][0].id)], NOTE)
    requests.ask(org["staff"], org["draft"], typed, ["nhs.net"])
    assert db.session.scalar(select(Notification)) is not None  # queued in the request's transaction
    db.session.rollback()
    assert sender.drain() == {}
    assert db.session.scalar(select(Notification)) is None and smtp.messages == []


def test_remind_once_e_mails_a_new_link_and_the_first_stops_working(app, client, sign_in, post_form, org, smtp):
    asked(client, sign_in, post_form, org)
    sender.drain()
    request = db.session.scalar(select(ObservationRequest))
    response = post_form(f"/observations/{request.id}/remind", token_from=f"/activities/{org['draft'].id}")
    assert response.status_code == 200 and "replaces the first one" in response.get_data(as_text=True)
    assert sender.drain() == {"sent": 1}
    first, second = mails_to(smtp, "ola.observer@nhs.net")
    assert second["Subject"] == "Reminder: Sam Staff has asked you to observe them"
    assert "Mrs Jones" not in second.get_content()
    old, new = (MAIL_LINK.search(m.get_content()).group(0).removeprefix("http://localhost") for m in (first, second))
    assert old != new
    # Asked once, reminded once: two keys, two messages; a second reminder is refused and sends nothing.
    post_form(f"/observations/{request.id}/remind", token_from=f"/activities/{org['draft'].id}")
    assert sender.drain() == {} and len(smtp.messages) == 2
    keys = db.session.scalars(select(Notification.idempotency_key).order_by(Notification.id)).all()
    assert [k.split(":")[0] for k in keys] == ["observation_request", "observation_reminder"]
    observer = app.test_client()
    assert observer.get(old).status_code == 404 and observer.get(new).status_code == 200
