"""Pure arithmetic of bench/load.py: percentiles per page kind, fault windows, CPU time read from
/proc, and the tally of acknowledged writes. No Locust, no database: tests/unit/test_bench_load_figures.py."""
from __future__ import annotations

import math
from dataclasses import dataclass

# Request names that start with this are exports: reported apart from pages.
EXPORT = "export"


@dataclass(frozen=True)
class Sample:
    """One request as the load client saw it: when it started (epoch seconds), its page kind,
    how long until the last byte (ms), and whether it got the answer it expected."""

    start: float
    name: str
    ms: float
    ok: bool
    error: str = ""

    @property
    def end(self) -> float:
        return self.start + self.ms / 1000


def percentile(values, q: float) -> float | None:
    """The nearest-rank percentile (q in 0..100) of `values`; None when there are none."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def in_windows(sample: Sample, windows) -> bool:
    """True when the request was on its way at any moment of a window (one that started before
    a worker was killed may be the one it was serving)."""
    return any(sample.start <= end and sample.end >= start for start, end in windows)


def summarise(samples, windows=()) -> dict[str, dict]:
    """Per page kind: requests, failures, p50/p95/p99/max of the successful ones. Samples that
    on their way during a fault window are left out (they are counted by fault_window_failures)."""
    by_name: dict[str, list[Sample]] = {}
    for sample in samples:
        if not in_windows(sample, windows):
            by_name.setdefault(sample.name, []).append(sample)
    table = {}
    for name in sorted(by_name):
        rows = by_name[name]
        times = [s.ms for s in rows if s.ok]
        table[name] = {"requests": len(rows), "failures": sum(not s.ok for s in rows),
                       "p50": percentile(times, 50), "p95": percentile(times, 95),
                       "p99": percentile(times, 99), "max": max(times, default=None)}
    return table


def overall(samples, windows=(), exports: bool = False) -> dict:
    """Pages together (or exports together): the same figures as one row."""
    chosen = [s for s in samples if not in_windows(s, windows) and s.name.startswith(EXPORT) == exports]
    times = [s.ms for s in chosen if s.ok]
    return {"requests": len(chosen), "failures": sum(not s.ok for s in chosen), "p50": percentile(times, 50),
            "p95": percentile(times, 95), "p99": percentile(times, 99), "max": max(times, default=None)}


def fault_window_failures(samples, windows) -> dict:
    """Requests on their way during a fault window, how many failed, and why (the first few)."""
    inside = [s for s in samples if in_windows(s, windows)]
    failed = [s for s in inside if not s.ok]
    return {"requests": len(inside), "failures": len(failed),
            "why": sorted({f"{s.name}: {s.error}" for s in failed})[:10]}


def failures(samples, windows=()) -> list[str]:
    """Why requests outside the fault windows failed (the first few kinds)."""
    return sorted({f"{s.name}: {s.error}" for s in samples if not s.ok and not in_windows(s, windows)})[:10]


def recovered_after(samples, fault_end: float) -> float | None:
    """Seconds from the end of a fault to the first request that started after it and succeeded."""
    later = [s.start for s in samples if s.start >= fault_end and s.ok]
    return round(min(later) - fault_end, 2) if later else None


def cpu_seconds(stat_line: str, ticks_per_second: int) -> tuple[float, float]:
    """(own, reaped children's) CPU seconds, user plus system, from one /proc/PID/stat line.
    The command name (field 2) may hold spaces and brackets, so fields are counted after its ')'."""
    fields = stat_line[stat_line.rindex(")") + 2:].split()
    # Fields 14-17 of the whole line (utime, stime, cutime, cstime) are 11-14 after the name.
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return (utime + stime) / ticks_per_second, (cutime + cstime) / ticks_per_second


def tally(acknowledged, found: dict) -> dict:
    """Each acknowledged write against how many times the database holds it: exactly once,
    missing, or more than once (the lists name the offenders)."""
    counts = {"acknowledged": 0, "exactly_once": 0, "missing": [], "duplicated": []}
    for key in acknowledged:
        counts["acknowledged"] += 1
        held = found.get(key, 0)
        if held == 1:
            counts["exactly_once"] += 1
        elif held == 0:
            counts["missing"].append(key)
        else:
            counts["duplicated"].append(key)
    return counts


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else 0.0


def per_request_ms(cpu_seconds_used: float, requests: int) -> float | None:
    return round(cpu_seconds_used * 1000 / requests, 1) if requests else None
