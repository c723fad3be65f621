"""What the blueprints' views share: writing through a service and committing once, with the
service's refusals shown on the form's fields."""
from __future__ import annotations

from typing import Callable, TypeVar

from tracker.extensions import db
from tracker.refusal import Refused

T = TypeVar("T")


def show_errors(form, errors: dict[str, str]) -> None:
    """Put each message on the form field it names (a name the form lacks goes on the form)."""
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is None or not hasattr(field, "errors"):
            form.form_errors = [*getattr(form, "form_errors", []), message]
            continue
        field.errors = [message]


def commit_or_show_errors(form, write: Callable[[], T]) -> T | None:
    """Run `write` (a service call) and commit: its result. When the service refuses the input
    (raises Refused, whose .errors maps field names to messages), roll back, show the messages
    on the form and return None, so the view renders the form again."""
    try:
        result = write()
        db.session.commit()
    except Refused as error:
        db.session.rollback()
        show_errors(form, error.errors)
        return None
    return result
