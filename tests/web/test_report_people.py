"""Education leads: the people behind every status count of the organisation report, a page at a
time, with the report's filters, and the export of exactly that list (with the line manager)."""
from __future__ import annotations

import csv
import io
import re
from datetime import date
from html import unescape

import pytest

from tests.factories import PASSWORD, make_person
from tracker import staff_history
from tracker.extensions import db
from tracker.paging import PAGE_SIZE

COUNT_LINK = re.compile(r'<a class="nhsuk-link" href="(/reports/people\?[^"#]*)#people">(\d+)<span')
ROW_NAME = re.compile(r'<th scope="row" class="nhsuk-table__header app-row-header">([^<]+)</th>')


@pytest.fixture
def org(known_org, clock):
    clock.move_to(known_org["day"])
    tree = known_org["tree"]
    known_org["lead"] = make_person(tree["trust"], email="lead@example.org", tier=1, roles=["education_lead"],
                                    name="Lee Lead")
    make_person(tree["trust"], email="admin@example.org", tier=1, roles=["admin"])
    make_person(tree["trust"], email="boss@example.org", tier=1, roles=["manager"], scope=[tree["cancer"]])
    known_org["people"]["idle"].email = "dan@example.org"
    db.session.commit()
    return known_org


def login(sign_in, email):
    assert sign_in(email, PASSWORD).status_code == 302


def listed(client, url) -> tuple[int, list[str]]:
    """The count the page states and the names in its table."""
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    stated = int(re.search(r'<h2 id="people-heading"[^>]*>(\d+) (?:person|people)', html).group(1))
    table = html.split('app-people--pinned', 1)[1].split("</table>", 1)[0]
    return stated, [unescape(name) for name in ROW_NAME.findall(table)]


def test_every_count_of_the_organisation_report_lists_that_many_people(client, sign_in, org):
    login(sign_in, "lead@example.org")
    report = client.get("/reports/?year=2025").get_data(as_text=True)
    links = {(unescape(href), int(n)) for href, n in COUNT_LINK.findall(report)}
    # The counts by status, and each unit's, team's, staff group's and tier's people, complete and exempt.
    assert any("status=not_started" in href and "unit" not in href for href, _ in links)
    assert any("unit=" in href and "status=complete" in href for href, _ in links)
    assert any("staff_group=" in href for href, _ in links) and any("tier=" in href for href, _ in links)
    for href, clicked in links:
        stated, names = listed(client, href)
        assert stated == clicked == len(names), href


def test_the_people_of_one_status_are_those_the_export_holds(client, sign_in, org):
    login(sign_in, "lead@example.org")
    cancer = org["tree"]["cancer"]
    stated, names = listed(client, f"/reports/people?year=2025&unit={cancer.id}&status=complete")
    assert sorted(names) == ["Ada Complete", "Gus Clinic"] and stated == 2
    html = client.get(f"/reports/people?year=2025&unit={cancer.id}&status=complete").get_data(as_text=True)
    export = unescape(re.search(r'href="(/reports/export/people\.csv\?[^"]+)"', html).group(1))
    rows = list(csv.reader(io.StringIO(client.get(export).get_data().decode("utf-8")[1:])))
    assert sorted(r[1] for r in rows[1:]) == sorted(names)
    assert listed(client, "/reports/people?year=2025&tier=2")[1] == ["Gus Clinic"]
    assert listed(client, "/reports/people?year=2025&staff_group=admin_clerical")[1] == ["Ben Waiting"]


def test_a_long_list_comes_a_page_at_a_time_in_the_order_chosen(client, sign_in, org):
    for n in range(PAGE_SIZE + 5):
        make_person(org["tree"]["theatres"], tier=1, name=f"Zed {n:03d}")
    db.session.commit()
    login(sign_in, "lead@example.org")
    stated, first = listed(client, "/reports/people?year=2025&status=not_started&sort=name&order=desc")
    assert len(first) == PAGE_SIZE and first == sorted(first, reverse=True) and first[0] == "Zed 054"
    html = client.get("/reports/people?year=2025&status=not_started&sort=name&order=desc").get_data(as_text=True)
    assert "Page 1 of 2" in html and "page=2" in html
    again, second = listed(client, "/reports/people?year=2025&status=not_started&sort=name&order=desc&page=2")
    assert again == stated and len(first) + len(second) == stated and not set(first) & set(second)
    assert "Dan Idle" in second


def test_only_education_leads_and_admins_open_the_list(client, sign_in, org, post_form):
    for email, expected in (("lead@example.org", 200), ("admin@example.org", 200), ("boss@example.org", 403),
                            ("dan@example.org", 403)):
        login(sign_in, email)
        assert client.get("/reports/people?status=complete").status_code == expected, email
        assert client.get("/reports/export/people.csv?status=complete").status_code == expected, email
        post_form("/sign-out", {}, token_from="/")
    login(sign_in, "lead@example.org")
    assert client.get("/reports/people?unit=999999").status_code == 404
    html = client.get("/reports/people?status=nonsense").get_data(as_text=True)
    assert "Choose a status from the list" in html


def test_the_export_names_the_line_manager_of_the_years_reference_day(client, sign_in, org, clock):
    first = make_person(org["tree"]["ward7"], tier=3, name="Fran First")
    second = make_person(org["tree"]["ward7"], tier=3, name="Sam Second")
    ada = org["people"]["done"]
    staff_history.change(ada, date(2025, 4, 1), line_manager=first)
    staff_history.change(ada, org["day"], line_manager=second)
    db.session.commit()
    login(sign_in, "lead@example.org")

    def manager_of_ada(year):
        rows = list(csv.reader(io.StringIO(
            client.get(f"/reports/export/people.csv?year={year}").get_data().decode("utf-8")[1:])))
        column = rows[0].index("Line manager")
        return next(r[column] for r in rows[1:] if r[1] == "Ada Complete")

    assert manager_of_ada(2025) == "Sam Second"
    assert manager_of_ada(2024) == ""  # on 31 March 2025 she had none
