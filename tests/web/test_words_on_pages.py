"""Words and numbers on the main pages: one format for times ("1 hour 30 minutes", never "1.5 hours"),
counts that agree with their nouns, and date examples in hints inside the current appraisal year."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.factories import PASSWORD, make_activity, make_person, make_tree
from tracker import appraisal_year
from tracker.extensions import db
from tracker.models import ActivityStatus, LeadershipAction, LeadershipActionKind

DAY = date(2026, 11, 18)

# The format that is not the house's: decimal hours ("1.5 hours", "1.5 more hours") and the numbers
# of "Hours signed off" given without a unit ("1.5 of 3").
DECIMAL_HOURS = re.compile(r"\b\d+\.\d+\s+(?:more\s+)?hours?\b|\b\d+(?:\.\d+)? of \d+(?:\.\d+)?</", re.I)
ONE_WITH_A_PLURAL = re.compile(
    r"(?<![\d.,])1 (?:people|persons|activities|behaviours|hours|minutes|days|courses|reminders|resources|units)\b")
MANY_WITH_A_SINGULAR = re.compile(
    r"(?<![\d.,:])(?:0|[2-9]|[1-9]\d+) (?:person|activity|behaviour|hour|minute|course|reminder|resource)\b(?! (?:from|code))")


def visible_text(html: str) -> str:
    """The words of the page, without tags, scripts or attributes."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def ward(ref, monkeypatch):
    monkeypatch.setattr(appraisal_year, "today", lambda: DAY)
    tree = make_tree()
    manager = make_person(tree["ward7"], email="manager@example.org", tier=3, roles=["manager"],
                          scope=[tree["ward7"]], name="Wyn Wardmanager")
    nurse = make_person(tree["ward7"], email="nurse@example.org", tier=2, line_manager=manager, name="Nia Nurse")
    make_person(tree["trust"], email="lead@example.org", tier=3, roles=["education_lead"], name="Lee Lead")
    make_person(tree["trust"], email="admin@example.org", tier=1, roles=["admin"], name="Ada Admin")
    debrief = ref["types"]["team_debrief"]
    # 90 signed-off minutes against tier 2's 3 hours, and 45 more waiting: halves and quarters of hours.
    signed = make_activity(nurse, debrief, occurred_on=DAY - timedelta(days=20), minutes=90,
                           behaviours=[ref["b"]["2.2"]], title="Signed debrief")
    waiting = make_activity(nurse, debrief, occurred_on=DAY - timedelta(days=10), minutes=45,
                            status=ActivityStatus.SUBMITTED, behaviours=[ref["b"]["4.1"]], title="Waiting debrief")
    db.session.add(LeadershipAction(manager_id=manager.id, unit_id=tree["ward7"].id, occurred_on=DAY - timedelta(days=5),
                                    kind=LeadershipActionKind.PROTECTED_TIME, hours=Decimal("1.5")))
    db.session.commit()
    return {"tree": tree, "nurse": nurse, "signed": signed, "waiting": waiting}


def pages(client, sign_in, email: str, urls: list[str]) -> dict[str, str]:
    assert sign_in(email, PASSWORD).status_code == 302
    shown = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        shown[url] = visible_text(response.get_data(as_text=True))
    return shown


def main_pages(client, sign_in, ward) -> dict[str, str]:
    nurse, signed, waiting = ward["nurse"], ward["signed"], ward["waiting"]
    shown = pages(client, sign_in, "nurse@example.org", [
        "/", "/my-year", "/portfolio", "/portfolio?include=all", f"/activities/{signed.id}", "/hub/framework",
        "/hub/courses",
    ])
    client._cookies.clear()  # signed out: the next person signs in afresh
    shown.update({f"manager {url}": text for url, text in pages(client, sign_in, "manager@example.org", [
        "/", "/team/", "/team/queue", f"/team/people/{nurse.id}", f"/team/activities/{waiting.id}",
    ]).items()})
    client._cookies.clear()
    shown.update({f"lead {url}": text for url, text in pages(client, sign_in, "lead@example.org", [
        "/", "/reports/", "/reports/requirement", "/reports/training", "/reports/behaviours", "/hub/framework",
    ]).items()})
    return shown


def test_times_are_given_one_way_on_every_main_page(client, sign_in, ward):
    shown = main_pages(client, sign_in, ward)
    wrong = {url: DECIMAL_HOURS.findall(text) for url, text in shown.items() if DECIMAL_HOURS.search(text)}
    assert wrong == {}
    # ...and the house format is really there (so the scan looked at pages with times on them).
    assert "1 hour 30 minutes" in shown["/my-year"] and "1 hour 30 minutes more" in shown["/my-year"]
    assert "1 hour 30 minutes of 3 hours" in shown[f"manager /team/people/{ward['nurse'].id}"]
    assert "Protected learning time given: 1 hour 30 minutes" in shown["manager /team/"]


def test_counts_agree_with_their_nouns_on_every_main_page(client, sign_in, ward):
    shown = main_pages(client, sign_in, ward)
    wrong = {url: ONE_WITH_A_PLURAL.findall(text) + MANY_WITH_A_SINGULAR.findall(text)
             for url, text in shown.items()}
    assert {url: found for url, found in wrong.items() if found} == {}
    assert "1 activity" in shown[f"manager /team/people/{ward['nurse'].id}"]  # waiting for sign-off


# --- date examples in hints ------------------------------------------------------------------

EXAMPLE = re.compile(r"for example,? (\d{1,2}) (\d{1,2}) (\d{4})", re.I)


@pytest.mark.parametrize("today", [date(2026, 11, 18), date(2027, 4, 1), date(2031, 3, 31)])
def test_every_date_example_in_a_hint_lies_in_the_current_appraisal_year(client, sign_in, ward, monkeypatch, today):
    monkeypatch.setattr(appraisal_year, "today", lambda: today)
    nurse, ward7, empty = ward["nurse"], ward["tree"]["ward7"], ward["tree"]["clinic"]
    shown = pages(client, sign_in, "nurse@example.org", ["/activities/new"])
    client._cookies.clear()
    shown.update(pages(client, sign_in, "manager@example.org",
                       ["/team/leadership-actions/new", f"/team/people/{nurse.id}/exemptions/new"]))
    client._cookies.clear()
    shown.update(pages(client, sign_in, "admin@example.org", [
        f"/admin/teams/{ward7.id}/add", f"/admin/teams/{ward7.id}/rename", f"/admin/teams/{ward7.id}/move",
        f"/admin/teams/{empty.id}/close", "/admin/audit", "/admin/import",
    ]))
    year = appraisal_year.year_containing(today)
    for url, text in shown.items():
        examples = [date(int(y), int(m), int(d)) for d, m, y in EXAMPLE.findall(text)]
        assert examples, f"{url} gives no date example"
        outside = [day for day in examples if not year.contains(day)]
        assert outside == [], f"{url}: {outside} outside {year.label}"
