"""The boundary's readings of ids and numbers typed into addresses and forms."""
from __future__ import annotations

import pytest

from tracker.input_guard import LARGEST_RECORD_NUMBER, record_id, record_id_choice, record_ids, record_number


@pytest.mark.parametrize("raw, expected", [
    ("12", 12), (" 7 ", 7), (str(LARGEST_RECORD_NUMBER), LARGEST_RECORD_NUMBER),
    (str(LARGEST_RECORD_NUMBER + 1), None), (str(2**64 + 1), None), ("9" * 40, None),
    ("²", None), ("١٢", None), ("-1", None), ("1_0", None), ("+5", None), ("", None), (None, None), ("1.5", None),
])
def test_record_id_takes_plain_digits_an_id_column_holds(raw, expected):
    assert record_id(raw) == expected


def test_record_ids_refuse_the_lot_when_one_is_not_an_id():
    assert record_ids(["1", "2"]) == [1, 2]
    assert record_ids(["1", str(2**63)]) is None
    assert record_ids([]) == []


def test_record_id_choice_is_a_field_error_not_a_crash():
    assert record_id_choice("42") == 42 and record_id_choice(42) == 42
    for bad in (str(2**64), "x", -3, 2**40):
        with pytest.raises(ValueError):
            record_id_choice(bad)


@pytest.mark.parametrize("raw", [str(2**31), "-" + str(2**63), "1" * 30, "²"])
def test_record_number_refuses_what_no_column_holds(raw):
    with pytest.raises(ValueError):
        record_number(raw)
    assert record_number("-5") == -5
