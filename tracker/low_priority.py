"""A request's long work (an export streaming out) done by a thread of its own at a lower CPU
priority, so that the pages other workers serve on the same cores keep their pace.

Measured with the deployment bench (bench/load.py, 2 cores): an open year's activities XLSX took
3.6 s of a worker's CPU, and the pages' 95th percentile went from 441 to 629 ms while it ran.
Linux keeps a nice value per thread, so only the producing thread is lowered, and it ends with
the export: the worker serves its next request at its usual priority (raising a nice value back
needs a privilege the service does not have).

The producing thread runs in a copy of the request's context and is handed the request's
database session (a session scoped by thread, as the tests' is, would otherwise give it one of
its own); the request's thread only waits for chunks meanwhile, never using the session at the
same time.
"""
from __future__ import annotations

import contextvars
import os
import queue
import threading
from typing import Callable, Iterator

from tracker.extensions import db

# Nice 10 (config EXPORT_NICENESS): a CPU-bound thread then gets about a tenth of a core that a
# page also wants.
NICENESS = 10
_HANDOFF_CHUNKS = 4
_CHUNK, _END, _ERROR = "chunk", "end", "error"


def lower_this_thread(by: int = NICENESS) -> None:
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + by))
    except (AttributeError, OSError):  # not Linux, or not allowed: the work is the same, only sooner
        pass


def produced_in_background(make_chunks: Callable[[], Iterator[bytes]],
                           niceness: int = NICENESS) -> Iterator[bytes]:
    """What `make_chunks()` yields, produced by a thread `niceness` lower. An error there is raised
    here; a consumer that stops early (the browser went away) stops the producer and closes its
    generator, so its cursor and file are released."""
    handoff: queue.Queue = queue.Queue(maxsize=_HANDOFF_CHUNKS)
    stopped = threading.Event()
    session = db.session()

    def hand_over(item) -> bool:
        while not stopped.is_set():
            try:
                handoff.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        if niceness:
            lower_this_thread(niceness)
        db.session.registry.set(session)
        chunks = None
        try:
            chunks = make_chunks()
            for chunk in chunks:
                if not hand_over((_CHUNK, chunk)):
                    return
            hand_over((_END, None))
        except BaseException as error:  # noqa: BLE001 (handed to the consumer, raised there)
            hand_over((_ERROR, error))
        finally:
            if chunks is not None and hasattr(chunks, "close"):
                chunks.close()

    thread = threading.Thread(target=contextvars.copy_context().run, args=(produce,),
                              name="low-priority-export", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = handoff.get()
            if kind == _CHUNK:
                yield value
            elif kind == _END:
                return
            else:
                raise value
    finally:
        stopped.set()
        thread.join()
