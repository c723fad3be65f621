"""The headers every response carries: no caching of pages for a signed-in person, a
Permissions-Policy, HSTS and the __Host- session cookie in production, and the proxy fix."""
from __future__ import annotations

import re

import pytest

import config
from tests.factories import PASSWORD, make_person, make_tree
from tests.support import csrf_token_from
from tracker import create_app
from tracker.extensions import db


@pytest.fixture
def nurse(db_session):
    return make_person(make_tree()["ward7"], email="nurse@example.org")


def test_every_page_a_signed_in_person_sees_is_not_stored(client, sign_in, nurse):
    sign_in("nurse@example.org", PASSWORD)
    for address in ("/", "/portfolio", "/my-year", "/portfolio/my-data.json", "/hub"):
        response = client.get(address)
        assert response.status_code == 200, address
        assert "no-store" in response.headers["Cache-Control"], address


def test_shared_files_and_signed_out_pages_may_be_cached(client):
    assert "no-store" not in client.get("/static/app.css").headers.get("Cache-Control", "")
    assert "no-store" not in client.get("/sign-in").headers.get("Cache-Control", "")


def test_every_response_has_a_permissions_policy_and_the_csp(client):
    for address in ("/sign-in", "/static/app.css", "/no-such-page"):
        headers = client.get(address).headers
        assert "camera=()" in headers["Permissions-Policy"] and "geolocation=()" in headers["Permissions-Policy"]
        assert "default-src 'self'" in headers["Content-Security-Policy"]


def test_no_hsts_while_testing_or_developing(client):
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers


def _app_with(**settings):
    """An app on the testing settings with `settings` on top (its pages here need no tables)."""
    return create_app(type("Adjusted", (config.TestingConfig,), settings))


def test_production_sends_hsts_and_a_host_only_secure_session_cookie():
    production = {name: getattr(config.Config, name) for name in
                  ("SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_PATH", "HSTS_SECONDS")}
    client = _app_with(**production).test_client()
    response = client.get("/sign-in", base_url="https://tracker.example.org")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie


def test_in_production_every_response_sends_hsts_for_a_year_with_subdomains(app, client, sign_in, nurse, monkeypatch):
    """ASVS 3.4.1: with production's HSTS_SECONDS, a page before and after signing in, a redirect,
    a static file, a 404, /healthz and a refused form each carry HSTS of a year or more, with
    includeSubDomains."""
    db.session.commit()  # the refused form rolls back; the nurse must outlive it
    monkeypatch.setitem(app.config, "HSTS_SECONDS", config.Config.HSTS_SECONDS)
    https = {"base_url": "https://tracker.example.org"}
    responses = {address: client.get(address, **https)
                 for address in ("/sign-in", "/portfolio", "/static/app.css", "/no-such-page", "/healthz")}
    responses["refused form"] = client.post("/sign-in", data={"email": "x"}, **https)
    responses["signing in"] = sign_in("nurse@example.org", PASSWORD)
    responses["signed in"] = client.get("/my-year")
    assert [r.status_code for r in responses.values()] == [200, 302, 200, 404, 200, 400, 302, 200]
    for seen, response in responses.items():
        hsts = response.headers.get("Strict-Transport-Security", "")
        max_age = re.fullmatch(r"max-age=(\d+); includeSubDomains", hsts)
        assert max_age and int(max_age.group(1)) >= 31_536_000, seen


def test_production_settings_name_the_host_cookie_and_hsts():
    assert config.Config.SESSION_COOKIE_NAME == "__Host-session"
    assert config.Config.SESSION_COOKIE_SECURE and config.Config.SESSION_COOKIE_PATH == "/"
    assert config.Config.HSTS_SECONDS >= 31_536_000
    assert config.DevelopmentConfig.SESSION_COOKIE_NAME == "session"  # http on a laptop


def test_a_trusted_proxy_tells_the_app_the_scheme_host_and_client():
    from flask import request

    app = _app_with(PROXY_FIX_HOPS=1)
    seen = {}

    def _look():
        seen.update(scheme=request.scheme, address=request.remote_addr, host=request.host)

    app.before_request_funcs.setdefault(None, []).insert(0, _look)
    app.test_client().get("/sign-in", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9",
                                               "X-Forwarded-Host": "tracker.example.org"})
    assert seen == {"scheme": "https", "address": "203.0.113.9", "host": "tracker.example.org"}


def test_without_the_setting_forwarded_headers_are_ignored(app):
    from tracker import security_headers

    assert app.config["PROXY_FIX_HOPS"] == 0
    assert not isinstance(app.wsgi_app, security_headers.ProxyFix)


def test_signing_in_then_pages_are_not_stored(client, nurse):
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={"email": "nurse@example.org", "password": PASSWORD,
                                             "csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
