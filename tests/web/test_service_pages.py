"""The pages every NHS service has: linked from the footer of every page, open to everyone signed
in or not, and kept by education leads like the hub's sections."""
from __future__ import annotations

import pytest

from tests.factories import PASSWORD, make_person, make_tree
from tests.support import csrf_token_from
from tracker.extensions import db

PAGES = {"/accessibility-statement": "Accessibility statement", "/privacy": "Privacy notice",
         "/cookies": "Cookies", "/help": "Help and contact"}


@pytest.fixture
def people(db_session):
    tree = make_tree()
    make_person(tree["trust"], email="lead@example.org", roles=["education_lead"])
    make_person(tree["ward7"], email="nurse@example.org")
    db.session.commit()


def text_of(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("url, title", PAGES.items())
def test_every_page_is_open_signed_out_and_linked_from_every_footer(client, people, url, title):
    page = text_of(client.get(url))
    assert f"<h1>{title}</h1>" in page
    sign_in_page = text_of(client.get("/"))
    assert f'href="{url}"' in sign_in_page.split("nhsuk-footer", 1)[1]


def test_the_privacy_notice_keeps_the_draft_and_reflection_promises(client, people):
    page = text_of(client.get("/privacy"))
    assert "A draft is yours alone." in page and "Sign-off needs only the summary" in page


def test_an_education_lead_edits_a_service_page_and_everyone_sees_it(client, sign_in, people):
    assert sign_in("lead@example.org", PASSWORD).status_code == 302
    assert "Edit this page" in text_of(client.get("/help"))
    form = text_of(client.get("/hub/manage/sections/help"))
    response = client.post("/hub/manage/sections/help", data={
        "csrf_token": csrf_token_from(form), "summary": "Who to ask", "action": "save",
        "body": "Call the learning and development team on 01234 567890."})
    assert response.status_code == 302 and response.headers["Location"].endswith("/help")
    client.post("/sign-out", data={"csrf_token": csrf_token_from(text_of(client.get("/help")))})
    assert "01234 567890" in text_of(client.get("/help"))


def test_staff_cannot_edit_a_service_page(client, sign_in, people):
    assert sign_in("nurse@example.org", PASSWORD).status_code == 302
    page = text_of(client.get("/privacy"))
    assert "Edit this page" not in page
    response = client.post("/hub/manage/sections/privacy", data={
        "csrf_token": csrf_token_from(page), "summary": "x", "body": "y", "action": "save"})
    assert response.status_code == 403


def test_service_pages_are_not_hub_sections(client, people):
    assert client.get("/hub/privacy").status_code == 404
