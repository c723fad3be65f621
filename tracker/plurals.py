"""A count with its noun, singular or plural: "0 people", "1 person", "2 people", "1,200 activities"."""
from __future__ import annotations


def plural(count, one: str, many: str | None = None) -> str:
    """`count` and the noun that agrees with it; `many` defaults to `one` + "s"."""
    count = int(count or 0)
    noun = one if count == 1 else (many if many is not None else one + "s")
    return f"{count:,} {noun}"


def noun(count, one: str, many: str | None = None) -> str:
    """The noun alone, for sentences where words sit between the number and it ("3 more hours")."""
    return one if int(count or 0) == 1 else (many if many is not None else one + "s")
