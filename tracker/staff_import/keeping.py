"""An uploaded extract waits on the server between the preview and "Apply import", under a random
token (never a name or path from the user), and is read and checked again when applied."""
from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import current_app

from tracker.refusal import Refused

KEPT_FOR_SECONDS = 24 * 60 * 60  # an upload never applied is forgotten after a day
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def _folder() -> Path:
    folder = Path(current_app.config.get("STAFF_IMPORT_FOLDER")
                  or Path(current_app.instance_path) / "staff-imports")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep(raw: bytes) -> str:
    """Keep an uploaded file until it is applied; its token."""
    folder = _folder()
    for old in folder.glob("*.upload"):
        if old.stat().st_mtime < time.time() - KEPT_FOR_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.upload").write_bytes(raw)
    return token


def kept(token: str) -> bytes:
    """The file kept under `token`, or Refused when there is none (expired, applied, or made up)."""
    path = _folder() / f"{token}.upload" if _TOKEN.match(token or "") else None
    if path is None or not path.is_file():
        raise Refused({"file": "The uploaded file has expired or was already applied: upload it again"})
    return path.read_bytes()


def forget(token: str) -> None:
    if _TOKEN.match(token or ""):
        (_folder() / f"{token}.upload").unlink(missing_ok=True)
