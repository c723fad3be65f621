"""Keep the catalogue's and library's links alive: visit every address, record what came back.

Checks run on a thread pool. Each link has its own time budget (connecting, redirects and
the response headers together), and no host gets more than a few requests at once. Only
the main thread touches the database: workers get addresses and return plain results.

Only public addresses are visited, redirects included (hub/link_address.py). A link works, does
not work, or was not checked (address not allowed); why a connection failed (refused, no answer,
no such name, TLS) is never told apart, so the checker cannot map a network's ports.
"""
from __future__ import annotations

import http.client
import ssl
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from flask import current_app
from sqlalchemy import func, select

from tracker.audit import record
from tracker.extensions import db
from tracker.hub.link_address import (
    NOT_ALLOWED,
    AddressNotAllowed,
    PinnedHTTPConnection,
    PinnedHTTPSConnection,
    Unreachable,
    allow_list,
    resolve,
)
from tracker.models import Course, Resource
from tracker.plurals import plural

USER_AGENT = "CommunicationSkillsTracker-LinkChecker/1.0 (checks catalogue and library links)"
MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}
# Every way of not reaching a page, in the same words.
UNREACHABLE = "Does not work: the page could not be reached"


@dataclass(frozen=True)
class LinkResult:
    url: str
    ok: bool | None  # None: not checked (the address is not allowed)
    status: int | None = None
    final_url: str | None = None
    error: str | None = None


class _Timeout(Exception):
    pass


class HostLimiter:
    """At most `per_host` requests in flight to any one host name, to be polite to providers."""

    def __init__(self, per_host: int):
        self._per_host = per_host
        self._lock = threading.Lock()
        self._semaphores: dict[str, threading.Semaphore] = defaultdict(lambda: threading.Semaphore(self._per_host))

    def slot(self, host: str) -> threading.Semaphore:
        with self._lock:
            return self._semaphores[host.lower()]


def _describe_status(status: int) -> str:
    reason = http.client.responses.get(status, "")
    return f"HTTP {status} {reason}".strip()


class _Budget:
    """A link's time allowance. It starts when its first request gets a slot, so time spent
    queueing behind other links to the same host is not held against it."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.deadline: float | None = None

    def remaining(self) -> float:
        if self.deadline is None:
            self.deadline = time.monotonic() + self.seconds
        return self.deadline - time.monotonic()


def _one_request(url: str, budget: _Budget, limiter: HostLimiter, tls: ssl.SSLContext, allow: frozenset[str]):
    """(status, Location header) for a GET of `url`, reading no body, from its checked address."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    with limiter.slot(host):
        ip = resolve(host, port, allow)
        remaining = budget.remaining()
        if remaining <= 0:
            raise _Timeout
        if parts.scheme == "https":
            conn = PinnedHTTPSConnection(host, port, ip, remaining, tls)
        else:
            conn = PinnedHTTPConnection(host, port, ip, remaining)
        try:
            conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.8"})
            if conn.sock is not None:
                conn.sock.settimeout(max(budget.remaining(), 0.001))
            response = conn.getresponse()
            return response.status, response.getheader("Location")
        finally:
            conn.close()


def check_url(url: str, *, timeout: float = 10.0, limiter: HostLimiter | None = None,
              tls: ssl.SSLContext | None = None, allow: frozenset[str] = frozenset()) -> LinkResult:
    """Follow `url` through up to five redirects, each to an allowed address, and say whether a
    working page is at the end. `allow`: addresses let through although not public (tests only)."""
    limiter = limiter or HostLimiter(2)
    tls = tls or ssl.create_default_context()
    budget = _Budget(timeout)
    current = url
    try:
        for _ in range(MAX_REDIRECTS + 1):
            if urlsplit(current).scheme not in ("http", "https"):
                return LinkResult(url, False, final_url=current, error="Redirected to an address that is not a web page")
            status, location = _one_request(current, budget, limiter, tls, allow)
            if status in REDIRECTS and location:
                current = urljoin(current, location)
                continue
            ok = 200 <= status < 300
            return LinkResult(url, ok, status=status, final_url=current, error=None if ok else _describe_status(status))
        return LinkResult(url, False, final_url=current, error=f"More than {MAX_REDIRECTS} redirects")
    except AddressNotAllowed:
        return LinkResult(url, None, final_url=current, error=NOT_ALLOWED)
    except (Unreachable, _Timeout, OSError, http.client.HTTPException, ValueError):
        # Refused, no answer in time, no such name, a TLS failure: one answer for all (OSError
        # covers socket.timeout and ssl.SSLError).
        return LinkResult(url, False, final_url=current, error=UNREACHABLE)


def check_urls(urls, *, timeout: float = 10.0, workers: int = 16, per_host: int = 2,
               tls: ssl.SSLContext | None = None, allow: frozenset[str] = frozenset()) -> dict[str, LinkResult]:
    """Check each distinct address once, concurrently. Returns address -> result."""
    distinct = list(dict.fromkeys(urls))
    if not distinct:
        return {}
    limiter = HostLimiter(per_host)
    tls = tls or ssl.create_default_context()
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(distinct)))) as pool:
        results = pool.map(lambda u: check_url(u, timeout=timeout, limiter=limiter, tls=tls, allow=allow), distinct)
        return {result.url: result for result in results}


def forget_link_check(row) -> None:
    """A course or resource whose address changed: what was found at the old one no longer applies."""
    row.link_status = row.link_ok = row.link_final_url = row.link_error = row.link_checked_at = None


def broken_link_count(model) -> int:
    """How many live rows of the catalogue (Course) or library (Resource) failed their last link check."""
    return db.session.scalar(
        select(func.count()).select_from(model).where(model.retired.is_(False), model.link_ok.is_(False))
    ) or 0


@dataclass
class LinkReport:
    checked: int = 0
    addresses: int = 0
    seconds: float = 0.0
    broken: list[tuple[str, object, LinkResult]] = field(default_factory=list)
    moved: list[tuple[str, object, LinkResult]] = field(default_factory=list)
    not_allowed: list[tuple[str, object, LinkResult]] = field(default_factory=list)

    @property
    def working(self) -> int:
        return self.checked - len(self.broken) - len(self.not_allowed)

    def lines(self) -> list[str]:
        not_checked = f", {len(self.not_allowed)} not checked (address not allowed)" if self.not_allowed else ""
        out = [f"Checked {plural(self.checked, 'link')} ({plural(self.addresses, 'distinct address', 'distinct addresses')}) in {self.seconds:.1f} seconds: "
               f"{self.working} working, {len(self.broken)} broken{not_checked}."]
        if self.broken:
            out += ["", "Broken (education leads see these flagged on the catalogue and library pages):"]
            for kind, row, result in self.broken:
                out.append(f"  {kind} {row.id}: {row.title}")
                out.append(f"      {row.url}")
                out.append(f"      {result.error}")
        if self.not_allowed:
            out += ["", "Not checked: the address is not a public one the checker may visit:"]
            for kind, row, _ in self.not_allowed:
                out.append(f"  {kind} {row.id}: {row.title}")
                out.append(f"      {row.url}")
        if self.moved:
            out += ["", "Working, but redirected (consider updating the address):"]
            for kind, row, result in self.moved:
                out.append(f"  {kind} {row.id}: {row.title}")
                out.append(f"      {row.url} -> {result.final_url}")
        return out


def check_all_links(*, timeout: float = 10.0, workers: int = 16, per_host: int = 2,
                    tls: ssl.SSLContext | None = None, now: datetime | None = None) -> LinkReport:
    """Check every live catalogue and library address and record the results on the rows.

    The caller commits."""
    allow = allow_list(current_app.config)
    rows = [("course", c) for c in db.session.scalars(select(Course).where(Course.retired.is_(False), Course.url != ""))]
    rows += [("resource", r) for r in db.session.scalars(select(Resource).where(Resource.retired.is_(False)))]
    started = time.monotonic()
    results = check_urls([row.url for _, row in rows], timeout=timeout, workers=workers, per_host=per_host, tls=tls,
                         allow=allow)
    checked_at = now or datetime.now(UTC)
    report = LinkReport(checked=len(rows), addresses=len(results))
    for kind, row in rows:
        result = results[row.url]
        row.link_ok = result.ok
        row.link_status = result.status
        row.link_final_url = result.final_url[:1000] if result.final_url else None
        row.link_error = result.error[:300] if result.error else None
        row.link_checked_at = checked_at
        if result.ok is None:
            report.not_allowed.append((kind, row, result))
        elif not result.ok:
            report.broken.append((kind, row, result))
        elif result.final_url and result.final_url != row.url:
            report.moved.append((kind, row, result))
    report.seconds = time.monotonic() - started
    db.session.flush()
    counts = {"not_allowed": len(report.not_allowed)} if report.not_allowed else {}
    record(None, "hub.links_checked", checked=report.checked, broken=len(report.broken), **counts)
    return report
