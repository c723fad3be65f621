"""Evidence files: the type comes from the content, files live outside static under random
names, and only people who may see the activity can download them, always as downloads."""
from __future__ import annotations

import io
import os
import sqlite3
import zipfile

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from tests.factories import PASSWORD, make_person
from tests.web.portfolio.builders import activity_count, activity_form, my_activity, only_activity
from tracker.extensions import db
from tracker.models import ActivityStatus, AuditEvent, EvidenceFile
from tracker.portfolio import evidence

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def docx_bytes(with_document=True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if with_document:
            archive.writestr("word/document.xml", "<w:document/>")
        else:
            archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def files(*pairs):
    return [(io.BytesIO(content), name) for content, name in pairs]


def post_with_files(post_form, ref, pairs, url="/activities/new", **overrides):
    data = activity_form(ref, **overrides)
    data["evidence"] = files(*pairs)
    return post_form(url, data, token_from=url, content_type="multipart/form-data")


def stored(folder) -> list[str]:
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


# --- the type is sniffed from the content ---------------------------------------------------


@pytest.mark.parametrize("content,expected", [
    (PDF, evidence.PDF), (PNG, evidence.PNG), (JPEG, evidence.JPEG), (docx_bytes(), evidence.DOCX),
    (b"MZ\x90\x00 a Windows program", None), (b"<html><script>alert(1)</script>", None),
    (docx_bytes(with_document=False), None), (b"PK\x03\x04 not really a zip", None), (b"", None),
])
def test_sniff_reads_the_content_not_the_name(content, expected):
    assert evidence.sniff(content) == expected


def test_display_names_lose_folders_and_control_characters():
    assert evidence.display_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert evidence.display_name("C:\\Users\\me\\feedback.docx") == "feedback.docx"
    assert evidence.display_name("bad\x00name\n.png") == "badname.png"
    assert evidence.display_name("") == "evidence"
    long = evidence.display_name("a" * 300 + ".pdf")
    assert len(long) <= 200 and long.endswith(".pdf")


def test_download_names_get_the_real_extension():
    assert evidence.download_name("scan", evidence.PDF) == "scan.pdf"
    assert evidence.download_name("photo.JPEG", evidence.JPEG) == "photo.JPEG"
    assert evidence.download_name("notes.pdf", evidence.DOCX) == "notes.pdf.docx"


# --- uploading --------------------------------------------------------------------------------


def test_each_accepted_type_is_stored_outside_static_under_a_random_name(client, as_nurse, ref, post_form, uploads, app):
    response = post_with_files(post_form, ref, [(PDF, "observer feedback.pdf"), (PNG, "certificate.png"),
                                                (JPEG, "flipchart.jpg"), (docx_bytes(), "notes.docx")])
    assert response.status_code == 302
    saved = only_activity().evidence_files
    assert [f.content_type for f in saved] == [evidence.PDF, evidence.PNG, evidence.JPEG, evidence.DOCX]
    assert [f.original_name for f in saved] == ["observer feedback.pdf", "certificate.png", "flipchart.jpg", "notes.docx"]
    assert stored(uploads) == sorted(f.stored_name for f in saved)
    static = os.path.realpath(app.static_folder)
    for f in saved:
        assert "feedback" not in f.stored_name and len(f.stored_name) >= 32
        assert not os.path.realpath(os.path.join(uploads, f.stored_name)).startswith(static)
    assert (uploads / saved[0].stored_name).read_bytes() == PDF


def test_the_name_does_not_decide_the_type(client, as_nurse, ref, post_form, uploads):
    html = post_with_files(post_form, ref, [(b"MZ\x90\x00 program", "feedback.pdf")]).get_data(as_text=True)
    assert "The selected file feedback.pdf must be a PDF, Word (DOCX), PNG or JPEG file" in html
    assert activity_count() == 0 and stored(uploads) == []


def test_files_written_for_a_save_that_does_not_commit_are_removed(client, as_nurse, ref, post_form, uploads, monkeypatch):
    def commit_fails():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(db.session, "commit", commit_fails)
    response = post_with_files(post_form, ref, [(PDF, "feedback.pdf"), (PNG, "certificate.png")])
    monkeypatch.undo()
    assert response.status_code == 500
    assert stored(uploads) == [] and activity_count() == 0


def test_a_save_that_meets_a_locked_database_is_made_again_with_its_files_once(client, as_nurse, ref, post_form,
                                                                               uploads, monkeypatch):
    """SQLite refuses a second writer outright (the form's own typed copy, saved a moment before):
    the save is made again, reading the files again, and the first attempt's files are removed."""
    real_commit, commits = db.session.commit, []

    def locked_once():
        commits.append(1)
        if len(commits) == 1:
            raise OperationalError("INSERT INTO activity", {}, sqlite3.OperationalError("database is locked"))
        real_commit()

    monkeypatch.setattr(db.session, "commit", locked_once)
    response = post_with_files(post_form, ref, [(PDF, "feedback.pdf")])
    monkeypatch.undo()
    assert response.status_code == 302 and len(commits) >= 2
    saved = only_activity().evidence_files
    assert len(saved) == 1 and stored(uploads) == [saved[0].stored_name]
    assert (uploads / saved[0].stored_name).read_bytes() == PDF


def test_a_png_named_pdf_is_stored_as_a_png(client, as_nurse, ref, post_form, uploads):
    post_with_files(post_form, ref, [(PNG, "scan.pdf")])
    assert only_activity().evidence_files[0].content_type == evidence.PNG


def test_files_over_10_mb_are_refused_and_exactly_10_mb_is_fine(client, as_nurse, ref, post_form, uploads):
    big = PDF + b"0" * (evidence.MAX_FILE_BYTES + 1 - len(PDF))
    html = post_with_files(post_form, ref, [(big, "big.pdf")]).get_data(as_text=True)
    assert "The selected file big.pdf is larger than 10 MB" in html and activity_count() == 0
    just = PDF + b"0" * (evidence.MAX_FILE_BYTES - len(PDF))
    assert post_with_files(post_form, ref, [(just, "just.pdf")]).status_code == 302
    assert only_activity().evidence_files[0].size_bytes == evidence.MAX_FILE_BYTES


def test_empty_files_are_refused(client, as_nurse, ref, post_form, uploads):
    html = post_with_files(post_form, ref, [(b"", "nothing.pdf")]).get_data(as_text=True)
    assert "The selected file nothing.pdf is empty" in html and activity_count() == 0


def test_more_than_five_files_are_refused(client, as_nurse, ref, post_form, uploads):
    html = post_with_files(post_form, ref, [(PDF, f"f{i}.pdf") for i in range(6)]).get_data(as_text=True)
    assert "You can attach up to 5 files to an activity" in html
    assert activity_count() == 0 and stored(uploads) == []


def test_a_file_name_with_an_nhs_number_is_refused_and_not_echoed(client, as_nurse, ref, post_form, uploads):
    html = post_with_files(post_form, ref, [(PDF, "letter 943 476 5919.pdf")]).get_data(as_text=True)
    assert "Rename the file: file names must not identify patients" in html
    assert "5919" not in html and activity_count() == 0


def test_a_form_refused_for_another_reason_keeps_no_files_and_asks_for_them_again(client, as_nurse, ref, post_form, uploads):
    html = post_with_files(post_form, ref, [(PDF, "feedback.pdf")], title="").get_data(as_text=True)
    assert "Enter a title for the activity" in html and "Choose your files again" in html
    assert stored(uploads) == [] and db.session.scalar(select(EvidenceFile.id)) is None


def _draft_with_files(owner, ref, uploads, n):
    activity = my_activity(owner, ref, status=ActivityStatus.DRAFT)
    for i in range(n):
        name = evidence.store(str(uploads), evidence.CheckedFile(f"file{i}.pdf", evidence.PDF, PDF))
        activity.evidence_files.append(EvidenceFile(original_name=f"file{i}.pdf", stored_name=name,
                                                    content_type=evidence.PDF, size_bytes=len(PDF)))
    db.session.commit()
    return activity


def test_a_sixth_file_on_edit_is_refused_until_one_is_removed(client, as_nurse, ref, post_form, uploads):
    activity = _draft_with_files(as_nurse, ref, uploads, 5)
    url = f"/activities/{activity.id}/edit"
    html = post_with_files(post_form, ref, [(PNG, "sixth.png")], url=url).get_data(as_text=True)
    assert "You can attach up to 5 files to an activity: remove one before adding another" in html
    first = activity.evidence_files[0]
    data = activity_form(ref, remove_evidence=[str(first.id)])
    data["evidence"] = files((PNG, "sixth.png"))
    assert post_form(url, data, content_type="multipart/form-data").status_code == 302
    db.session.refresh(activity)
    assert [f.original_name for f in activity.evidence_files] == ["file1.pdf", "file2.pdf", "file3.pdf", "file4.pdf", "sixth.png"]
    assert first.stored_name not in stored(uploads)  # removed from disk once the change was saved
    assert len(stored(uploads)) == 5


def test_removing_a_file_of_another_activity_is_refused(client, as_nurse, ref, post_form, uploads):
    mine = _draft_with_files(as_nurse, ref, uploads, 1)
    other = _draft_with_files(as_nurse, ref, uploads, 1)
    data = activity_form(ref, remove_evidence=[str(other.evidence_files[0].id)])
    html = post_form(f"/activities/{mine.id}/edit", data).get_data(as_text=True)
    assert "Select files to remove from the list" in html
    assert len(stored(uploads)) == 2


def test_an_oversized_request_gets_a_friendly_form_error(app, client, as_nurse, ref, post_form, uploads, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 50_000)
    response = post_with_files(post_form, ref, [(PDF + b"0" * 60_000, "scan.pdf")])
    html = response.get_data(as_text=True)
    assert response.status_code == 413 and "There is a problem" in html
    assert "Each file must be 10 MB or smaller" in html and "Log an activity" in html
    assert activity_count() == 0 and stored(uploads) == []


def test_an_oversized_request_on_someone_elses_activity_is_still_404(app, client, as_nurse, org, ref, post_form, uploads, monkeypatch):
    theirs = my_activity(org["stranger"], ref, status=ActivityStatus.DRAFT)
    mine = my_activity(as_nurse, ref, status=ActivityStatus.DRAFT)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 50_000)
    data = activity_form(ref)
    data["evidence"] = files((PDF + b"0" * 60_000, "scan.pdf"))
    response = post_form(f"/activities/{theirs.id}/edit", data, token_from=f"/activities/{mine.id}/edit",
                         content_type="multipart/form-data")
    assert response.status_code == 404


# --- downloading --------------------------------------------------------------------------------


@pytest.fixture
def filed(org, ref, uploads):
    activity = _draft_with_files(org["nurse"], ref, uploads, 1)
    activity.status = ActivityStatus.SUBMITTED
    db.session.commit()
    return activity.evidence_files[0]


def test_the_owner_downloads_evidence_as_an_attachment(client, as_nurse, filed):
    response = client.get(f"/evidence/{filed.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;") and "file0.pdf" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("email,expected", [
    ("manager@example.org", 200),   # line manager with scope over the ward
    ("lead@example.org", 404),      # education leads see counts, never the files themselves
    ("stranger@example.org", 404),  # another team: not even told it exists
    ("porter@example.org", 404),    # same ward, but not their activity
])
def test_who_may_download_someone_elses_evidence(client, sign_in, filed, org, email, expected):
    sign_in(email, PASSWORD)
    response = client.get(f"/evidence/{filed.id}")
    assert response.status_code == expected
    if expected == 200:
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "evidence.downloaded")).one()
        assert event.actor_id == org[email.split("@")[0]].id
        assert event.person_id == org["nurse"].id and event.detail == {"evidence_id": filed.id}


def test_a_line_manager_without_scope_can_download_from_their_sign_off_queue(client, sign_in, org, ref, uploads):
    outside = make_person(org["tree"]["theatres"], email="linemanager@example.org", tier=3, name="Lin Manager")
    report = make_person(org["tree"]["ward7"], email="report@example.org", tier=1, line_manager=outside)
    activity = _draft_with_files(report, ref, uploads, 1)
    activity.status = ActivityStatus.SUBMITTED
    db.session.commit()
    sign_in("linemanager@example.org", PASSWORD)
    assert client.get(f"/evidence/{activity.evidence_files[0].id}").status_code == 200


def test_evidence_of_a_deleted_activity_is_404_though_the_file_is_still_there(client, as_nurse, filed, uploads):
    assert client.get(f"/evidence/{filed.id}").status_code == 200
    filed.activity.deleted_at = filed.uploaded_at
    db.session.commit()
    assert (uploads / filed.stored_name).exists()  # so the 404 is the deletion's, not a missing file's
    assert client.get(f"/evidence/{filed.id}").status_code == 404


def test_evidence_whose_file_is_missing_or_unknown_is_404(client, as_nurse, filed, uploads):
    os.remove(uploads / filed.stored_name)
    assert client.get(f"/evidence/{filed.id}").status_code == 404
    assert client.get("/evidence/999999").status_code == 404
