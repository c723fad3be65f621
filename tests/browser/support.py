"""Plain helpers for the browser tests (the fixtures are in conftest.py): signing in through the
real form, the accessibility check, screenshots, and activities made for a journey to decide on."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from tracker.extensions import db

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# axe leaves its experimental rules out unless asked; those that map to a WCAG success criterion
# (label-in-name, table captions, orientation lock...) count like the others.
AXE_RUN_TAGS = WCAG_TAGS + ["experimental"]
DEMO_PASSWORD = "demo-pass-2026"
PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}


def submit_for_decision(app, manager_email: str, count: int, day: date) -> list[int]:
    """Make `count` submitted activities, dated `day`, for people whose line manager is the
    given manager, so a journey that decides on some does not depend on what ran before it."""
    from sqlalchemy import select

    from tracker.models import Activity, ActivityStatus, ActivityType, Person

    with app.app_context():
        manager = db.session.scalar(select(Person).where(Person.email == manager_email))
        reports = list(db.session.scalars(
            select(Person).where(Person.line_manager_id == manager.id, Person.active.is_(True),
                                 Person.email != "staff@example.org").order_by(Person.id).limit(count)))
        observed = db.session.scalar(select(ActivityType).where(ActivityType.experiential.is_(True))
                                     .order_by(ActivityType.id).limit(1))
        activities = [Activity(owner_id=person.id, occurred_on=day - timedelta(days=1), title="Observed handover",
                               type_id=observed.id, duration_minutes=60, status=ActivityStatus.SUBMITTED,
                               reflection={}) for person in reports]
        db.session.add_all(activities)
        db.session.commit()
        return [activity.id for activity in activities]


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    give_demo_code(page)


def give_demo_code(page) -> None:
    """The demo admin and lead are asked for a code: type the one the demo secret gives now (on
    the suite's code clock, moved on a step so that each sign-in's code is new)."""
    if not page.url.split("?")[0].endswith("/sign-in/code"):
        return
    import pyotp

    from tests.support import SECOND_FACTOR_CLOCK
    from tracker.auth.mfa import DEMO_SECRET

    page.get_by_label("Enter the code from your authenticator app").fill(
        pyotp.TOTP(DEMO_SECRET).at(SECOND_FACTOR_CLOCK.next_step()))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def assert_accessible(page, name: str = "") -> None:
    """axe-core finds no WCAG 2.2 A or AA violations on the page as it is now (experimental rules
    that map to WCAG included), and at phone width nothing scrolls sideways."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_RUN_TAGS},
                                       "resultTypes": ["violations"]})
    violations = [v for v in results.response["violations"] if set(v["tags"]) & set(WCAG_TAGS)]
    summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert not violations, f"{name}: {summary}"
    assert_no_sideways_scroll(page, name)


def assert_no_sideways_scroll(page, name: str = "") -> None:
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{name}: the page is {scroll_width} px wide at {width} px"


class ConsoleWatch:
    """Console errors, uncaught script errors and failed requests seen by a page. A test that
    expects an error response (a refused form, a 404 page) says so with `expect_error_status`."""

    def __init__(self, page):
        self.problems: list[str] = []
        self.expected_statuses: set[int] = set()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def expect_error_status(self, *statuses: int) -> None:
        self.expected_statuses.update(statuses)

    def _console(self, message) -> None:
        if message.type != "error":
            return
        # Chromium reports every 4xx/5xx response on the console too; _response judges those.
        if message.text.startswith("Failed to load resource: the server responded with a status of"):
            return
        self.problems.append(f"console: {message.text}")

    def _failed(self, request) -> None:
        if request.failure and "ERR_ABORTED" in request.failure:
            return  # a download, or a navigation the test started before the last one ended
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response) -> None:
        if response.status >= 400 and response.status not in self.expected_statuses:
            self.problems.append(f"{response.status} from {response.url}")

    def assert_clean(self, name: str = "") -> None:
        problems, self.problems = self.problems, []
        assert not problems, f"{name}: {problems}"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
