"""Python's garbage collector set for a long-running server process.

A page that rolls up tens of thousands of figure rows allocates enough objects to trigger
hundreds of collections, and each full one walked everything the process holds for its lifetime
(modules, mappers, compiled templates and statements): on the organisation report at 100,000 staff
about 220 ms of a request went to the collector (bench/page_cpu.py, gc callbacks). Freezing what
exists once the app is built, and again after its first request has compiled what requests use,
keeps those objects out of every later collection; a higher first threshold makes collections
rarer. Both only change when cyclic garbage is found, never what is freed.
"""
from __future__ import annotations

import gc

from flask import Flask

FIRST_GENERATION_THRESHOLD = 20_000  # Python's default is 700 allocations


def init_app(app: Flask) -> None:
    if app.testing:
        return  # test runs build many apps; each would leave its objects frozen for the run
    gc.set_threshold(FIRST_GENERATION_THRESHOLD, 10, 10)
    gc.freeze()
    frozen_after_first = []

    @app.teardown_request
    def _freeze_after_first_request(_error=None):
        if not frozen_after_first:
            frozen_after_first.append(True)
            gc.freeze()
