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
    make_person(tree["trust"], email="admin@example.org", tier=1, roles=["admin"], name="Ann Admin")
    known_org["people"]["idle"].email = "dan@example.org"
    db.session.commit()
    return known_org


def pages(client, urls: list[str], dan_id: int) -> dict[str, str]:
    found = {}
    for url in urls:
        url = url.format(dan=dan_id)
        response = client.get(url)
        assert response.status_code == 200, url
        found[url] = _without_times(_xlsx_text(response.data) if url.endswith(".xlsx")
                                    else response.get_data(as_text=True))
    return found


def _xlsx_text(content: bytes) -> str:
    """Every cell of every sheet, a line per row, so that a workbook compares like a page."""
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(content), read_only=True)
    return "\n".join(" | ".join("" if v is None else str(v) for v in row)
                     for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))


def observed(org):
    return db.session.scalar(select(ActivityType).where(ActivityType.code == "observed_practice_feedback"))


MANAGER_URLS = ["/", "/team/", "/team/?status=in_progress", "/team/?status=not_started", "/team/queue",
                "/team/queue?include=scope", "/team/people/{dan}"]
EXPORTS = ["people", "activities", "uptake", "uptake-breakdown", "coverage"]
# Home comes last: it names the last export, which is the same one before and after.
LEAD_URLS = (["/reports/", "/reports/behaviours", "/reports/training", "/reports/export/activities.csv?year=all",
              "/reports/people", "/reports/people?status=not_started", "/reports/people?status=in_progress",
              "/reports/people?sort=hours&order=desc", "/reports/export/people.csv?status=not_started",
              "/reports/export/people.csv?status=in_progress"]
             + [f"/reports/export/{key}.{fmt}" for key in EXPORTS for fmt in ("csv", "xlsx")] + ["/"])
# The audit trail gains a row for every export made in between, so it is only searched for the title.
GROWING = ["/admin/audit", "/admin/audit/export.csv"]
ADMIN_URLS = LEAD_URLS + ["/admin/people/{dan}"] + GROWING
VIEWERS = [("ward.manager@example.org", MANAGER_URLS), ("director@example.org", MANAGER_URLS),
           ("lead@example.org", LEAD_URLS), ("admin@example.org", ADMIN_URLS)]


def _without_times(page: str) -> str:
    # Export description rows, CSRF tokens, script nonces and the audit trail's record of each
    # export differ from request to request.
    page = re.sub(r'nonce="[^"]*"', "", page)
    page = re.sub(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(\+00:00|Z)?", "<time>", page)
    return "\n".join(line for line in page.splitlines() if "Generated" not in line and "csrf" not in line)


@pytest.mark.parametrize("email, urls", VIEWERS)
def test_nobody_else_sees_or_counts_a_draft(client, sign_in, org, email, urls):
    assert sign_in(email, PASSWORD).status_code == 302
    dan = org["people"]["idle"].id
    before = pages(client, urls, dan)
    draft = make_activity(org["people"]["idle"], observed(org), occurred_on=org["day"], minutes=600,
                          status=ActivityStatus.DRAFT, title=TITLE, behaviours=list(org["b"].values())[:6])
    draft.course_id = org["course"].id
    db.session.commit()
    after = pages(client, urls, dan)
    for url, page in after.items():
        assert TITLE not in page, url
        if url not in GROWING:
            assert page == before[url], url


def test_the_author_sees_their_draft(client, sign_in, org):
    make_activity(org["people"]["idle"], observed(org), occurred_on=org["day"], status=ActivityStatus.DRAFT,
                  title=TITLE)
    db.session.commit()
    assert sign_in("dan@example.org", PASSWORD).status_code == 302
    assert TITLE in client.get("/my-year?year=2025").get_data(as_text=True)
