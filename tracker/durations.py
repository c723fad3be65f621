"""Hours and durations in words, one way everywhere on screen: "1 hour", "1 hour 30 minutes", "45 minutes".

An activity's time is typed and kept in hours and minutes, so every time on screen is said that way,
whether it began as minutes (an activity) or as hours (a rule, a course, protected time): never
"1.5 hours" beside "1 hour 30 minutes". Exports keep decimal hours, in a column whose heading says so.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def number_text(value) -> str:
    """A number without trailing zeros: 6, 1.5, 0.25."""
    if value is None:
        return ""
    text = f"{Decimal(str(value)).normalize():f}"
    return text


def hours_text(hours) -> str:
    """A number of hours in the house words: "1 hour", "1 hour 30 minutes", "0 hours"."""
    minutes = hours_to_minutes(hours)
    return duration_text(minutes) if minutes else "0 hours"


def hours_to_minutes(hours) -> int:
    """Hours (a Decimal, a number or a typed string) as whole minutes, half a minute rounding up."""
    return int((Decimal(str(hours or 0)) * 60).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


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


def more_text(minutes: int) -> str:
    """How much more time is needed: "1 more hour", "2 more hours", "1 hour 30 minutes more"."""
    hours, rest = divmod(int(minutes), 60)
    if hours and not rest:
        return f"{hours} more {'hour' if hours == 1 else 'hours'}"
    return f"{duration_text(minutes)} more"
