"""Walk one instance of every GET route, as every viewer who may open it, at 1280 and 320 px.

A page fails on a 4xx or 5xx answer, a console or script error, a failed request, an axe-core
WCAG 2.2 A/AA violation (experimental rules that map to WCAG included), sideways scrolling at
320 px, or a people table cut at 1280 px. A file fails on anything but a 200 answer. The table of
routes is tests/browser/walk_routes.py; a GET route missing from it fails the first test.
Layout does not depend on the database engine, so the walk runs in the SQLite pass only.
"""
from __future__ import annotations

import os

import pytest
from flask import url_for
from sqlalchemy import select

from tests.browser.support import (DEMO_PASSWORD, DESKTOP, PHONE, ConsoleWatch, assert_accessible, give_demo_code,
                                   screenshot)
from tests.browser.walk_routes import ROUTES, SIGNED_IN, VIEWERS, prepare_walk
from tracker import access
from tracker.extensions import db
from tracker.models import Person

pytestmark = pytest.mark.skipif(
    "postgresql" in os.environ.get("TEST_DATABASE_URL", ""),
    reason="layout does not depend on the database: the walk runs in the SQLite pass")


def test_every_route_is_in_the_table(live_app):
    get_routes = {rule.endpoint for rule in live_app.url_map.iter_rules() if "GET" in rule.methods}
    assert get_routes - ROUTES.keys() == set(), "GET routes missing from tests/browser/walk_routes.py"
    assert ROUTES.keys() - get_routes == set(), "routes in the table that the app no longer has"


@pytest.fixture(scope="module")
def walk(live_app, browser_today):
    return prepare_walk(live_app, browser_today)


def _may_open(app, viewer: str, endpoint: str) -> bool:
    if endpoint in access.PUBLIC_ENDPOINTS:
        return True
    if VIEWERS[viewer] is None:
        return False
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == VIEWERS[viewer]))
        permission = access.permission_for(endpoint, endpoint.rsplit(".", 1)[0] if "." in endpoint else None)
        return permission is None or access.can(person, permission)


def _addresses(app, walk, viewer: str) -> list[tuple[str, str, bool]]:
    """(endpoint, address, is a file) for every instance this viewer may open."""
    found = []
    with app.test_request_context():
        for endpoint, route in ROUTES.items():
            if route.only and viewer not in route.only:
                continue
            if not _may_open(app, viewer, endpoint):
                continue
            for values in route.address(walk, viewer):
                found.append((endpoint, url_for(endpoint, **values), route.file))
    return found


def test_every_route_has_an_instance_someone_opens(live_app, walk):
    opened = {endpoint for viewer in VIEWERS for endpoint, _, _ in _addresses(live_app, walk, viewer)}
    walked_elsewhere = {endpoint for endpoint, route in ROUTES.items() if route.elsewhere}
    assert set(ROUTES) - opened - walked_elsewhere == set()


def _sign_in(page, viewer: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(VIEWERS[viewer])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    give_demo_code(page)


# Every chart label shown is at least the body-text size, inside the drawing, clear of the plot
# area (so never on the data) and clear of the other labels.
CHART_PROBLEMS = """() => {
  const body = parseFloat(getComputedStyle(document.querySelector('main p') || document.body).fontSize);
  const problems = [];
  const overlap = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  for (const svg of document.querySelectorAll('svg.app-chart__svg')) {
    const box = svg.getBoundingClientRect();
    if (box.width === 0) continue;  // the drawing for the other width
    const scale = box.width / svg.viewBox.baseVal.width;
    const plot = svg.querySelector('.app-chart__plot').getBoundingClientRect();
    const labels = [...svg.querySelectorAll('text')].map((t) => [t.textContent, t.getBoundingClientRect(),
                                                             parseFloat(getComputedStyle(t).fontSize) * scale]);
    labels.forEach(([text, rect, size], i) => {
      if (size < body - 0.5) problems.push(`"${text}" is ${size.toFixed(1)} px, the body text ${body} px`);
      if (rect.left < box.left - 0.5 || rect.right > box.right + 0.5 || rect.top < box.top - 0.5 || rect.bottom > box.bottom + 0.5) problems.push(`"${text}" is cut by the edge`);
      if (overlap(rect, plot)) problems.push(`"${text}" lies on the plot`);
      labels.slice(i + 1).forEach(([other, otherRect]) => { if (overlap(rect, otherRect)) problems.push(`"${text}" overlaps "${other}"`) });
    });
  }
  return problems;
}"""

PEOPLE_TABLE_CUT = """() => [...document.querySelectorAll('.app-scroll')]
  .filter((box) => box.querySelector('.app-people') && box.scrollWidth > box.clientWidth + 1)
  .map((box) => box.getAttribute('aria-labelledby'))"""


@pytest.mark.parametrize("viewer", list(VIEWERS))
@pytest.mark.parametrize("size_name", ["desktop", "phone"])
def test_every_page_a_viewer_may_open(browser, live_server, live_app, walk, viewer, size_name):
    size = DESKTOP if size_name == "desktop" else PHONE
    context = browser.new_context(viewport=size, base_url=live_server, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    watch = ConsoleWatch(page)
    failures = []
    try:
        if viewer in SIGNED_IN:
            _sign_in(page, viewer)
        watch.assert_clean(f"{viewer} signing in")
        for endpoint, address, is_file in _addresses(live_app, walk, viewer):
            name = f"{viewer} {size_name} {endpoint} {address}"
            try:
                if is_file:
                    answer = page.request.get(address)
                    assert answer.status == 200, f"{name}: {answer.status}"
                    continue
                answer = page.goto(address)
                page.wait_for_load_state()
                assert answer.status < 400, f"{name}: {answer.status}"
                assert_accessible(page, name)
                assert page.evaluate(CHART_PROBLEMS) == [], f"{name}: chart labels"
                if size_name == "desktop":
                    assert page.evaluate(PEOPLE_TABLE_CUT) == [], f"{name}: a people table is cut"
                watch.assert_clean(name)
                if os.environ.get("WALK_SCREENSHOTS"):
                    screenshot(page, f"walk-{viewer}-{size_name}-{endpoint}")
            except AssertionError as failure:
                failures.append(str(failure))
                watch.problems = []
    finally:
        context.close()
    assert not failures, "\n".join(failures)
