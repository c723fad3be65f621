"""An export's chunks come from a thread of lower CPU priority; errors and early stops cross over."""
from __future__ import annotations

import os
import threading

import pytest

from tracker.low_priority import NICENESS, produced_in_background


def own_niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_chunks_arrive_in_order_from_a_thread_of_lower_priority(app):
    seen = {}

    def chunks():
        seen["thread"], seen["niceness"] = threading.get_native_id(), own_niceness()
        for number in range(50):
            yield str(number).encode()

    with app.app_context():
        before = own_niceness()
        assert b"".join(produced_in_background(chunks)) == b"".join(str(n).encode() for n in range(50))
        assert seen["thread"] != threading.get_native_id()
        assert seen["niceness"] == min(19, before + NICENESS) and own_niceness() == before
        # Niceness 0 (the test suite's EXPORT_NICENESS): the same thread of its own, not lowered.
        assert b"".join(produced_in_background(chunks, 0)).startswith(b"012")
        assert seen["thread"] != threading.get_native_id() and seen["niceness"] == before


def test_an_error_while_producing_is_raised_to_the_reader(app):
    def chunks():
        yield b"first"
        raise LookupError("the query failed")

    with app.app_context():
        read = produced_in_background(chunks)
        assert next(read) == b"first"
        with pytest.raises(LookupError, match="the query failed"):
            next(read)


def test_a_reader_that_stops_early_stops_the_producer_and_closes_its_generator(app):
    state = {"made": 0, "closed": False}

    def chunks():
        try:
            while True:
                state["made"] += 1
                yield b"x" * 1000
        finally:
            state["closed"] = True

    with app.app_context():
        read = produced_in_background(chunks)
        assert next(read) == b"x" * 1000
        read.close()  # joins the producing thread
    assert state["closed"] and state["made"] < 20
