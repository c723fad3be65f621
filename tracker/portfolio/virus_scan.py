"""Evidence files are scanned for viruses by ClamAV's daemon (clamd) before they are kept, when the
EVIDENCE_SCANNER setting names one (ASVS 5.0.0 V5.4.3). Without it nothing is scanned: the trust's
endpoint protection scans each file where it is opened (README, "Virus scanning").

The client speaks clamd's INSTREAM command itself (a dozen lines of protocol; the PyPI client
`clamd` has not changed since 2014): "zINSTREAM\\0", then the file in chunks each led by its length
as 4 bytes big-endian, then a zero length; clamd answers "stream: OK" or "stream: <name> FOUND".
Anything else, or no answer in time, and the file is refused: a scan that did not happen is never
taken for a clean one (fail closed)."""
from __future__ import annotations

import logging
import socket
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

from tracker.refusal import Refused

CHUNK_BYTES = 64 * 1024
TIMEOUT_SECONDS = 30.0
REPLY_LIMIT = 1024

VIRUS_FOUND = "The selected file {name} contains a virus. Delete it and choose a different file"
NOT_SCANNED = "The selected file {name} could not be checked for viruses. Try again later"

log = logging.getLogger(__name__)


class ScannerUnavailable(Exception):
    """clamd could not be reached, did not answer in time, or gave an answer that is not a verdict."""


class BadScannerAddress(ValueError):
    pass


@dataclass(frozen=True)
class Scanner:
    """Where clamd listens: a TCP host and port, or a Unix socket path."""

    address: str
    timeout: float = TIMEOUT_SECONDS

    @classmethod
    def from_config(cls, config) -> Scanner | None:
        address = (config.get("EVIDENCE_SCANNER") or "").strip()
        return cls(address) if address else None

    def connect(self) -> socket.socket:
        kind, where = parse_address(self.address)
        if kind == "unix":
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.settimeout(self.timeout)
            try:
                conn.connect(where)
            except OSError:
                conn.close()
                raise
            return conn
        return socket.create_connection(where, timeout=self.timeout)


def parse_address(address: str) -> tuple[str, str | tuple[str, int]]:
    """("tcp", (host, port)) for tcp://host:port, ("unix", path) for unix:///path."""
    parts = urlsplit(address)
    if parts.scheme == "unix" and parts.path and not parts.netloc:
        return "unix", parts.path
    if parts.scheme == "tcp" and parts.hostname and not parts.path.strip("/"):
        try:
            port = parts.port
        except ValueError:
            port = None
        if port:
            return "tcp", (parts.hostname, port)
    raise BadScannerAddress(
        f"EVIDENCE_SCANNER must be tcp://HOST:PORT or unix:///PATH (clamd's address), got {address!r}")


def scan(scanner: Scanner, content: bytes) -> str | None:
    """The name of the virus clamd found in `content`, or None when it found none.
    Raises ScannerUnavailable when there is no verdict."""
    try:
        with scanner.connect() as conn:
            conn.sendall(b"zINSTREAM\0")
            try:
                for start in range(0, len(content), CHUNK_BYTES):
                    chunk = content[start:start + CHUNK_BYTES]
                    conn.sendall(struct.pack("!L", len(chunk)) + chunk)
                conn.sendall(struct.pack("!L", 0))
            except (BrokenPipeError, ConnectionResetError):
                pass  # clamd stops reading a stream over its size limit, and says so in its reply
            reply = _read_reply(conn)
    except (OSError, socket.timeout) as error:
        raise ScannerUnavailable(f"{type(error).__name__}: {error}") from error
    return verdict(reply)


def _read_reply(conn: socket.socket) -> str:
    reply = b""
    while b"\0" not in reply and len(reply) < REPLY_LIMIT:
        part = conn.recv(REPLY_LIMIT)
        if not part:
            break
        reply += part
    return reply.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def verdict(reply: str) -> str | None:
    """None for "stream: OK", the virus name for "stream: <name> FOUND"; anything else has no verdict."""
    if reply == "stream: OK":
        return None
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        return reply[len("stream: "):-len(" FOUND")].strip() or "unnamed"
    raise ScannerUnavailable(f"clamd answered {reply[:200]!r}")


class ScanRefused(Refused):
    """An evidence file refused by the virus scan: a security event as well as a form error."""

    def __init__(self, message: str, *, event: str, **detail):
        super().__init__(message, field="evidence")
        self.event = event
        self.detail = detail


def ensure_clean(scanner: Scanner, name: str, content: bytes) -> None:
    """Refuse, on the evidence field, a file clamd finds a virus in, or that it could not scan."""
    try:
        found = scan(scanner, content)
    except ScannerUnavailable as error:
        log.error("Virus scanner %s gave no verdict: %s", scanner.address, error)
        raise ScanRefused(NOT_SCANNED.format(name=name), event="security.virus_scan_failed",
                          reason=str(error)[:200]) from error
    if found is not None:
        log.warning("Virus scanner found %s in an evidence upload", found)
        raise ScanRefused(VIRUS_FOUND.format(name=name), event="security.virus_found",
                          virus=found[:200], size_bytes=len(content))
