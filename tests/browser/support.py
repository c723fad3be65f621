"""Plain helpers for the browser tests (the fixtures are in conftest.py): signing in through the
real form, the accessibility check, screenshots, and activities made for a journey to decide on."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from tracker.extensions import db

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
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


def assert_accessible(page, name: str = "") -> None:
    """axe-core finds no WCAG 2.2 A or AA violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    violations = results.response["violations"]
    summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert not violations, f"{name}: {summary}"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
