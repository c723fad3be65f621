"""How each column's value is written in a backup, in a form no database owns, and read back.

A row is one JSON object per line, keyed by column name. NULL is null; everything else is chosen so
that it reads back to the same value on SQLite and PostgreSQL alike:

- integers, booleans and text as JSON; decimals as text ("7.50"), never floats;
- dates and times in ISO 8601; zoned datetimes in UTC with their offset (SQLite keeps no zone, and
  the tracker writes UTC, so a zoneless one read from SQLite is UTC);
- enums as their stored value; binary as base64; UUIDs as text;
- JSON columns as the JSON text the database holds, so that JSON null ("null") and SQL NULL (null)
  stay apart.

A column type not named here stops the backup with its name, rather than be written lossily.
"""
from __future__ import annotations

import base64
import enum
import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import (JSON, Boolean, Date, DateTime, Enum, Float, Integer, LargeBinary, Numeric,
                        String, Table, Text, Time, Uuid, bindparam, cast, insert, select, update)
from sqlalchemy.sql import Select


def _datetime_out(value: datetime, zoned: bool) -> str:
    if value.tzinfo is not None:
        return value.astimezone(UTC).isoformat()
    return value.replace(tzinfo=UTC).isoformat() if zoned else value.isoformat()


# (type, write, read), first match wins: Boolean, Enum and JSON before the types they resemble.
_KINDS = (
    (Boolean, lambda v, t: bool(v), lambda v, t: bool(v)),
    (Enum, lambda v, t: v.value if isinstance(v, enum.Enum) else v,
     lambda v, t: t.enum_class(v) if t.enum_class is not None else v),
    (JSON, lambda v, t: v, lambda v, t: v),
    (LargeBinary, lambda v, t: base64.b64encode(v).decode("ascii"), lambda v, t: base64.b64decode(v)),
    (DateTime, lambda v, t: _datetime_out(v, t.timezone), lambda v, t: datetime.fromisoformat(v)),
    (Date, lambda v, t: v.isoformat(), lambda v, t: date.fromisoformat(v)),
    (Time, lambda v, t: v.isoformat(), lambda v, t: time.fromisoformat(v)),
    (Float, lambda v, t: float(v), lambda v, t: float(v)),
    (Numeric, lambda v, t: str(v), lambda v, t: Decimal(v)),
    (Integer, lambda v, t: int(v), lambda v, t: int(v)),
    (Uuid, lambda v, t: str(v), lambda v, t: uuid.UUID(v) if t.as_uuid else v),
    (String, lambda v, t: str(v), lambda v, t: str(v)),
)


class UnknownColumnType(TypeError):
    pass


def _kind(column):
    for type_, write, read in _KINDS:
        if isinstance(column.type, type_):
            return write, read
    raise UnknownColumnType(f"{column.table.name}.{column.name}: no backup form for {column.type!r} "
                            "(add one in tracker/backup/columns.py)")


class TableForm:
    """One table's columns as the backup writes and reads them."""

    def __init__(self, table: Table):
        self.table = table
        self.columns = list(table.columns)
        self._forms = {c.name: _kind(c) for c in self.columns}
        self._writers = [(c.name, self._forms[c.name][0], c.type) for c in self.columns]
        self.key = list(table.primary_key.columns) or self.columns

    def select(self) -> Select:
        """Every row in key order; JSON columns as the text the database holds."""
        chosen = [cast(c, Text).label(c.name) if isinstance(c.type, JSON) else c for c in self.columns]
        return select(*chosen).order_by(*self.key)

    def encode(self, row) -> dict:
        """One row of select() as the archive holds it."""
        return {name: None if value is None else write(value, type_)
                for (name, write, type_), value in zip(self._writers, row)}

    def decode(self, line: dict, held_back=()) -> dict:
        """Parameters for insert(): `held_back` columns go in as NULL, to be set by update() later."""
        params = self.values(line, [c for c in self.columns if c.name not in held_back])
        return {**params, **{"v_" + name: None for name in held_back}}

    def values(self, line: dict, columns) -> dict:
        """Parameters of `columns` from one line of the archive."""
        params = {}
        for c in columns:
            value = line.get(c.name)
            params["v_" + c.name] = None if value is None else self._forms[c.name][1](value, c.type)
        return params

    def insert(self, dialect_name: str):
        return insert(self.table).values({c.name: self._param(c, dialect_name) for c in self.columns})

    def update(self, columns, dialect_name: str):
        """Set `columns` of the row with this key (held-back foreign keys, after every row is in)."""
        statement = update(self.table).values({c.name: self._param(c, dialect_name) for c in columns})
        return statement.where(*[c == bindparam("k_" + c.name, type_=c.type) for c in self.key])

    def key_params(self, line: dict) -> dict:
        return {"k_" + c.name: self._forms[c.name][1](line[c.name], c.type) for c in self.key}

    def _param(self, column, dialect_name: str):
        if not isinstance(column.type, JSON):
            return bindparam("v_" + column.name, type_=column.type)
        # The JSON text goes in as it was written: PostgreSQL casts it, SQLite stores text.
        text = bindparam("v_" + column.name, type_=Text)
        return cast(text, column.type) if dialect_name == "postgresql" else text


def held_back_columns(table: Table, order: list[str]) -> list:
    """Foreign-key columns that may point at a row not yet inserted: at the same table (a person's
    line manager, a unit's parent) or at one later in the order (a cycle). They are inserted NULL and
    set once every row is in, so no row waits on another."""
    position = order.index(table.name)
    return [fk.parent for fk in table.foreign_keys
            if fk.column.table.name not in order or order.index(fk.column.table.name) >= position]
