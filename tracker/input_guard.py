"""What every request's input must be before any view reads it: the one boundary check.

- A NUL character in any address, query or form value (or name) is refused with a 400 page:
  no one types it, and PostgreSQL refuses it in text.
- A whole number in the address (`<int:...>`) is at most the largest id the database holds
  (PostgreSQL's integer), so a bigger one is a 404 like any other unknown id, never an overflow.
- Query numbers read with `type=record_number` fall back to their default when out of range.
"""
from __future__ import annotations

from flask import abort, request
from werkzeug.routing import IntegerConverter

# PostgreSQL's `integer`, the type of every id and count column; SQLite holds 64 bits.
LARGEST_RECORD_NUMBER = 2**31 - 1


class RecordNumberConverter(IntegerConverter):
    """`<int:...>` limited to what an id column can hold: a larger number does not match (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min,
                         max=LARGEST_RECORD_NUMBER if max is None else max, signed=signed)


def record_id(raw: str | None) -> int | None:
    """A typed or posted id: plain ASCII digits an id column can hold, else None (int() alone
    takes other scripts' digits and numbers no column holds)."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or int(raw) > LARGEST_RECORD_NUMBER:
        return None
    return int(raw)


def record_id_choice(value) -> int:
    """A form choice's `coerce` for ids: a ValueError (the field's error) when it is not one."""
    found = value if isinstance(value, int) and 0 <= value <= LARGEST_RECORD_NUMBER else record_id(str(value))
    if found is None:
        raise ValueError(f"not an id: {value!r}")
    return found


def record_ids(values) -> list[int] | None:
    """Several posted ids, or None when any of them is not one."""
    ids = [record_id(value) for value in values]
    return None if None in ids else ids


def record_number(raw: str) -> int:
    """A query argument as a number an id or count column can hold (for `args.get(type=...)`,
    which falls back to the default on the ValueError)."""
    if not raw.isascii() or len(raw) > 12:
        raise ValueError(raw)
    value = int(raw)
    if not -LARGEST_RECORD_NUMBER <= value <= LARGEST_RECORD_NUMBER:
        raise ValueError(raw)
    return value


def _holds_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values.getlist(key)) for key in values)


def init_app(app) -> None:
    # Before any blueprint is registered: each route's converter is made when it is added.
    app.url_map.converters["int"] = RecordNumberConverter

    @app.before_request
    def _refuse_nul():
        if "\x00" in request.path or _holds_nul(request.args) or _holds_nul(request.form):
            abort(400)
