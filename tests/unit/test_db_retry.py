"""retry_if_locked runs a write again only when the database was locked, and gives up in the end."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from tracker import db_retry
from tracker.db_retry import retry_if_locked
from tracker.refusal import Refused


def database_error(message: str) -> OperationalError:
    return OperationalError("UPDATE activity SET status = ?", {}, sqlite3.OperationalError(message))


@pytest.fixture
def no_waiting(monkeypatch):
    waits = []
    monkeypatch.setattr(db_retry.time, "sleep", waits.append)
    return waits


def failing(times: int, message: str = "database is locked"):
    calls = []

    def write():
        calls.append(1)
        if len(calls) <= times:
            raise database_error(message)
        return "written"

    return write, calls


def test_a_locked_write_runs_again_and_its_result_comes_back(db_session, no_waiting):
    write, calls = failing(times=2)
    assert retry_if_locked(write) == "written"
    assert len(calls) == 3 and no_waiting == [0.05, 0.1]


def test_it_gives_up_after_the_last_attempt(db_session, no_waiting):
    write, calls = failing(times=5)
    with pytest.raises(OperationalError):
        retry_if_locked(write)
    assert len(calls) == db_retry.ATTEMPTS


def test_other_database_errors_are_not_retried(db_session, no_waiting):
    write, calls = failing(times=1, message="no such table: activity")
    with pytest.raises(OperationalError):
        retry_if_locked(write)
    assert len(calls) == 1 and no_waiting == []


def test_a_refusal_is_the_callers_to_handle(db_session, no_waiting):
    def write():
        raise Refused({"feedback": "Enter feedback"})

    with pytest.raises(Refused):
        retry_if_locked(write)
    assert no_waiting == []


def test_a_locked_attempt_undoes_what_it_left_outside_the_database_before_the_next(db_session, no_waiting):
    write, calls = failing(times=1)
    undone = []
    assert db_retry.again_if_locked(write, undo=lambda: undone.append(len(calls))) == "written"
    assert undone == [1] and len(calls) == 2


def test_the_last_locked_attempt_is_not_undone_here(db_session, no_waiting):
    write, calls = failing(times=5)
    undone = []
    with pytest.raises(OperationalError):
        db_retry.again_if_locked(write, undo=lambda: undone.append(1))
    assert len(calls) == db_retry.ATTEMPTS and len(undone) == db_retry.ATTEMPTS - 1
