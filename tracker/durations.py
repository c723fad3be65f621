"""Hours and durations in words, one way everywhere: "1 hour", "1.5 hours", "1 hour 30 minutes"."""
from __future__ import annotations

from decimal import Decimal


def number_text(value) -> str:
    """A number without trailing zeros: 6, 1.5, 0.25."""
    if value is None:
        return ""
    text = f"{Decimal(str(value)).normalize():f}"
    return text


def hours_text(hours) -> str:
    """A number of hours in words: "1 hour", "1.5 hours", "0 hours"."""
    amount = Decimal(str(hours or 0))
    return f"{number_text(amount)} {'hour' if amount == 1 else 'hours'}"


def duration_text(minutes: int | None) -> str:
    """A duration in minutes in words: "45 minutes", "1 hour", "2 hours 15 minutes"."""
    if not minutes:
        return "0 minutes"
    hours, rest = divmod(int(minutes), 60)
    parts = []
    if hours:
        parts.append(f"{hours} {'hour' if hours == 1 else 'hours'}")
    if rest:
        parts.append(f"{rest} {'minute' if rest == 1 else 'minutes'}")
    return " ".join(parts)


def minutes_to_hours(minutes) -> Decimal:
    """Minutes as hours, to two decimal places, the way every figure shows them."""
    return (Decimal(int(minutes or 0)) / 60).quantize(Decimal("0.01"))
