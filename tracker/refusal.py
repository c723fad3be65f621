"""The one way a service refuses input: a message per form field, shown on the form."""
from __future__ import annotations


class Refused(ValueError):
    """A service would not make the change; `.errors` maps each field name to its message.
    Nothing has been written (the request boundary rolls back)."""

    def __init__(self, errors: dict[str, str] | str, field: str = "form"):
        if isinstance(errors, str):
            errors = {field: errors}
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))
