"""Set-password links: an admin creates one for a person and passes it on; the person sets their
own password once, within 24 hours, and their other sessions end. An unknown, expired or used link
gets one page that never says which. Only a hash of the token is kept."""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.factories import PASSWORD
from tests.support import csrf_token_from
from tracker.auth import links
from tracker.auth.routes import SIGN_IN_FAILED
from tracker.extensions import db
from tracker.models import AuditEvent, SetPasswordLink
from tracker.models._types import utcnow
from tracker.refusal import Refused

NEW_PASSWORD = "a-brand-new-password-2025"
LINK_RE = re.compile(r"<code>http://localhost/set-password/([A-Za-z0-9_-]+)</code>")


def create_link(post_form, person) -> str:
    response = post_form(f"/admin/people/{person.id}/set-password-link", token_from=f"/admin/people/{person.id}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return LINK_RE.search(response.get_data(as_text=True)).group(1)


def set_password(client, token: str, password: str = NEW_PASSWORD, confirmation: str | None = None):
    url = f"/set-password/{token}"
    csrf = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"password": password, "confirmation": password if confirmation is None else confirmation,
                                  "csrf_token": csrf})


def sign_in_works(app, email: str, password: str) -> bool:
    other = app.test_client()
    token = csrf_token_from(other.get("/sign-in").get_data(as_text=True))
    return other.post("/sign-in", data={"email": email, "password": password, "csrf_token": token}).status_code == 302


@pytest.fixture
def link(client, post_form, as_admin):
    """A link created for the nurse; then the admin signs out, and the nurse's browser opens it."""
    token = create_link(post_form, as_admin["people"]["nurse"])
    post_form("/sign-out", token_from="/")
    return token


def test_the_admin_sees_the_link_once_and_only_its_hash_is_kept(client, post_form, as_admin):
    nurse = as_admin["people"]["nurse"]
    response = post_form(f"/admin/people/{nurse.id}/set-password-link", token_from=f"/admin/people/{nurse.id}")
    html = response.get_data(as_text=True)
    assert "Set-password link for Nia Nurse" in html and "(24 hours)" in html
    token = LINK_RE.search(html).group(1)
    assert len(token) >= 43  # 32 random bytes
    [stored] = db.session.scalars(select(SetPasswordLink)).all()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in stored.token_hash
    assert stored.person_id == nurse.id and stored.created_by_id == as_admin["people"]["admin"].id
    assert stored.expires_at - stored.created_at == timedelta(hours=24) and stored.used_at is None
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "set_password_link.created"))
    assert event.person_id == nurse.id and token not in str(event.detail)
    # The person's page never shows it again.
    assert token not in client.get(f"/admin/people/{nurse.id}").get_data(as_text=True)


def test_the_person_sets_their_password_once_and_signs_in(app, client, link, as_admin):
    nurse = as_admin["people"]["nurse"]
    old_session = app.test_client()
    csrf = csrf_token_from(old_session.get("/sign-in").get_data(as_text=True))
    old_session.post("/sign-in", data={"email": "nurse@example.org", "password": PASSWORD, "csrf_token": csrf})
    assert old_session.get("/my-year").status_code == 200

    page = client.get(f"/set-password/{link}")
    assert page.status_code == 200 and "<h1>Set your password</h1>" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    response = set_password(client, link)
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in")
    assert "Your password is set." in client.get("/sign-in").get_data(as_text=True)

    assert sign_in_works(app, "nurse@example.org", NEW_PASSWORD)
    assert not sign_in_works(app, "nurse@example.org", PASSWORD)
    assert "/sign-in" in old_session.get("/my-year").headers["Location"]  # other sessions ended
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "password.set_by_link"))
    assert event.actor_id == event.person_id == nurse.id and "password" not in str(event.detail)
    # Single use.
    again = client.get(f"/set-password/{link}")
    assert again.status_code == 404 and links.UNUSABLE in again.get_data(as_text=True)


def test_a_password_of_100_characters_can_be_set_by_link_and_signs_in(app, client, link):
    """ASVS 6.2.9: 100 characters, with spaces and letters beyond ASCII."""
    long = "Siân’s ward round at seven, handover at half past, then tea with José in the café 🙂 plum orchard day"
    assert len(long) == 100
    assert set_password(client, link, long).status_code == 302
    assert sign_in_works(app, "nurse@example.org", long)
    assert not sign_in_works(app, "nurse@example.org", long[:72])


@pytest.mark.parametrize("password, confirmation, field, message", [
    ("short", "short", "password", "Password must be at least 12 characters."),
    (NEW_PASSWORD, NEW_PASSWORD + "x", "confirmation", links.PASSWORDS_DIFFER),
    ("", "", "password", "Enter a new password"),
])
def test_a_bad_password_is_named_by_its_field_and_the_link_still_works(app, client, link, password, confirmation,
                                                                        field, message):
    html = set_password(client, link, password, confirmation).get_data(as_text=True)
    assert f'href="#{field}"' in html and message in html
    assert db.session.scalar(select(SetPasswordLink.used_at)) is None
    assert sign_in_works(app, "nurse@example.org", PASSWORD)
    assert client.get(f"/set-password/{link}").status_code == 200


def _page_of(client, token: str) -> tuple[int, str]:
    response = client.get(f"/set-password/{token}")
    html = response.get_data(as_text=True)
    return response.status_code, html[html.index("<main"):html.index("</main>")]


def test_unknown_expired_and_used_links_get_the_same_page(app, client, post_form, as_admin):
    nurse, clinic = as_admin["people"]["nurse"], as_admin["people"]["clinic"]
    expired = create_link(post_form, nurse)
    used = create_link(post_form, clinic)
    post_form("/sign-out", token_from="/")
    db.session.execute(update(SetPasswordLink).where(SetPasswordLink.person_id == nurse.id)
                       .values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert set_password(client, used).status_code == 302
    client.get("/sign-in")  # where its "password is set" message shows
    pages = {name: _page_of(client, token) for name, token in
             (("unknown", "no-such-token"), ("expired", expired), ("used", used))}
    assert len(set(pages.values())) == 1
    status, html = pages["unknown"]
    assert status == 404 and "This link cannot be used" in html and "Ask your administrator for a new link." in html
    # A POST to a link that cannot be used writes nothing either.
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post(f"/set-password/{expired}", data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD,
                                                             "csrf_token": token})
    assert response.status_code == 404 and not sign_in_works(app, "nurse@example.org", NEW_PASSWORD)


def test_a_new_link_voids_the_earlier_one(client, post_form, as_admin):
    nurse = as_admin["people"]["nurse"]
    first = create_link(post_form, nurse)
    second = create_link(post_form, nurse)
    assert links.usable_link(first) is None and links.usable_link(second) is not None


def test_a_link_stops_working_when_its_person_leaves(post_form, as_admin):
    nurse = as_admin["people"]["nurse"]
    token = create_link(post_form, nurse)
    post_form(f"/admin/people/{nurse.id}/deactivate", {"on-day": "15", "on-month": "10", "on-year": "2025"})
    assert links.usable_link(token) is None
    # And no new link is made for someone who has left.
    response = post_form(f"/admin/people/{nurse.id}/set-password-link", token_from=f"/admin/people/{nurse.id}",
                         follow_redirects=True)
    assert "Reactivate them before creating a set-password link." in response.get_data(as_text=True)
    assert len(db.session.scalars(select(SetPasswordLink)).all()) == 1


def test_two_requests_racing_with_one_link_set_one_password(monkeypatch, as_admin):
    admin, nurse = as_admin["people"]["admin"], as_admin["people"]["nurse"]
    token, row = links.create_link(admin, nurse)
    links.set_password_by_link(token, NEW_PASSWORD, NEW_PASSWORD)
    # The second request read the link before the first one used it.
    monkeypatch.setattr(links, "usable_link", lambda token, now=None: row)
    with pytest.raises(Refused) as refused:
        links.set_password_by_link(token, "another-password-entirely", "another-password-entirely")
    assert refused.value.errors == {"form": links.UNUSABLE}
