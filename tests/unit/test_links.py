"""The link checker against a small HTTP server on 127.0.0.1 that the test starts: never the internet."""
from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

import config
from tracker.extensions import db
from tracker.hub import links
from tracker.hub.links import UNREACHABLE, HostLimiter, check_all_links
from tracker.hub.seed import load_hub_content
from tracker.models import AuditEvent, Course, Resource

GATE_PARTIES = 4
# The test server's address, let through only by the testing configuration's allow-list (the
# checker refuses loopback otherwise: tests/unit/test_link_addresses.py).
ALLOW = config.TestingConfig.LINK_CHECK_ALLOW


def check_url(url, **kwargs):
    return links.check_url(url, allow=ALLOW, **kwargs)


def check_urls(urls, **kwargs):
    return links.check_urls(urls, allow=ALLOW, **kwargs)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.release = threading.Event()  # lets the "slow" page go at teardown
        self.gate = threading.Barrier(GATE_PARTIES, timeout=5)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.paths: list[str] = []

    def handle_error(self, request, client_address):
        pass  # a checker that gave up (timeout) leaves a broken pipe behind; that is expected


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status: int, location: str | None = None):
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def do_GET(self):  # noqa: N802 (the http.server API)
        server = self.server
        with server.lock:
            server.paths.append(self.path)
        if self.path == "/ok":
            self._send(200)
        elif self.path == "/moved":
            self._send(301, "/ok")
        elif self.path == "/moved-twice":
            self._send(302, f"http://127.0.0.1:{server.server_port}/moved")
        elif self.path == "/missing":
            self._send(404)
        elif self.path == "/broken":
            self._send(500)
        elif self.path == "/loop":
            self._send(302, "/loop")
        elif self.path == "/to-script":
            self._send(302, "javascript:alert(1)")
        elif self.path == "/slow":
            server.release.wait(10)
            self._send(200)
        elif self.path.startswith("/gate"):
            # Answers only when GATE_PARTIES requests are waiting together: proof they ran at once.
            try:
                server.gate.wait()
                self._send(200)
            except threading.BrokenBarrierError:
                self._send(503)
        elif self.path.startswith("/count"):
            with server.lock:
                server.in_flight += 1
                server.most_in_flight = max(server.most_in_flight, server.in_flight)
            server.release.wait(0.05)
            with server.lock:
                server.in_flight -= 1
            self._send(200)
        else:
            self._send(404)


@pytest.fixture
def server():
    httpd = _Server()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.release.set()
        httpd.shutdown()
        httpd.server_close()


def _base(server) -> str:
    return f"http://127.0.0.1:{server.server_port}"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_working_page_is_ok(server):
    result = check_url(f"{_base(server)}/ok", timeout=5)
    assert result.ok and result.status == 200 and result.error is None
    assert result.final_url == f"{_base(server)}/ok"


def test_a_redirect_is_followed_to_the_final_address(server):
    result = check_url(f"{_base(server)}/moved", timeout=5)
    assert result.ok and result.status == 200
    assert result.final_url == f"{_base(server)}/ok"


def test_a_chain_of_redirects_is_followed(server):
    result = check_url(f"{_base(server)}/moved-twice", timeout=5)
    assert result.ok and result.final_url == f"{_base(server)}/ok"
    assert server.paths == ["/moved-twice", "/moved", "/ok"]


@pytest.mark.parametrize("path,status,words", [("/missing", 404, "Not Found"), ("/broken", 500, "Internal Server Error")])
def test_error_statuses_are_broken_with_their_status(server, path, status, words):
    result = check_url(f"{_base(server)}{path}", timeout=5)
    assert not result.ok and result.status == status
    assert result.error == f"HTTP {status} {words}"


def test_a_page_that_does_not_answer_in_time_is_broken(server):
    result = check_url(f"{_base(server)}/slow", timeout=0.3)
    assert not result.ok and result.status is None
    assert result.error == UNREACHABLE


def test_a_refused_connection_is_broken():
    result = check_url(f"http://127.0.0.1:{_closed_port()}/ok", timeout=5)
    assert not result.ok and result.error == UNREACHABLE


def test_a_tls_failure_is_broken(server):
    # https spoken to a plain-HTTP port: the handshake fails.
    result = check_url(f"https://127.0.0.1:{server.server_port}/ok", timeout=5)
    assert not result.ok and result.status is None
    assert result.error == UNREACHABLE


def test_a_redirect_loop_is_broken(server):
    result = check_url(f"{_base(server)}/loop", timeout=5)
    assert not result.ok and result.error == "More than 5 redirects"


def test_a_redirect_to_a_script_address_is_broken_and_not_followed(server):
    result = check_url(f"{_base(server)}/to-script", timeout=5)
    assert not result.ok and result.final_url == "javascript:alert(1)"
    assert "not a web page" in result.error


def test_each_distinct_address_is_visited_once(server):
    url = f"{_base(server)}/ok"
    results = check_urls([url, url, url], timeout=5)
    assert list(results) == [url] and server.paths == ["/ok"]


def test_links_are_checked_at_the_same_time(server):
    # The server answers /gate only once GATE_PARTIES requests wait together; one at a time would fail.
    urls = [f"{_base(server)}/gate?{i}" for i in range(GATE_PARTIES)]
    results = check_urls(urls, timeout=8, workers=GATE_PARTIES, per_host=GATE_PARTIES)
    assert all(r.ok for r in results.values()), results


def test_no_host_gets_more_than_its_polite_share(server):
    urls = [f"{_base(server)}/count?{i}" for i in range(12)]
    results = check_urls(urls, timeout=8, workers=12, per_host=2)
    assert all(r.ok for r in results.values())
    assert 1 <= server.most_in_flight <= 2


def test_host_limiter_shares_one_slot_per_host_name():
    limiter = HostLimiter(3)
    assert limiter.slot("Example.org") is limiter.slot("example.org")
    assert limiter.slot("example.org") is not limiter.slot("example.com")


def test_a_mix_of_results_comes_back_per_address(server):
    base = _base(server)
    urls = [f"{base}/ok", f"{base}/moved", f"{base}/missing", f"{base}/broken", f"{base}/slow",
            f"http://127.0.0.1:{_closed_port()}/", f"https://127.0.0.1:{server.server_port}/ok"]
    results = check_urls(urls, timeout=0.5, workers=8, per_host=4)
    assert [results[u].ok for u in urls] == [True, True, False, False, False, False, False]


# --- recording results on the catalogue and library, and the `flask links check` command ----


@pytest.fixture
def linked_rows(db_session, server):
    load_hub_content()
    for resource in db.session.scalars(select(Resource)):
        resource.retired = True  # the shipped library points at the internet: keep it out of these checks
    base = _base(server)
    rows = {
        "ok": Course(code="ok", title="Works", format="virtual", level="foundation", url=f"{base}/ok"),
        "moved": Course(code="moved", title="Moved", format="virtual", level="foundation", url=f"{base}/moved"),
        "missing": Course(code="missing", title="Gone", format="virtual", level="foundation", url=f"{base}/missing"),
        "no-url": Course(code="no-url", title="No address", format="virtual", level="foundation", url=""),
        "retired": Course(code="retired", title="Retired", format="virtual", level="foundation",
                          url=f"{base}/broken", retired=True),
        "resource": Resource(title="Refused", section_slug="staff", audience="everyone",
                             url=f"http://127.0.0.1:{_closed_port()}/"),
        "same-address": Resource(title="Same address as a course", section_slug="patient", audience="everyone",
                                 url=f"{base}/ok"),
    }
    db.session.add_all(rows.values())
    db.session.commit()
    return rows


def test_results_are_recorded_on_each_row(linked_rows, server):
    when = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    report = check_all_links(timeout=5, now=when)
    ok, moved, missing = linked_rows["ok"], linked_rows["moved"], linked_rows["missing"]
    assert (ok.link_ok, ok.link_status, ok.link_error) == (True, 200, None)
    assert ok.link_checked_at.replace(tzinfo=UTC) == when
    assert (moved.link_ok, moved.link_final_url) == (True, f"{_base(server)}/ok")
    assert (missing.link_ok, missing.link_status, missing.link_error) == (False, 404, "HTTP 404 Not Found")
    refused = linked_rows["resource"]
    assert (refused.link_ok, refused.link_status, refused.link_error) == (False, None, UNREACHABLE)
    assert linked_rows["same-address"].link_ok is True
    # Rows without an address and retired rows are left alone.
    assert linked_rows["no-url"].link_checked_at is None and linked_rows["retired"].link_checked_at is None
    assert server.paths.count("/ok") == 2  # once for /ok (shared by two rows), once at the end of /moved
    assert (report.checked, report.addresses, len(report.broken), len(report.moved)) == (5, 4, 2, 1)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "hub.links_checked"))
    assert event.actor_id is None and event.detail == {"checked": 5, "broken": 2}


def test_the_command_prints_a_report_and_saves_the_results(app, linked_rows, server):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["links", "check", "--timeout", "5", "--workers", "4", "--per-host", "2"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Checked 5 links (4 distinct addresses) in ")
    assert lines[0].endswith("seconds: 3 working, 2 broken.")
    assert "  course %d: Gone" % linked_rows["missing"].id in lines
    assert "      HTTP 404 Not Found" in lines and f"      {UNREACHABLE}" in lines
    assert f"      {_base(server)}/moved -> {_base(server)}/ok" in lines
    assert linked_rows["missing"].link_ok is False


def test_the_command_can_fail_a_scheduled_job_when_links_are_broken(app, linked_rows, server):
    result = app.test_cli_runner().invoke(args=["links", "check", "--timeout", "5", "--fail-on-broken"])
    assert result.exit_code == 1 and "2 broken." in result.output


def test_the_command_refuses_silly_settings(app, db_session):
    result = app.test_cli_runner().invoke(args=["links", "check", "--timeout", "0"])
    assert result.exit_code != 0 and "--timeout" in result.output
