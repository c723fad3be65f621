"""A draft is its author's alone: no one else's page, count, chart or export shows it or counts it.
Dan (not started, in Ward 7) writes a draft with a course; his manager, the director over him and
the education lead then see exactly what they saw before, and Dan sees his draft."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, make_activity, make_person
from tracker.extensions import db
from tracker.models import ActivityStatus, ActivityType

TITLE = "Private draft about a hard conversation"


@pytest.fixture
def org(known_org, clock):
    clock.move_to(known_org["day"])
    tree = known_org["tree"]
    make_person(tree["trust"], email="lead@example.org", tier=1, roles=["education_lead"], name="Lee Lead")
    make_person(tree["ward7"], email="ward.manager@example.org", tier=2, roles=["manager"], scope=[tree["ward7"]])
    make_person(tree["trust"], email="director@example.org", tier=3, roles=["manager"], scope=[tree["cancer"]])
    known_org["people"]["idle"].email = "dan@example.org"
    db.session.commit()
    return known_org


def pages(client, urls: list[str]) -> dict[str, str]:
    return {url: _without_times(client.get(url).get_data(as_text=True)) for url in urls}


def observed(org):
    return db.session.scalar(select(ActivityType).where(ActivityType.code == "observed_practice_feedback"))


MANAGER_URLS = ["/team/", "/team/?status=in_progress", "/team/?status=not_started", "/team/queue"]
LEAD_URLS = ["/reports/", "/reports/behaviours", "/reports/training", "/reports/export/people.csv",
             "/reports/export/activities.csv", "/reports/export/activities.csv?year=all",
             "/reports/export/uptake.csv", "/reports/export/uptake-breakdown.csv", "/reports/export/coverage.csv",
             "/reports/people", "/reports/people?status=not_started", "/reports/people?status=in_progress",
             "/reports/people?sort=hours&order=desc", "/reports/export/people.csv?status=not_started",
             "/reports/export/people.csv?status=in_progress"]
VIEWERS = [("ward.manager@example.org", MANAGER_URLS), ("director@example.org", MANAGER_URLS),
           ("lead@example.org", LEAD_URLS)]


def _without_times(page: str) -> str:
    # Export description rows, CSRF tokens and script nonces differ from request to request.
    page = re.sub(r'nonce="[^"]*"', "", page)
    return "\n".join(line for line in page.splitlines() if "Generated" not in line and "csrf" not in line)


@pytest.mark.parametrize("email, urls", VIEWERS)
def test_nobody_else_sees_or_counts_a_draft(client, sign_in, org, email, urls):
    assert sign_in(email, PASSWORD).status_code == 302
    before = pages(client, urls)
    draft = make_activity(org["people"]["idle"], observed(org), occurred_on=org["day"], minutes=600,
                          status=ActivityStatus.DRAFT, title=TITLE, behaviours=list(org["b"].values())[:6])
    draft.course_id = org["course"].id
    db.session.commit()
    after = pages(client, urls)
    for url, page in after.items():
        assert TITLE not in page, url
        assert page == before[url], url


def test_the_author_sees_their_draft(client, sign_in, org):
    make_activity(org["people"]["idle"], observed(org), occurred_on=org["day"], status=ActivityStatus.DRAFT,
                  title=TITLE)
    db.session.commit()
    assert sign_in("dan@example.org", PASSWORD).status_code == 302
    assert TITLE in client.get("/my-year?year=2025").get_data(as_text=True)
