"""The hub: guidance pages for everyone, catalogue and library for signed-in staff, editing for leads."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, make_activity, make_activity_type, make_person, make_tree
from tests.shipped import course_count, resource_count, section_count
from tracker.extensions import db
from tracker.hub.link_address import NOT_ALLOWED
from tracker.hub.seed import load_hub_content
from tracker.hub.sections import SECTION_TITLES
from tracker.models import AuditEvent, Behaviour, Course, Framework, HubSection, RequirementRule, Resource
from tracker.reference import load_reference_data

SECTIONS = {
    "patient": "Patient",
    "staff": "Staff",
    "leadership-and-management": "Leadership and management",
    "relevant-frameworks": "Relevant frameworks",
    "training-and-elearning": "Training and elearning",
    "resources-and-more-information": "Resources and more information",
}


@pytest.fixture
def org(db_session):
    load_reference_data()
    tree = make_tree()
    people = {
        "porter": make_person(tree["ward7"], email="porter@example.org", tier=1, name="Pat Porter"),
        "nurse": make_person(tree["ward7"], email="nurse@example.org", tier=2, name="Nia Nurse"),
        "manager": make_person(tree["ward7"], email="manager@example.org", tier=3, roles=["manager"],
                               scope=[tree["ward7"]]),
        "lead": make_person(tree["ward7"], email="lead@example.org", tier=3, roles=["education_lead"]),
        "admin": make_person(tree["ward7"], email="admin@example.org", tier=1, roles=["admin"]),
    }
    db.session.commit()  # a savepoint: a view's rollback must not take the fixture with it
    return {"tree": tree, **people}


def _html(response) -> str:
    return response.get_data(as_text=True)


def _h1(html: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip()


def _course(title="SAGE & THYME Foundation Level workshop") -> Course:
    return db.session.scalar(select(Course).where(Course.title == title))


# --- guidance: readable signed out -------------------------------------------------------


def test_section_names_are_exactly_the_six(app):
    assert SECTION_TITLES == SECTIONS


def test_hub_is_readable_signed_out_with_the_circle_and_the_list(client, org):
    html = _html(client.get("/hub"))
    assert _h1(html) == "The communication skills hub"
    wheel = re.search(r'<nav class="app-wheel".*?</nav>', html, re.S).group(0)
    # Every section is a real link in the circle, centre first then clockwise, named by its title.
    names = re.findall(r'<a class="app-wheel__link" href="/hub/([a-z-]+)" aria-label="([^"]+)"', wheel)
    assert names == list(SECTIONS.items())
    assert "<image" not in wheel and "<img" not in wheel  # text, never a picture of text
    for slug, title in SECTIONS.items():
        assert f'<a href="/hub/{slug}">{title}</a>' in html  # the plain list of the same links


@pytest.mark.parametrize("slug,title", SECTIONS.items())
def test_each_section_page_is_public_with_its_exact_heading(client, org, slug, title):
    response = client.get(f"/hub/{slug}")
    assert response.status_code == 200
    html = _html(response)
    assert _h1(html) == title
    assert "Where these facts come from" in html
    assert f'href="/hub/resources?section={slug}"' in html


def test_an_unknown_section_is_not_found(client, org):
    assert client.get("/hub/no-such-section").status_code == 404


def test_sections_work_before_any_content_is_loaded(client, db_session):
    # A fresh database without the reference data still shows the shipped guidance.
    assert db.session.scalar(select(func.count()).select_from(HubSection)) == 0
    assert _h1(_html(client.get("/hub/staff"))) == "Staff"


def test_patient_and_staff_sections_lead_to_logging_with_matching_subjects(client, org):
    patient = _html(client.get("/hub/patient"))
    assert re.search(r'href="/activities/new\?subjects=1(?:%2C|,)2(?:%2C|,)3(?:%2C|,)4(?:%2C|,)5"', patient)
    staff = _html(client.get("/hub/staff"))
    assert re.search(r'href="/activities/new\?subjects=2(?:%2C|,)6(?:%2C|,)7"', staff)


def test_section_links_are_narrowed_to_the_signed_in_persons_tier(client, sign_in, org):
    sign_in("porter@example.org", PASSWORD)  # tier 1: steps 2 and 3 and the leadership subjects are not theirs
    patient = _html(client.get("/hub/patient"))
    assert re.search(r'href="/activities/new\?subjects=1(?:%2C|,)2(?:%2C|,)3"', patient)
    staff = _html(client.get("/hub/staff"))
    assert re.search(r'href="/activities/new\?subjects=2"', staff)


def test_leadership_section_tells_staff_what_to_ask_of_their_manager(client, sign_in, org):
    sign_in("nurse@example.org", PASSWORD)
    html = _html(client.get("/hub/leadership-and-management"))
    assert "What to ask of your manager" in html
    assert "Go to your team dashboard" not in html


def test_leadership_section_takes_managers_to_their_dashboard(client, sign_in, org):
    sign_in("manager@example.org", PASSWORD)
    html = _html(client.get("/hub/leadership-and-management"))
    assert "Go to your team dashboard" in html and "What to ask of your manager" not in html


@pytest.mark.parametrize("slug,target", [
    ("relevant-frameworks", "/hub/framework"),
    ("training-and-elearning", "/hub/courses"),
    ("resources-and-more-information", "/hub/resources"),
])
def test_other_sections_lead_to_the_part_of_the_tracker_that_acts_on_them(client, org, slug, target):
    assert re.search(rf'class="nhsuk-action-link"\s+href="{target}"', _html(client.get(f"/hub/{slug}")))


def test_sign_in_page_shows_the_hub_beside_the_form(client, org):
    html = _html(client.get("/"))
    assert re.search(r"<label[^>]*>\s*Email address\s*</label>", html)
    assert re.search(r"<label[^>]*>\s*Password\s*</label>", html)
    assert re.search(r"<button[^>]*>\s*Sign in\s*</button>", html)
    assert 'class="app-wheel"' in html and 'href="/hub"' in html


def test_signed_in_navigation_has_the_hub(client, sign_in, org):
    sign_in("nurse@example.org", PASSWORD)
    assert re.search(r'href="/hub"[^>]*>\s*Hub\s*<', _html(client.get("/")))


# --- the framework browser ------------------------------------------------------------------


SHORT_LINE = "The behaviour statements below are Test Trust’s adaptation of the framework, not its published wording."


def test_framework_browser_tells_everyone_in_a_line_whose_wording_it_is(client, org):
    html = _html(client.get("/hub/framework"))
    framework = db.session.scalar(select(Framework).where(Framework.is_current.is_(True)))
    assert SHORT_LINE in html
    assert "About the wording of the behaviours" not in html and framework.wording_note.split(".")[0] not in html
    for code in ("1.1", "4.1", "5.5", "7.5"):
        assert f'<strong class="app-behaviours__code">{code}</strong>' in html


@pytest.mark.parametrize("email,full", [("porter@example.org", False), ("manager@example.org", False),
                                        ("lead@example.org", True), ("admin@example.org", True)])
def test_education_leads_and_admins_get_the_full_note_on_the_wording(client, sign_in, org, email, full):
    sign_in(email, PASSWORD)
    html = _html(client.get("/hub/framework"))
    framework = db.session.scalar(select(Framework).where(Framework.is_current.is_(True)))
    assert SHORT_LINE in html
    assert ("About the wording of the behaviours" in html) is full
    assert (framework.wording_note.split(".")[0] in html) is full
    assert (f'>{framework.source_url}</a>' in html) is full  # where the framework comes from
    assert ("Before staff rely on the wording, check:" in html) is full


def test_framework_browser_shows_the_signed_in_persons_tier_and_requirement(client, sign_in, org):
    sign_in("porter@example.org", PASSWORD)
    html = _html(client.get("/hub/framework"))
    assert "You are <strong>tier 1</strong>" in html
    assert "What tier 1 asks each appraisal year" in html
    assert "1 experiential activity, covering at least 2 behaviours" in html
    assert '<strong class="app-behaviours__code">3.1</strong>' in html
    assert '<strong class="app-behaviours__code">4.1</strong>' not in html  # tier 2 and up
    assert "Step 2: Conversations to enable and support people" in html.split("Not shown")[1]


def test_framework_browser_filters_by_any_tier_and_all(client, org):
    tier3 = _html(client.get("/hub/framework?tier=3"))
    assert "at least 6 hours in all" in tier3 and "one of them from a leadership subject" in tier3
    assert '<strong class="app-behaviours__code">7.1</strong>' in tier3
    everything = _html(client.get("/hub/framework?tier=all"))
    assert '<strong class="app-behaviours__code">7.1</strong>' in everything
    assert "Not shown" not in everything
    assert client.get("/hub/framework?tier=9").status_code == 200  # nonsense falls back, never a 500


def test_framework_browser_marks_behaviours_logged_this_year_and_links_to_courses(app, client, sign_in, org, today):
    b22 = db.session.scalar(select(Behaviour).join(Framework).where(Framework.is_current.is_(True), Behaviour.code == "2.2"))
    make_activity(org["porter"], make_activity_type(), occurred_on=today, behaviours=[b22])
    sign_in("porter@example.org", PASSWORD)
    html = _html(client.get("/hub/framework"))
    item = re.search(r'app-behaviours__code">2\.2</strong>.*?</li>', html, re.S).group(0)
    assert "In an activity you logged this year" in item
    assert 'href="/hub/courses?behaviour=2.2"' in item
    other = re.search(r'app-behaviours__code">2\.1</strong>.*?</li>', html, re.S).group(0)
    assert "In an activity you logged this year" not in other


# --- the catalogue and library need sign-in -----------------------------------------------


@pytest.mark.parametrize("url", ["/hub/courses", "/hub/courses/1", "/hub/resources"])
def test_catalogue_and_library_need_sign_in(client, org, url):
    response = client.get(url)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_staff_browse_the_catalogue_with_every_course_and_its_facts(client, sign_in, org):
    sign_in("nurse@example.org", PASSWORD)
    html = _html(client.get("/hub/courses"))
    assert _h1(html) == "Course catalogue"
    assert f"{course_count()} courses" in html
    sage = _course()
    assert f'href="/hub/courses/{sage.id}"' in html
    assert "Face-to-face" in html and "Foundation" in html and "Experiential" in html
    assert "Typical duration: 3 hours." in html
    assert "Add a course" not in html and "Link broken" not in html


@pytest.mark.parametrize("hours,words", [
    ("1", "1 hour"), ("1.5", "1 hour 30 minutes"), ("2.75", "2 hours 45 minutes"), ("0.25", "15 minutes"),
    ("1.02", "1 hour 1 minute"), (None, "Not stated"),
])
def test_a_courses_typical_duration_is_in_words(client, sign_in, org, hours, words):
    sage = _course()
    sage.duration_hours = Decimal(hours) if hours else None
    db.session.commit()
    sign_in("nurse@example.org", PASSWORD)
    assert f"Typical duration: {words}." in _html(client.get("/hub/courses"))
    page = _html(client.get(f"/hub/courses/{sage.id}"))
    assert re.search(rf"Typical duration\s*</dt>\s*<dd[^>]*>\s*{words}\s*</dd>", page)


def test_a_requirement_of_one_hour_says_hour(client, org):
    rule = db.session.scalar(select(RequirementRule).where(RequirementRule.tier == 2))
    rule.min_hours = Decimal(1)
    db.session.commit()
    html = _html(client.get("/hub/framework?tier=2"))
    assert "at least 1 hour in all" in html and "1 hours" not in html


@pytest.mark.parametrize("query,expected,unexpected", [
    ("format=e-learning", "e-learning for End of Life", "SAGE &amp; THYME Foundation"),
    ("level=advanced", "Advanced Communication Skills Training", "SAGE &amp; THYME Foundation"),
    ("experiential=y", "SAGE &amp; THYME Foundation Level workshop", "SAGE &amp; THYME Online"),
    ("behaviour=7.3", "Cancer Support UK", "SAGE &amp; THYME"),
    ("q=thyme", "SAGE &amp; THYME Online", "VitalTalk"),
    ("format=virtual&format=face-to-face&level=foundation", "SAGE &amp; THYME Online", "Advanced Communication"),
])
def test_catalogue_filters(client, sign_in, org, query, expected, unexpected):
    sign_in("nurse@example.org", PASSWORD)
    html = _html(client.get(f"/hub/courses?{query}"))
    results = html.split('id="results"')[1]
    assert expected.split(" for ")[0] in results
    assert unexpected not in results


def test_catalogue_ignores_nonsense_filters(client, sign_in, org):
    sign_in("nurse@example.org", PASSWORD)
    response = client.get("/hub/courses?format=carrier-pigeon&level=9&behaviour=99.9&q=" + "x" * 5000)
    assert response.status_code == 200
    assert client.get("/hub/courses?q=sage%0A%25_").status_code == 200
    assert client.get("/hub/resources?section=nowhere&audience=x").status_code == 200
    # A NUL is refused for every page by tracker/input_guard.py: the 400 page, not a 500.
    assert client.get("/hub/courses?q=sage%00").status_code == 400
    assert client.get("/hub/resources?section=%00&audience=x").status_code == 400


def test_course_page_offers_i_did_this_with_the_course_preselected(client, sign_in, org):
    sign_in("nurse@example.org", PASSWORD)
    sage = _course()
    html = _html(client.get(f"/hub/courses/{sage.id}"))
    assert _h1(html) == "SAGE &amp; THYME Foundation Level workshop"
    assert re.search(rf'<a class="nhsuk-button" href="/activities/new\?course={sage.id}"[^>]*>I did this</a>', html)
    assert f'href="{sage.url}" rel="noopener noreferrer"' in html
    for behaviour in sage.behaviours:
        assert f"<strong>{behaviour.code}</strong>" in html


def _sign_out(post_form) -> None:
    post_form("/sign-out", token_from="/")


def test_a_retired_course_is_hidden_from_staff_but_not_from_leads(client, sign_in, post_form, org):
    sage = _course()
    sage.retired = True
    db.session.flush()
    sign_in("nurse@example.org", PASSWORD)
    assert client.get(f"/hub/courses/{sage.id}").status_code == 404
    assert "SAGE &amp; THYME Foundation" not in _html(client.get("/hub/courses?retired=y"))
    _sign_out(post_form)
    sign_in("lead@example.org", PASSWORD)
    assert client.get(f"/hub/courses/{sage.id}").status_code == 200
    assert "SAGE &amp; THYME Foundation" not in _html(client.get("/hub/courses"))
    assert "SAGE &amp; THYME Foundation" in _html(client.get("/hub/courses?retired=y"))


def test_staff_browse_the_library_by_section_and_audience(client, sign_in, org):
    sign_in("nurse@example.org", PASSWORD)
    html = _html(client.get("/hub/resources"))
    assert _h1(html) == "Resource library"
    assert f"{resource_count()} resources" in html
    for title in SECTIONS.values():
        assert f'<h2 class="nhsuk-heading-m">{title}</h2>' in html
    patient = _html(client.get("/hub/resources?section=patient"))
    assert '<h2 class="nhsuk-heading-m">Patient</h2>' in patient
    assert '<h2 class="nhsuk-heading-m">Staff</h2>' not in patient
    managers = _html(client.get("/hub/resources?audience=managers"))
    assert "The NHS Long Term Plan" in managers and "Making Every Contact Count" not in managers
    assert 'rel="noopener noreferrer"' in managers


def test_retired_resources_are_hidden_from_staff(client, sign_in, org):
    resource = db.session.scalar(select(Resource).where(Resource.title == "Making Every Contact Count"))
    resource.retired = True
    db.session.flush()
    sign_in("nurse@example.org", PASSWORD)
    assert "Making Every Contact Count" not in _html(client.get("/hub/resources?retired=y"))


# --- broken links are flagged for education leads --------------------------------------------


def test_leads_see_broken_links_flagged_and_staff_do_not(client, sign_in, post_form, org):
    sage = _course()
    sage.link_ok, sage.link_status, sage.link_error = False, 404, "HTTP 404 Not Found"
    resource = db.session.scalar(select(Resource).where(Resource.title == "Population health"))
    resource.link_ok, resource.link_error = False, "Connection refused"
    db.session.flush()
    sign_in("lead@example.org", PASSWORD)
    catalogue = _html(client.get("/hub/courses"))
    assert "1 course had a link that did not work" in catalogue and "HTTP 404 Not Found" in catalogue
    only_broken = _html(client.get("/hub/courses?broken=y")).split('id="results"')[1]
    assert "1 course" in only_broken and "VitalTalk" not in only_broken
    library = _html(client.get("/hub/resources"))
    assert "1 resource had a link that did not work" in library and "Connection refused" in library
    assert '<a href="/hub/resources?broken=y">Show only those resources</a>' in library
    assert "Link broken" in _html(client.get(f"/hub/courses/{sage.id}"))
    _sign_out(post_form)
    sign_in("nurse@example.org", PASSWORD)
    assert "Link broken" not in _html(client.get("/hub/courses"))
    assert "Link broken" not in _html(client.get("/hub/resources"))
    assert "HTTP 404" not in _html(client.get(f"/hub/courses/{sage.id}"))


# --- the number of queries does not grow with the data -------------------------------------


def _add_courses_and_resources(n: int) -> None:
    behaviours = list(db.session.scalars(select(Behaviour).limit(4)))
    for i in range(n):
        db.session.add(Course(code=f"extra-{i}", title=f"Extra course {i}", format="virtual", level="foundation",
                              url=f"https://example.org/{i}", behaviours=behaviours))
        db.session.add(Resource(title=f"Extra resource {i}", section_slug="staff", audience="everyone",
                                url=f"https://example.org/r/{i}"))
    db.session.flush()


@pytest.mark.parametrize("url", ["/hub/courses", "/hub/resources", "/hub/framework", "/hub", "/hub/patient"])
def test_page_queries_do_not_grow_with_the_data(client, sign_in, org, count_queries, url):
    sign_in("lead@example.org", PASSWORD)
    client.get(url)  # warm up whatever is cached per process
    with count_queries() as small:
        assert client.get(url).status_code == 200
    _add_courses_and_resources(25)
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert large.count == small.count, (small.statements, large.statements)


# --- the seed ---------------------------------------------------------------------------------


def test_seed_loads_the_sections_and_the_library_once(db_session):
    assert section_count() == len(SECTIONS)
    assert load_hub_content() == (section_count(), resource_count())
    assert load_hub_content() == (0, 0)
    assert db.session.scalar(select(func.count()).select_from(HubSection)) == section_count()
    resources = db.session.scalars(select(Resource)).all()
    assert len(resources) == resource_count()
    assert all(r.url.startswith("https://") and r.summary and r.publisher for r in resources)
    assert {r.section_slug for r in resources} == set(SECTIONS)


def test_seed_never_overwrites_a_leads_text(db_session):
    load_hub_content()
    row = db.session.get(HubSection, "staff")
    row.body_markdown = "Our own words."
    db.session.flush()
    load_hub_content()
    assert db.session.get(HubSection, "staff").body_markdown == "Our own words."


def test_every_seeded_course_maps_to_behaviours(org):
    courses = db.session.scalars(select(Course)).all()
    assert len(courses) == course_count() and all(course.behaviours for course in courses)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0  # seeding is not an action


def test_leads_see_links_the_checker_may_not_visit_as_not_checked(client, sign_in, org):
    sage = _course()
    sage.link_ok, sage.link_error = None, NOT_ALLOWED
    sage.link_checked_at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    db.session.flush()
    sign_in("lead@example.org", PASSWORD)
    page = _html(client.get(f"/hub/courses/{sage.id}"))
    assert "Link not checked" in page and NOT_ALLOWED in page and "Link broken" not in page
    assert "had a link that did not work" not in _html(client.get("/hub/courses"))
