"""Column helpers shared by the models."""
from __future__ import annotations

import enum
from datetime import UTC, date, datetime

from sqlalchemy import DateTime, Enum


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_column_type(enum_cls: type[enum.Enum], length: int = 40) -> Enum:
    """Store an enum's values as plain strings (portable, migrations stay simple), held to its members by a CHECK."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,  # a CHECK (named ck_<table>_<enum>) refuses any other value
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


TZDateTime = DateTime(timezone=True)

# Where dated rows that held before the tracker kept history begin.
SINCE_EVER = date(1900, 1, 1)


class LabelledEnum(str, enum.Enum):
    """An enum whose members carry the words shown on screen: `MEMBER = ("value", "Label")`.

    The stored value is the first item; `.label` is the second (the value itself when omitted)."""

    def __new__(cls, value: str, label: str | None = None):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label if label is not None else value
        return member

    @property
    def label(self) -> str:
        return self._label
