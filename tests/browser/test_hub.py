"""The hub in a real browser: the circle by keyboard, every guidance page axe-clean, and the journey
from the hub to a course that develops a missing behaviour and the form to log it."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, screenshot, sign_in

SECTIONS = [
    ("patient", "Patient"),
    ("staff", "Staff"),
    ("leadership-and-management", "Leadership and management"),
    ("relevant-frameworks", "Relevant frameworks"),
    ("training-and-elearning", "Training and elearning"),
    ("resources-and-more-information", "Resources and more information"),
]


def _focused_wheel_label(page) -> str | None:
    return page.evaluate(
        "() => { const a = document.activeElement;"
        " return a && a.closest('.app-wheel') ? a.getAttribute('aria-label') : null; }"
    )


def _tab_through_the_wheel(page) -> list[str]:
    """Tab from the top of the page and note each wheel segment that takes focus, in order."""
    page.locator("body").focus()
    seen: list[str] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        label = _focused_wheel_label(page)
        if label:
            seen.append(label)
        elif seen:
            break
    return seen


def test_the_hub_is_clear_and_accessible_signed_out(page, viewport):
    name, size = viewport
    page.set_viewport_size(size)
    page.goto("/hub")
    assert page.get_by_role("heading", level=1).inner_text() == "The communication skills hub"
    wheel = page.get_by_role("navigation", name="The hub's six sections")
    for _, title in SECTIONS:
        expect(wheel.get_by_role("link", name=title, exact=True)).to_be_visible()
    assert_accessible(page, f"hub {name}")
    screenshot(page, f"hub-{name}")


@pytest.mark.parametrize("slug,title", SECTIONS)
def test_each_section_page_is_accessible(page, slug, title):
    page.goto(f"/hub/{slug}")
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert_accessible(page, f"section {slug}")


def test_a_section_page_reads_well_on_a_phone(page):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/hub/patient")
    assert_accessible(page, "patient phone")
    screenshot(page, "hub-section-patient-phone")
    # Nothing wider than the screen: no sideways scrolling at 320px.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320


def test_the_wheel_is_tabbed_through_in_reading_order_and_enter_opens_a_section(page):
    page.goto("/hub")
    assert _tab_through_the_wheel(page) == [title for _, title in SECTIONS]
    # Focus is visible: the focused segment turns NHS focus yellow.
    page.locator("body").focus()
    while _focused_wheel_label(page) != "Staff":
        page.keyboard.press("Tab")
    fill = page.evaluate("() => getComputedStyle(document.activeElement.querySelector('.app-wheel__shape')).fill")
    assert fill == "rgb(255, 235, 59)"
    screenshot(page, "hub-wheel-focus-desktop")
    page.keyboard.press("Enter")
    page.wait_for_url("**/hub/staff")
    assert page.get_by_role("heading", level=1).inner_text() == "Staff"


def test_the_sign_in_page_shows_the_hub_beside_the_form(page):
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_role("navigation", name="The hub's six sections").get_by_role("link", name="Relevant frameworks").click()
    page.wait_for_url("**/hub/relevant-frameworks")
    assert page.get_by_role("heading", level=1).inner_text() == "Relevant frameworks"


def test_framework_browser_is_accessible_and_says_whose_wording_it_is(page, viewport):
    name, size = viewport
    page.set_viewport_size(size)
    page.goto("/hub/framework")
    assert "adaptation of the framework" in page.locator(".app-wording-line").inner_text()
    assert_accessible(page, f"framework {name}")
    screenshot(page, f"hub-framework-{name}")


def test_from_the_hub_to_a_course_for_a_missing_behaviour_and_the_form_to_log_it(page):
    """Done means: a newcomer finds what their tier asks, a course for a missing behaviour, and the form."""
    sign_in(page, "staff@example.org")
    page.get_by_role("link", name="Hub", exact=True).first.click()
    page.get_by_role("link", name="What your tier asks").click()
    page.wait_for_url("**/hub/framework")
    assert re.search(r"You are tier \d", page.locator("main").inner_text())
    expect(page.get_by_role("heading", name=re.compile(r"What tier \d asks each appraisal year"))).to_be_visible()
    assert_accessible(page, "framework signed in")

    # A behaviour not yet in any of this year's activities, that some course develops.
    missing = page.locator(".app-behaviours__item").filter(
        has_not_text="In an activity you logged this year").filter(has=page.locator("a[href*='/hub/courses?behaviour=']"))
    assert missing.count() > 0
    course_link = missing.first.locator("a[href*='/hub/courses?behaviour=']")
    code = parse_qs(urlsplit(course_link.get_attribute("href")).query)["behaviour"][0]
    course_link.click()
    page.wait_for_url(re.compile(r"/hub/courses\?behaviour="))
    assert page.get_by_role("heading", level=1).inner_text() == "Course catalogue"
    assert_accessible(page, "catalogue filtered")
    screenshot(page, "hub-catalogue-desktop")

    page.locator(".app-course-list__item h3 a").first.click()
    page.wait_for_url(re.compile(r"/hub/courses/\d+$"))
    course_id = page.url.rsplit("/", 1)[1]
    assert code in page.locator("main").inner_text()  # the course says it develops that behaviour
    assert_accessible(page, "course page")
    page.get_by_role("link", name="I did this", exact=True).click()
    page.wait_for_url(re.compile(r"/activities/new\?course=\d+"))
    assert parse_qs(urlsplit(page.url).query)["course"] == [course_id]
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    course_select = page.locator("#course_id")
    if course_select.count():  # the portfolio's form preselects the course
        assert course_select.input_value() == course_id


def test_catalogue_and_library_on_a_phone(page):
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, "staff@example.org")
    page.goto("/hub/courses")
    assert_accessible(page, "catalogue phone")
    screenshot(page, "hub-catalogue-phone")
    page.goto("/hub/resources")
    assert page.get_by_role("heading", level=1).inner_text() == "Resource library"
    assert_accessible(page, "library phone")
    screenshot(page, "hub-resources-phone")


def test_education_leads_see_editing_and_link_flags_accessibly(page):
    sign_in(page, "lead@example.org")
    page.goto("/hub/resources")
    expect(page.get_by_role("link", name="Add a resource")).to_be_visible()
    assert_accessible(page, "library lead")
    screenshot(page, "hub-resources-lead-desktop")
    page.goto("/hub/manage/sections/staff")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="Preview", exact=True).wait_for()
    assert_accessible(page, "edit section preview")
    page.goto("/hub/manage/courses/new")
    page.get_by_role("button", name="Save course").click()
    page.locator(".nhsuk-error-summary").wait_for()
    assert "Enter the course title" in page.locator(".nhsuk-error-summary").inner_text()
    assert_accessible(page, "add course errors")
    screenshot(page, "hub-add-course-errors-desktop")
    page.goto("/hub/framework")
    expect(page.get_by_role("heading", name="About the wording of the behaviours")).to_be_visible()
    assert "project" in page.locator(".nhsuk-card--warning").inner_text()
    assert_accessible(page, "framework lead")


@pytest.mark.parametrize("path, title", [("/accessibility-statement", "Accessibility statement"),
                                         ("/privacy", "Privacy notice"), ("/cookies", "Cookies"),
                                         ("/help", "Help and contact")])
def test_the_pages_every_service_has_are_in_the_footer_and_accessible(page, viewport, path, title):
    name, size = viewport
    page.set_viewport_size(size)
    page.goto("/")
    page.locator("footer").get_by_role("link", name=title).click()
    page.wait_for_load_state()
    assert page.url.endswith(path)
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    assert_accessible(page, f"{path} {name}")
    screenshot(page, f"service-page{path.replace('/', '-')}-{name}")
