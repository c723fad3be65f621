"""Small ASVS 5.0.0 checks that no feature's own tests hold (docs/asvs-l2.md names each one):
what every response says about itself, what the server refuses to show, and the password as typed."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import config
from tests.factories import PASSWORD, make_person, make_tree
from tracker import create_app

TRACKER = Path(__file__).resolve().parents[2] / "tracker"


@pytest.fixture
def nurse(db_session):
    return make_person(make_tree()["ward7"], email="nurse@example.org")


def test_pages_name_their_type_and_character_set(client, sign_in, nurse):
    sign_in("nurse@example.org", PASSWORD)
    for url in ("/", "/my-year", "/portfolio/my-data.json"):
        content_type = client.get(url).headers["Content-Type"]
        assert content_type.split(";")[0] in ("text/html", "application/json"), url
        assert "charset=utf-8" in content_type.lower() or content_type == "application/json", url


def test_no_page_invites_other_sites_to_read_it(client, sign_in, nurse):
    sign_in("nurse@example.org", PASSWORD)
    response = client.get("/my-year", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_tampered_session_cookie_signs_nobody_in(client, sign_in, nurse):
    sign_in("nurse@example.org", PASSWORD)
    assert client.get("/my-year").status_code == 200
    cookie = client.get_cookie("session")
    payload, _, signature = cookie.value.rpartition(".")
    # The first character: the last one of a base64 signature carries bits that decoding drops,
    # so changing it may leave the signature as it was.
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    client.set_cookie("session", f"{payload}.{flipped}")
    response = client.get("/my-year")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("typed", [PASSWORD.upper(), PASSWORD + " ", " " + PASSWORD, PASSWORD[:-1]])
def test_the_password_is_checked_exactly_as_typed(client, sign_in, nurse, typed):
    assert sign_in("nurse@example.org", typed).status_code == 200  # the form again, not signed in
    assert sign_in("nurse@example.org", PASSWORD).status_code == 302


def test_password_fields_are_masked_and_welcome_password_managers(client):
    html = client.get("/sign-in").get_data(as_text=True)
    field = re.search(r"<input[^>]*name=\"password\"[^>]*>", html).group(0)
    assert 'type="password"' in field and 'autocomplete="current-password"' in field
    assert not re.search(r"onpaste|oncopy|readonly", field)


def test_trace_is_not_answered(client):
    assert client.open("/", method="TRACE").status_code == 405


@pytest.mark.parametrize("url", ["/static/", "/assets/", "/.git/config", "/static/../config.py", "/instance/tracker.db"])
def test_no_folder_listing_source_or_database_is_served(client, url):
    assert client.get(url).status_code == 404


def test_production_runs_without_debugging():
    production = type("Production", (config.Config,), {"SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    app = create_app(production)
    assert not app.debug and not app.testing and not app.config["PROPAGATE_EXCEPTIONS"]


def _python_files():
    return [path for path in TRACKER.rglob("*.py") if "demo" not in path.parts]


def test_non_guessable_values_come_from_the_secrets_module_only():
    """The demo's made-up organisation may use `random`; nothing else in the application does."""
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        assert "random" not in imported, path


def test_no_code_runs_text_or_shell_commands():
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = {node.func.id for node in ast.walk(tree)
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        assert not calls & {"eval", "exec", "compile", "__import__"}, path
        assert not imported & {"subprocess", "pickle", "marshal", "shelve"}, path
        assert "os.system" not in path.read_text(encoding="utf-8"), path
