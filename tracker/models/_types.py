"""Column helpers shared by the models."""
from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_column_type(enum_cls: type[enum.Enum], length: int = 40) -> Enum:
    """Store an enum's values as plain strings: portable, and migrations stay simple."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


TZDateTime = DateTime(timezone=True)
