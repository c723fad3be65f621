"""Find valid NHS numbers in free text, so reflections cannot identify patients.

An NHS number is ten digits, often written 3-3-4 with spaces or hyphens. It is valid when
its check digit is right (product brief): weights 10..2 on the first nine digits, sum,
11 - (sum mod 11); 11 means 0 and 10 means no valid number. Ten-digit strings that fail the
check (most phone numbers) are left alone, so people can write them freely.
"""
from __future__ import annotations

import re

# Separators people use between digits: space, no-break space, hyphen and the dashes.
_SEP = r"[ \u00a0\-\u2010-\u2015]"
# The usual 3-3-4 shape (or ten digits in a row), not glued to further digits on either side.
_GROUPED = re.compile(rf"(?<!\d)(\d{{3}}){_SEP}?(\d{{3}}){_SEP}?(\d{{4}})(?!\d)")
# Any run of digits joined by single separators (catches other groupings such as 5-5).
_RUN = re.compile(rf"\d(?:{_SEP}?\d)*")
MASK = "[number removed]"


def is_valid_nhs_number(digits: str) -> bool:
    """True when `digits` (exactly ten digits, no separators) has a correct check digit."""
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    values = [int(d) for d in digits]
    total = sum(value * weight for value, weight in zip(values[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == values[9]


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _spans(text: str) -> list[tuple[int, int]]:
    """Where valid NHS numbers are in `text`, as (start, end) pairs in order."""
    spans = set()
    for match in _GROUPED.finditer(text):
        if is_valid_nhs_number(_digits(match.group(0))):
            spans.add(match.span())
    for match in _RUN.finditer(text):
        digits = _digits(match.group(0))
        if len(digits) == 10 and is_valid_nhs_number(digits):
            spans.add(match.span())
    return sorted(spans)


def contains_nhs_number(text: str) -> bool:
    return bool(_spans(text or ""))


def mask_nhs_numbers(text: str) -> str:
    """The text with every valid NHS number replaced, so a refused form never echoes one back."""
    text = text or ""
    out, position = [], 0
    for start, end in _spans(text):
        if start < position:
            continue
        out.append(text[position:start])
        out.append(MASK)
        position = end
    out.append(text[position:])
    return "".join(out)
