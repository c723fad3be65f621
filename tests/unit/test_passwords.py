"""The password rule (NCSC): at least 12 characters, not one of the common breached passwords,
not the person's own email address or name; no composition rules."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from tracker.auth import passwords

NURSE = SimpleNamespace(email="nia.nurse@example.org", name="Nia Nurse")


def test_the_bundled_list_is_large_and_holds_the_demo_password():
    common = passwords.common_passwords()
    assert len(common) >= 10_000
    assert "demo-pass-2026" in common and "password" in common


@pytest.mark.parametrize("password, problem", [
    ("short-one", passwords.TOO_SHORT),
    ("x" * 1001, passwords.TOO_LONG),
    ("demo-pass-2026", passwords.TOO_COMMON),
    ("DEMO-PASS-2026", passwords.TOO_COMMON),
    ("password1234", passwords.TOO_COMMON),
    ("baseball2026!!", passwords.TOO_COMMON),
    ("nia.nurse-is-here", passwords.ABOUT_YOU),
    ("i am nia nurse ok", passwords.ABOUT_YOU),
])
def test_refused(password, problem):
    assert passwords.problem(password, NURSE) == problem


@pytest.mark.parametrize("password", ["plum orchard lantern", "correct-horse-battery", "alllowercaseletters",
                                      "Ünïcödé pässwörd 🙂"])
def test_accepted_without_composition_rules(password):
    assert passwords.problem(password, NURSE) is None


def test_without_a_person_only_the_list_and_length_apply():
    assert passwords.problem("nia.nurse-is-here") is None
