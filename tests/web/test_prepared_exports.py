"""Prepared exports (README, "Prepared exports"): a long export offers "Prepare the file and e-mail
me when it is ready"; the file is built (here in-process, as under `make run` without a broker),
the e-mail goes to the requester only, only they may download it, and after 7 days it is gone."""
from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.factories import PASSWORD, make_person
from tests.mail_servers import LocalSmtp
from tracker import appraisal_year
from tracker.extensions import db
from tracker.models import AuditEvent, Notification, Person, PreparedExport
from tracker.models.prepared_exports import EXPIRED, FAILED, READY, REQUESTED
from tracker.reports import prepared

ALL_YEARS_XLSX = "/reports/export/activities.xlsx?year=all"


@pytest.fixture
def org(known_org, clock, app, monkeypatch, tmp_path):
    clock.move_to(known_org["day"])
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    # Every activities export of this small organisation counts as long; the by-person one does not.
    monkeypatch.setitem(app.config, "EXPORT_STREAM_MAX_ROWS", 5)
    tree = known_org["tree"]
    known_org["lead"] = make_person(tree["trust"], email="lead@example.org", tier=1, roles=["education_lead"],
                                    name="Lee Lead")
    known_org["other_lead"] = make_person(tree["trust"], email="lead2@example.org", tier=1,
                                          roles=["education_lead"], name="Olu Other")
    known_org["admin"] = make_person(tree["trust"], email="admin@example.org", tier=1, roles=["admin"])
    make_person(tree["trust"], email="boss@example.org", tier=1, roles=["manager"], scope=[tree["cancer"]])
    db.session.commit()
    known_org["lead_id"] = known_org["lead"].id  # the in-process build ends the session its objects came from
    return known_org


@pytest.fixture
def without_broker(app, monkeypatch):
    """`make run` without Redis: the file is built, and its e-mail sent, by the web process."""
    monkeypatch.setitem(app.config, "CELERY_BROKER_URL", "")


@pytest.fixture
def smtp(app, monkeypatch):
    with LocalSmtp() as server:
        for name, value in server.settings().items():
            monkeypatch.setitem(app.config, name, value)
        yield server


def login(sign_in, email):
    assert sign_in(email, PASSWORD).status_code == 302


def ask_for_it(client, post_form, url=ALL_YEARS_XLSX):
    offered = client.get(url)
    assert offered.status_code == 200 and offered.mimetype == "text/html"
    html = offered.get_data(as_text=True)
    assert "Prepare the file and e-mail me when it is ready" in html
    fields = dict(re.findall(r'<input[^>]*name="(key|fmt|filters)"[^>]*value="([^"]*)"', html))
    return post_form("/reports/prepared-files", {k: v.replace("&amp;", "&") for k, v in fields.items()}, token_from=url)


def test_a_long_export_is_prepared_mailed_and_downloaded_by_its_requester(client, sign_in, post_form, org,
                                                                         without_broker, smtp):
    login(sign_in, "lead@example.org")
    answer = ask_for_it(client, post_form)
    assert answer.status_code == 302 and answer.location.endswith("/reports/prepared-files")

    export = db.session.scalar(select(PreparedExport))
    assert (export.requester_id, export.kind, export.format, export.status) == (org["lead_id"], "activities", "xlsx",
                                                                                READY)
    assert export.filters["year"] == "all" and export.estimated_rows == export.rows > 0
    assert export.expires_at - export.ready_at == timedelta(days=7)
    file = prepared.path_of(export)
    assert file.stat().st_size == export.size_bytes
    assert len(list(load_workbook(file, read_only=True).worksheets[0].iter_rows())) == export.rows + 1

    [mail] = smtp.messages
    assert mail["To"] == "lead@example.org" and mail["Subject"] == "Your export is ready to download"
    assert "Activities, all years (Excel)" in mail.get_content()
    assert "/reports/prepared-files\r\n" in mail.get_content()

    page = client.get("/reports/prepared-files").get_data(as_text=True)
    assert "Ready" in page and f"/reports/prepared-files/{export.id}/download" in page
    download = client.get(f"/reports/prepared-files/{export.id}/download")
    assert download.status_code == 200 and download.data == file.read_bytes()
    assert download.headers["Content-Disposition"].startswith("attachment")
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == org["lead_id"],
                                                                 AuditEvent.action.like("report.%"))).all()
    assert actions == ["report.export_requested", "report.exported", "report.prepared_downloaded"]


def test_nobody_else_may_download_it_not_even_another_education_lead(client, sign_in, post_form, org,
                                                                     without_broker):
    login(sign_in, "lead@example.org")
    ask_for_it(client, post_form)
    export = db.session.scalar(select(PreparedExport))
    assert export.status == READY
    for email in ("lead2@example.org", "admin@example.org"):
        post_form("/sign-out", {}, token_from="/")
        login(sign_in, email)
        assert client.get(f"/reports/prepared-files/{export.id}/download").status_code == 404, email
        assert f"/reports/prepared-files/{export.id}/download" not in client.get("/reports/prepared-files").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "report.prepared_downloaded")) == 0


def test_a_manager_may_neither_ask_nor_download(client, sign_in, post_form, org, without_broker):
    login(sign_in, "lead@example.org")
    ask_for_it(client, post_form)
    export = db.session.scalar(select(PreparedExport))
    post_form("/sign-out", {}, token_from="/")
    login(sign_in, "boss@example.org")
    assert client.get(f"/reports/prepared-files/{export.id}/download").status_code == 403
    refused = post_form("/reports/prepared-files", {"key": "activities", "fmt": "xlsx", "filters": "year=all"},
                        token_from="/")
    assert refused.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(PreparedExport)) == 1


def test_a_request_naming_no_export_or_bad_filters_is_refused(client, sign_in, post_form, org, without_broker):
    login(sign_in, "lead@example.org")
    for fields in ({"key": "reflections", "fmt": "csv", "filters": "year=all"},
                   {"key": "activities", "fmt": "pdf", "filters": "year=all"},
                   {"key": "activities", "fmt": "csv", "filters": "year=1066"}):
        assert post_form("/reports/prepared-files", fields).status_code == 400, fields
    assert db.session.scalar(select(func.count()).select_from(PreparedExport)) == 0


def test_a_short_export_still_streams_at_once(client, sign_in, org, without_broker, app, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_STREAM_MAX_ROWS", 100)
    login(sign_in, "lead@example.org")
    response = client.get("/reports/export/people.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert db.session.scalar(select(func.count()).select_from(PreparedExport)) == 0


def test_with_a_broker_the_request_waits_for_a_worker_and_shows_it_being_prepared(client, sign_in, post_form,
                                                                                   org):
    """TestingConfig's broker is Celery's in-memory one, which nobody reads: the row stays asked for
    until a worker runs the task (here: the task's function, in-process)."""
    login(sign_in, "lead@example.org")
    ask_for_it(client, post_form)
    export = db.session.scalar(select(PreparedExport))
    assert export.status == REQUESTED
    assert "Being prepared" in client.get("/reports/prepared-files").get_data(as_text=True)
    assert client.get(f"/reports/prepared-files/{export.id}/download").status_code == 404  # nothing to download yet

    from tracker.notifications import worker

    assert worker.build_export.run(export.id) == READY
    db.session.refresh(export)
    mail = db.session.scalar(select(Notification).where(Notification.kind == "export_ready"))
    # Queued with the change that made the file ready (the memory broker sends nothing).
    assert (mail.person_id, mail.status, mail.created_at) == (org["lead_id"], "queued", export.ready_at)
    assert mail.fields["link"].endswith("/reports/prepared-files")  # PUBLIC_BASE_URL's, outside a request
    assert mail.fields["export"] == "Activities, all years (Excel)"
    assert worker.build_export.run(export.id) == READY  # a second delivery of the task does nothing
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1


def test_a_build_for_someone_who_may_no_longer_export_fails_and_sends_nothing(client, sign_in, post_form, org):
    login(sign_in, "lead@example.org")
    ask_for_it(client, post_form)
    export = db.session.scalar(select(PreparedExport))
    db.session.get(Person, org["lead_id"]).role_grants.clear()
    db.session.commit()
    assert prepared.build(export.id) == FAILED
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert list(Path(prepared.folder()).glob("*")) == []


def test_files_are_removed_after_seven_days(client, sign_in, post_form, org, without_broker, clock):
    login(sign_in, "lead@example.org")
    ask_for_it(client, post_form)
    export = db.session.scalar(select(PreparedExport))
    file = prepared.path_of(export)
    assert file.is_file()
    clock.move_to(clock.day + timedelta(days=6))
    assert prepared.expire() == 0 and file.is_file()
    clock.move_to(clock.day + timedelta(days=1))
    assert prepared.expire() == 1
    db.session.refresh(export)
    assert export.status == EXPIRED and not file.exists()
    assert client.get(f"/reports/prepared-files/{export.id}/download").status_code == 404
    assert "Removed" in client.get("/reports/prepared-files").get_data(as_text=True)


def test_the_prepared_file_holds_what_the_download_would_with_the_same_filters(client, sign_in, post_form, org,
                                                                               without_broker, app, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_STREAM_MAX_ROWS", 0)
    login(sign_in, "lead@example.org")
    cancer = org["tree"]["cancer"].id
    url = f"/reports/export/activities.csv?year=all&unit={cancer}"
    ask_for_it(client, post_form, url)
    export = db.session.scalar(select(PreparedExport))
    assert export.status == READY and export.filters["unit"] == str(cancer) and export.rows > 0
    monkeypatch.setitem(app.config, "EXPORT_STREAM_MAX_ROWS", 10_000)
    streamed = client.get(url)
    assert streamed.mimetype == "text/csv"
    assert prepared.path_of(export).read_bytes() == streamed.data
    assert export.file_name == streamed.headers["Content-Disposition"].split('filename="')[1].rstrip('"')


def test_while_it_is_being_prepared_the_page_shows_the_rows_written_so_far(client, sign_in, post_form, org):
    login(sign_in, "lead@example.org")
    ask_for_it(client, post_form)  # the in-memory broker: nobody builds it yet
    export = db.session.scalar(select(PreparedExport))
    export.estimated_rows = 12_000
    db.session.commit()
    prepared.folder().mkdir(parents=True, exist_ok=True)
    noted = prepared._Progress(prepared.folder() / f"{export.stored_name}.rows")
    for _ in range(7):
        noted(1000)  # as RowCounter reports a thousand rows at a time
    assert "5,000 of about 12,000 rows written" in client.get("/reports/prepared-files").get_data(as_text=True)
