"""Teams: an admin sees today's unit tree, searches it, adds, renames, moves and closes units, and
gives and takes away manager scopes, which take effect at once; earlier years keep the tree of
their time; nobody but admins may reach any of it.

Today is 15 June 2026: the 2026 to 2027 year is open; 2025 to 2026 closed on 30 April 2026.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, make_person, make_tree, make_unit
from tests.support import csrf_token_from
from tracker import staff_history
from tracker.admin import unit_changes
from tracker.appraisal_year import AppraisalYear
from tracker.extensions import db
from tracker.models import AuditEvent, ManagerScope, OrganisationUnit, Person, Role, UnitClosure, UnitKind, UnitPeriod
from tracker.roster import Roster

TODAY = date(2026, 6, 15)
LAST_YEAR = AppraisalYear(2025)
CLOSED_MESSAGE = "The 2025 to 2026 appraisal year closed at the end of 30 April 2026, so nothing dated in it can be changed"


@pytest.fixture
def org(db_session, clock):
    clock.move_to(TODAY)
    tree = make_tree()
    make_person(tree["trust"], email="admin@example.org", tier=1, roles=["admin"], name="Ann Admin")
    make_person(tree["trust"], email="boss@example.org", tier=1, roles=["manager"], scope=[tree["surgery"]],
                name="Bob Boss")
    make_person(tree["ward7"], email="nurse@example.org", name="Nora Nurse")
    make_person(tree["clinic"], email="clinic@example.org", name="Cy Clinic")
    make_person(tree["theatres"], email="theatre@example.org", name="Tia Theatre")
    db.session.commit()
    return tree


@pytest.fixture
def admin(client, sign_in, org):
    sign_in("admin@example.org", PASSWORD)
    return client


def dated(day: date, name: str = "on") -> dict:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def actions() -> list[str]:
    """The trail's changes: without signing in and out and without the security events of refusals."""
    return list(db.session.scalars(select(AuditEvent.action).where(~AuditEvent.action.startswith("auth."),
                                                                   ~AuditEvent.action.startswith("security."))
                                   .order_by(AuditEvent.id)))


def current_closure(unit) -> set[tuple[int, int]]:
    return set(db.session.execute(select(UnitClosure.ancestor_id, UnitClosure.depth)
                                  .where(UnitClosure.descendant_id == unit.id, UnitClosure.current())).all())


def person(email: str) -> Person:
    return db.session.scalar(select(Person).where(Person.email == email))


def html_of(response) -> str:
    return response.get_data(as_text=True)


# --- the tree ----------------------------------------------------------------------------


def test_the_tree_shows_every_unit_with_its_kind_people_and_managers(admin, org):
    html = html_of(admin.get("/admin/teams"))
    assert "<h1>Teams</h1>" in html and 'href="/admin/teams"' in html  # in the navigation
    for unit in org.values():
        assert f'href="/admin/teams/{unit.id}"' in html
    # The trust holds everyone (Ann and Bob are in the trust itself); Surgery has Tia and Bob's scope.
    assert re.search(r"Test Trust</span>\s*<span[^>]*>Organisation, 5 people", html)
    assert re.search(r"Surgery</span>\s*<span[^>]*>Directorate, 1 person. Managers: Bob Boss", html)
    # The organisation is open, showing its directorates; they fold, with what is beneath them.
    assert html.count("<details") == 3 and html.count(" open>") == 1
    assert re.search(r'<details class="app-unit-tree__details" open>\s*<summary[^>]*><span[^>]*>Test Trust', html)


def test_search_lists_matching_units_with_their_path(admin, org):
    html = html_of(admin.get("/admin/teams?q=WARD"))
    assert "Units matching “WARD”" in html and "1 unit matches" in html
    assert f'href="/admin/teams/{org["ward7"].id}">Ward 7 (Oncology)</a>' in html
    assert "In Test Trust › Cancer Services" in html
    assert "No unit’s name holds “%_”" in html_of(admin.get("/admin/teams?q=%25_"))


@pytest.mark.parametrize("page, grown", [("/admin/teams", "Team 4.11"), ("/admin/teams?q=team", "60 units match"),
                                         ("/admin/teams/{trust}", "Directorate 4"), ("/admin/teams/{trust}/move", "Team 4.11")])
def test_the_pages_cost_the_same_queries_whatever_the_trees_size(admin, org, count_queries, page, grown):
    url = page.format(trust=org["trust"].id)

    def queries() -> int:
        db.session.expire_all()  # each request reads what it needs, as a fresh request would
        with count_queries() as counter:
            assert admin.get(url).status_code == 200
        return counter.count

    small = queries()
    for d in range(5):
        directorate = make_unit(f"Directorate {d}", UnitKind.DIRECTORATE, org["trust"])
        for t in range(12):
            team = make_unit(f"Team {d}.{t}", UnitKind.TEAM, directorate)
            make_person(team, roles=["manager"], scope=[team])
    db.session.commit()
    assert queries() == small
    assert grown in html_of(admin.get(url))


def test_the_unit_page_shows_its_place_people_units_beneath_and_managers(admin, org):
    html = html_of(admin.get(f"/admin/teams/{org['surgery'].id}"))
    assert "<h1>Surgery</h1>" in html and f'href="/admin/teams/{org["trust"].id}">Test Trust</a>' in html
    assert "0 in Surgery itself, 1 with the units beneath it" in html
    assert "Main Theatres" in html and "Bob Boss" in html
    for endpoint in ("rename", "move", "add", "close"):
        assert f'href="/admin/teams/{org["surgery"].id}/{endpoint}"' in html


# --- who may reach it -------------------------------------------------------------------


def _routes(org, scope_person_id):
    unit = org["surgery"].id
    return [("GET", "/admin/teams"), ("GET", f"/admin/teams/{unit}")] + [
        (method, f"/admin/teams/{unit}/{action}") for action in ("rename", "move", "add", "close")
        for method in ("GET", "POST")] + [
        ("POST", f"/admin/teams/{unit}/managers"),
        ("GET", f"/admin/teams/{unit}/managers/{scope_person_id}/take-away"),
        ("POST", f"/admin/teams/{unit}/managers/{scope_person_id}/take-away")]


@pytest.mark.parametrize("email", ["boss@example.org", "nurse@example.org"])
def test_nobody_but_admins_may_reach_the_teams_pages(client, sign_in, org, email):
    boss = db.session.scalar(select(ManagerScope.person_id).where(ManagerScope.unit_id == org["surgery"].id))
    sign_in(email, PASSWORD)
    token = csrf_token_from(html_of(client.get("/")))
    assert 'href="/admin/teams"' not in html_of(client.get("/"))
    for method, url in _routes(org, boss):
        data = {"csrf_token": token, "name": "Taken", "parent": str(org["cancer"].id), "kind": "team",
                "person": email, **dated(TODAY)} if method == "POST" else None
        assert client.open(url, method=method, data=data).status_code == 403, (method, url)
    assert db.session.get(OrganisationUnit, org["surgery"].id).name == "Surgery"
    assert actions() == []
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "security.forbidden")).all()) \
        == len(_routes(org, boss))


def test_unknown_and_closed_units_are_not_found(admin, org, post_form):
    token = csrf_token_from(html_of(admin.get("/admin/teams")))
    empty = make_unit("Empty team", UnitKind.TEAM, org["cancer"])
    db.session.commit()
    assert post_form(f"/admin/teams/{empty.id}/close", dated(TODAY)).status_code == 302
    for unit_id in (987654, empty.id):
        assert admin.get(f"/admin/teams/{unit_id}").status_code == 404
        for action in ("rename", "move", "add", "close"):
            assert admin.get(f"/admin/teams/{unit_id}/{action}").status_code == 404
            assert admin.post(f"/admin/teams/{unit_id}/{action}", data={"csrf_token": token}).status_code == 404
        assert admin.post(f"/admin/teams/{unit_id}/managers", data={"csrf_token": token}).status_code == 404
    # A scope that does not exist (Nora has none) is not found either.
    nora = person("nurse@example.org").id
    assert admin.get(f"/admin/teams/{org['surgery'].id}/managers/{nora}/take-away").status_code == 404


# --- rename -----------------------------------------------------------------------------


def test_renaming_takes_effect_from_its_day_and_earlier_days_keep_the_old_name(admin, org, post_form):
    ward7 = org["ward7"]
    form = html_of(admin.get(f"/admin/teams/{ward7.id}/rename"))
    assert re.search(r'name="on-day" type="text" value="15"', form)  # "From when?" starts as today
    response = post_form(f"/admin/teams/{ward7.id}/rename", {"name": "Ward 7 (Haematology)", **dated(TODAY)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/teams/{ward7.id}")
    assert "Ward 7 (Oncology) renamed Ward 7 (Haematology)" in html_of(admin.get(response.headers["Location"]))
    assert [u.name for u in Roster(TODAY).units([ward7.id])] == ["Ward 7 (Haematology)"]
    assert [u.name for u in Roster(TODAY - timedelta(days=1)).units([ward7.id])] == ["Ward 7 (Oncology)"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == unit_changes.UNIT_RENAMED))
    assert event.detail == {"unit_id": ward7.id, "old_name": "Ward 7 (Oncology)", "name": "Ward 7 (Haematology)",
                            "on": "2026-06-15"}


@pytest.mark.parametrize("data, field, message", [
    ({"name": "Ward 8", **dated(date(2026, 3, 1))}, "on", CLOSED_MESSAGE),
    ({"name": "Ward 8", **dated(TODAY + timedelta(days=1))}, "on", "The date must be today or in the past."),
    ({"name": "Ward 8", "on-day": "31", "on-month": "2", "on-year": "2026"}, "on",
     "From when? must be a real date, for example 1 6 2026"),
    ({"name": "Ward 8"}, "on", "Enter the date the change takes effect"),
    ({"name": "  ", **dated(TODAY)}, "name", "Enter the unit's name"),
    ({"name": "Ward 7 (Oncology)", **dated(TODAY)}, "name", "Enter a name different from the unit's name now"),
])
def test_a_refused_rename_is_named_by_its_field_and_changes_nothing(admin, org, post_form, data, field, message):
    response = post_form(f"/admin/teams/{org['ward7'].id}/rename", data)
    html = html_of(response)
    assert response.status_code == 200 and "There is a problem" in html
    assert f'href="#{field}"' in html and message.replace("'", "&#39;") in html
    assert db.session.get(OrganisationUnit, org["ward7"].id).name == "Ward 7 (Oncology)"
    assert actions() == []


# --- move -------------------------------------------------------------------------------


def test_a_move_shows_in_todays_tree_while_last_years_report_keeps_the_old_place(admin, org, post_form):
    clinic, cancer, surgery, trust = org["clinic"], org["cancer"], org["surgery"], org["trust"]
    move_form = html_of(admin.get(f"/admin/teams/{clinic.id}/move"))
    assert f'<option value="{surgery.id}"' in move_form and "Test Trust › Surgery" in move_form
    assert post_form(f"/admin/teams/{clinic.id}/rename", {"name": "Day Unit", **dated(TODAY)}).status_code == 302
    response = post_form(f"/admin/teams/{clinic.id}/move", {"parent": str(surgery.id), **dated(TODAY)})
    assert response.status_code == 302
    assert "Day Unit moved under Surgery" in html_of(admin.get(response.headers["Location"]))

    # Today's closure: the clinic under Surgery and the trust, no longer under Cancer Services.
    assert current_closure(clinic) == {(clinic.id, 0), (surgery.id, 1), (trust.id, 2)}
    ended = set(db.session.execute(select(UnitClosure.ancestor_id, UnitClosure.ends_on).where(
        UnitClosure.descendant_id == clinic.id, UnitClosure.ends_on.is_not(None))).all())
    assert ended == {(cancer.id, TODAY - timedelta(days=1)), (trust.id, TODAY - timedelta(days=1))}
    tree = html_of(admin.get("/admin/teams"))
    assert re.search(r"Surgery</span>.*Day Unit.*Main Theatres", tree, re.S)

    # Last year's organisation report: the clinic under Cancer Services, with its old name.
    report = html_of(admin.get(f"/reports/?year={LAST_YEAR.start_year}&unit={cancer.id}"))
    assert "Chemotherapy Day Unit" in report
    assert "Chemotherapy Day Unit" not in html_of(admin.get(f"/reports/?unit={cancer.id}"))
    last_year = Roster.of(LAST_YEAR, TODAY)
    assert [u.name for u in last_year.children(cancer.id)] == ["Chemotherapy Day Unit", "Ward 7 (Oncology)"]
    assert [u.name for u in Roster(TODAY).children(surgery.id)] == ["Day Unit", "Main Theatres"]
    assert actions() == [unit_changes.UNIT_RENAMED, unit_changes.UNIT_MOVED]


@pytest.mark.parametrize("target", ["cancer", "ward7"])
def test_a_move_under_itself_or_beneath_itself_is_refused_by_the_field(admin, org, post_form, target):
    cancer = org["cancer"]
    response = post_form(f"/admin/teams/{cancer.id}/move", {"parent": str(org[target].id), **dated(TODAY)})
    html = html_of(response)
    assert response.status_code == 200 and 'href="#parent"' in html
    assert "A unit cannot move under itself or a unit beneath it." in html
    assert current_closure(cancer) == {(cancer.id, 0), (org["trust"].id, 1)}
    assert actions() == []


def test_a_move_dated_in_a_closed_year_is_refused_by_the_date(admin, org, post_form):
    response = post_form(f"/admin/teams/{org['clinic'].id}/move",
                         {"parent": str(org["surgery"].id), **dated(date(2026, 3, 1))})
    html = html_of(response)
    assert 'href="#on"' in html and CLOSED_MESSAGE in html
    assert db.session.get(OrganisationUnit, org["clinic"].id).parent_id == org["cancer"].id


def test_a_move_needs_a_known_open_parent(admin, org, post_form):
    for parent in ("", "999999", "abc"):
        html = html_of(post_form(f"/admin/teams/{org['clinic'].id}/move", {"parent": parent, **dated(TODAY)}))
        assert "Choose the unit to move it under" in html
    html = html_of(post_form(f"/admin/teams/{org['clinic'].id}/move", {"parent": str(org["cancer"].id), **dated(TODAY)}))
    assert "Chemotherapy Day Unit is already under Cancer Services" in html


# --- add beneath --------------------------------------------------------------------------


def test_adding_a_unit_beneath_puts_it_in_the_tree_from_its_day(admin, org, post_form):
    cancer = org["cancer"]
    response = post_form(f"/admin/teams/{cancer.id}/add", {"name": "Ward 9", "kind": "team", **dated(TODAY)})
    assert response.status_code == 302
    added = db.session.scalar(select(OrganisationUnit).where(OrganisationUnit.name == "Ward 9"))
    assert response.headers["Location"].endswith(f"/admin/teams/{added.id}")
    assert added.kind == UnitKind.TEAM and added.parent_id == cancer.id
    assert current_closure(added) == {(added.id, 0), (cancer.id, 1), (org["trust"].id, 2)}
    assert [u.name for u in Roster(TODAY - timedelta(days=1)).units([added.id])] == []
    assert "Ward 9" in html_of(admin.get("/admin/teams"))
    assert actions() == [unit_changes.UNIT_ADDED]


@pytest.mark.parametrize("data, field, message", [
    ({"kind": "team", **dated(TODAY)}, "name", "Enter the unit's name"),
    ({"name": "Ward 9", **dated(TODAY)}, "kind", "Choose what kind of unit it is"),
    ({"name": "Ward 9", "kind": "organisation", **dated(TODAY)}, "kind", "Choose what kind of unit it is"),
    ({"name": "Ward 9", "kind": "team", **dated(date(2026, 3, 31))}, "on", CLOSED_MESSAGE),
    ({"name": "W" * 201, "kind": "team", **dated(TODAY)}, "name", "The name must be 200 characters or fewer"),
])
def test_a_refused_addition_is_named_by_its_field(admin, org, post_form, data, field, message):
    html = html_of(post_form(f"/admin/teams/{org['cancer'].id}/add", data))
    assert f'href="#{field}"' in html and message.replace("'", "&#39;") in html
    assert db.session.scalar(select(func.count()).select_from(OrganisationUnit)) == 6


# --- close ------------------------------------------------------------------------------


def test_closing_an_empty_unit_after_confirming_keeps_it_in_earlier_years(admin, org, post_form):
    empty = make_unit("Old Ward", UnitKind.TEAM, org["cancer"])
    db.session.add(ManagerScope(person_id=db.session.scalar(
        select(ManagerScope.person_id).where(ManagerScope.unit_id == org["surgery"].id)), unit_id=empty.id))
    db.session.commit()
    page = html_of(admin.get(f"/admin/teams/{empty.id}/close"))
    assert "Are you sure you want to close Old Ward?" in page and "Manager scope over it ends for Bob Boss" in page
    assert "Close Old Ward" in page
    response = post_form(f"/admin/teams/{empty.id}/close", dated(TODAY))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/teams/{org['cancer'].id}")
    assert "Old Ward closed." in html_of(admin.get(response.headers["Location"]))

    unit = db.session.get(OrganisationUnit, empty.id)
    assert unit.closed_on == TODAY and current_closure(unit) == set()
    assert db.session.scalar(select(UnitPeriod.ends_on).where(UnitPeriod.unit_id == unit.id)) == TODAY - timedelta(days=1)
    assert "Old Ward" not in html_of(admin.get("/admin/teams"))
    assert [u.name for u in Roster.of(LAST_YEAR, TODAY).children(org["cancer"].id)] == [
        "Chemotherapy Day Unit", "Old Ward", "Ward 7 (Oncology)"]
    assert db.session.scalar(select(func.count()).select_from(ManagerScope).where(ManagerScope.unit_id == unit.id)) == 0
    assert actions() == [unit_changes.UNIT_CLOSED, unit_changes.SCOPE_REMOVED]


def test_a_unit_with_people_or_open_units_beneath_cannot_close(admin, org, post_form):
    for unit, reason in ((org["ward7"], "1 person is in it"), (org["cancer"], "units beneath it are open")):
        page = html_of(admin.get(f"/admin/teams/{unit.id}/close"))
        assert "cannot close yet" in page and "Yes" not in page and 'name="on-day"' not in page
        token = csrf_token_from(html_of(admin.get(f"/admin/teams/{unit.id}")))
        html = html_of(admin.post(f"/admin/teams/{unit.id}/close", data={"csrf_token": token, **dated(TODAY)}))
        assert "There is a problem" in html and reason in html
        assert current_closure(unit) and db.session.get(OrganisationUnit, unit.id).closed_on is None
    assert actions() == []


def test_a_unit_cannot_close_from_a_day_someone_was_still_in_it(admin, org, post_form):
    ward7 = org["ward7"]
    staff_history.change(person("nurse@example.org"), date(2026, 6, 10), team=org["clinic"])
    db.session.commit()
    html = html_of(post_form(f"/admin/teams/{ward7.id}/close", dated(date(2026, 6, 1))))
    assert "1 person is in it on or after that date" in html
    assert post_form(f"/admin/teams/{ward7.id}/close", dated(date(2026, 6, 10))).status_code == 302
    assert [u.name for u in Roster(date(2026, 6, 9)).units([ward7.id])] == ["Ward 7 (Oncology)"]
    assert Roster(date(2026, 6, 10)).units([ward7.id]) == []


# --- manager scopes ---------------------------------------------------------------------


def test_a_scope_given_and_taken_away_changes_the_managers_dashboard_at_once(client, sign_in, org, post_form):
    cancer = org["cancer"]

    def switch_to(email):
        post_form("/sign-out", token_from="/")
        sign_in(email, PASSWORD)

    sign_in("boss@example.org", PASSWORD)
    assert "Nora Nurse" not in html_of(client.get("/team/"))

    switch_to("admin@example.org")
    response = post_form(f"/admin/teams/{cancer.id}/managers", {"person": "BOSS@example.org"},
                         token_from=f"/admin/teams/{cancer.id}")
    assert response.status_code == 302
    assert "Bob Boss now has manager scope over Cancer Services" in html_of(client.get(response.headers["Location"]))
    switch_to("boss@example.org")
    assert "Nora Nurse" in html_of(client.get("/team/"))

    switch_to("admin@example.org")
    boss = db.session.scalar(select(ManagerScope.person_id).where(ManagerScope.unit_id == cancer.id))
    url = f"/admin/teams/{cancer.id}/managers/{boss}/take-away"
    assert "Take away Bob Boss’s manager scope over Cancer Services?" in html_of(client.get(url))
    assert post_form(url).status_code == 302
    switch_to("boss@example.org")
    assert "Nora Nurse" not in html_of(client.get("/team/"))
    assert actions()[-2:] == [unit_changes.SCOPE_GRANTED, unit_changes.SCOPE_REMOVED]


def test_a_scope_gives_the_manager_role_to_someone_without_it(admin, org, post_form, client, sign_in):
    post_form(f"/admin/teams/{org['ward7'].id}/managers", {"person": "clinic@example.org"},
              token_from=f"/admin/teams/{org['ward7'].id}")
    cy = person("clinic@example.org")
    db.session.refresh(cy)
    assert Role.MANAGER in cy.roles
    post_form("/sign-out", token_from="/")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == unit_changes.SCOPE_GRANTED))
    assert event.person_id == cy.id and event.detail == {"unit_id": org["ward7"].id, "role_added": True}
    sign_in("clinic@example.org", PASSWORD)
    assert "Nora Nurse" in html_of(client.get("/team/"))


@pytest.mark.parametrize("who, message", [
    ("", "Enter the person&#39;s email address or employee number"),
    ("nobody@example.org", "Nobody in post has that email address or employee number"),
    ("boss@example.org", "Bob Boss already has manager scope over Surgery"),
])
def test_a_refused_scope_is_named_by_its_field(admin, org, post_form, who, message):
    url = f"/admin/teams/{org['surgery'].id}"
    response = post_form(f"{url}/managers", {"person": who}, token_from=url)
    html = html_of(response)
    assert response.status_code == 200 and 'href="#person"' in html and message in html
    assert actions() == []
