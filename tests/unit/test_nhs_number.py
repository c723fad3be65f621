"""The NHS-number detector: valid numbers are found in any usual shape; everything else is left alone."""
from __future__ import annotations

import pytest

from tracker.portfolio.nhs_number import MASK, contains_nhs_number, is_valid_nhs_number, mask_nhs_numbers

VALID = ["9434765919", "4010232137", "2914177763", "3740681241", "6907366258"]


@pytest.mark.parametrize("number", VALID)
def test_valid_numbers_pass_the_check_digit(number):
    assert is_valid_nhs_number(number)


@pytest.mark.parametrize("number", [
    "9434765918",  # last digit one off
    "9434765910",
    "1234567890",  # check digit works out as 10: never valid
    "4857773456",
    "943476591",   # nine digits
    "94347659190",  # eleven digits
    "943476591a",
    "",
])
def test_wrong_check_digits_and_wrong_lengths_fail(number):
    assert not is_valid_nhs_number(number)


def test_remainder_zero_means_check_digit_zero():
    # The weighted sum of 900000013 is 9*10 + 1*3 + 3*2 = 99, remainder 0, so the check digit is 0.
    assert sum(int(d) * w for d, w in zip("900000013", range(10, 1, -1))) % 11 == 0
    assert is_valid_nhs_number("9000000130")
    assert not is_valid_nhs_number("9000000131")


@pytest.mark.parametrize("text", [
    "9434765919",
    "943 476 5919",
    "943-476-5919",
    "943 476-5919",
    "943\u00a0476\u00a05919",  # no-break spaces, as pasted from a letter
    "943\u2013476\u20135919",  # en dashes
    "94347 65919",  # an unusual grouping
    "Patient 943 476 5919 was anxious",
    "NHS no:9434765919.",
    "(943 476 5919)",
    "seen at 10:30, 12 943 476 5919",  # a number just before it
    "first line\nsecond line 943 476 5919\nthird",
])
def test_valid_numbers_are_found_in_every_usual_shape_and_in_text(text):
    assert contains_nhs_number(text)


@pytest.mark.parametrize("text", [
    "",
    "No numbers here at all.",
    "943 476 5918",  # invalid check digit
    "Call me on 0161 496 0000",  # an eleven-digit phone number
    "Mobile 07700 900123",
    "+44 20 7946 0958",
    "1234567890",  # ten digits, check digit 10
    "123 456 7890",
    "Bleep 4857773456",  # ten digits, wrong check digit
    "943 476 59190",  # eleven digits
    "99434765919",  # a valid number glued to another digit is not a ten-digit number
    "The shift ran from 07:00 to 19:30 on 12/03/2024",
])
def test_phone_numbers_dates_and_invalid_numbers_are_not_flagged(text):
    assert not contains_nhs_number(text)


def test_masking_removes_every_valid_number_and_keeps_the_rest():
    text = "Saw 943 476 5919 and 401-023-2137; call 0161 496 0000."
    masked = mask_nhs_numbers(text)
    assert masked == f"Saw {MASK} and {MASK}; call 0161 496 0000."
    assert not contains_nhs_number(masked)


def test_masking_leaves_text_without_numbers_unchanged():
    assert mask_nhs_numbers("Nothing to hide 123 456 7890") == "Nothing to hide 123 456 7890"
