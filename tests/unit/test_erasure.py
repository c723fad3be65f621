"""Erasing a person and `flask data purge`: what goes, what the closed years keep, and the audit trail.

On 15 October 2025 the 2025 to 2026 appraisal year is open and 2024 to 2025 has closed (1 May 2025).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import make_activity, make_activity_type, make_person, make_tree
from tracker import audit, erasure, figures, retention
from tracker.appraisal_year import AppraisalYear
from tracker.extensions import db
from tracker.models import (Activity, ActivityStatus, AuditEvent, AuditSubject, EvidenceFile, Exemption, ExemptionReason,
                            Person, PersonPeriod, activity_behaviour)
from tracker.refusal import Refused
from tracker.roster import Roster

DAY = date(2025, 10, 15)
CLOSED, OPEN = AppraisalYear(2024), AppraisalYear(2025)
IN_CLOSED, IN_OPEN = date(2024, 9, 2), date(2025, 6, 3)


@pytest.fixture
def org(db_session, clock, app, tmp_path, monkeypatch):
    clock.move_to(DAY)
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    (tmp_path / "uploads").mkdir()
    tree = make_tree()
    boss = make_person(tree["cancer"], email="boss@example.org", tier=3, roles=["manager"], scope=[tree["cancer"]],
                       name="Bob Boss")
    admin = make_person(tree["trust"], email="admin@example.org", roles=["admin"], name="Ann Admin")
    nurse = make_person(tree["ward7"], email="nurse@example.org", name="Nia Nurse", line_manager=boss)
    nurse.employee_number = "E1001"
    kind = make_activity_type()
    closed = make_activity(nurse, kind, occurred_on=IN_CLOSED, title="Breaking bad news to Mrs Smith")
    closed.reflection = {"what": "Mrs Smith cried"}
    make_activity(nurse, kind, occurred_on=IN_OPEN, title="This year's")
    deleted = make_activity(nurse, kind, occurred_on=IN_CLOSED, status=ActivityStatus.DRAFT, title="Deleted")
    deleted.deleted_at = datetime(2024, 10, 1, tzinfo=UTC)
    for activity, stored in ((closed, "a" * 32 + ".png"), (deleted, "b" * 32 + ".png")):
        (tmp_path / "uploads" / stored).write_bytes(b"png")
        db.session.add(EvidenceFile(activity_id=activity.id, original_name="scan.png", stored_name=stored,
                                    content_type="image/png", size_bytes=3))
    db.session.add(Exemption(person_id=nurse.id, reason=ExemptionReason.OTHER, reason_detail="Her illness",
                             starts_on=date(2024, 4, 1), ends_on=date(2024, 5, 1)))
    db.session.add(Exemption(person_id=nurse.id, reason=ExemptionReason.OTHER, reason_detail="Her illness again",
                             starts_on=date(2025, 5, 1), ends_on=date(2025, 5, 2)))
    audit.record(boss, "reflection.viewed", person=nurse, activity=closed)
    db.session.commit()
    return {"tree": tree, "boss": boss, "admin": admin, "nurse": nurse, "uploads": tmp_path / "uploads"}


def cube(year: AppraisalYear) -> list:
    return sorted(figures.status_cube(Roster.of(year, DAY).people(), year, DAY))


def test_erasing_keeps_the_closed_years_figures_and_removes_everything_else(org):
    nurse = org["nurse"]
    closed_before, open_before = cube(CLOSED), cube(OPEN)

    erased = erasure.erase(org["admin"], nurse, DAY)
    db.session.commit()

    assert sorted(erased.files) == ["a" * 32 + ".png", "b" * 32 + ".png"]
    assert (erased.activities_removed, erased.activities_kept) == (2, 1)
    db.session.refresh(nurse)
    assert (nurse.name, nurse.email, nurse.employee_number, nurse.job_title, nurse.password_hash, nurse.active,
            nurse.roles, nurse.erased_at is not None) == ("Erased person", None, None, "", None, False, set(), True)
    # The closed year's activity stays as counts only: no words, no files.
    [kept] = db.session.scalars(select(Activity).where(Activity.owner_id == nurse.id)).all()
    assert (kept.occurred_on, kept.title, kept.reflection, kept.duration_minutes, kept.status) == (
        IN_CLOSED, erasure.ERASED_TITLE, {}, 60, ActivityStatus.SIGNED_OFF)
    assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 0
    assert db.session.scalar(select(func.count()).select_from(activity_behaviour)
                             .where(activity_behaviour.c.activity_id.not_in([kept.id]))) == 0
    assert [(e.starts_on, e.reason_detail) for e in db.session.scalars(
        select(Exemption).where(Exemption.person_id == nurse.id))] == [(date(2024, 4, 1), "")]
    # In post until the open years begin, so the closed year counts them and the open year does not.
    assert [(p.starts_on, p.ends_on) for p in db.session.scalars(
        select(PersonPeriod).where(PersonPeriod.person_id == nurse.id))] == [(date(1900, 1, 1), date(2025, 3, 31))]
    assert cube(CLOSED) == closed_before
    assert sum(row.n for row in cube(OPEN)) == sum(row.n for row in open_before) - 1
    assert "Nia" not in str(cube(CLOSED))


def test_the_audit_trail_keeps_its_rows_which_then_read_erased_person(org):
    nurse = org["nurse"]
    subject = audit.subject_id_of(nurse.id)
    erasure.erase(org["admin"], nurse, DAY)
    db.session.commit()
    assert db.session.scalar(select(AuditSubject).where(AuditSubject.person_id == nurse.id)) is None
    events = {e.action: e for e in db.session.scalars(select(AuditEvent).where(AuditEvent.about_subject_id == subject))}
    assert set(events) == {"reflection.viewed", "person.erased"}
    assert events["person.erased"].person_id is None  # nobody can tell whom it was about any more
    assert events["person.erased"].detail == {"activities_removed": 2, "activities_kept": 1, "files_removed": 2}
    assert "Nia" not in str(events["person.erased"].detail)


@pytest.mark.parametrize("who, message", [("self", erasure.NOT_YOURSELF), ("admin", erasure.ACTIVE_ADMIN),
                                          ("erased", erasure.ALREADY_ERASED)])
def test_erasing_oneself_an_active_admin_or_an_erased_person_is_refused(org, who, message):
    admin = org["admin"]
    person = {"self": admin, "admin": make_person(org["tree"]["trust"], roles=["admin"]), "erased": org["nurse"]}[who]
    if who == "erased":
        erasure.erase(admin, person, DAY)
    with pytest.raises(Refused) as refused:
        erasure.erase(admin, person, DAY)
    assert refused.value.errors == {"form": message}


def test_an_admin_who_has_left_may_be_erased(org):
    gone = make_person(org["tree"]["trust"], roles=["admin"], active=False)
    erasure.erase(org["admin"], gone, DAY)
    assert gone.erased_at is not None and gone.roles == set()


def _left(person: Person, last_day: date) -> None:
    person.active = False
    for period in db.session.scalars(select(PersonPeriod).where(PersonPeriod.person_id == person.id)):
        period.ends_on = last_day


def test_purge_erases_leavers_past_retention_and_evidence_past_its_grace(org, app):
    tree, uploads = org["tree"], org["uploads"]
    long_gone, recently_gone = make_person(tree["ward7"], name="Long Gone"), make_person(tree["ward7"], name="Recent")
    _left(long_gone, date(2019, 10, 14))   # more than 6 years before 15 October 2025
    _left(recently_gone, date(2019, 10, 15))
    kind = make_activity_type()
    files = {}
    for deleted_on, name in ((DAY - timedelta(days=31), "old"), (DAY - timedelta(days=30), "new")):
        activity = make_activity(org["boss"], kind, occurred_on=IN_OPEN, status=ActivityStatus.DRAFT)
        activity.deleted_at = datetime.combine(deleted_on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
        files[name] = f"{name:c<32}.pdf"
        (uploads / files[name]).write_bytes(b"%PDF")
        db.session.add(EvidenceFile(activity_id=activity.id, original_name="x.pdf", stored_name=files[name],
                                    content_type="application/pdf", size_bytes=4))
    db.session.commit()
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["data", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would erase 1 person who left more than 6 years ago." in dry.output
    assert "Would remove 2 evidence files of activities deleted more than 30 days ago." in dry.output
    db.session.refresh(long_gone)
    assert long_gone.erased_at is None and (uploads / files["old"]).exists()
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "data.purged")) == 0

    done = runner.invoke(args=["data", "purge"])
    assert done.exit_code == 0, done.output
    assert "Erased 1 person who left more than 6 years ago." in done.output
    assert "Removed 2 evidence files" in done.output
    db.session.refresh(long_gone)
    db.session.refresh(recently_gone)
    assert long_gone.name == "Erased person" and recently_gone.name == "Recent"
    # The nurse's activity deleted in 2024 had its grace long ago; the one deleted 30 days ago keeps its file.
    assert sorted(p.name for p in uploads.iterdir()) == ["a" * 32 + ".png", files["new"]]
    [purged] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "data.purged"))
    assert purged.actor_id is None and purged.detail == {
        "people_erased": 1, "evidence_files_removed": 2, "person_files_removed": 0, "retention_years": 6,
        "evidence_grace_days": 30}
    assert runner.invoke(args=["data", "purge"]).output.startswith("Erased 0 people")


def test_retention_and_grace_are_settings(org, app, monkeypatch):
    monkeypatch.setitem(app.config, "RETENTION_YEARS", 1)
    monkeypatch.setitem(app.config, "EVIDENCE_GRACE_DAYS", 400)
    gone = make_person(org["tree"]["ward7"], name="Gone Last Year")
    _left(gone, date(2024, 10, 14))
    db.session.commit()
    output = app.test_cli_runner().invoke(args=["data", "purge"]).output
    assert "Erased 1 person who left more than 1 year ago." in output
    assert "Removed 0 evidence files of activities deleted more than 400 days ago." in output


def test_the_cut_off_of_a_leap_day(org):
    assert retention.retention_cut_off(date(2028, 2, 29), 6) == date(2022, 2, 28)
    assert retention.retention_cut_off(date(2025, 10, 15), 6) == date(2019, 10, 15)


def test_an_erased_persons_undecided_closed_year_activity_is_nothing_for_admins_to_put_right(org):
    from tracker import access

    admin = org["admin"]
    nurse = make_person(org["tree"]["theatres"], name="Unmanaged")  # no line manager, nobody's scope
    waiting = make_activity(nurse, make_activity_type(), occurred_on=IN_CLOSED, status=ActivityStatus.SUBMITTED)
    db.session.commit()
    assert waiting.id in db.session.scalars(access.unmanaged_activities(admin).with_only_columns(Activity.id)).all()
    erasure.erase(admin, nurse, DAY)
    db.session.commit()
    # Still counted as awaiting sign-off in its closed year, but no longer listed for the admins.
    assert db.session.get(Activity, waiting.id).status == ActivityStatus.SUBMITTED
    assert waiting.id not in db.session.scalars(access.unmanaged_activities(admin).with_only_columns(Activity.id)).all()
