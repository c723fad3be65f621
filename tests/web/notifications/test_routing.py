"""Who hears of a submission, for each manager arrangement: the line manager; the manager whose
scope covers the team (no line manager); nobody (unmanaged): the education leads, or the admins
when the organisation has none; and the page the e-mail links to lists the unmanaged author."""
from __future__ import annotations

import re

from tests.factories import make_person
from tests.support import give_second_factor
from tests.web.notifications.test_activity_mail import client_for, mails, org, submit  # noqa: F401
from tracker.extensions import db


def signed_in_with_second_factor(app, email):
    """Admins and education leads give a second factor after the password."""
    client = client_for(app, email)
    assert give_second_factor(client, email).status_code == 302
    return client


def recipients(smtp):
    return sorted((to, subject) for to, subject, _ in mails(smtp))


def test_line_manager(app, ref, org, smtp):
    submit(app, ref, "nurse@example.org")
    assert recipients(smtp) == [("manager@example.org", "An activity is waiting for your sign-off")]


def test_scope_only(app, ref, org, smtp):
    submit(app, ref, "clin@example.org")
    assert recipients(smtp) == [("head@example.org", "An activity is waiting for your sign-off")]


def test_no_manager_goes_to_the_education_leads_not_the_admins(app, ref, org, smtp):
    make_person(org["tree"]["trust"], email="lead@example.org", roles=["education_lead"], name="Lee Lead")
    make_person(org["tree"]["trust"], email="lead2@example.org", roles=["education_lead"], name="Liz Lead")
    make_person(org["tree"]["trust"], email="gone-lead@example.org", roles=["education_lead"], active=False)
    db.session.commit()
    submit(app, ref, "porter@example.org")
    sent = mails(smtp)
    assert sorted(to for to, _, _ in sent) == ["lead2@example.org", "lead@example.org"]
    body = sent[0][2]
    assert "Pip Porter has submitted" in body and "they are unmanaged" in body
    # The link lists the unmanaged author for an education lead (who signs in to see it).
    path = re.search(r"https?://[^/\s]+(/admin/unmanaged)", body).group(1)
    page = signed_in_with_second_factor(app, "lead@example.org").get(path)
    assert page.status_code == 200 and "Pip Porter" in page.get_data(as_text=True)
    assert "Main Theatres" in page.get_data(as_text=True)


def test_no_manager_and_no_education_lead_goes_to_the_admins(app, ref, org, smtp):
    submit(app, ref, "porter@example.org")
    assert [to for to, _ in recipients(smtp)] == ["admin2@example.org", "admin@example.org"]
    page = signed_in_with_second_factor(app, "admin@example.org").get("/admin/unmanaged")
    assert "Pip Porter" in page.get_data(as_text=True)


def test_the_unmanaged_list_is_not_for_managers_or_staff(app, ref, org, smtp):
    submit(app, ref, "porter@example.org")
    assert client_for(app, "manager@example.org").get("/admin/unmanaged").status_code == 403
    assert client_for(app, "nurse@example.org").get("/admin/unmanaged").status_code == 403
