"""A stand-in for ClamAV's daemon (clamd) on 127.0.0.1, for the evidence virus-scan tests: ClamAV
itself cannot run here (its signatures cannot be downloaded). It speaks clamd's INSTREAM command as
clamd does, and reports the EICAR test file as found (by the name ClamAV gives it) and anything
else as clean. What it was sent is kept, so that a test can tell that a file really was scanned."""
from __future__ import annotations

import socketserver
import struct
import threading
from contextlib import contextmanager

# The EICAR anti-virus test file: harmless, and reported by every scanner as if it were a virus.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
EICAR_NAME = "Win.Test.EICAR_HDB-1"


def _read_exactly(stream, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise ConnectionError("the stream ended early")
    return data


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        command = b""
        while not command.endswith(b"\0"):
            byte = self.rfile.read(1)
            if not byte:
                return
            command += byte
        if command != b"zINSTREAM\0":
            self.wfile.write(b"UNKNOWN COMMAND\0")
            return
        content = b""
        while True:
            (size,) = struct.unpack("!L", _read_exactly(self.rfile, 4))
            if size == 0:
                break
            content += _read_exactly(self.rfile, size)
        self.server.scanned.append(content)
        reply = f"stream: {EICAR_NAME} FOUND" if EICAR in content else "stream: OK"
        self.wfile.write(reply.encode() + b"\0")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.scanned: list[bytes] = []


class _UnixServer(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str):
        super().__init__(path, _Handler)
        self.scanned: list[bytes] = []


@contextmanager
def running_clamd(unix_path: str | None = None):
    """A stand-in clamd listening on a free port (or on a Unix socket at `unix_path`): yields (its
    address for EVIDENCE_SCANNER, the list of files it has scanned)."""
    server = _UnixServer(unix_path) if unix_path else _Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        if unix_path:
            yield f"unix://{unix_path}", server.scanned
        else:
            host, port = server.server_address
            yield f"tcp://{host}:{port}", server.scanned
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port_address() -> str:
    """tcp://127.0.0.1:PORT where nothing listens (the port was free a moment ago)."""
    server = socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler)
    port = server.server_address[1]
    server.server_close()
    return f"tcp://127.0.0.1:{port}"
