"""The reviewed list of public endpoints and the permission registry. Who gets what, route by route and
role by role, is the matrix: tests/web/route_matrix.py, run by tests/web/test_route_matrix.py."""
from __future__ import annotations

import pytest

from tests.factories import PASSWORD, make_person, make_tree
from tracker import access

# The endpoints a visitor may reach without signing in. Adding one here is a reviewed decision.
EXPECTED_PUBLIC = {"static", "assets", "auth.sign_in", "home.index", "home.health",
                   "hub.index", "hub.section", "hub.framework",  # the hub's guidance is readable signed out
                   "pages.page",  # accessibility statement, privacy notice, cookies, help: for everyone
                   "auth.set_password",  # a set-password link's token is the credential
                   "auth.forgotten_password",  # asks for a reset link; one answer whether or not the account exists
                   # The second step of signing in: each page needs the password passed in this session.
                   "auth.second_factor", "auth.recovery_code", "auth.set_up_second_factor",
                   # Single sign-on: off to the provider, and back with a code the state ties to this browser.
                   "auth.sso_start", "auth.sso_return",
                   "observation.answer"}  # the observer's feedback link: its token is the credential


def _routes(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint not in ("static", "assets")]


def test_public_endpoints_are_exactly_the_reviewed_list(app):
    public = {r.endpoint for r in app.url_map.iter_rules() if access.is_public(r.endpoint)}
    assert public == EXPECTED_PUBLIC


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
