"""Writes that can meet a locked database.

SQLite lets one writer in at a time and refuses a second one outright ("database is locked")
rather than queueing it when both began by reading. Such a write is safe to run again from the
start: a conditional UPDATE then sees what the other writer did. PostgreSQL waits for the row
lock instead, so there the first attempt is the only one.
"""
from __future__ import annotations

import time
from typing import Callable, TypeVar

from sqlalchemy.exc import OperationalError

from tracker.extensions import db

T = TypeVar("T")

ATTEMPTS = 3


def _locked(error: OperationalError) -> bool:
    return "locked" in str(error.orig).lower()


def retry_if_locked(write: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """Run `write` (a service call) and commit; when the database is locked, roll back and run
    it again, a little later each time. Any other error is the caller's to handle."""
    def once() -> T:
        result = write()
        db.session.commit()
        return result

    return again_if_locked(once, attempts=attempts)


def again_if_locked(attempt: Callable[[], T], undo: Callable[[], None] = lambda: None,
                    attempts: int = ATTEMPTS) -> T:
    """Call `attempt` (which commits); when the database is locked, roll back, `undo` what the
    attempt left outside the database (files it stored), and call it again a little later."""
    tried = 1
    while True:
        try:
            return attempt()
        except OperationalError as error:
            db.session.rollback()
            if tried >= attempts or not _locked(error):
                raise
            undo()
            time.sleep(0.05 * tried)
            tried += 1
