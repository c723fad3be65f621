"""Education leads keep the hub: section text, courses and resources. Nobody else may."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.support import csrf_token_from
from tests.factories import PASSWORD, make_person, make_tree
from tracker.extensions import db
from tracker.hub.library import ResourceDetails, add_resource
from tracker.models import AuditEvent, Behaviour, Course, Framework, HubSection, Person, Resource
from tracker.reference import load_reference_data
from tracker.refusal import Refused


@pytest.fixture
def org(db_session):
    load_reference_data()
    tree = make_tree()
    make_person(tree["ward7"], email="nurse@example.org", tier=2)
    make_person(tree["ward7"], email="manager@example.org", tier=3, roles=["manager"], scope=[tree["ward7"]])
    make_person(tree["ward7"], email="lead@example.org", tier=3, roles=["education_lead"])
    make_person(tree["ward7"], email="admin@example.org", tier=1, roles=["admin"])
    db.session.commit()  # a savepoint: a view's rollback must not take the fixture with it
    return tree


def _html(response) -> str:
    return response.get_data(as_text=True)


def _course() -> Course:
    return db.session.scalar(select(Course).where(Course.code == "sage-thyme-foundation"))


def _resource() -> Resource:
    return db.session.scalar(select(Resource).where(Resource.title == "Making Every Contact Count"))


def _behaviour(code: str) -> Behaviour:
    return db.session.scalar(select(Behaviour).join(Framework).where(Framework.is_current.is_(True), Behaviour.code == code))


def _audit(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def _edit_urls() -> list[tuple[str, str]]:
    course, resource = _course(), _resource()
    return [
        ("GET", "/hub/manage/sections/patient"), ("POST", "/hub/manage/sections/patient"),
        ("GET", "/hub/manage/courses/new"), ("POST", "/hub/manage/courses/new"),
        ("GET", f"/hub/manage/courses/{course.id}"), ("POST", f"/hub/manage/courses/{course.id}"),
        ("POST", f"/hub/manage/courses/{course.id}/retire"), ("POST", f"/hub/manage/courses/{course.id}/restore"),
        ("GET", "/hub/manage/resources/new"), ("POST", "/hub/manage/resources/new"),
        ("GET", f"/hub/manage/resources/{resource.id}"), ("POST", f"/hub/manage/resources/{resource.id}"),
        ("POST", f"/hub/manage/resources/{resource.id}/retire"), ("POST", f"/hub/manage/resources/{resource.id}/restore"),
    ]


def test_every_editing_route_is_in_the_list_above(app, org):
    listed = {re.sub(r"/\d+", "/<id>", url) for _, url in _edit_urls()}
    registered = {re.sub(r"<[^>]+>", "<id>", r.rule).replace("/sections/<id>", "/sections/patient")
                  for r in app.url_map.iter_rules() if r.endpoint.startswith("hub.edit.")}
    assert registered == listed


def _open(client, method: str, url: str, token_from: str):
    # POSTs carry a valid CSRF token, so that it is the permission check that answers, not CSRF.
    data = {"csrf_token": csrf_token_from(_html(client.get(token_from)))} if method == "POST" else None
    return client.open(url, method=method, data=data)


def test_editing_needs_sign_in(client, org):
    for method, url in _edit_urls():
        response = _open(client, method, url, token_from="/sign-in")
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], (method, url)


@pytest.mark.parametrize("email", ["nurse@example.org", "manager@example.org"])
def test_staff_and_managers_may_not_edit(client, sign_in, org, email):
    sign_in(email, PASSWORD)
    for method, url in _edit_urls():
        assert _open(client, method, url, token_from="/").status_code == 403, (email, method, url)
    assert _course().retired is False and _resource().retired is False
    html = _html(client.get("/hub/patient"))
    assert "Edit this page" not in html


@pytest.mark.parametrize("email", ["lead@example.org", "admin@example.org"])
def test_leads_and_admins_reach_every_editing_page(client, sign_in, org, email):
    sign_in(email, PASSWORD)
    for method, url in _edit_urls():
        if method == "GET":
            assert client.get(url).status_code == 200, url
    assert "Edit this page" in _html(client.get("/hub/patient"))


def test_editing_an_id_that_does_not_exist_is_not_found(client, sign_in, org):
    sign_in("lead@example.org", PASSWORD)
    assert client.get("/hub/manage/courses/999999").status_code == 404
    assert client.get("/hub/manage/resources/999999").status_code == 404
    assert client.get("/hub/manage/sections/no-such-section").status_code == 404


def test_a_post_without_the_csrf_token_is_refused(client, sign_in, org):
    sign_in("lead@example.org", PASSWORD)
    response = client.post(f"/hub/manage/courses/{_course().id}/retire")
    assert response.status_code == 400
    assert _course().retired is False


# --- section text ----------------------------------------------------------------------------


def test_a_lead_saves_section_text_and_it_is_rendered_safely(client, sign_in, post_form, org):
    sign_in("lead@example.org", PASSWORD)
    body = ("## What good looks like\n\nListen **first**.\n\n<script>alert('x')</script>\n\n"
            "[bad](javascript:alert(1)) [good](https://www.nhs.uk/)")
    response = post_form("/hub/manage/sections/staff", {"summary": "Talking with each other.", "body": body,
                                                        "action": "save"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/hub/staff")
    row = db.session.get(HubSection, "staff")
    assert row.body_markdown == body and row.title == "Staff"
    html = _html(client.get("/hub/staff"))
    assert "<h2>What good looks like</h2>" in html and "<strong>first</strong>" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert '<a href="https://www.nhs.uk/" rel="noopener noreferrer">good</a>' in html
    assert "Talking with each other." in html
    assert [e.detail for e in _audit("hub.section_saved")] == [{"section": "staff"}]


def test_preview_shows_the_rendered_text_without_saving(client, sign_in, post_form, org):
    sign_in("lead@example.org", PASSWORD)
    before = db.session.get(HubSection, "patient").body_markdown
    html = _html(post_form("/hub/manage/sections/patient",
                           {"summary": "S", "body": "## Previewed heading", "action": "preview"}))
    assert "<h2>Previewed heading</h2>" in html and "Nothing is saved" in html
    assert db.session.get(HubSection, "patient").body_markdown == before
    assert _audit("hub.section_saved") == []


@pytest.mark.parametrize("summary,body,message,field", [
    ("", "Some text", "Enter a summary", "summary"),
    ("x" * 301, "Some text", "Summary must be 300 characters or fewer", "summary"),
    ("Fine", "   ", "Enter the text of the page", "body"),
    ("Fine", "x" * 20001, "Text must be 20,000 characters or fewer", "body"),
])
def test_bad_section_text_is_refused_with_a_message(client, sign_in, post_form, org, summary, body, message, field):
    sign_in("lead@example.org", PASSWORD)
    before = db.session.get(HubSection, "patient").body_markdown
    response = post_form("/hub/manage/sections/patient", {"summary": summary, "body": body, "action": "save"})
    html = _html(response)
    assert response.status_code == 200
    assert "There is a problem" in html and f'href="#{field}"' in html and message in html
    assert "<title>Error:" in html
    assert db.session.get(HubSection, "patient").body_markdown == before


# --- courses -----------------------------------------------------------------------------------


def _course_form(**overrides) -> dict:
    data = {"title": "Difficult conversations in the ward", "provider": "Our learning team",
            "format": "face-to-face", "level": "intermediate", "duration_hours": "3.5",
            "url": "https://learning.example.org/difficult-conversations", "experiential": "y",
            "description": "Role-play with actors.", "behaviours": [str(_behaviour("2.4").id), str(_behaviour("5.1").id)]}
    data.update(overrides)
    return data


def test_a_lead_adds_a_course_with_its_behaviours(client, sign_in, post_form, org):
    sign_in("lead@example.org", PASSWORD)
    response = post_form("/hub/manage/courses/new", _course_form())
    added = db.session.scalar(select(Course).where(Course.title == "Difficult conversations in the ward"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/hub/courses/{added.id}")
    assert added.code == "difficult-conversations-in-the-ward"
    assert (added.format, added.level, str(added.duration_hours), added.experiential) == ("face-to-face", "intermediate", "3.50", True)
    assert sorted(b.code for b in added.behaviours) == ["2.4", "5.1"]
    assert _audit("catalogue.course_added")[0].detail["course_id"] == added.id
    html = _html(client.get(f"/hub/courses/{added.id}"))
    assert "3 hours 30 minutes" in html and "I did this" in html


def test_two_courses_with_the_same_title_get_different_codes(client, sign_in, post_form, org):
    sign_in("lead@example.org", PASSWORD)
    post_form("/hub/manage/courses/new", _course_form())
    post_form("/hub/manage/courses/new", _course_form(), token_from="/hub/manage/courses/new")
    codes = set(db.session.scalars(select(Course.code).where(Course.title == "Difficult conversations in the ward")))
    assert codes == {"difficult-conversations-in-the-ward", "difficult-conversations-in-the-ward-2"}


@pytest.mark.parametrize("overrides,field,message", [
    ({"title": ""}, "title", "Enter the course title"),
    ({"format": "carrier-pigeon"}, "format", "Select the format"),
    ({"level": ""}, "level", "Select the level"),
    ({"duration_hours": "three"}, "duration_hours", "Typical duration must be a number of hours, like 3 or 2.5"),
    ({"duration_hours": "NaN"}, "duration_hours", "Typical duration must be a number of hours, like 3 or 2.5"),
    ({"duration_hours": "0"}, "duration_hours", "Typical duration must be between 0.25 and 1000 hours"),
    ({"url": "javascript:alert(1)"}, "url", "Web address must start with https:// or http://"),
    ({"url": "data:text/html,hello"}, "url", "Web address must start with https:// or http://"),
    ({"url": "ftp://files.example.org/x"}, "url", "Web address must start with https:// or http://"),
    ({"url": "/relative/path"}, "url", "Web address must start with https:// or http://"),
    ({"url": "https://exa mple.org"}, "url", "Web address must not contain spaces"),
    ({"url": "https://"}, "url", "Enter a real web address, like https://www.example.org/page"),
    ({"behaviours": ["999999"]}, "behaviours", "Select behaviours from the current framework"),
    ({"behaviours": ["not-a-number"]}, "behaviours", "Invalid choice"),
])
def test_bad_course_details_are_refused_and_nothing_is_saved(client, sign_in, post_form, org, overrides, field, message):
    sign_in("lead@example.org", PASSWORD)
    before = db.session.scalar(select(func.count()).select_from(Course))
    response = post_form("/hub/manage/courses/new", _course_form(**overrides))
    html = _html(response)
    assert response.status_code == 200
    assert "There is a problem" in html and message in html
    if field != "behaviours":
        assert f'href="#{field}"' in html
    assert db.session.scalar(select(func.count()).select_from(Course)) == before
    assert _audit("catalogue.course_added") == []


def test_nul_characters_are_refused_not_sent_to_the_database(client, sign_in, post_form, org):
    # Refused for every form by tracker/input_guard.py, before the hub's own stripping of them.
    sign_in("lead@example.org", PASSWORD)
    before = db.session.scalar(select(func.count()).select_from(Course))
    response = post_form("/hub/manage/courses/new", _course_form(title="Nul\x00 course", description="a\x00b"))
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Course)) == before


def test_every_problem_is_reported_at_once(client, sign_in, post_form, org):
    sign_in("lead@example.org", PASSWORD)
    html = _html(post_form("/hub/manage/courses/new", _course_form(title="", format="", url="javascript:x")))
    assert "Enter the course title" in html and "Select the format" in html and "https://" in html


def test_the_library_refuses_with_a_message_per_field_and_writes_nothing(org):
    lead = db.session.scalar(select(Person).where(Person.email == "lead@example.org"))
    before = db.session.scalar(select(func.count()).select_from(Resource))
    with pytest.raises(Refused) as refused:
        add_resource(lead, ResourceDetails(title="", publisher="", section="nowhere", audience="nobody",
                                           summary="", url="javascript:alert(1)"))
    assert refused.value.errors == {
        "title": "Enter the title", "section": "Select the section it belongs to",
        "audience": "Select who it is for", "url": "Web address must start with https:// or http://",
    }
    assert db.session.scalar(select(func.count()).select_from(Resource)) == before


def test_a_lead_edits_a_course_and_a_new_address_forgets_the_old_check(client, sign_in, post_form, org):
    course = _course()
    course.link_ok, course.link_status, course.link_error = False, 404, "HTTP 404 Not Found"
    db.session.flush()
    sign_in("lead@example.org", PASSWORD)
    form = _html(client.get(f"/hub/manage/courses/{course.id}"))
    assert 'value="SAGE &amp; THYME Foundation Level workshop"' in form and 'value="3"' in form
    ticked = re.findall(r'name="behaviours" type="checkbox" value="(\d+)"\s*checked', form)
    assert sorted(map(int, ticked)) == sorted(b.id for b in course.behaviours)
    response = post_form(f"/hub/manage/courses/{course.id}",
                         _course_form(title="SAGE & THYME Foundation", url="https://sageandthymetraining.org.uk/new",
                                      behaviours=[str(_behaviour("2.2").id)]))
    assert response.status_code == 302
    db.session.refresh(course)
    assert course.title == "SAGE & THYME Foundation" and [b.code for b in course.behaviours] == ["2.2"]
    assert course.link_ok is None and course.link_error is None
    assert _audit("catalogue.course_updated")[0].detail["course_id"] == course.id


def test_a_lead_retires_and_restores_a_course(client, sign_in, post_form, org):
    course = _course()
    sign_in("lead@example.org", PASSWORD)
    page = f"/hub/courses/{course.id}"
    assert post_form(f"{page.replace('/hub/courses', '/hub/manage/courses')}/retire", token_from=page).status_code == 302
    assert course.retired is True
    assert "Retired" in _html(client.get(page)) and "Restore this course" in _html(client.get(page))
    post_form(f"/hub/manage/courses/{course.id}/restore", token_from=page)
    assert course.retired is False
    assert [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))][-2:] == [
        "catalogue.course_retired", "catalogue.course_restored"]


# --- resources ---------------------------------------------------------------------------------


def _resource_form(**overrides) -> dict:
    data = {"title": "Our trust's communication charter", "publisher": "Our trust", "section": "staff",
            "audience": "everyone", "summary": "What we promise each other.", "url": "https://intranet.example.org/charter"}
    data.update(overrides)
    return data


def test_a_lead_adds_a_resource(client, sign_in, post_form, org):
    sign_in("lead@example.org", PASSWORD)
    response = post_form("/hub/manage/resources/new", _resource_form())
    assert response.status_code == 302 and response.headers["Location"].endswith("/hub/resources?section=staff")
    added = db.session.scalar(select(Resource).where(Resource.title == "Our trust's communication charter"))
    assert (added.section_slug, added.audience, added.retired) == ("staff", "everyone", False)
    assert "Our trust&#39;s communication charter" in _html(client.get("/hub/resources?section=staff"))
    assert _audit("library.resource_added")[0].detail["resource_id"] == added.id


@pytest.mark.parametrize("overrides,field,message", [
    ({"title": " "}, "title", "Enter the title"),
    ({"section": "no-such-section"}, "section", "Select the section it belongs to"),
    ({"audience": ""}, "audience", "Select who it is for"),
    ({"url": ""}, "url", "Enter a web address"),
    ({"url": "JavaScript:alert(1)"}, "url", "Web address must start with https:// or http://"),
    ({"url": "data:text/html;base64,PHNjcmlwdD4="}, "url", "Web address must start with https:// or http://"),
    ({"url": "https://example.org/" + "x" * 1000}, "url", "Web address must be 1000 characters or fewer"),
    ({"url": "http://example.org:notaport/"}, "url", "Enter a real web address"),
])
def test_bad_resource_details_are_refused_and_nothing_is_saved(client, sign_in, post_form, org, overrides, field, message):
    sign_in("lead@example.org", PASSWORD)
    before = db.session.scalar(select(func.count()).select_from(Resource))
    html = _html(post_form("/hub/manage/resources/new", _resource_form(**overrides)))
    assert "There is a problem" in html and message in html and f'href="#{field}"' in html
    assert db.session.scalar(select(func.count()).select_from(Resource)) == before


def test_a_lead_edits_retires_and_restores_a_resource(client, sign_in, post_form, org):
    resource = _resource()
    sign_in("lead@example.org", PASSWORD)
    url = f"/hub/manage/resources/{resource.id}"
    assert 'value="Making Every Contact Count"' in _html(client.get(url))
    post_form(url, _resource_form(title="MECC", section="patient", audience="patient-facing", url=resource.url))
    assert (resource.title, resource.section_slug, resource.audience) == ("MECC", "patient", "patient-facing")
    post_form(f"{url}/retire", token_from=url)
    assert resource.retired is True
    post_form(f"{url}/restore", token_from=url)
    assert resource.retired is False
    actions = [e.action for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.startswith("library.")).order_by(AuditEvent.id))]
    assert actions == ["library.resource_updated", "library.resource_retired", "library.resource_restored"]
