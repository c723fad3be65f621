"""Evidence files: what a file really is (from its first bytes, never its name), and where it lives.

Files are stored outside the static folder under random names; only the download view,
after access.evidence_for(), ever reads them back.
"""
from __future__ import annotations

import io
import os
import secrets
import shutil
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from tracker.refusal import Refused

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_ACTIVITY = 5
ACCEPTED = "PDF, Word (DOCX), PNG or JPEG"

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", DOCX: ".docx"}


@dataclass
class Upload:
    """A file as it arrived: the name the person's computer gave it, and its bytes."""

    filename: str
    stream: BinaryIO


@dataclass
class CheckedFile:
    original_name: str
    content_type: str
    content: bytes


def sniff(content: bytes) -> str | None:
    """The file's type from its content, or None when it is not one we accept."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04") and _is_docx(content):
        return DOCX
    return None


def _is_docx(content: bytes) -> bool:
    # A Word document is a zip holding word/document.xml; list the names only, never extract.
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def display_name(filename: str) -> str:
    """The name to show and to offer on download: no folders, no control characters, not too long."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "evidence"
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:200]
    return name


def check(upload: Upload) -> CheckedFile:
    """Read and check one upload. Refused, on the form's evidence field, with a message naming the file."""
    name = display_name(upload.filename)
    content = upload.stream.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise Refused(f"The selected file {name} is larger than 10 MB", field="evidence")
    if not content:
        raise Refused(f"The selected file {name} is empty", field="evidence")
    content_type = sniff(content)
    if content_type is None:
        raise Refused(f"The selected file {name} must be a {ACCEPTED} file", field="evidence")
    return CheckedFile(original_name=name, content_type=content_type, content=content)


MB = 1024 * 1024
OVER_QUOTA = ("You can store up to {limit} MB of evidence files in all, and these would take you over it. "
              "Remove evidence you no longer need from your activities, then add these again")
DISK_NEARLY_FULL = ("Evidence files cannot be added just now because the space for them is nearly full. "
                    "Save without them, and tell your administrator")


@dataclass(frozen=True)
class Room:
    """How much evidence may be stored: per person (the quota), and the space the upload folder's
    disk always keeps free (the disk guard), both in bytes."""

    quota_bytes: int
    min_free_bytes: int

    @classmethod
    def from_config(cls, config) -> Room:
        return cls(quota_bytes=int(config["EVIDENCE_QUOTA_MB"]) * MB,
                   min_free_bytes=int(config["EVIDENCE_MIN_FREE_MB"]) * MB)


def free_bytes(folder: str) -> int:
    """Free space on the disk holding `folder` (or the nearest folder above it that exists yet)."""
    path = os.path.abspath(folder)
    while not os.path.isdir(path) and os.path.dirname(path) != path:
        path = os.path.dirname(path)
    return shutil.disk_usage(path).free


def ensure_room(room: Room, folder: str, *, held_bytes: int, adding_bytes: int) -> None:
    """Refuse, on the evidence field, files that would take the person over their quota or leave
    the disk with less than the space it keeps free. Checked before anything is written."""
    if held_bytes + adding_bytes > room.quota_bytes:
        raise Refused(OVER_QUOTA.format(limit=room.quota_bytes // MB), field="evidence")
    if free_bytes(folder) - adding_bytes < room.min_free_bytes:
        raise Refused(DISK_NEARLY_FULL, field="evidence")


def new_stored_name(content_type: str) -> str:
    return secrets.token_hex(16) + EXTENSIONS.get(content_type, "")


def store(folder: str, checked: CheckedFile) -> str:
    """Write the file under a new random name and return that name."""
    os.makedirs(folder, exist_ok=True)
    stored_name = new_stored_name(checked.content_type)
    path = os.path.join(folder, stored_name)
    # "x": never overwrite; 0600: only the service account reads evidence.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(checked.content)
    return stored_name


def discard(folder: str, stored_names) -> None:
    """Remove stored files (after a failed save, or once a removal is committed)."""
    for stored_name in stored_names:
        try:
            os.remove(path_of(folder, stored_name))
        except (FileNotFoundError, ValueError):
            pass


def path_of(folder: str, stored_name: str) -> str:
    if not stored_name or "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise ValueError("not a stored evidence name")
    return os.path.join(folder, stored_name)


def download_name(original_name: str, content_type: str) -> str:
    """The original name, with the right extension added when the name lacks it."""
    ext = EXTENSIONS.get(content_type, "")
    allowed = {".jpg", ".jpeg"} if content_type == JPEG else {ext}
    if ext and os.path.splitext(original_name)[1].lower() not in allowed:
        return original_name + ext
    return original_name
