"""Long lists a page at a time: one rule for which page is shown, and the same links under every list."""
from __future__ import annotations

import pytest

from tests.factories import PASSWORD, make_person, make_tree
from tracker.extensions import db
from tracker.paging import PAGE_SIZE, Page, page_of


@pytest.mark.parametrize("asked, total, expected", [
    (None, 0, Page(1, 1)),
    (1, PAGE_SIZE, Page(1, 1)),
    (2, PAGE_SIZE + 1, Page(2, 2)),
    (0, 3 * PAGE_SIZE, Page(1, 3)),
    (-4, 3 * PAGE_SIZE, Page(1, 3)),
    (99, 3 * PAGE_SIZE, Page(3, 3)),
])
def test_the_page_shown_is_always_one_of_the_lists_pages(asked, total, expected):
    assert page_of(asked, total) == expected


@pytest.fixture
def admin_with_two_pages_of_people(client, sign_in, db_session):
    tree = make_tree()
    make_person(tree["ward7"], email="root@example.org", roles=["admin"], name="Aaron Admin")
    for n in range(PAGE_SIZE):
        make_person(tree["ward7"], name=f"Staff member {n:02d}")
    db.session.commit()
    assert sign_in("root@example.org", PASSWORD).status_code == 302


def test_the_people_list_links_between_its_pages(client, admin_with_two_pages_of_people):
    first = client.get("/admin/people").get_data(as_text=True)
    assert "Page 1 of 2." in first and "Staff member 00" in first and "Staff member 49" not in first
    assert 'href="/admin/people?page=2"' in first and "link--prev" not in first
    second = client.get("/admin/people?page=2").get_data(as_text=True)
    assert "Page 2 of 2." in second and "Staff member 49" in second and "Staff member 00" not in second
    assert 'href="/admin/people?page=1"' in second and "link--next" not in second


def test_a_page_past_the_end_shows_the_last_page(client, admin_with_two_pages_of_people):
    html = client.get("/admin/people?page=99").get_data(as_text=True)
    assert "Page 2 of 2." in html and "Staff member 49" in html


def test_the_team_dashboard_pages_its_people_keeping_the_sort(client, sign_in, db_session):
    tree = make_tree()
    make_person(tree["ward7"], email="manager@example.org", roles=["manager"], scope=[tree["ward7"]])
    for n in range(PAGE_SIZE):
        make_person(tree["ward7"], name=f"Staff member {n:02d}")
    db.session.commit()
    assert sign_in("manager@example.org", PASSWORD).status_code == 302
    html = client.get("/team/?sort=name&order=desc").get_data(as_text=True)
    assert ', page 1 of 2.' in html and 'aria-label="Pages of people"' in html
    assert 'order=desc&amp;page=2#people">' in html and "link--prev" not in html
