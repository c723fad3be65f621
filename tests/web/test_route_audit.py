"""Every registered route is either on the public list or refuses visitors who are not signed in."""
from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD, make_person, make_tree
from tests.support import csrf_token_from
from tracker import access

# The endpoints a visitor may reach without signing in. Adding one here is a reviewed decision.
EXPECTED_PUBLIC = {"static", "assets", "auth.sign_in", "home.index", "home.health",
                   "hub.index", "hub.section", "hub.framework",  # the hub's guidance is readable signed out
                   "pages.page",  # accessibility statement, privacy notice, cookies, help: for everyone
                   "auth.set_password",  # a set-password link's token is the credential
                   # The second step of signing in: each page needs the password passed in this session.
                   "auth.second_factor", "auth.recovery_code", "auth.set_up_second_factor"}


def _concrete_url(rule) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: "1" if "id" in m.group(1) else "x", rule.rule)


def _routes(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint not in ("static", "assets")]


def test_public_endpoints_are_exactly_the_reviewed_list(app):
    public = {r.endpoint for r in app.url_map.iter_rules() if access.is_public(r.endpoint)}
    assert public == EXPECTED_PUBLIC


def _valid_csrf_token(client) -> str:
    """A real token for this client's session, so that a POST meets the sign-in and role gates,
    not the CSRF check (which would refuse it with 400 whoever sent it)."""
    return csrf_token_from(client.get("/sign-in").get_data(as_text=True))


def test_every_non_public_route_sends_visitors_to_sign_in(app, client):
    token = _valid_csrf_token(client)
    checked = []
    for rule in _routes(app):
        if access.is_public(rule.endpoint):
            continue
        url = _concrete_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token} if method != "GET" else None
            response = client.open(url, method=method, data=data)
            assert response.status_code == 302, (rule.endpoint, method, response.status_code)
            assert "/sign-in" in response.headers["Location"], rule.endpoint
            checked.append(method)
    assert checked.count("GET") >= 10 and checked.count("POST") >= 10


def test_every_area_route_refuses_people_without_the_role(app, client, sign_in, db_session):
    tree = make_tree()
    make_person(tree["ward7"], email="plain@example.org")
    sign_in("plain@example.org", PASSWORD)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    checked = []
    for rule in _routes(app):
        # The blueprint is everything before the last dot (nested blueprints such as hub.edit).
        if rule.endpoint.rsplit(".", 1)[0] not in access.AREA_PERMISSIONS:
            continue
        url = _concrete_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token} if method != "GET" else None
            response = client.open(url, method=method, data=data)
            assert response.status_code == 403, (rule.endpoint, method, response.status_code)
            checked.append(method)
    assert checked.count("GET") >= 5 and checked.count("POST") >= 5


def test_endpoint_permissions_name_real_endpoints_and_known_permissions(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    for endpoint, permission in access.ENDPOINT_PERMISSIONS.items():
        assert endpoint in endpoints, endpoint
        assert permission in access.PERMISSIONS, permission


def test_unknown_permission_names_are_rejected():
    with pytest.raises(access.UnknownPermission):
        access.can(None, "no-such-permission")


def test_role_gate_shows_the_403_page(client, sign_in, db_session):
    tree = make_tree()
    make_person(tree["ward7"], email="plain@example.org")
    make_person(tree["ward7"], email="root@example.org", roles=["admin"])
    sign_in("plain@example.org", PASSWORD)
    response = client.get("/admin/people")
    assert response.status_code == 403
    assert "You do not have permission to see this page" in response.get_data(as_text=True)



def test_admin_reaches_the_people_page(client, sign_in, db_session):
    tree = make_tree()
    make_person(tree["ward7"], email="root@example.org", roles=["admin"])
    sign_in("root@example.org", PASSWORD)
    response = client.get("/admin/people")
    assert response.status_code == 200 and "root@example.org" in response.get_data(as_text=True)


def test_the_audit_trail_routes_only_read(app):
    """The audit trail is append-only: its pages filter and export with GET; no route edits or deletes."""
    audit_routes = [r for r in _routes(app) if r.endpoint.startswith("admin.audit")]
    assert {r.endpoint for r in audit_routes} == {"admin.audit_trail", "admin.audit_export"}
    for rule in audit_routes:
        assert rule.methods - {"HEAD", "OPTIONS"} == {"GET"}, rule.endpoint
        assert access.permission_for(rule.endpoint, "admin") == "admin"
