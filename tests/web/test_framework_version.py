"""The "Import a framework version" page: education leads and admins upload a framework file, see
what it adds, changes and removes, choose the year it applies from and import it; a bad file
shows every problem and writes nothing; nobody else may reach it.

The known organisation (tests/conftest.py known_org) on 15 October 2025.
"""
from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, make_person
from tests.framework_versions import NEW_VERSION, as_bytes, newer_version
from tests.support import csrf_token_from
from tracker import compliance, figures
from tracker.appraisal_year import AppraisalYear
from tracker.extensions import db
from tracker.roster import Roster
from tracker.framework_import import IMPORTED
from tracker.framework_years import framework_of
from tracker.models import AuditEvent, Framework
from tracker.reference import DEFAULT_FRAMEWORK_FILE

URL = "/reports/framework-version"
THIS_YEAR, NEXT_YEAR = AppraisalYear(2025), AppraisalYear(2026)


@pytest.fixture
def org(known_org, clock, app, tmp_path, monkeypatch):
    clock.move_to(known_org["day"])
    monkeypatch.setitem(app.config, "FRAMEWORK_UPLOAD_FOLDER", str(tmp_path / "framework-uploads"))
    tree = known_org["tree"]
    make_person(tree["trust"], email="lead@example.org", tier=1, roles=["education_lead"], name="Lee Lead")
    make_person(tree["trust"], email="admin@example.org", tier=1, roles=["admin"], name="Ann Admin")
    make_person(tree["trust"], email="boss@example.org", tier=1, roles=["manager"], scope=[tree["cancer"]])
    make_person(tree["ward7"], email="nurse@example.org", tier=2)
    db.session.commit()
    return known_org


def upload(client, raw: bytes, applies_from: str = "current"):
    token = csrf_token_from(client.get(URL).get_data(as_text=True))
    return client.post(URL, data={"csrf_token": token, "action": "preview", "applies_from": applies_from,
                                  "file": (io.BytesIO(raw), "framework.json")},
                       content_type="multipart/form-data")


def confirm(client, preview_html: str):
    fields = dict(re.findall(r'name="(csrf_token|token|applies_from)" value="([^"]*)"', preview_html))
    return client.post(URL, data={**fields, "action": "import"})


def versions() -> int:
    return db.session.scalar(select(func.count()).select_from(Framework))


def figures_of(year: AppraisalYear, day: date):
    everyone = Roster.of(year, day).people()
    return (db.session.execute(compliance.status_query(everyone, year, day)).all(),
            figures.behaviour_coverage(everyone, year, day))


@pytest.mark.parametrize("email", ["lead@example.org", "admin@example.org"])
def test_the_preview_lists_added_changed_and_removed_behaviours_and_imports_nothing(client, sign_in, org, email):
    sign_in(email, PASSWORD)
    html = upload(client, as_bytes(newer_version())).get_data(as_text=True)
    assert "<h1>Import a framework version</h1>" in html and "What this version would change" in html
    assert "1 added, 2 changed, 1 removed" in html
    assert re.search(r"Added behaviours.*1\.5", html, re.S) and re.search(r"Removed behaviours.*3\.1", html, re.S)
    assert "code 2.1 to 2.6, text" in html and "tiers 2, 3 to 1, 2, 3" in html
    assert "Import framework" in html and "Nothing has been imported yet" in html
    assert versions() == 1


def test_importing_from_this_year_applies_it_and_audits_it(client, sign_in, org):
    sign_in("lead@example.org", PASSWORD)
    last_year = figures_of(AppraisalYear(2024), org["day"])
    response = confirm(client, upload(client, as_bytes(newer_version())).get_data(as_text=True))
    assert response.status_code == 302 and response.headers["Location"].endswith(URL)
    page = client.get(URL).get_data(as_text=True)
    assert f"version {NEW_VERSION} imported: it applies from 2025 to 2026" in page
    assert framework_of(THIS_YEAR).version == NEW_VERSION
    assert figures_of(AppraisalYear(2024), org["day"]) == last_year
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == IMPORTED).order_by(AuditEvent.id.desc()))
    assert event.actor_id is not None and event.detail["from_year"] == 2025
    # The kept file went with the import.
    assert list(Path(client.application.config["FRAMEWORK_UPLOAD_FOLDER"]).glob("*.json")) == []


def test_importing_from_next_year_leaves_this_years_figures_alone(client, sign_in, org):
    sign_in("lead@example.org", PASSWORD)
    this_year = figures_of(THIS_YEAR, org["day"])
    old = framework_of(THIS_YEAR)
    response = confirm(client, upload(client, as_bytes(newer_version()), "next").get_data(as_text=True))
    assert response.status_code == 302
    assert "it applies from 2026 to 2027" in client.get(URL).get_data(as_text=True)
    assert framework_of(THIS_YEAR) == old and framework_of(NEXT_YEAR).version == NEW_VERSION
    assert figures_of(THIS_YEAR, org["day"]) == this_year


def test_a_bad_file_shows_every_problem_and_writes_nothing(client, sign_in, org):
    sign_in("lead@example.org", PASSWORD)
    bad = newer_version()
    del bad["domains"][0]["subjects"][0]["behaviours"][0]["tiers"]
    bad["domains"][0]["subjects"][1]["behaviours"][0]["replaces"] = ["9.9"]
    html = upload(client, as_bytes(bad)).get_data(as_text=True)
    assert "There is a problem" in html
    assert 'domains[0].subjects[0].behaviours[0]: missing &#34;tiers&#34;' in html
    assert "which is not a behaviour of the previous version" in html
    assert "Correct the file (2 problems above) and upload it again" in html
    assert "Import framework" not in html and versions() == 1
    html = upload(client, b"{not json").get_data(as_text=True)
    assert "not valid JSON at line 1" in html and versions() == 1


def test_a_made_up_token_imports_nothing(client, sign_in, org):
    sign_in("lead@example.org", PASSWORD)
    token = csrf_token_from(client.get(URL).get_data(as_text=True))
    response = client.post(URL, data={"csrf_token": token, "action": "import", "applies_from": "current",
                                      "token": "../../etc/passwd"})
    assert response.status_code == 200 and "upload it again" in response.get_data(as_text=True)
    assert versions() == 1


def test_a_file_and_a_year_are_needed(client, sign_in, org):
    sign_in("lead@example.org", PASSWORD)
    token = csrf_token_from(client.get(URL).get_data(as_text=True))
    html = client.post(URL, data={"csrf_token": token, "action": "preview"}).get_data(as_text=True)
    assert "Choose the framework file to upload" in html and "Select the appraisal year it applies from" in html


@pytest.mark.parametrize("email", ["boss@example.org", "nurse@example.org"])
def test_nobody_but_education_leads_and_admins_may_import(client, sign_in, org, email):
    sign_in(email, PASSWORD)
    assert client.get(URL).status_code == 403
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post(URL, data={"csrf_token": token, "action": "preview", "applies_from": "current",
                                      "file": (io.BytesIO(as_bytes(newer_version())), "framework.json")},
                           content_type="multipart/form-data")
    assert response.status_code == 403 and versions() == 1


def test_the_page_is_linked_from_the_reports_and_the_framework(client, sign_in, org):
    sign_in("lead@example.org", PASSWORD)
    for page in ("/reports/", "/hub/framework"):
        assert f'href="{URL}"' in client.get(page).get_data(as_text=True), page


def test_the_framework_page_offers_the_import_to_education_leads_only(client, sign_in, org):
    sign_in("nurse@example.org", PASSWORD)
    assert f'href="{URL}"' not in client.get("/hub/framework").get_data(as_text=True)


def test_the_version_already_loaded_changes_nothing(client, sign_in, org):
    sign_in("lead@example.org", PASSWORD)
    html = upload(client, DEFAULT_FRAMEWORK_FILE.read_bytes()).get_data(as_text=True)
    assert "is already loaded" in html and "0 added, 0 changed, 0 removed" in html
    response = confirm(client, html)
    assert response.status_code == 302
    assert "nothing changed" in client.get(URL).get_data(as_text=True) and versions() == 1
