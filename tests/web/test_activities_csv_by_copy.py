"""On PostgreSQL the activities CSV is written by COPY: the same bytes as the csv module writes."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from tracker import exports
from tracker.extensions import db
from tracker.models import AuditEvent
from tracker.reports import copied_csv, exporting
from tracker.scope_filters import Filters


def both_ways(year, day):
    """(the file as the export writes it, the file the csv module writes from the same rows)."""
    filters = Filters(year=year, today=day)
    everyone = lambda roster: roster.people()  # noqa: E731
    made = b"".join(exporting.prepare("activities", "csv", actor=None, scope=everyone, filters=filters,
                                      today=day).body)
    rows = exporting.activity_rows(filters.people(everyone), filters, day, "csv")
    by_module = b"".join(exports.chunks("csv", exporting.ACTIVITY_COLUMNS, rows, sheet_title="Activities",
                                        description=[], csv_ready=exporting.ACTIVITY_CSV_READY))
    return made, by_module


def test_copy_writes_the_csv_module_s_bytes(known_org):
    if not copied_csv.available():
        pytest.skip("COPY is PostgreSQL's: this test runs on the PostgreSQL pass (TEST_DATABASE_URL=postgresql…)")
    p, course = known_org["people"], known_org["course"]
    p["clinic"].name = 'Gus "Gustav" Clinic,\nthe second'  # quotes, a comma and a line break
    p["done"].name = "=Ada"
    p["done"].employee_number = ""
    course.title = "Sage & Thyme\r\nfoundation"
    known_org["tree"]["ward7"].name = "Ward 7, Zoë's"
    db.session.commit()
    for year in (known_org["year"], None):
        made, by_module = both_ways(year, known_org["day"])
        assert made == by_module
        assert made.count(b"\r\n") > 5 and b'"Gus ""Gustav"" Clinic,\nthe second"' in made
    # The audit entry counts the records, not the lines (a name above holds a line break).
    records = len(list(csv.reader(io.StringIO(by_module.decode("utf-8-sig"))))) - 1
    audited = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.exported")
                                 .order_by(AuditEvent.id.desc())).first()
    assert audited.detail["rows"] == records > 3
