"""The arithmetic of the load bench (bench/load_figures.py): percentiles, fault windows, CPU time
read from /proc, and the tally of acknowledged writes."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "bench" / "load_figures.py"
_spec = importlib.util.spec_from_file_location("load_figures", _PATH)
figures = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("load_figures", figures)  # dataclasses look their module up
_spec.loader.exec_module(figures)
Sample = figures.Sample


def test_percentile_is_the_nearest_rank():
    values = list(range(1, 101))  # 1..100
    assert figures.percentile(values, 50) == 50
    assert figures.percentile(values, 95) == 95
    assert figures.percentile(values, 99) == 99
    assert figures.percentile([7, 3, 5], 100) == 7
    assert figures.percentile([4], 50) == 4
    assert figures.percentile([], 95) is None


def test_summary_per_page_kind_counts_failures_and_times_only_successes():
    samples = [Sample(1.0, "my year", 100, True), Sample(2.0, "my year", 300, True),
               Sample(3.0, "my year", 9000, False), Sample(4.0, "team dashboard", 80, True)]
    table = figures.summarise(samples)
    assert table["my year"]["requests"] == 3
    assert table["my year"]["failures"] == 1
    assert table["my year"]["max"] == 300
    assert table["team dashboard"]["p95"] == 80


def test_requests_started_in_a_fault_window_are_counted_apart():
    samples = [Sample(10.0, "my year", 100, True), Sample(20.0, "my year", 5000, False, "reset"),
               Sample(21.0, "my year", 120, True), Sample(40.0, "my year", 110, True),
               # started before the worker was killed, answered (or not) after: in the window
               Sample(18.5, "my year", 700, False, "reset")]
    windows = [(19.0, 25.0)]
    steady = figures.summarise(samples, windows)["my year"]
    assert (steady["requests"], steady["failures"]) == (2, 0)
    assert figures.fault_window_failures(samples, windows) == {"requests": 3, "failures": 2,
                                                               "why": ["my year: reset"]}
    assert figures.failures(samples, windows) == []
    assert figures.failures(samples) == ["my year: reset"]


def test_exports_are_apart_from_pages():
    samples = [Sample(1.0, "my year", 100, True), Sample(2.0, "export: by person, CSV", 4000, True)]
    assert figures.overall(samples)["requests"] == 1
    assert figures.overall(samples, exports=True)["p50"] == 4000


def test_recovery_is_the_first_success_that_started_after_the_fault():
    samples = [Sample(100.0, "a", 1, False), Sample(101.5, "a", 1, False), Sample(103.0, "a", 1, True),
               Sample(99.0, "a", 1, True)]
    assert figures.recovered_after(samples, fault_end=101.0) == 2.0
    assert figures.recovered_after(samples, fault_end=200.0) is None


def test_cpu_seconds_read_after_a_command_name_with_spaces_and_brackets():
    # Fields after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
    # utime stime cutime cstime ...
    line = "4242 (gunicorn: worker (x)) S 1 1 1 0 -1 4194560 10 0 0 0 250 50 30 20 20 0 1 0"
    assert figures.cpu_seconds(line, 100) == (3.0, 0.5)


@pytest.mark.parametrize("held, outcome", [(1, "exactly_once"), (0, "missing"), (2, "duplicated")])
def test_each_acknowledged_write_is_found_once_missing_or_duplicated(held, outcome):
    counts = figures.tally(["Load t1", "Load t2"], {"Load t1": 1, "Load t2": held})
    assert counts["acknowledged"] == 2
    if outcome == "exactly_once":
        assert counts["exactly_once"] == 2
    else:
        assert counts["exactly_once"] == 1
        assert counts[outcome] == ["Load t2"]


def test_rates_and_cpu_per_request():
    assert figures.rate(300, 60.0) == 5.0
    assert figures.per_request_ms(1.5, 20) == 75.0
    assert figures.per_request_ms(1.5, 0) is None
