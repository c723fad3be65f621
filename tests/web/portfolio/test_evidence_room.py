"""Evidence has a quota per person (EVIDENCE_QUOTA_MB) and a disk guard (EVIDENCE_MIN_FREE_MB of
the upload folder's disk always kept free): an upload past either is refused on the evidence
field, and nothing is saved, neither the activity nor any file. Thresholds come from the settings."""
from __future__ import annotations

import html as html_lib
import io
import os
import re

import pytest
import config
from tests.support import csrf_token_from
from tests.web.portfolio.builders import activity_count, activity_form, my_activity, only_activity
from tracker.extensions import db
from tracker.models import Activity, ActivityStatus, EvidenceFile
from tracker.portfolio import evidence

MB = 1024 * 1024


def pdf_of(size: int) -> bytes:
    head = b"%PDF-1.7\n"
    return head + b"0" * (size - len(head))


def stored(folder) -> list[str]:
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def log_with(client, ref, *files, **overrides):
    """POST a new activity with these (bytes, name) files, with a real CSRF token."""
    token = csrf_token_from(client.get("/activities/new").get_data(as_text=True))
    data = {**activity_form(ref, **overrides), "csrf_token": token,
            "evidence": [(io.BytesIO(content), name) for content, name in files]}
    return client.post("/activities/new", data=data, content_type="multipart/form-data")


def evidence_error(response) -> str:
    """The message shown by the evidence field (and nowhere else: it is the field's own)."""
    page = response.get_data(as_text=True)
    match = re.search(r'id="evidence-error"[^>]*>\s*<span class="nhsuk-u-visually-hidden">Error:\s*</span>\s*([^<]+)', page)
    assert match, "no error by the evidence field"
    return html_lib.unescape(match.group(1)).strip()


@pytest.fixture
def quota_of_1_mb(app, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_QUOTA_MB", 1)
    monkeypatch.setitem(app.config, "EVIDENCE_MIN_FREE_MB", 0)


def test_the_settings_default_to_200_mb_each_and_500_mb_free():
    assert (config.TestingConfig.EVIDENCE_QUOTA_MB, config.TestingConfig.EVIDENCE_MIN_FREE_MB) == (200, 500)


def test_files_past_the_quota_are_refused_and_nothing_is_saved(client, as_nurse, ref, uploads, quota_of_1_mb):
    assert log_with(client, ref, (pdf_of(600_000), "first.pdf")).status_code == 302
    before = stored(uploads)
    response = log_with(client, ref, (pdf_of(500_000), "second.pdf"), title="A second debrief")
    assert response.status_code == 200
    assert evidence_error(response) == evidence.OVER_QUOTA.format(limit=1)
    assert activity_count() == 1 and stored(uploads) == before
    # Up to the quota exactly is fine.
    assert log_with(client, ref, (pdf_of(MB - 600_000), "fits.pdf"), title="Fits").status_code == 302
    assert activity_count() == 2


def test_the_quota_counts_every_activity_of_the_person_and_no_one_else(client, as_nurse, ref, uploads, org,
                                                                       quota_of_1_mb):
    someone_else = my_activity(org["porter"], ref, status=ActivityStatus.DRAFT)
    someone_else.evidence_files.append(EvidenceFile(original_name="big.pdf", stored_name="x" * 32 + ".pdf",
                                                    content_type=evidence.PDF, size_bytes=5 * MB))
    own = my_activity(as_nurse, ref, status=ActivityStatus.DRAFT)
    own.evidence_files.append(EvidenceFile(original_name="held.pdf", stored_name="y" * 32 + ".pdf",
                                           content_type=evidence.PDF, size_bytes=900_000))
    db.session.commit()
    refused = log_with(client, ref, (pdf_of(200_000), "more.pdf"))
    assert evidence_error(refused) == evidence.OVER_QUOTA.format(limit=1)
    assert log_with(client, ref, (pdf_of(100_000), "small.pdf")).status_code == 302


def test_deleting_an_activity_gives_its_evidence_back_to_the_quota(client, as_nurse, ref, uploads, quota_of_1_mb):
    assert log_with(client, ref, (pdf_of(900_000), "first.pdf"), action="draft").status_code == 302
    first = only_activity()
    assert evidence_error(log_with(client, ref, (pdf_of(300_000), "second.pdf")))
    token = csrf_token_from(client.get(f"/activities/{first.id}").get_data(as_text=True))
    assert client.post(f"/activities/{first.id}/delete", data={"csrf_token": token}).status_code == 302
    assert log_with(client, ref, (pdf_of(300_000), "second.pdf")).status_code == 302


def test_a_file_removed_in_the_same_change_makes_room(client, as_nurse, ref, uploads, quota_of_1_mb):
    assert log_with(client, ref, (pdf_of(900_000), "old.pdf"), action="draft").status_code == 302
    draft = only_activity()
    old = draft.evidence_files[0]
    url = f"/activities/{draft.id}/edit"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data={**activity_form(ref, action="draft"), "csrf_token": token,
                                      "remove_evidence": [str(old.id)],
                                      "evidence": [(io.BytesIO(pdf_of(800_000)), "new.pdf")]},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert [f.original_name for f in db.session.get(Activity, draft.id).evidence_files] == ["new.pdf"]


def test_uploads_are_refused_when_the_disk_is_nearly_full(app, client, as_nurse, ref, uploads, monkeypatch):
    # More free space asked for than any disk has: the guard refuses every upload.
    monkeypatch.setitem(app.config, "EVIDENCE_MIN_FREE_MB", 90_000_000)
    response = log_with(client, ref, (pdf_of(10_000), "feedback.pdf"))
    assert response.status_code == 200 and evidence_error(response) == evidence.DISK_NEARLY_FULL
    assert activity_count() == 0 and stored(uploads) == []
    # Without files the activity saves: the guard is about evidence only.
    assert log_with(client, ref).status_code == 302 and activity_count() == 1
    # Below the disk's free space, the same upload is stored.
    free_mb = evidence.free_bytes(str(uploads)) // MB
    monkeypatch.setitem(app.config, "EVIDENCE_MIN_FREE_MB", max(free_mb - 100, 0))
    assert log_with(client, ref, (pdf_of(10_000), "feedback.pdf")).status_code == 302
    assert len(stored(uploads)) == 1


def test_free_space_is_read_from_the_nearest_folder_that_exists(tmp_path):
    # The upload folder is made at the first upload: before that, its disk is the parent's.
    not_yet = evidence.free_bytes(str(tmp_path / "not" / "made" / "yet"))
    assert not_yet > 0 and abs(not_yet - evidence.free_bytes(str(tmp_path))) < 100 * MB


def test_the_rule_refuses_past_either_threshold(tmp_path):
    room = evidence.Room(quota_bytes=MB, min_free_bytes=0)
    evidence.ensure_room(room, str(tmp_path), held_bytes=MB - 10, adding_bytes=10)
    with pytest.raises(evidence.Refused) as over:
        evidence.ensure_room(room, str(tmp_path), held_bytes=MB - 10, adding_bytes=11)
    assert over.value.errors == {"evidence": evidence.OVER_QUOTA.format(limit=1)}
    full = evidence.Room(quota_bytes=MB, min_free_bytes=evidence.free_bytes(str(tmp_path)) + MB)
    with pytest.raises(evidence.Refused) as guarded:
        evidence.ensure_room(full, str(tmp_path), held_bytes=0, adding_bytes=1)
    assert guarded.value.errors == {"evidence": evidence.DISK_NEARLY_FULL}
