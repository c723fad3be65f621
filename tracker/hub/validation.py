"""Checking what an education lead typed: trimmed text, one message per field, all found at once."""
from __future__ import annotations

from tracker.hub.urls import url_problem
from tracker.refusal import Refused


def clean_text(value: str | None) -> str:
    """Free text as typed, trimmed, without NUL characters (PostgreSQL refuses them)."""
    return (value or "").replace("\x00", "").strip()


class Problems(dict):
    """Collects one message per field, then refuses them together."""

    def text(self, name: str, value: str | None, label: str, max_length: int, *, missing: str = "") -> str:
        """The text cleaned; a message for the field when it is empty (if `missing` says one) or too long."""
        value = clean_text(value)
        if missing and not value:
            self[name] = missing
        elif len(value) > max_length:
            self[name] = f"{label} must be {max_length:,} characters or fewer"
        return value

    def url(self, value: str | None, *, required: bool = True) -> str:
        """The web address trimmed; a message for the "url" field when it is not one we accept."""
        problem = url_problem(value, required=required)
        if problem:
            self["url"] = problem
        return (value or "").strip()

    def check(self) -> None:
        if self:
            raise Refused(dict(self))
