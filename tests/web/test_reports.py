"""Education leads: report pages, filters in the URL, exports and the command-line export."""
from __future__ import annotations

import csv
import io
import re
from html import escape
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.factories import PASSWORD, make_person
from tracker.extensions import db
from tracker.models import Activity, AuditEvent
from tracker.organisation import move_unit, rename_unit


@pytest.fixture
def org(known_org, clock):
    clock.move_to(known_org["day"])
    found = known_org
    tree = found["tree"]
    # Three more tier 1 people at trust level, not started: 10 active, 1 exempt, 2 complete.
    found["lead"] = make_person(tree["trust"], email="lead@example.org", tier=1, roles=["education_lead"],
                                name="Lee Lead")
    found["admin"] = make_person(tree["trust"], email="admin@example.org", tier=1, roles=["admin"])
    make_person(tree["trust"], email="boss@example.org", tier=1, roles=["manager"], scope=[tree["cancer"]])
    db.session.commit()
    return found


def login(sign_in, email):
    assert sign_in(email, PASSWORD).status_code == 302


def body(response) -> str:
    return response.get_data(as_text=True)


def test_lead_and_admin_reach_every_report_a_manager_and_staff_do_not(client, sign_in, org, post_form):
    urls = ["/reports/", "/reports/behaviours", "/reports/training", "/reports/export/people.csv"]
    for email, expected in (("lead@example.org", 200), ("admin@example.org", 200)):
        login(sign_in, email)
        for url in urls:
            assert client.get(url).status_code == expected, (email, url)
        post_form("/sign-out", {}, token_from="/")
    login(sign_in, "boss@example.org")
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert "Organisation report" not in body(client.get("/"))


def test_organisation_report_shows_the_known_figures(client, sign_in, org):
    login(sign_in, "lead@example.org")
    html = body(client.get("/reports/?year=2025"))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "22.2% of 9 people expected in 2025 to 2026" in text
    assert "Red: well below the 85% target" in html
    assert "Cancer Services" in html and "Surgery" in html
    assert "Nursing and Midwifery Registered" in html and "Tier 2" in html
    assert "Download CSV" in html and "Download Excel" in html
    assert html.count("2024 to 2025") > html.count("2022 to 2023") == 1  # the year before (2022: the year list)
    assert body(client.get("/reports/?year=2025&compare=3")).count("2022 to 2023") == 3  # further back on request


def test_filters_live_in_the_url_and_drill_down(client, sign_in, org):
    login(sign_in, "lead@example.org")
    cancer = org["tree"]["cancer"]
    html = body(client.get(f"/reports/?year=2025&unit={cancer.id}&tier=1"))
    tables = html.split("Apply filters", 1)[1]  # past the filter form, which lists every unit
    assert "Ward 7 (Oncology)" in tables and "Main Theatres" not in tables
    assert f"unit={cancer.id}" in html and "tier=1" in html  # links and exports keep the filters
    assert body(client.get("/reports/?tier=9")).count("Choose tier 1, 2 or 3") >= 1
    assert client.get("/reports/?unit=999999").status_code == 404


def test_behaviour_gaps_lowest_first_and_per_directorate(client, sign_in, org):
    login(sign_in, "lead@example.org")
    html = body(client.get("/reports/behaviours?year=2025"))
    assert "Every behaviour, lowest first" in html and "Gap" in html
    assert html.index("app-gap-row") < html.index(">4.1<")  # 4.1 is 100% evidenced: after the gaps
    assert "By directorate" in html and "Surgery" in html


def test_training_uptake_lists_the_course_and_who_used_it(client, sign_in, org):
    login(sign_in, "lead@example.org")
    html = body(client.get("/reports/training?year=2025"))
    assert escape(org["course"].title) in html and "Nursing and Midwifery Registered" in html and "4.1 (1)" in html


def read_csv(response):
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_by_person_csv_export_matches_the_page_and_is_audited(client, sign_in, org):
    login(sign_in, "lead@example.org")
    cancer = org["tree"]["cancer"]
    response = client.get(f"/reports/export/people.csv?year=2025&unit={cancer.id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert "test-trust-cancer-services-people-2025-to-2026-2025-10-15.csv" in disposition
    rows = read_csv(response)
    assert rows[0] == ["Employee number", "Name", "Email address", "Team", "Directorate", "Line manager", "Staff group", "Tier",
                       "Status", "Experiential activities", "Hours", "Behaviours evidenced", "Behaviours required",
                       "Last activity date", "Exempt reason"]
    by_name = {r[1]: r for r in rows[1:]}
    assert set(by_name) == {"Ada Complete", "Ben Waiting", "Cat Started", "Dan Idle", "Eve Away", "Gus Clinic"}
    assert by_name["Gus Clinic"][3:] == ["Chemotherapy Day Unit", "Cancer Services", "", "Nursing and Midwifery Registered",
                                         "2", "complete", "2", "4", "4", "4", "2025-08-03", ""]
    assert by_name["Eve Away"][8] == "exempt" and by_name["Eve Away"][14] == "Parental leave"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.exported"))
    assert event.actor_id == org["lead"].id
    assert event.detail["export"] == "people" and event.detail["format"] == "csv" and event.detail["rows"] == 6
    assert event.detail["filters"] == {"year": 2025, "unit": cancer.id}


def test_excel_export_opens_with_types_and_description(client, sign_in, org):
    login(sign_in, "lead@example.org")
    response = client.get("/reports/export/people.xlsx?year=2025&status=complete")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:O3"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert {r[1] for r in rows} == {"Ada Complete", "Gus Clinic"}
    gus = next(r for r in rows if r[1] == "Gus Clinic")
    assert gus[7] == 2 and gus[10] == 4 and gus[13].date() == date(2025, 8, 3)
    about = dict(book.worksheets[1].iter_rows(values_only=True))
    assert about["Status"] == "complete" and about["Appraisal year"] == "2025 to 2026" and about["Rows"] == 2


def test_activities_export_has_no_reflection_text(client, sign_in, org):
    ada = org["people"]["done"]
    for activity in db.session.scalars(select(Activity).where(Activity.owner_id == ada.id)):
        activity.reflection = {"what": "SECRET REFLECTION TEXT"}
    db.session.commit()
    login(sign_in, "lead@example.org")
    response = client.get("/reports/export/activities.csv?year=all")
    text = response.get_data().decode("utf-8")
    assert "SECRET REFLECTION TEXT" not in text
    rows = read_csv(response)
    assert rows[0][:3] == ["Activity id", "Person", "Employee number"]
    ada_rows = [r for r in rows[1:] if r[1] == "Ada Complete"]
    assert ada_rows and ada_rows[0][8] == "1.1; 2.1" and ada_rows[0][9] == "Signed off"
    assert len(rows) - 1 == 6  # every activity of active people, all years (Fay has left)
    workbook = load_workbook(io.BytesIO(client.get("/reports/export/activities.xlsx?year=all").get_data()))
    assert workbook.worksheets[0].max_row == 7


def test_coverage_and_uptake_exports(client, sign_in, org):
    login(sign_in, "lead@example.org")
    rows = read_csv(client.get("/reports/export/coverage.csv?year=2025"))
    assert rows[0][:3] == ["Unit", "Behaviour code", "Behaviour"]
    overall = {r[1]: r for r in rows[1:] if r[0] == "Whole organisation"}
    assert overall["4.1"][5:] == ["1", "1", "100"]
    assert {r[0] for r in rows[1:]} == {"Whole organisation", "Cancer Services", "Surgery"}
    uptake = read_csv(client.get("/reports/export/uptake.csv?year=2025"))
    assert uptake[1][1] == org["course"].title and uptake[1][4:6] == ["2", "1"]
    breakdown = read_csv(client.get("/reports/export/uptake-breakdown.csv?year=2025"))
    assert breakdown[1][2:] == ["Nursing and Midwifery Registered", "Cancer Services", "2", "1"]


def test_bad_export_requests_are_refused(client, sign_in, org):
    login(sign_in, "lead@example.org")
    assert client.get("/reports/export/reflections.csv").status_code == 404
    assert client.get("/reports/export/people.pdf").status_code == 404
    assert client.get("/reports/export/people.csv?year=all").status_code == 400
    assert client.get("/reports/export/people.csv?unit=999999").status_code == 404


def test_command_line_export_uses_the_same_rows_and_audit(app, org, tmp_path):
    out = tmp_path / "cancer.xlsx"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["report", "export", "--year", "2025", "--unit", "Cancer Services",
                                 "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Exporting" not in result.output and "%" not in result.output  # no progress bar off a terminal
    sheet = load_workbook(out).worksheets[0]
    assert sheet.max_row == 7  # header + the six active people of Cancer Services
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.exported"))
    assert event.actor_id is None and event.detail["source"] == "cli" and event.detail["rows"] == 6
    bad = runner.invoke(args=["report", "export", "--unit", "Nowhere", "--out", str(tmp_path / "x.csv")])
    assert bad.exit_code != 0 and "no single unit" in bad.output


def test_export_rows_are_read_inside_the_stream_not_in_the_view(org, count_queries):
    # The view's database session is closed before a streamed body is sent (and PostgreSQL's
    # server-side cursor with it), so the rows must be queried as the body starts.
    from tracker.reports import copied_csv, exporting
    from tracker.scope_filters import Filters

    with count_queries() as before:
        prepared = exporting.prepare("activities", "csv", actor=None, scope=lambda roster: roster.people(),
                                     filters=Filters(year=None, today=org["day"]), today=org["day"])
    assert not any("FROM activity" in s for s in before.statements)
    with count_queries() as during:
        text = b"".join(prepared.body).decode("utf-8")
    assert text.count("\r\n") == 7
    if not copied_csv.available():  # PostgreSQL's COPY runs on the driver's cursor, unseen here
        assert any("FROM activity" in s for s in during.statements)


def test_activities_export_neutralises_formulas_in_csv_and_keeps_text_in_excel(client, sign_in, org):
    org["course"].title = "=HYPERLINK(\"http://x\")"
    org["people"]["clinic"].name = "-Gus"
    db.session.commit()
    login(sign_in, "lead@example.org")
    rows = read_csv(client.get("/reports/export/activities.csv?year=2025"))
    gus = [r for r in rows[1:] if r[1] == "'-Gus"]
    assert len(gus) == 2 and {r[6] for r in gus} == {"'=HYPERLINK(\"http://x\")"}
    assert {r[9] for r in gus} == {"Signed off"} and {r[7] for r in gus} == {"2"}
    sheet = load_workbook(io.BytesIO(client.get("/reports/export/activities.xlsx?year=2025").get_data())).worksheets[0]
    cells = [row for row in sheet.iter_rows(min_row=2) if row[1].value == "-Gus"]
    assert len(cells) == 2 and cells[0][6].value == "=HYPERLINK(\"http://x\")" and cells[0][6].data_type == "s"
    assert cells[0][4].is_date and cells[0][7].value == 2


def test_last_years_report_keeps_the_tree_and_names_of_its_time(client, sign_in, org):
    tree = org["tree"]
    rename_unit(tree["ward7"], "Ward 7 (Haematology)", org["day"])
    move_unit(tree["clinic"], tree["surgery"], org["day"])
    db.session.commit()
    login(sign_in, "lead@example.org")


    def figures_of(year):  # the page below its filter form (whose unit list is today's)
        page = body(client.get(f"/reports/?year={year}&unit={tree['cancer'].id}"))
        return page.split('class="app-report-filters', 1)[1].split("</form>", 1)[1]

    last_year = figures_of(2024)
    assert "Ward 7 (Oncology)" in last_year and "Chemotherapy Day Unit" in last_year
    assert "Ward 7 (Haematology)" not in last_year
    this_year = figures_of(2025)
    assert "Ward 7 (Haematology)" in this_year and "Chemotherapy Day Unit" not in this_year
