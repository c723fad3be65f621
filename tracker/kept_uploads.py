"""An uploaded file waits on the server between its preview and the step that applies it, under a
random token (never a name or path from the user), and is read and checked again when applied.
Files never applied are forgotten after a day."""
from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from tracker.refusal import Refused

KEPT_FOR_SECONDS = 24 * 60 * 60
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass(frozen=True)
class KeptUploads:
    setting: str  # the app setting naming the folder, else instance/<folder_name>
    folder_name: str
    suffix: str
    gone_message: str  # shown by the file field when the token names no kept file

    def _folder(self) -> Path:
        folder = Path(current_app.config.get(self.setting) or Path(current_app.instance_path) / self.folder_name)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def keep(self, raw: bytes) -> str:
        """Keep an uploaded file until it is applied; its token."""
        folder = self._folder()
        for old in folder.glob(f"*{self.suffix}"):
            if old.stat().st_mtime < time.time() - KEPT_FOR_SECONDS:
                old.unlink(missing_ok=True)
        token = secrets.token_urlsafe(24)
        (folder / f"{token}{self.suffix}").write_bytes(raw)
        return token

    def kept(self, token: str) -> bytes:
        """The file kept under `token`, or Refused when there is none (expired, applied, or made up)."""
        path = self._folder() / f"{token}{self.suffix}" if _TOKEN.match(token or "") else None
        if path is None or not path.is_file():
            raise Refused({"file": self.gone_message})
        return path.read_bytes()

    def forget(self, token: str) -> None:
        if _TOKEN.match(token or ""):
            (self._folder() / f"{token}{self.suffix}").unlink(missing_ok=True)
