"""The link checker is no way into the server's network: it visits public addresses only, judged
after resolving the name (every answer), connects to the address it judged, and judges each
redirect again; its answers never tell a refused connection from a silent one. The test server
on 127.0.0.1 is reached only through the testing configuration's allow-list, and each test here
that proves a refusal runs with that list empty or names an address outside it."""
from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

import config
from tracker import create_app
from tracker.extensions import db
from tracker.hub import link_address, links
from tracker.hub.link_address import NOT_ALLOWED, allow_list, is_public
from tracker.hub.links import UNREACHABLE, check_all_links, check_url
from tracker.hub.seed import load_hub_content
from tracker.models import AuditEvent, Course, Resource

TEST_ALLOW = config.TestingConfig.LINK_CHECK_ALLOW


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[str, str]] = []  # (path, Host header)
        self.release = threading.Event()

    def handle_error(self, request, client_address):
        pass


REDIRECT_TARGETS = {
    "/to-loopback": "http://127.0.0.2:{port}/ok",
    "/to-ipv6-loopback": "http://[::1]:{port}/ok",
    "/to-private": "http://10.0.0.1/",
    "/to-metadata": "http://169.254.169.254/latest/meta-data/",
}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 (the http.server API)
        self.server.requests.append((self.path, self.headers.get("Host")))
        if self.path in REDIRECT_TARGETS:
            self.send_response(302)
            self.send_header("Location", REDIRECT_TARGETS[self.path].format(port=self.server.server_port))
        elif self.path == "/slow":
            self.server.release.wait(10)
            self.send_response(200)
        else:
            self.send_response(200 if self.path == "/ok" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()


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


@pytest.fixture
def connections(monkeypatch):
    """Every address the checker opened a connection to."""
    opened: list[str] = []
    real = link_address.open_socket

    def spy(ip, port, timeout):
        opened.append(ip)
        return real(ip, port, timeout)

    monkeypatch.setattr(link_address, "open_socket", spy)
    return opened


@pytest.fixture
def dns(monkeypatch):
    """names[host] = [addresses] (or a list of such lists, one per look-up) for made-up names."""
    names: dict[str, list] = {}
    looked_up: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in names:
            return real(host, port, *args, **kwargs)
        looked_up.append(host)
        answers = names[host]
        if answers and isinstance(answers[0], list):  # a different answer each time
            answers = answers[min(looked_up.count(host), len(answers)) - 1]
        if not answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        family = lambda ip: socket.AF_INET6 if ":" in ip else socket.AF_INET  # noqa: E731
        return [(family(ip), socket.SOCK_STREAM, 6, "", (ip, port)) for ip in answers]

    monkeypatch.setattr(link_address.socket, "getaddrinfo", getaddrinfo)
    names["looked up"] = looked_up
    return names


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("ip", [
    "127.0.0.1", "127.0.0.2", "0.0.0.0", "10.0.0.1", "10.255.255.254", "172.16.0.1", "192.168.1.1",
    "169.254.169.254", "100.64.0.1", "100.100.100.200", "224.0.0.1", "255.255.255.255", "192.0.2.1",
    "::1", "::", "fe80::1", "fd00:ec2::254", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "2002:7f00:1::1",
    "ff02::1", "not an address",
])
def test_internal_addresses_are_not_public(ip):
    assert not is_public(ip)


@pytest.mark.parametrize("ip", ["8.8.8.8", "151.101.0.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_public_addresses_are(ip):
    assert is_public(ip)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:{port}/ok", "http://localhost:{port}/ok", "http://[::1]:{port}/ok", "http://10.0.0.1/",
    "http://10.20.30.40:8080/admin", "http://169.254.169.254/latest/meta-data/", "https://192.168.0.1/",
    "http://[::ffff:127.0.0.1]:{port}/ok", "http://0.0.0.0:{port}/ok",
])
def test_internal_addresses_are_not_visited(server, connections, url):
    result = check_url(url.format(port=server.server_port), timeout=2)  # no allow-list: as in production
    assert (result.ok, result.status, result.error) == (None, None, NOT_ALLOWED)
    assert connections == [] and server.requests == []


@pytest.mark.parametrize("path", sorted(REDIRECT_TARGETS))
def test_a_redirect_to_an_internal_address_is_not_followed(server, connections, path):
    base = f"http://127.0.0.1:{server.server_port}"
    result = check_url(base + path, timeout=2, allow=TEST_ALLOW)
    assert (result.ok, result.error) == (None, NOT_ALLOWED)
    assert result.final_url == REDIRECT_TARGETS[path].format(port=server.server_port)
    assert connections == ["127.0.0.1"] and [p for p, _ in server.requests] == [path]


def test_names_are_judged_by_every_address_they_resolve_to(server, connections, dns):
    dns["intranet.example.org"] = ["10.1.2.3"]
    dns["metadata.example.org"] = ["169.254.169.254"]
    dns["mixed.example.org"] = ["151.101.0.1", "10.0.0.5"]
    dns["v6-loopback.example.org"] = ["::1"]
    for host in ("intranet", "metadata", "mixed", "v6-loopback"):
        result = check_url(f"http://{host}.example.org:{server.server_port}/ok", timeout=2)
        assert (result.ok, result.error) == (None, NOT_ALLOWED), host
    assert connections == []


def test_the_connection_goes_to_the_address_that_was_checked(server, connections, dns):
    # The name answers with an allowed address, then (rebinding) with the metadata address: the
    # checker looked once and connected to what it judged, naming the site in the Host header.
    dns["site.example.org"] = [["127.0.0.1"], ["169.254.169.254"]]
    result = check_url(f"http://site.example.org:{server.server_port}/ok", timeout=2, allow=TEST_ALLOW)
    assert result.ok is True
    assert dns["looked up"] == ["site.example.org"] and connections == ["127.0.0.1"]
    assert server.requests == [("/ok", f"site.example.org:{server.server_port}")]


def test_why_a_page_was_not_reached_is_never_told(server, dns):
    dns["nowhere.example.org"] = []
    base = f"127.0.0.1:{server.server_port}"
    failures = [
        check_url(f"http://127.0.0.1:{_closed_port()}/", timeout=2, allow=TEST_ALLOW),  # refused
        check_url(f"http://{base}/slow", timeout=0.3, allow=TEST_ALLOW),  # no answer in time
        check_url(f"https://{base}/ok", timeout=2, allow=TEST_ALLOW),  # TLS to a plain port
        check_url("http://nowhere.example.org/", timeout=2, allow=TEST_ALLOW),  # no such name
    ]
    assert {(r.ok, r.status, r.error) for r in failures} == {(False, None, UNREACHABLE)}


# --- the allow-list exists only under the testing configuration -------------------------


def test_only_the_testing_configuration_has_an_allow_list():
    assert config.TestingConfig.LINK_CHECK_ALLOW == frozenset({"127.0.0.1"})
    assert not hasattr(config.Config, "LINK_CHECK_ALLOW")
    assert not hasattr(config.DevelopmentConfig, "LINK_CHECK_ALLOW")
    # A list slipped into any other app is not read.
    assert allow_list({"TESTING": False, "LINK_CHECK_ALLOW": {"127.0.0.1"}}) == frozenset()
    assert allow_list({"TESTING": True, "LINK_CHECK_ALLOW": {"127.0.0.1"}}) == frozenset({"127.0.0.1"})


@pytest.fixture
def loopback_rows(db_session, server):
    load_hub_content()
    for model in (Course, Resource):
        for row in db.session.scalars(select(model)):
            row.retired = True
    base = f"http://127.0.0.1:{server.server_port}"
    rows = {"loopback": Course(code="loopback", title="Loopback", format="virtual", level="foundation",
                               url=f"{base}/ok"),
            "metadata": Resource(title="Metadata", section_slug="staff", audience="everyone",
                                 url=f"{base}/to-metadata")}
    db.session.add_all(rows.values())
    db.session.commit()
    return rows


@pytest.mark.parametrize("setting", [{"LINK_CHECK_ALLOW": frozenset()}, {"TESTING": False}])
def test_check_all_links_records_addresses_not_allowed_as_not_checked(app, loopback_rows, server, monkeypatch,
                                                                      setting):
    for name, value in setting.items():
        monkeypatch.setitem(app.config, name, value)
    report = check_all_links(timeout=2)
    loopback = loopback_rows["loopback"]
    assert (loopback.link_ok, loopback.link_error) == (None, NOT_ALLOWED) and loopback.link_checked_at
    assert server.requests == []
    assert report.lines()[0].endswith("0 working, 0 broken, 2 not checked (address not allowed).")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "hub.links_checked"))
    assert event.detail == {"checked": 2, "broken": 0, "not_allowed": 2}


def test_under_the_testing_configuration_the_local_server_is_reached_but_not_its_redirects(app, loopback_rows,
                                                                                          server):
    check_all_links(timeout=2)
    assert loopback_rows["loopback"].link_ok is True
    metadata = loopback_rows["metadata"]
    assert (metadata.link_ok, metadata.link_error) == (None, NOT_ALLOWED)
    assert metadata.link_final_url == "http://169.254.169.254/latest/meta-data/"


def test_a_production_app_has_no_allow_list(monkeypatch):
    monkeypatch.setenv("FLASK_ENV", "production")
    monkeypatch.setattr(config.Config, "SECRET_KEY", "x" * 32)
    app = create_app(config.from_env())
    assert allow_list(app.config) == frozenset()
    assert links.check_url("http://127.0.0.1:9/", timeout=1, allow=allow_list(app.config)).error == NOT_ALLOWED
