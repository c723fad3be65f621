"""The audit trail page: admins read who did what about whom, when and from where, newest first;
filter it by person, action and dates (UK days); page through it; export it as CSV (the export is
itself recorded). Nobody else may reach it, and no route edits or deletes an event."""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DatabaseError

from tests.factories import PASSWORD, make_person, make_tree
from tests.support import csrf_token_from
from tracker.audit import forget_subject, record
from tracker.date_input import date_example
from tracker.extensions import db
from tracker.models import AuditEvent, AuditSubject
from tracker.paging import PAGE_SIZE

URL = "/admin/audit"
EXPORT = "/admin/audit/export.csv"


@pytest.fixture
def org(db_session):
    tree = make_tree()
    people = {
        "admin": make_person(tree["trust"], email="root@example.org", roles=["admin"], name="Ann Admin"),
        "manager": make_person(tree["ward7"], email="boss@example.org", roles=["manager"], scope=[tree["ward7"]],
                               name="Max Manager"),
        "lead": make_person(tree["trust"], email="lead@example.org", roles=["education_lead"], name="Lee Lead"),
        "nurse": make_person(tree["ward7"], email="nurse@example.org", name="Nia Nurse"),
    }
    db.session.commit()
    return people


def at(event: AuditEvent, moment: datetime) -> AuditEvent:
    """Tests place events in time, before they are written: once written, nothing may change one."""
    assert event in db.session.new
    event.occurred_at = moment
    db.session.flush()
    return event


def rows_on(html: str) -> list[str]:
    return re.findall(r'<tr class="nhsuk-table__row">(.*?)</tr>', html, re.S)


def summary_links(html: str) -> dict[str, str]:
    """The error summary's links: field id -> message."""
    return {field: message.strip() for field, message in re.findall(r'<a href="#(\w+)"\s*>\s*([^<]+?)\s*</a>', html)}


def test_admin_reads_who_what_about_whom_when_and_from_where(client, sign_in, org):
    at(record(org["manager"], "reflection.viewed", person=org["nurse"], activity=7),
       datetime(2026, 7, 1, 13, 5, tzinfo=UTC))
    db.session.commit()
    sign_in("root@example.org", PASSWORD)
    html = client.get(URL).get_data(as_text=True)
    assert "<h1>Audit trail</h1>" in html
    rows = rows_on(html)
    # Newest first: the admin's own sign-in, then the reading of the reflection.
    assert "Signed in" in rows[0] and "Ann Admin" in rows[0] and "127.0.0.1" in rows[0]
    reading = rows[1]
    assert "Max Manager" in reading and "Read a reflection (activity 7)" in reading and "Nia Nurse" in reading
    assert "1 July 2026 14:05:00" in reading  # British Summer Time


def test_navigation_offers_the_trail_to_admins_only(client, sign_in, org):
    sign_in("root@example.org", PASSWORD)
    assert 'href="/admin/audit"' in client.get("/").get_data(as_text=True)
    client.post("/sign-out", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})
    sign_in("lead@example.org", PASSWORD)
    assert 'href="/admin/audit"' not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("email", ["nurse@example.org", "boss@example.org", "lead@example.org"])
def test_nobody_else_may_read_or_export_the_trail(client, sign_in, org, email):
    sign_in(email, PASSWORD)
    assert client.get(URL).status_code == 403
    assert client.get(EXPORT).status_code == 403
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    # With a real token, a POST meets no route at all (not the CSRF check): the trail takes no writes.
    assert client.post(URL, data={"csrf_token": token}).status_code == 405
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "audit.exported")) == 0


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_no_method_changes_the_trail_even_for_an_admin(client, sign_in, org, method):
    sign_in("root@example.org", PASSWORD)
    token = csrf_token_from(client.get(URL).get_data(as_text=True) + client.get("/").get_data(as_text=True))
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for url in (URL, EXPORT, f"{URL}/1"):
        assert client.open(url, method=method, data={"csrf_token": token}).status_code in (404, 405)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_filter_by_person_finds_them_as_actor_and_as_subject(client, sign_in, org):
    record(org["manager"], "reflection.viewed", person=org["nurse"])
    record(org["nurse"], "activity.submitted", person=org["nurse"])
    record(org["lead"], "requirement.changed", year=2026)
    db.session.commit()
    sign_in("root@example.org", PASSWORD)
    rows = rows_on(client.get(URL, query_string={"person": "NURSE@example"}).get_data(as_text=True))
    assert len(rows) == 2 and not any("Lee Lead" in row for row in rows)
    html = client.get(URL, query_string={"person": "max man"}).get_data(as_text=True)
    assert len(rows_on(html)) == 1 and "whose name or email address contains “max man”: Max Manager" in html
    html = client.get(URL, query_string={"person": "nobody-at-all"}).get_data(as_text=True)
    assert rows_on(html) == [] and "Nobody in the audit trail has a name or email address" in html


def test_filter_by_action_offers_the_actions_present(client, sign_in, org):
    record(org["lead"], "requirement.changed", year=2026)
    record(org["lead"], "report.exported", export="people", format="csv", rows=6)
    db.session.commit()
    sign_in("root@example.org", PASSWORD)
    html = client.get(URL, query_string={"action": "report.exported"}).get_data(as_text=True)
    assert '<option value="requirement.changed"' in html and "Changed the annual requirement" in html
    assert '<option value="report.exported" selected' in html
    rows = rows_on(html)
    assert len(rows) == 1 and "Export: people; Format: csv; Rows: 6" in rows[0]


def test_dates_are_uk_days_with_both_ends_included(client, sign_in, org):
    # 23:30 UTC on 30 June is 00:30 on 1 July in London.
    at(record(org["lead"], "requirement.changed", year=1), datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    at(record(org["lead"], "requirement.changed", year=2), datetime(2026, 7, 31, 22, 59, tzinfo=UTC))
    at(record(org["lead"], "requirement.changed", year=3), datetime(2026, 7, 31, 23, 0, tzinfo=UTC))
    db.session.commit()
    sign_in("root@example.org", PASSWORD)
    html = client.get(URL, query_string={
        "action": "requirement.changed", "from_day-day": "1", "from_day-month": "7", "from_day-year": "2026",
        "to_day-day": "31", "to_day-month": "7", "to_day-year": "2026"}).get_data(as_text=True)
    years = re.findall(r"Year: (\d)", html)
    assert years == ["2", "1"]


def test_bad_dates_are_named_by_the_field(client, sign_in, org):
    sign_in("root@example.org", PASSWORD)
    response = client.get(URL, query_string={"from_day-day": "31", "from_day-month": "2", "from_day-year": "2026",
                                             "to_day-day": "1", "to_day-month": "", "to_day-year": "2026"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in html
    assert summary_links(html) == {"from_day": f"From must be a real date, for example {date_example()}",
                                   "to_day": "To must include a month"}
    assert "<table" not in html and "Error: Audit trail" in html
    html = client.get(URL, query_string={"from_day-day": "2", "from_day-month": "3", "from_day-year": "2026",
                                         "to_day-day": "1", "to_day-month": "3", "to_day-year": "2026"}
                      ).get_data(as_text=True)
    assert summary_links(html) == {"to_day": "To must be the same as or after From"}
    # The export with bad filters goes back to the page that names the problem.
    response = client.get(EXPORT, query_string={"from_day-day": "99", "from_day-month": "1", "from_day-year": "2026"})
    assert response.status_code == 302 and "/admin/audit?" in response.headers["Location"]


def test_paging_goes_older_and_back_newer(client, sign_in, org):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(PAGE_SIZE * 2 + 10):
        at(record(org["nurse"], "activity.changed", n=n), start + timedelta(minutes=n))
    db.session.commit()
    sign_in("root@example.org", PASSWORD)
    query = {"action": "activity.changed"}
    first = client.get(URL, query_string=query).get_data(as_text=True)
    assert len(rows_on(first)) == PAGE_SIZE and "N: 109" in rows_on(first)[0] and "Newer events" not in first
    older = re.search(r'href="([^"]*before=\d+[^"]*)"', first).group(1).replace("&amp;", "&")
    assert "action=activity.changed" in older
    second = client.get(older).get_data(as_text=True)
    assert "N: 59" in rows_on(second)[0] and "N: 10" in rows_on(second)[-1]
    third = client.get(re.search(r'href="([^"]*before=\d+[^"]*)"', second).group(1).replace("&amp;", "&"))
    third = third.get_data(as_text=True)
    assert len(rows_on(third)) == 10 and "Older events" not in third
    back = client.get(re.search(r'href="([^"]*after=\d+[^"]*)"', third).group(1).replace("&amp;", "&"))
    assert rows_on(back.get_data(as_text=True)) == rows_on(second)


def test_a_cursor_naming_no_event_shows_the_newest(client, sign_in, org):
    sign_in("root@example.org", PASSWORD)
    html = client.get(URL, query_string={"before": "999999"}).get_data(as_text=True)
    assert "Signed in" in rows_on(html)[0] and "Newest events" in html


def test_the_csv_export_streams_the_filtered_rows_and_is_recorded(client, sign_in, org):
    at(record(org["manager"], "reflection.viewed", person=org["nurse"], activity=3),
       datetime(2026, 1, 15, 9, 30, tzinfo=UTC))
    org["nurse"].name = "=HYPERLINK(\"x\")"
    db.session.commit()
    sign_in("root@example.org", PASSWORD)
    response = client.get(EXPORT, query_string={"action": "reflection.viewed"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="audit-trail-' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["When (UK time)", "Who", "Who (subject id)", "What"]
    assert len(rows) == 2
    when, who, who_subject, what, action, about, about_subject, activity, address, details = rows[1]
    assert (when, who, what, action, about, activity) == (
        "2026-01-15 09:30:00", "Max Manager", "Read a reflection", "reflection.viewed", "'=HYPERLINK(\"x\")", "3")
    assert len(who_subject) == 32 and who_subject != about_subject
    exported = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.exported"))
    assert exported.actor_id == org["admin"].id and exported.client_address == "127.0.0.1"
    assert exported.detail == {"format": "csv", "filters": {"action": "reflection.viewed"}, "rows": 1,
                               "completed": True}


def test_erasing_a_person_leaves_every_row_as_it_was(client, sign_in, org):
    record(org["manager"], "reflection.viewed", person=org["nurse"], activity=3)
    record(org["nurse"], "activity.submitted", person=org["nurse"])
    db.session.commit()
    columns = [c for c in AuditEvent.__table__.columns]
    before = db.session.execute(select(*columns).order_by(AuditEvent.id)).all()
    forget_subject(org["nurse"].id)
    db.session.commit()
    assert db.session.execute(select(*columns).order_by(AuditEvent.id)).all() == before
    assert db.session.scalar(select(AuditSubject).where(AuditSubject.person_id == org["nurse"].id)) is None
    sign_in("root@example.org", PASSWORD)
    html = client.get(URL).get_data(as_text=True)
    assert "Nia Nurse" not in html and html.count("Erased person") == 3  # actor and subject of one, subject of another
    assert client.get(URL, query_string={"person": "nia"}).get_data(as_text=True).count("Erased person") == 0


def test_each_person_has_one_stable_random_subject_id(org):
    first = record(org["manager"], "reflection.viewed", person=org["nurse"])
    second = record(org["nurse"], "activity.submitted", person=org["nurse"].id)
    db.session.flush()
    assert first.about_subject_id == second.actor_subject_id == second.about_subject_id
    assert first.actor_subject_id != first.about_subject_id
    assert re.fullmatch(r"[0-9a-f]{32}", first.about_subject_id)
    assert (first.actor_id, first.person_id) == (org["manager"].id, org["nurse"].id)
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.person_id == org["nurse"].id)) == first.id
    assert db.session.scalar(select(func.count()).select_from(AuditSubject)) == 2


def test_the_database_refuses_to_change_or_remove_an_event(org):
    record(org["nurse"], "activity.submitted", person=org["nurse"])
    db.session.commit()
    for statement in (update(AuditEvent).values(action="x"), delete(AuditEvent)):
        with pytest.raises(DatabaseError, match="append-only"):
            with db.session.begin_nested():
                db.session.execute(statement)
    assert db.session.scalar(select(AuditEvent.action)) == "activity.submitted"


def test_no_code_edits_or_deletes_an_event():
    """Append-only in the code as well: no module updates or deletes audit events."""
    root = Path(__file__).resolve().parents[2] / "tracker"
    pattern = re.compile(r"(update|delete)\(\s*AuditEvent|(UPDATE|DELETE FROM)\s+audit_event", re.I)
    offenders = [str(path) for path in root.rglob("*.py") if pattern.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_page_costs_the_same_queries_whatever_it_shows(client, sign_in, org, count_queries):
    sign_in("root@example.org", PASSWORD)

    def queries() -> int:
        with count_queries() as counter:
            assert client.get(URL, query_string={"person": "n"}).status_code == 200
        return counter.count

    def add_events(count: int) -> None:
        for n in range(count):
            record(org["manager" if n % 2 else "lead"], "reflection.viewed", person=org["nurse"], n=n)
        db.session.commit()  # (each commit makes the next request reload who is signed in: same for both)

    add_events(2)
    few = queries()
    add_events(PAGE_SIZE + 5)
    assert queries() == few
