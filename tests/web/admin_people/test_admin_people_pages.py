"""The admin's people list (search, filters, pages) and a person's page; nobody but admins may
reach any people route, and an unknown person is a 404."""
from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD, make_person
from tests.support import csrf_token_from
from tracker.extensions import db
from tracker.paging import PAGE_SIZE

# Every people route an admin has, with a person's id in place of {id}.
ROUTES = [
    ("GET", "/admin/people"), ("GET", "/admin/people/new"), ("POST", "/admin/people/new"),
    ("GET", "/admin/people/{id}"), ("GET", "/admin/people/{id}/edit"), ("POST", "/admin/people/{id}/edit"),
    ("GET", "/admin/people/{id}/deactivate"), ("POST", "/admin/people/{id}/deactivate"),
    ("GET", "/admin/people/{id}/reactivate"), ("POST", "/admin/people/{id}/reactivate"),
    ("POST", "/admin/people/{id}/set-password-link"),
    ("GET", "/admin/people/{id}/erase"), ("POST", "/admin/people/{id}/erase"),
]
PERSON_ROUTES = [(method, url) for method, url in ROUTES if "{id}" in url]


def names_listed(html: str) -> list[str]:
    return re.findall(r'href="/admin/people/\d+">([^<]+)</a>', html)


@pytest.mark.parametrize("email", ["boss@example.org", "lead@example.org", "nurse@example.org"])
def test_nobody_but_admins_reaches_any_people_route(client, sign_in, org, email):
    sign_in(email, PASSWORD)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    nurse = org["people"]["nurse"]
    for method, url in ROUTES:
        response = client.open(url.format(id=nurse.id), method=method,
                                data={"csrf_token": token, "name": "Hacked", "on-day": "15", "on-month": "10",
                                      "on-year": "2025"} if method == "POST" else None)
        assert response.status_code == 403, (method, url)
    db.session.refresh(nurse)
    assert nurse.active and nurse.name == "Nia Nurse" and nurse.erased_at is None


def test_an_unknown_person_is_not_found(client, as_admin):
    token = csrf_token_from(client.get("/admin/people").get_data(as_text=True))
    for method, url in PERSON_ROUTES:
        response = client.open(url.format(id=999999), method=method,
                               data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code == 404, (method, url)


def test_the_list_shows_everyone_each_name_opening_the_person(client, as_admin):
    html = client.get("/admin/people").get_data(as_text=True)
    assert "7 people in the organisation. Page 1 of 1." in html
    assert names_listed(html) == ["Ann Admin", "Bob Boss", "Cal Clinic", "Gil Gone", "Lee Lead", "Nia Nurse", "Sam Surgeon"]
    nurse = as_admin["people"]["nurse"]
    assert f'href="/admin/people/{nurse.id}">Nia Nurse</a>' in html
    assert 'href="/admin/people/new"' in html


@pytest.mark.parametrize("query, expected", [
    ("nia", ["Nia Nurse"]),
    ("SURGEON@example", ["Sam Surgeon"]),
    ("e1001", ["Nia Nurse"]),
    ("%", []),
    ("role=manager", ["Bob Boss"]),
    ("tier=3", ["Bob Boss", "Lee Lead", "Sam Surgeon"]),
    ("staff_group=Allied+Health+Professionals", ["Cal Clinic"]),
    ("status=left", ["Gil Gone"]),
    ("status=active&tier=2", ["Nia Nurse"]),
])
def test_search_and_filters(client, as_admin, query, expected):
    args = query if "=" in query else f"q={query}"
    html = client.get(f"/admin/people?{args}").get_data(as_text=True)
    assert names_listed(html) == expected
    assert f"{len(expected)} {'person matches' if len(expected) == 1 else 'people match'} the search." in html


def test_the_team_filter_takes_everything_beneath_the_unit(client, as_admin):
    tree = as_admin["tree"]
    html = client.get(f"/admin/people?team={tree['cancer'].id}").get_data(as_text=True)
    assert names_listed(html) == ["Bob Boss", "Cal Clinic", "Nia Nurse"]
    html = client.get(f"/admin/people?team={tree['ward7'].id}").get_data(as_text=True)
    assert names_listed(html) == ["Nia Nurse"]


@pytest.mark.parametrize("args", ["team=abc", "team=999999", "tier=9", "role=king", "staff_group=Pirates",
                                  "status=maybe", "page=-3"])
def test_a_filter_that_names_nothing_is_left_out(client, as_admin, args):
    response = client.get(f"/admin/people?{args}")
    assert response.status_code == 200
    assert len(names_listed(response.get_data(as_text=True))) == 7


def test_the_pages_of_a_search_keep_the_search(client, as_admin):
    ward7 = as_admin["tree"]["ward7"]
    for n in range(PAGE_SIZE):
        make_person(ward7, name=f"Staff member {n:02d}")
    db.session.commit()
    html = client.get("/admin/people?q=staff+member&tier=2").get_data(as_text=True)
    assert "50 people match the search. Page 1 of 1." in html
    html = client.get(f"/admin/people?team={ward7.id}").get_data(as_text=True)
    assert "51 people match the search. Page 1 of 2." in html
    assert f'href="/admin/people?team={ward7.id}&amp;page=2"' in html


def test_a_persons_page_shows_their_details_history_and_actions(client, as_admin):
    nurse = as_admin["people"]["nurse"]
    html = client.get(f"/admin/people/{nurse.id}").get_data(as_text=True)
    assert "<h1>Nia Nurse</h1>" in html
    for text in ("nurse@example.org", "E1001", "Ward 7 (Oncology)", "Tier 2", "Nursing and Midwifery Registered",
                 "Bob Boss", "Time in post", "Before records began", "Edit details", "Create a set-password link",
                 "Deactivate"):
        assert text in html, text
    assert "Reactivate" not in html
    gone = as_admin["people"]["gone"]
    html = client.get(f"/admin/people/{gone.id}").get_data(as_text=True)
    assert "No, they have left" in html and "Reactivate" in html
    assert "Create a set-password link" not in html and "No time in post is recorded." in html
