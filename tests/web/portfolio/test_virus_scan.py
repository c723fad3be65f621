"""Evidence uploads are scanned for viruses by clamd when EVIDENCE_SCANNER names one (ASVS 5.0.0
V5.4.3): a clean file is kept; a file with a virus, or one the scanner could not check (down, no
answer in time), is refused on the evidence field and nothing is saved, neither the activity nor
any file, and the refusal is a security event. Without the setting nothing is scanned. The scanner
is a stand-in clamd on 127.0.0.1 (tests/clamd_stand_in.py)."""
from __future__ import annotations

import io
import logging
import socket
import threading

import pytest
from sqlalchemy import select

import config
from tests.clamd_stand_in import EICAR, EICAR_NAME, closed_port_address, running_clamd
from tests.web.portfolio.builders import activity_count, activity_form, my_activity
from tests.web.portfolio.test_evidence_room import evidence_error, log_with, pdf_of, stored
from tracker.extensions import db
from tracker.models import Activity, ActivityStatus, AuditEvent
from tracker.portfolio import virus_scan
from tracker.portfolio.virus_scan import NOT_SCANNED, VIRUS_FOUND, Scanner, ScannerUnavailable


def infected_pdf() -> bytes:
    # A PDF as far as the type check goes, carrying the EICAR test string.
    return b"%PDF-1.7\n" + EICAR + b"\n%%EOF\n"


@pytest.fixture
def clamd(app, monkeypatch):
    with running_clamd() as (address, scanned):
        monkeypatch.setitem(app.config, "EVIDENCE_SCANNER", address)
        yield scanned


def security_events(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_no_scanner_is_set_by_default():
    assert config.TestingConfig.EVIDENCE_SCANNER == "" and config.Config.EVIDENCE_SCANNER == ""


def test_without_a_scanner_files_are_kept_unscanned(client, as_nurse, ref, uploads, app):
    assert app.config["EVIDENCE_SCANNER"] == ""
    assert log_with(client, ref, (infected_pdf(), "not-scanned.pdf")).status_code == 302
    assert activity_count() == 1 and len(stored(uploads)) == 1


def test_a_clean_file_is_scanned_then_kept(client, as_nurse, ref, uploads, clamd):
    content = pdf_of(200_000)  # several chunks of the stream
    assert log_with(client, ref, (content, "clean.pdf")).status_code == 302
    assert clamd == [content]
    assert activity_count() == 1 and len(stored(uploads)) == 1
    assert not security_events("security.virus_found")


def test_a_file_with_a_virus_is_refused_and_nothing_is_saved(client, as_nurse, ref, uploads, clamd):
    response = log_with(client, ref, (pdf_of(1000), "clean.pdf"), (infected_pdf(), "minutes.pdf"))
    assert response.status_code == 200
    assert evidence_error(response) == VIRUS_FOUND.format(name="minutes.pdf")
    assert activity_count() == 0 and stored(uploads) == []
    (event,) = security_events("security.virus_found")
    assert event.detail["virus"] == EICAR_NAME and event.detail["size_bytes"] == len(infected_pdf())
    assert event.actor_subject_id is not None and event.about_subject_id == event.actor_subject_id


def test_a_change_with_a_virus_leaves_the_activity_as_it_was(client, as_nurse, ref, uploads, clamd, post_form):
    activity = my_activity(as_nurse, ref, status=ActivityStatus.DRAFT, title="As it was")
    db.session.commit()
    url = f"/activities/{activity.id}/edit"
    response = post_form(url, {**activity_form(ref, action="draft", title="Changed"),
                               "evidence": [(io.BytesIO(infected_pdf()), "minutes.pdf")]},
                         content_type="multipart/form-data")
    assert evidence_error(response) == VIRUS_FOUND.format(name="minutes.pdf")
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).title == "As it was" and stored(uploads) == []
    (event,) = security_events("security.virus_found")
    assert event.activity_id == activity.id


def test_when_the_scanner_is_down_the_upload_is_refused_and_logged(client, as_nurse, ref, uploads, app,
                                                                    monkeypatch, caplog):
    monkeypatch.setitem(app.config, "EVIDENCE_SCANNER", closed_port_address())
    with caplog.at_level(logging.ERROR, logger="tracker.portfolio.virus_scan"):
        response = log_with(client, ref, (pdf_of(1000), "clean.pdf"))
    assert evidence_error(response) == NOT_SCANNED.format(name="clean.pdf")
    assert activity_count() == 0 and stored(uploads) == []
    assert any("gave no verdict" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    (event,) = security_events("security.virus_scan_failed")
    assert "ConnectionRefusedError" in event.detail["reason"]


def test_a_draft_without_files_is_saved_while_the_scanner_is_down(client, as_nurse, ref, uploads, app, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_SCANNER", closed_port_address())
    assert log_with(client, ref, action="draft").status_code == 302
    assert activity_count() == 1


@pytest.fixture
def silent_clamd():
    """A clamd that takes the file and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []
    done = threading.Event()

    def accept():
        conn, _ = listener.accept()
        accepted.append(conn)
        done.wait()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    done.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def test_clamd_on_a_unix_socket(tmp_path):
    with running_clamd(unix_path=str(tmp_path / "clamd.ctl")) as (address, scanned):
        assert address.startswith("unix:///")
        assert virus_scan.scan(Scanner(address), infected_pdf()) == EICAR_NAME
        assert virus_scan.scan(Scanner(address), b"%PDF-1.7\n") is None
    assert len(scanned) == 2


def test_a_scanner_that_does_not_answer_in_time_gives_no_verdict(silent_clamd):
    with pytest.raises(ScannerUnavailable, match="timeout|timed out"):
        virus_scan.scan(Scanner(silent_clamd, timeout=0.2), b"%PDF-1.7\n")


@pytest.mark.parametrize("reply, found", [
    ("stream: OK", None),
    ("stream: Win.Test.EICAR_HDB-1 FOUND", "Win.Test.EICAR_HDB-1"),
])
def test_clamds_verdicts(reply, found):
    assert virus_scan.verdict(reply) == found


@pytest.mark.parametrize("reply", ["INSTREAM size limit exceeded. ERROR", "", "stream: ERROR", "OK"])
def test_any_other_answer_is_no_verdict(reply):
    with pytest.raises(ScannerUnavailable):
        virus_scan.verdict(reply)


@pytest.mark.parametrize("address, parsed", [
    ("tcp://127.0.0.1:3310", ("tcp", ("127.0.0.1", 3310))),
    ("unix:///run/clamav/clamd.ctl", ("unix", "/run/clamav/clamd.ctl")),
])
def test_scanner_addresses(address, parsed):
    assert virus_scan.parse_address(address) == parsed


@pytest.mark.parametrize("address", ["127.0.0.1:3310", "tcp://127.0.0.1", "http://clamd:3310", "unix://relative"])
def test_a_malformed_scanner_address_is_refused(address, monkeypatch):
    with pytest.raises(virus_scan.BadScannerAddress):
        virus_scan.parse_address(address)
    monkeypatch.setenv("EVIDENCE_SCANNER", address)
    with pytest.raises(config.ConfigError, match="EVIDENCE_SCANNER"):
        config._scanner_env("EVIDENCE_SCANNER")
