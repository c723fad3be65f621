"""Erasing a person from the admin's person page: a confirmation page first, refused for oneself
and for an active admin, audited by subject id only (tracker/erasure.py has the rules)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.factories import make_activity, make_activity_type, make_person
from tracker import erasure
from tracker.extensions import db
from tracker.models import Activity, AuditEvent, EvidenceFile

STORED = "c" * 32 + ".png"


@pytest.fixture
def uploads(app, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "uploads"
    folder.mkdir()
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder


def erased_events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "person.erased")))


def test_the_person_page_offers_erasing_which_asks_first(client, as_admin):
    nurse = as_admin["people"]["nurse"]
    page = client.get(f"/admin/people/{nurse.id}").get_data(as_text=True)
    assert f'href="/admin/people/{nurse.id}/erase"' in page and "Erase this person" in page
    html = client.get(f"/admin/people/{nurse.id}/erase").get_data(as_text=True)
    assert "<h1>Erase Nia Nurse</h1>" in html and "Yes, erase" in html
    db.session.refresh(nurse)
    assert nurse.erased_at is None and not erased_events()


def test_yes_erase_removes_them_their_activities_and_files(client, post_form, as_admin, uploads):
    nurse = as_admin["people"]["nurse"]
    activity = make_activity(nurse, make_activity_type(), occurred_on=date(2025, 6, 1), title="My reflection")
    db.session.add(EvidenceFile(activity_id=activity.id, original_name="scan.png", stored_name=STORED,
                                content_type="image/png", size_bytes=3))
    (uploads / STORED).write_bytes(b"png")
    db.session.commit()

    response = post_form(f"/admin/people/{nurse.id}/erase", {})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/people")
    assert "Nia Nurse erased." in client.get("/admin/people").get_data(as_text=True)
    db.session.refresh(nurse)
    assert nurse.name == "Erased person" and nurse.email is None and not nurse.active
    assert db.session.scalar(select(Activity).where(Activity.owner_id == nurse.id)) is None
    assert list(uploads.iterdir()) == []
    [event] = erased_events()
    assert event.actor_id == as_admin["people"]["admin"].id and event.person_id is None
    assert "Nia" not in str(event.detail) and "nurse@example.org" not in str(event.detail)
    # The page of an erased person no longer offers erasing.
    assert "Erase this person" not in client.get(f"/admin/people/{nurse.id}").get_data(as_text=True)


@pytest.mark.parametrize("who, message", [("self", erasure.NOT_YOURSELF), ("other admin", erasure.ACTIVE_ADMIN)])
def test_erasing_oneself_or_an_active_admin_is_refused(client, post_form, as_admin, who, message):
    person = as_admin["people"]["admin"] if who == "self" else make_person(
        as_admin["tree"]["trust"], email="second@example.org", roles=["admin"], name="Sue Second")
    db.session.commit()
    shown = client.get(f"/admin/people/{person.id}/erase").get_data(as_text=True)
    assert message in shown and "Yes, erase" not in shown
    response = post_form(f"/admin/people/{person.id}/erase", {}, token_from=f"/admin/people/{person.id}")
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.erased_at is None and person.active and not erased_events()


def test_an_erase_without_a_csrf_token_changes_nothing(client, as_admin):
    nurse = as_admin["people"]["nurse"]
    assert client.post(f"/admin/people/{nurse.id}/erase", data={}).status_code == 400
    db.session.refresh(nurse)
    assert nurse.erased_at is None


def test_an_erased_person_cannot_be_reactivated_or_edited(client, post_form, as_admin):
    gone = as_admin["people"]["gone"]
    assert post_form(f"/admin/people/{gone.id}/erase", {}).status_code == 302
    page = client.get(f"/admin/people/{gone.id}").get_data(as_text=True)
    assert "This person has been erased" in page and "Reactivate" not in page and "Edit details" not in page
    html = post_form(f"/admin/people/{gone.id}/reactivate",
                     {"on-day": "15", "on-month": "10", "on-year": "2025"}).get_data(as_text=True)
    assert "This person has been erased: nothing of theirs can be changed." in html
    db.session.refresh(gone)
    assert not gone.active and gone.name == "Erased person"
