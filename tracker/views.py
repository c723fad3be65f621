"""What the blueprints' views share: writing through a service and committing once, with the
service's refusals shown on the form's fields."""
from __future__ import annotations

from typing import Callable, TypeVar

from tracker.extensions import db

T = TypeVar("T")


def show_errors(form, errors: dict[str, str]) -> None:
    """Put each message on the form field it names."""
    for name, message in errors.items():
        getattr(form, name).errors = [message]


def commit_or_show_errors(form, refused: type[ValueError], write: Callable[[], T]) -> T | None:
    """Run `write` (a service call) and commit: its result. When the service refuses the input
    (raises `refused`, whose .errors maps field names to messages), roll back, show the messages
    on the form and return None, so the view renders the form again."""
    try:
        result = write()
        db.session.commit()
    except refused as error:
        db.session.rollback()
        show_errors(form, error.errors)
        return None
    return result
