"""The staff importer: a workforce extract becomes a preview plan; "Apply import" writes it in
one transaction or not at all; a re-run changes nothing; hostile files get one clear message."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import make_person, make_tree, make_unit
from tests.staff_files import HEADINGS, as_csv, as_xlsx, number, organisation, staff_row
from tracker.extensions import db
from tracker.models import AuditEvent, ImportHeading, Person, PersonPeriod, StaffGroup, UnitKind
from tracker.staff_import import APPLIED, Options, apply_plan, build
from tracker.refusal import Refused
from tracker.staff_import.headers import remember


@pytest.fixture
def tree(db_session):
    tree = make_tree()
    db.session.commit()
    return tree


def people() -> int:
    return db.session.scalar(select(func.count()).select_from(Person))


def imported(raw: bytes, today, **options):
    plan = build(raw, Options(today, **{k: v for k, v in options.items() if k != "parent"}))
    result = apply_plan(plan, None, options.get("parent"))
    db.session.commit()
    return plan, result


def test_a_new_organisation_is_created_in_post_from_the_extract_date(tree, today):
    plan, result = imported(as_csv(organisation(5)), today)
    assert (result.created, result.updated, result.unchanged) == (5, 0, 0)
    person = db.session.scalar(select(Person).where(Person.employee_number == number(3)))
    assert person.name == "Given3 Family3" and person.email == "given3.family3@example.nhs.uk"
    assert person.team_id == tree["ward7"].id and person.tier == 2 and person.from_import
    assert person.line_manager.employee_number == number(0)
    period = db.session.scalar(select(PersonPeriod).where(PersonPeriod.person_id == person.id))
    assert period.starts_on == today and period.ends_on is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == APPLIED))
    assert event.detail["created"] == 5


def test_a_rerun_of_the_same_file_changes_nothing(tree, today):
    raw = as_csv(organisation(6))
    imported(raw, today)
    plan = build(raw, Options(today, whole_organisation=True))
    assert (len(plan.creates), len(plan.updates), plan.unchanged, len(plan.leavers)) == (0, 0, 6, 0)


def test_updates_show_old_and_new_and_moves_are_dated_with_the_extract(tree, today):
    imported(as_csv(organisation(3)), today)
    rows = organisation(3)
    rows[1] = staff_row(1, team="Main Theatres", group="Medical and Dental", manager=number(0), title="Registrar")
    plan = build(as_csv(rows), Options(today))
    assert plan.unchanged == 2 and len(plan.updates) == 1
    assert ("Job title", "Staff Nurse", "Registrar") in plan.updates[0].changes
    assert ("Team", "Ward 7 (Oncology)", "Main Theatres") in plan.updates[0].changes
    apply_plan(plan)
    person = db.session.scalar(select(Person).where(Person.employee_number == number(1)))
    assert person.team_id == tree["theatres"].id and person.staff_group == StaffGroup.MEDICAL_DENTAL
    periods = db.session.scalars(select(PersonPeriod).where(PersonPeriod.person_id == person.id)).all()
    assert [(p.starts_on, p.team_id) for p in periods] == [(today, tree["theatres"].id)]


def test_a_move_splits_a_period_that_began_before_the_extract(tree, today):
    nurse = make_person(tree["ward7"], email="given1.family1@example.nhs.uk", name="Given1 Family1")
    nurse.employee_number, nurse.job_title = number(1), "Staff Nurse"
    db.session.commit()
    plan = build(as_csv([staff_row(1, team="Main Theatres")]), Options(today))
    apply_plan(plan)
    periods = db.session.scalars(select(PersonPeriod).where(PersonPeriod.person_id == nurse.id)
                                 .order_by(PersonPeriod.starts_on)).all()
    assert [(p.ends_on, p.team_id) for p in periods] == [(today - timedelta(days=1), tree["ward7"].id),
                                                          (None, tree["theatres"].id)]
    assert plan.adopted == [nurse.id] and nurse.from_import


def test_the_whole_organisation_deactivates_only_imported_people_who_are_not_admins(tree, today):
    imported(as_csv(organisation(4)), today)
    by_hand = make_person(tree["ward7"], email="hand@example.org")
    admin = db.session.scalar(select(Person).where(Person.employee_number == number(2)))
    from tracker.models import PersonRole, Role
    admin.role_grants.append(PersonRole(role=Role.ADMIN))
    db.session.commit()
    remaining = organisation(2)
    assert build(as_csv(remaining), Options(today)).leavers == []
    plan = build(as_csv(remaining), Options(today, whole_organisation=True))
    assert [leaver.employee_number for leaver in plan.leavers] == [number(3)]
    token = db.session.scalar(select(Person.session_token).where(Person.employee_number == number(3)))
    apply_plan(plan)
    db.session.expire_all()
    leaver = db.session.scalar(select(Person).where(Person.employee_number == number(3)))
    assert not leaver.active and leaver.session_token != token
    assert db.session.scalar(select(func.count()).select_from(PersonPeriod)
                             .where(PersonPeriod.person_id == leaver.id)) == 0  # joined on the extract day
    assert by_hand.active and admin.active


def test_every_invalid_row_is_listed_with_its_line_and_nothing_is_written(tree, today):
    rows = organisation(8)
    rows[1][7] = "Astronauts"
    rows[2][4] = "not-an-email"
    rows[3][8] = "99999999"
    rows.append(staff_row(4, assignment=rows[4][1]))  # line 10: the same employee and assignment again
    rows.append(staff_row(9))
    rows[-1][0] = "1" * 21  # line 11
    rows[5][8], rows[6][8] = number(6), number(5)  # a cycle
    raw = as_csv(rows)
    plan = build(raw, Options(today))
    reasons = "\n".join(f"{line}: {reason}" for line, reason in plan.invalid)
    assert "3: employee 10000001: unknown staff group 'Astronauts'" in reasons
    assert "4: employee 10000002: malformed e-mail address 'not-an-email'" in reasons
    assert "5: employee 10000003: line manager 99999999 is neither in the file nor in the tracker" in reasons
    assert "10: duplicate employee number 10000004 (also on line 6)" in reasons
    assert "11: employee number longer than 20 characters" in reasons
    assert "line manager cycle: 10000005 → 10000006 → 10000005" in reasons
    before = people()
    with pytest.raises(Refused):
        apply_plan(plan)
    assert people() == before


def test_tier_from_the_file_must_be_1_to_3_and_without_it_comes_from_the_staff_group(tree, today):
    headings = [*HEADINGS, "Tier"]
    plan = build(as_csv([[*staff_row(1), "4"], [*staff_row(2), "3"]], headings), Options(today))
    assert plan.invalid == [(2, "employee 10000001: tier '4' is not 1, 2 or 3")] and plan.tiers is None
    plan = build(as_csv([staff_row(1, group="Administrative and Clerical")]), Options(today))
    assert plan.creates[0].tier == 1 and plan.tiers[StaffGroup.ADMIN_CLERICAL] == 1
    from tracker.staff_import.staff_groups import set_tiers, tiers_by_group
    set_tiers({**tiers_by_group(), StaffGroup.ADMIN_CLERICAL: 3})
    assert build(as_csv([staff_row(1, group="Administrative and Clerical")]), Options(today)).creates[0].tier == 3


def test_other_assignments_are_reported_and_the_primary_is_used(tree, today):
    headings = [*HEADINGS, "Primary Assignment"]
    rows = [[*staff_row(1, assignment="A-1"), "N"], [*staff_row(1, assignment="A-2", team="Main Theatres"), "Y"],
            [*staff_row(2, assignment="B-1"), ""], [*staff_row(2, assignment="B-2", team="Main Theatres"), ""]]
    plan = build(as_csv(rows, headings), Options(today))
    assert plan.invalid == [] and len(plan.creates) == 2
    assert {e.employee_number: e.unit_id for e in plan.creates} == {number(1): tree["theatres"].id,
                                                                   number(2): tree["ward7"].id}
    assert plan.secondary == [(2, number(1), "A-1"), (5, number(2), "B-2")]


def test_people_without_email_are_imported_and_counted(tree, today):
    plan, result = imported(as_csv([staff_row(1, email=""), staff_row(2, email=""), staff_row(3)]), today)
    assert plan.without_email == 2 and result.created == 3
    assert db.session.scalar(select(func.count()).select_from(Person).where(Person.email.is_(None))) == 2


def test_units_match_by_code_then_by_name_and_an_ambiguous_name_is_an_error(tree, today):
    tree["clinic"].code = "C100"
    make_unit("Ward 7 (Oncology)", UnitKind.TEAM, tree["surgery"])
    db.session.commit()
    headings = [*HEADINGS, "Organisation Code"]
    plan = build(as_csv([[*staff_row(1, team="anything"), "c100"], [*staff_row(2), ""]], headings), Options(today))
    assert plan.invalid == [(3, "employee 10000002: 2 units are called 'Ward 7 (Oncology)': give organisation "
                                "codes to tell them apart")]


def test_teams_that_do_not_exist_yet_are_created_under_the_chosen_parent(tree, today):
    headings = [*HEADINGS, "Org Code"]
    raw = as_csv([[*staff_row(1, team="Ward 9"), "W9"], [*staff_row(2, team="Ward 9"), "W9"]], headings)
    plan = build(raw, Options(today))
    assert plan.new_teams == [("W9", "Ward 9")]
    with pytest.raises(Refused, match="new teams go under"):
        apply_plan(plan)
    result = apply_plan(plan, None, tree["cancer"])
    assert result.teams_created == 1
    ward9 = db.session.scalar(select(Person).where(Person.employee_number == number(2))).team
    assert (ward9.name, ward9.code, ward9.parent_id) == ("Ward 9", "W9", tree["cancer"].id)
    assert build(raw, Options(today)).new_teams == []


def test_an_extract_dated_in_a_closed_year_is_refused(tree, today):
    from tracker.refusal import Refused
    with pytest.raises(Refused, match="closed"):
        build(as_csv(organisation(2)), Options(today - timedelta(days=800)))


@pytest.mark.parametrize("encoding, bom", [("utf-8", False), ("utf-8", True), ("cp1252", False)])
def test_the_encoding_is_detected(tree, today, encoding, bom):
    raw = as_csv([staff_row(1, first="Zoë"), staff_row(2, first="José")], encoding=encoding)
    plan = build((b"\xef\xbb\xbf" if bom else b"") + raw, Options(today))
    assert [e.name for e in plan.creates] == ["Zoë Family1", "José Family2"]
    assert plan.encoding == ("Windows-1252" if encoding == "cp1252" else "UTF-8")


def test_an_unrecognised_heading_is_mapped_once_and_remembered(tree, today):
    headings = ["Pay Number" if h == "Employee Number" else h for h in HEADINGS]
    plan = build(as_csv([staff_row(1)], headings), Options(today))
    assert plan.missing == ["employee_number"] and "Pay Number" in plan.columns.unrecognised
    remember({"employee_number": "Pay Number"})
    db.session.commit()
    assert db.session.get(ImportHeading, "pay number").field == "employee_number"
    assert [e.employee_number for e in build(as_csv([staff_row(1)], headings), Options(today)).creates] == [number(1)]


def test_an_xlsx_extract_reads_like_the_csv_and_formulas_stay_text(tree, today):
    rows = organisation(3)
    rows[2][5] = '=HYPERLINK("http://evil.example","click")'
    rows[1][0] = 10000001  # a number cell
    plan = build(as_xlsx(rows), Options(today))
    assert plan.encoding == "Excel" and [e.employee_number for e in plan.creates] == [number(0), number(1), number(2)]
    assert plan.creates[2].job_title.startswith("=HYPERLINK(")


def test_a_bad_row_near_the_end_of_a_large_file_leaves_the_database_as_it_was(tree, today):
    rows = organisation(20_000)
    rows[19_997][7] = "Astronauts"  # line 19,999 (the heading row is line 1)
    raw = as_csv(rows)
    before = people()
    plan = build(raw, Options(today))
    assert plan.invalid == [(19_999, "employee 10019997: unknown staff group 'Astronauts'")]
    with pytest.raises(Refused, match="1 invalid row"):
        apply_plan(plan)
    db.session.rollback()
    assert people() == before


def test_a_failure_while_applying_writes_nothing(tree, today, monkeypatch):
    imported(as_csv(organisation(3)), today)
    before = people()
    plan = build(as_csv(organisation(6)[1:]), Options(today, whole_organisation=True))
    assert len(plan.creates) == 3 and len(plan.leavers) == 1

    def broken(*args):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("tracker.staff_import.apply.leave_many", broken)
    with pytest.raises(RuntimeError):
        apply_plan(plan)
    db.session.rollback()
    assert people() == before


def test_a_leaver_back_in_the_file_rejoins_from_the_extract_date(tree, today):
    imported(as_csv(organisation(2)), today - timedelta(days=10))
    imported(as_csv(organisation(1)), today - timedelta(days=5), whole_organisation=True)
    leaver = db.session.scalar(select(Person).where(Person.employee_number == number(1)))
    assert not leaver.active
    plan = build(as_csv(organisation(2)), Options(today))
    assert plan.updates[0].changes == [("In post", "no (left)", "yes")]
    apply_plan(plan)
    assert leaver.active
    periods = db.session.scalars(select(PersonPeriod).where(PersonPeriod.person_id == leaver.id)
                                 .order_by(PersonPeriod.starts_on)).all()
    assert [(p.starts_on, p.ends_on) for p in periods] == [(today - timedelta(days=10), today - timedelta(days=6)),
                                                            (today, None)]


def test_a_line_manager_may_be_named_by_email_in_the_file_or_the_tracker(tree, today):
    boss = make_person(tree["ward7"], email="boss@example.org")
    db.session.commit()
    headings = [*HEADINGS[:-1], "Line Manager Email"]
    rows = [staff_row(1, manager="boss@example.org"), staff_row(2, manager="given1.family1@example.nhs.uk"),
            staff_row(3, manager="stranger@example.org")]
    plan = build(as_csv(rows, headings), Options(today))
    assert plan.invalid == [(4, "employee 10000003: line manager stranger@example.org is neither in the file nor "
                                "in the tracker")]
    plan = build(as_csv(rows[:2], headings), Options(today))
    apply_plan(plan)
    managers = dict(db.session.execute(select(Person.employee_number, Person.line_manager_id)
                                       .where(Person.employee_number.is_not(None))).all())
    first = db.session.scalar(select(Person.id).where(Person.employee_number == number(1)))
    assert managers == {number(1): boss.id, number(2): first}


def test_someone_imported_without_an_email_cannot_sign_in(tree, today):
    from tracker.auth.services import authenticate
    imported(as_csv([staff_row(1, email="")]), today)
    person = db.session.scalar(select(Person).where(Person.employee_number == number(1)))
    person.password_hash = "scrypt:32768:8:1$x$y"
    assert person.email is None and authenticate("", "anything") is None and authenticate(None, "x") is None


def test_the_bulk_history_changes_match_the_one_person_ones(tree, today):
    from tracker import staff_history
    earlier = today - timedelta(days=20)
    one, many = (make_person(tree["ward7"], tier=1) for _ in range(2))
    gone_one, gone_many = (make_person(tree["ward7"]) for _ in range(2))
    staff_history.change(one, earlier, tier=2)
    staff_history.change(many, earlier, tier=2)
    staff_history.change(one, today - timedelta(days=3), team=tree["clinic"], tier=3)
    staff_history.change_many({many.id: {"team_id": tree["clinic"].id, "tier": 3,
                                         "staff_group": many.staff_group}}, today - timedelta(days=3))
    staff_history.leave(gone_one, earlier)
    staff_history.leave_many([gone_many.id], earlier)
    db.session.flush()
    db.session.expire_all()

    def shape(person):
        periods = db.session.scalars(select(PersonPeriod).where(PersonPeriod.person_id == person.id)
                                     .order_by(PersonPeriod.starts_on)).all()
        return ([(p.starts_on, p.ends_on, p.team_id, p.tier, p.staff_group) for p in periods],
                (person.team_id, person.tier, person.active))

    assert shape(one) == shape(many) and shape(gone_one) == shape(gone_many)
