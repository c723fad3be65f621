"""The backup archive: one zip file holding

    manifest.json            what the archive holds: schema revision, rows per table, SHA-256 of every member
    tables/<table>.jsonl     each table's rows, one JSON object a line (tracker/backup/columns.py)
    files/<path>             each evidence file, as it was under UPLOAD_FOLDER

A zip lists its members at its end, so a truncated archive does not open at all; each member also
carries a CRC, and the manifest the SHA-256 that restore checks before it changes anything.
"""
from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from tracker.refusal import Refused

FORMAT = "nhs-tracker-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLES = "tables/"
FILES = "files/"
ALEMBIC_VERSION = "alembic_version"
CHUNK = 1024 * 1024


def table_member(name: str) -> str:
    return f"{TABLES}{name}.jsonl"


def file_member(relative_path: str) -> str:
    return FILES + relative_path


def files_under(folder: str):
    """(relative path with "/", full path) of every file under `folder`, in name order."""
    if not os.path.isdir(folder):
        return
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            full = os.path.join(root, name)
            if os.path.isfile(full) and not os.path.islink(full):
                yield os.path.relpath(full, folder).replace(os.sep, "/"), full


def safe_relative_path(path: str) -> str:
    """A path from an archive that stays inside the folder it is restored into, or Refused."""
    parts = PurePosixPath(path).parts
    if not path or path.startswith("/") or "\\" in path or any(p in ("", ".", "..") for p in parts):
        raise Refused(f"The archive names a file outside the evidence folder ({path!r}): it is not a tracker backup.")
    return path


@dataclass
class Archive:
    """An opened archive and its manifest; `check()` before restoring anything from it."""

    zip: zipfile.ZipFile
    manifest: dict

    @classmethod
    def open(cls, path: str) -> Archive:
        try:
            archive = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise Refused(f"There is no file at {path}.") from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise Refused(f"{path} is not a readable backup archive: it is damaged or truncated ({exc}).") from None
        try:
            manifest = json.loads(archive.read(MANIFEST))
        except KeyError:
            archive.close()
            raise Refused(f"{path} holds no {MANIFEST}: it is not a tracker backup.") from None
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            archive.close()
            raise Refused(f"The manifest of {path} is damaged ({exc}).") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            archive.close()
            raise Refused(f"{path} is not a tracker backup.")
        if manifest.get("format_version") != FORMAT_VERSION:
            archive.close()
            raise Refused(f"{path} is a backup of format version {manifest.get('format_version')}; "
                          f"this tracker reads version {FORMAT_VERSION}.")
        return cls(archive, manifest)

    def close(self) -> None:
        self.zip.close()

    def check(self, progress=lambda message: None) -> None:
        """Every member the manifest names is there whole: its SHA-256, and each table's row count."""
        for table in self.manifest["tables"]:
            digest, lines = self._digest(table["member"])
            if digest != table["sha256"] or lines != table["rows"]:
                raise Refused(f"The archive is damaged: table {table['name']} does not match its manifest "
                              f"({lines} rows read, {table['rows']} listed).")
        for held in self.manifest["files"]:
            safe_relative_path(held["path"])
            digest, _ = self._digest(held["member"])
            if digest != held["sha256"]:
                raise Refused(f"The archive is damaged: evidence file {held['path']} does not match its manifest.")
        progress(f"Archive checked: {len(self.manifest['tables'])} tables and "
                 f"{len(self.manifest['files'])} files match the manifest.")

    def _digest(self, member: str) -> tuple[str, int]:
        sha, lines = hashlib.sha256(), 0
        try:
            with self.zip.open(member) as stream:
                while chunk := stream.read(CHUNK):
                    sha.update(chunk)
                    lines += chunk.count(b"\n")
        except KeyError:
            raise Refused(f"The archive is damaged: {member} is missing.") from None
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise Refused(f"The archive is damaged: {member} cannot be read ({exc}).") from None
        return sha.hexdigest(), lines

    def lines(self, member: str):
        """Each line of a table member, parsed."""
        with self.zip.open(member) as stream:
            for line in stream:
                yield json.loads(line)


def sha256_of(path: str) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            sha.update(chunk)
    return sha.hexdigest()
