"""The "Import staff" pages: an admin uploads an extract, maps an unknown heading once, reads the
preview and applies it; a bad file or row writes nothing; nobody else may reach any of it."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, make_person, make_tree
from tests.staff_files import HEADINGS, as_csv, organisation, staff_row
from tests.support import csrf_token_from
from tracker import appraisal_year
from tracker.extensions import db
from tracker.models import AuditEvent, OrganisationUnit, Person, StaffGroup, StaffGroupTier
from tracker.staff_import import APPLIED
from tracker.staff_import.reading import MAX_FILE_BYTES

URL = "/admin/import"


@pytest.fixture
def org(db_session, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_IMPORT_FOLDER", str(tmp_path / "staff-imports"))
    tree = make_tree()
    make_person(tree["trust"], email="admin@example.org", roles=["admin"], name="Ann Admin")
    make_person(tree["trust"], email="lead@example.org", roles=["education_lead"])
    make_person(tree["trust"], email="boss@example.org", roles=["manager"], scope=[tree["cancer"]])
    make_person(tree["ward7"], email="nurse@example.org")
    db.session.commit()
    return tree


def upload(client, raw: bytes, filename: str = "staff.csv", whole: bool = False, day=None):
    token = csrf_token_from(client.get(URL).get_data(as_text=True))
    data = {"csrf_token": token, "action": "preview", "file": (io.BytesIO(raw), filename)}
    day = day or appraisal_year.today()
    if day:
        data.update({"extract_date-day": str(day.day), "extract_date-month": str(day.month),
                     "extract_date-year": str(day.year)})
    if whole:
        data["whole_organisation"] = "y"
    return client.post(URL, data=data, content_type="multipart/form-data")


def carried(html: str) -> dict:
    return dict(re.findall(r'name="(csrf_token|token|extract_date|whole_organisation)"[^>]*value="([^"]*)"', html))


def people() -> int:
    return db.session.scalar(select(func.count()).select_from(Person))


@pytest.mark.parametrize("email", ["lead@example.org", "boss@example.org", "nurse@example.org"])
def test_nobody_but_an_admin_reaches_the_import_pages(client, sign_in, org, email):
    sign_in(email, PASSWORD)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}/tiers").status_code == 403
    for path in ("", "/map", "/apply", "/tiers"):
        assert client.post(URL + path, data={"csrf_token": token}).status_code == 403
    assert "Import staff" not in client.get("/").get_data(as_text=True)


def test_an_admin_previews_then_applies_and_the_import_is_audited(client, sign_in, org, today):
    sign_in("admin@example.org", PASSWORD)
    assert 'href="/admin/import"' in client.get("/").get_data(as_text=True)
    html = upload(client, as_csv(organisation(4) + [staff_row(7, email="")]), day=today).get_data(as_text=True)
    assert "<h1>Preview of the staff import</h1>" in html and "Nothing has been imported yet" in html
    assert "1 person has no e-mail address" in html and "Given3 Family3" in html
    assert people() == 4
    response = client.post(f"{URL}/apply", data={**carried(html), "action": "apply"})
    assert response.status_code == 302 and people() == 9
    page = client.get(URL).get_data(as_text=True)
    assert "Import applied: 5 created, 0 updated, 0 unchanged, 0 deactivated, 0 new teams." in page
    assert "5 created, 0 updated" in page  # the history of imports
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == APPLIED))
    assert event.actor_id is not None and event.detail["created"] == 5
    # The kept file is gone: applying it again is refused, and writes nothing.
    again = client.post(f"{URL}/apply", data={**carried(html), "action": "apply"}).get_data(as_text=True)
    assert "expired or was already applied" in again and people() == 9


def test_a_rerun_shows_everyone_unchanged(client, sign_in, org, today):
    sign_in("admin@example.org", PASSWORD)
    raw = as_csv(organisation(3))
    client.post(f"{URL}/apply", data={**carried(upload(client, raw).get_data(as_text=True)), "action": "apply"})
    html = upload(client, raw, whole=True).get_data(as_text=True)
    assert re.search(r"Unchanged</dt>\s*<dd[^>]*>3</dd>", html)
    assert re.search(r"People to deactivate</dt>\s*<dd[^>]*>0</dd>", html)


def test_invalid_rows_are_listed_and_there_is_no_apply_button(client, sign_in, org):
    sign_in("admin@example.org", PASSWORD)
    rows = organisation(3)
    rows[1][4] = "nobody@"
    html = upload(client, as_csv(rows)).get_data(as_text=True)
    assert "Invalid rows" in html and "malformed e-mail address" in html and "Apply import" not in html


def test_a_hostile_file_gets_one_message_on_the_upload_page(client, sign_in, org):
    sign_in("admin@example.org", PASSWORD)
    response = upload(client, b"\x89PNG\r\n\x1a\n\x00\x00", filename="photo.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "This is not a CSV or Excel file: it holds binary data." in html
    assert "There is a problem" in html


def test_a_file_over_the_size_limit_is_refused_by_the_field(client, sign_in, org):
    sign_in("admin@example.org", PASSWORD)
    html = upload(client, b"a" * (MAX_FILE_BYTES + 1)).get_data(as_text=True)
    assert "The staff file must be smaller than 20 MB" in html and people() == 4


def test_an_extract_date_in_a_closed_year_is_refused_by_the_field(client, sign_in, org, today):
    sign_in("admin@example.org", PASSWORD)
    html = upload(client, as_csv(organisation(2)), day=today - timedelta(days=3 * 366)).get_data(as_text=True)
    assert "appraisal year closed" in html and people() == 4


def test_an_unknown_heading_is_mapped_once_and_remembered(client, sign_in, org):
    sign_in("admin@example.org", PASSWORD)
    raw = as_csv(organisation(2), ["Pay Number" if h == "Employee Number" else h for h in HEADINGS])
    html = upload(client, raw).get_data(as_text=True)
    assert "<h1>Which column is which</h1>" in html and "Pay Number" in html
    html = client.post(f"{URL}/map", data={**carried(html), "map-employee_number": "Pay Number"}).get_data(as_text=True)
    assert "<h1>Preview of the staff import</h1>" in html
    assert "<h1>Preview of the staff import</h1>" in upload(client, raw).get_data(as_text=True)


def test_new_teams_need_a_parent_and_are_created_on_apply(client, sign_in, org):
    sign_in("admin@example.org", PASSWORD)
    html = upload(client, as_csv([staff_row(1, team="Ward 12")])).get_data(as_text=True)
    assert "Teams that do not exist yet" in html and "Ward 12" in html
    refused = client.post(f"{URL}/apply", data={**carried(html), "action": "apply", "parent": ""})
    assert "Choose the unit the new teams go under." in refused.get_data(as_text=True) and people() == 4
    response = client.post(f"{URL}/apply", data={**carried(html), "action": "apply", "parent": str(org["cancer"].id)})
    assert response.status_code == 302
    ward12 = db.session.scalar(select(OrganisationUnit).where(OrganisationUnit.name == "Ward 12"))
    assert ward12.parent_id == org["cancer"].id


def test_a_made_up_token_is_refused(client, sign_in, org, today):
    sign_in("admin@example.org", PASSWORD)
    token = csrf_token_from(client.get(URL).get_data(as_text=True))
    html = client.post(f"{URL}/apply", data={"csrf_token": token, "token": "../../etc/passwd",
                                             "extract_date": today.isoformat()}).get_data(as_text=True)
    assert "expired or was already applied" in html


def test_a_tampered_extract_date_is_refused_without_writing(client, sign_in, org):
    sign_in("admin@example.org", PASSWORD)
    html = upload(client, as_csv(organisation(2))).get_data(as_text=True)
    response = client.post(f"{URL}/apply", data={**carried(html), "extract_date": "31-02-2026", "action": "apply"})
    assert response.status_code == 200 and "upload the file again" in response.get_data(as_text=True)
    assert people() == 4


def test_the_tiers_of_staff_groups_are_changed_and_kept(client, sign_in, post_form, org):
    sign_in("admin@example.org", PASSWORD)
    data = {f"tier_{n}": "1" for n in range(len(StaffGroup))}
    response = post_form(f"{URL}/tiers", data)
    assert response.status_code == 302
    assert db.session.scalar(select(StaffGroupTier.tier).where(
        StaffGroupTier.staff_group == StaffGroup.NURSING_MIDWIFERY)) == 1
    assert "Nursing and Midwifery Registered: tier 1" in client.get(URL).get_data(as_text=True)
