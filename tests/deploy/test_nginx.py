"""deploy/nginx/ running: nginx started with the sample site (its ports, paths and upstreams moved to
this machine's free ones, a throw-away certificate) in front of a stand-in for the two instances: the
first refuses connections, the second echoes what reached it. Plain http redirects every page to
https and refuses the health check (ASVS 4.1.2); https passes requests on with the forwarded
headers, failing over to the instance that answers; static files come from disk."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import requests

from tests.support import free_port as _free_port

ROOT = Path(__file__).resolve().parents[2]
HOST = "tracker.example.nhs.uk"
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


def _echo(environ, start_response):
    """The instance that answers: what nginx passed on, as JSON."""
    seen = {key: value for key, value in environ.items() if key.startswith("HTTP_") or key == "QUERY_STRING"}
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(seen).encode()]


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def _site(work: Path, http_port: int, https_port: int, down: int, up: int) -> str:
    site = (ROOT / "deploy/nginx/tracker.conf").read_text()
    site = re.sub(r"^\s*listen \[::\].*\n", "", site, flags=re.M)  # this machine may have no IPv6
    for old, new in (("listen 80 ", f"listen 127.0.0.1:{http_port} "),
                     ("listen 443 ", f"listen 127.0.0.1:{https_port} "),
                     ("127.0.0.1:8001", f"127.0.0.1:{down}"), ("127.0.0.1:8002", f"127.0.0.1:{up}"),
                     ("/etc/ssl/tracker/", f"{work}/"), ("/opt/tracker/app/", f"{ROOT}/"),
                     ("/var/log/nginx/", f"{work}/")):
        assert old in site, old
        site = site.replace(old, new)
    return site


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    if shutil.which("nginx") is None or shutil.which("openssl") is None:
        if os.environ.get("CI"):
            pytest.fail("nginx and openssl are needed in CI (.ci/run installs them)")
        pytest.skip("nginx is not installed")
    work = tmp_path_factory.mktemp("nginx")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={HOST}",
                    "-keyout", work / "privkey.pem", "-out", work / "fullchain.pem"], check=True, capture_output=True)
    upstream = make_server("127.0.0.1", 0, _echo, handler_class=_Quiet)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    http_port, https_port = _free_port(), _free_port()
    (work / "tracker.conf").write_text(_site(work, http_port, https_port, _free_port(), upstream.server_port))
    # Started by root, nginx would run its workers as nobody, who may not use the temp folder.
    user = "user root;" if os.geteuid() == 0 else ""
    main = work / "nginx.conf"
    main.write_text(f"{user}\npid {work}/nginx.pid;\nerror_log {work}/error.log;\nevents {{}}\nhttp {{\n"
                    "    include /etc/nginx/mime.types;\n"
                    + "".join(f"    {kind}_temp_path {work}/{kind};\n"
                              for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
                    + f"    include {work}/tracker.conf;\n}}\n")
    command = ["nginx", "-e", str(work / "error.log"), "-p", str(work), "-c", str(main)]
    # nginx binds its ports before it detaches, so they take connections once this returns.
    subprocess.run(command, check=True, capture_output=True)
    yield f"http://127.0.0.1:{http_port}", f"https://127.0.0.1:{https_port}"
    subprocess.run([*command, "-s", "stop"], check=True, capture_output=True)
    upstream.shutdown()


def _get(url: str, **kwargs) -> requests.Response:
    return requests.request(kwargs.pop("method", "GET"), url, headers={"Host": HOST}, verify=False,
                            allow_redirects=False, timeout=30, **kwargs)


@pytest.mark.parametrize("method,path", [
    ("GET", "/"), ("GET", "/sign-in?next=/reports/"), ("POST", "/sign-in"), ("GET", "/static/app.css"),
    ("GET", "/reports/export/activities.csv?year=all"),
])
def test_plain_http_redirects_every_page_to_the_same_address_on_https(proxy, method, path):
    plain, _ = proxy
    answer = _get(plain + path, method=method)
    assert answer.status_code == 301 and answer.headers["Location"] == f"https://{HOST}{path}"


def test_plain_http_refuses_the_health_check_instead_of_redirecting_it(proxy):
    plain, _ = proxy
    assert _get(plain + "/healthz").status_code == 403


def test_https_passes_requests_on_with_the_forwarded_headers_to_the_instance_that_answers(proxy):
    _, secure = proxy
    answer = _get(secure + "/team/?unit=3")
    assert answer.status_code == 200
    seen = answer.json()
    assert (seen["HTTP_X_FORWARDED_PROTO"], seen["HTTP_X_FORWARDED_HOST"], seen["HTTP_HOST"]) == ("https", HOST, HOST)
    assert seen["HTTP_X_FORWARDED_FOR"] == "127.0.0.1" and seen["QUERY_STRING"] == "unit=3"
    assert re.fullmatch(r"[0-9a-f]{32}", seen["HTTP_X_REQUEST_ID"])


def test_static_files_come_from_disk_with_their_cache_times(proxy):
    _, secure = proxy
    vendored = _get(secure + "/static/nhsuk/nhsuk-frontend.min.css")
    assert vendored.content == (ROOT / "tracker/static/nhsuk/nhsuk-frontend.min.css").read_bytes()
    assert "max-age=2592000" in vendored.headers["Cache-Control"]
    own = _get(secure + "/static/app.css")
    assert own.content == (ROOT / "tracker/static/app.css").read_bytes()
    assert "max-age=3600" in own.headers["Cache-Control"] and "must-revalidate" in own.headers["Cache-Control"]
