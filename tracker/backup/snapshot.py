"""`flask data backup PATH`: every table and every evidence file into one archive (tracker/backup/archive.py).

The tables are read in one transaction (REPEATABLE READ on PostgreSQL, one read transaction on
SQLite), so the archive holds one moment of the database however long it takes; rows arrive in
batches from a server-side cursor and go straight into the archive, so memory stays flat whatever
the size. The archive is written beside PATH under another name and renamed when complete: a
backup that fails leaves nothing that looks like one.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
import zipfile
from dataclasses import dataclass

from sqlalchemy import inspect, text

from tracker import appraisal_year
from tracker.backup.archive import (ALEMBIC_VERSION, CHUNK, FORMAT, FORMAT_VERSION, MANIFEST, file_member,
                                    files_under, sha256_of, table_member)
from tracker.backup.columns import TableForm
from tracker.extensions import db
from tracker.refusal import Refused

BATCH = 2000


@dataclass
class BackedUp:
    tables: int
    rows: int
    files: int
    file_bytes: int
    archive_bytes: int
    archive_sha256: str
    seconds: float
    schema_revision: str


def backup(path: str, upload_folder: str, progress=lambda message: None) -> BackedUp:
    """Write the archive at `path` (refused if something is there already). Changes nothing in the
    database: the caller records the audit event."""
    if os.path.exists(path):
        raise Refused(f"{path} exists already: choose a new name, so that no backup is overwritten.")
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        raise Refused(f"There is no folder {os.path.dirname(os.path.abspath(path))} to write {path} in.")
    started = time.perf_counter()
    partial = f"{path}.partial"
    if os.path.exists(partial):
        raise Refused(f"{partial} exists: another backup to {path} is running, or one stopped half-way "
                      "(then remove it).")
    try:
        manifest = _write(partial, upload_folder, progress)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    tracker_tables = [t for t in manifest["tables"] if t["name"] != ALEMBIC_VERSION]  # the revision is said apart
    return BackedUp(
        tables=len(tracker_tables), rows=sum(t["rows"] for t in tracker_tables),
        files=len(manifest["files"]), file_bytes=sum(f["bytes"] for f in manifest["files"]),
        archive_bytes=os.path.getsize(path), archive_sha256=sha256_of(path),
        seconds=time.perf_counter() - started, schema_revision=manifest["schema_revision"])


def _write(path: str, upload_folder: str, progress) -> dict:
    moment = appraisal_year.now()
    stamp = moment.timetuple()[:6]
    # Created for the owner only: it holds everyone's personal data.
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle, \
            zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        with _snapshot() as connection:
            revision = _schema_revision(connection)
            tables = [_write_table(archive, connection, TableForm(table), stamp, progress)
                      for table in db.metadata.sorted_tables]
            tables.append({**_write_lines(archive, ALEMBIC_VERSION, [{"version_num": revision}], stamp),
                           "columns": ["version_num"]})
            kind, version = connection.dialect.name, ".".join(map(str, connection.dialect.server_version_info or ()))
        files = [held for relative, full in files_under(upload_folder)
                 if (held := _write_file(archive, relative, full, stamp)) is not None]
        progress(f"  {'evidence files':<20} {len(files):>12,} files ({sum(f['bytes'] for f in files):,} bytes)")
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "created_at": moment.isoformat(), "schema_revision": revision,
            "database": {"kind": kind, "server_version": version},
            "tables": tables, "files": files,
        }
        archive.writestr(_info(MANIFEST, stamp), json.dumps(manifest, indent=1))
    return manifest


class _snapshot:
    """One read-only connection seeing one moment of the database."""

    def __enter__(self):
        connection = db.engine.connect()
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        self.connection, self.transaction = connection, connection.begin()
        return connection

    def __exit__(self, *exc):
        self.transaction.rollback()  # it wrote nothing; nothing to keep
        self.connection.close()


def _schema_revision(connection) -> str:
    if not inspect(connection).has_table(ALEMBIC_VERSION):
        raise Refused("The database has no schema revision (no alembic_version table): make it with "
                      "`flask db upgrade`, or mark the revision it has with `flask db stamp`.")
    revisions = connection.execute(text(f"SELECT version_num FROM {ALEMBIC_VERSION}")).scalars().all()
    if len(revisions) != 1:
        raise Refused(f"The database records {len(revisions)} schema revisions; it should record one.")
    return revisions[0]


def _write_table(archive, connection, form: TableForm, stamp, progress) -> dict:
    started = time.perf_counter()
    result = connection.execution_options(stream_results=True, yield_per=BATCH).execute(form.select())
    written = _write_lines(archive, form.table.name, (form.encode(row) for row in result), stamp)
    written["columns"] = [c.name for c in form.columns]
    progress(f"  {form.table.name:<20} {written['rows']:>12,} rows  {time.perf_counter() - started:6.1f} s")
    return written


def _write_lines(archive, name: str, rows, stamp) -> dict:
    member, sha, count = table_member(name), hashlib.sha256(), 0
    with archive.open(_info(member, stamp), "w", force_zip64=True) as stream:
        batch = []
        for row in rows:
            batch.append(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
            if len(batch) == BATCH:
                _put(stream, sha, "".join(batch).encode("utf-8"))
                batch.clear()
        _put(stream, sha, "".join(batch).encode("utf-8"))
    return {"name": name, "member": member, "rows": count, "sha256": sha.hexdigest()}


def _write_file(archive, relative: str, full: str, stamp) -> dict | None:
    """The file's entry in the manifest; None when it was removed (by a purge) since the folder was listed."""
    member, sha, size = file_member(relative), hashlib.sha256(), 0
    try:
        source = open(full, "rb")
    except FileNotFoundError:
        return None
    # Evidence is PDF, Word, PNG or JPEG: compressed already, so stored as it is.
    with source, archive.open(_info(member, stamp, zipfile.ZIP_STORED), "w", force_zip64=True) as stream:
        while chunk := source.read(CHUNK):
            _put(stream, sha, chunk)
            size += len(chunk)
    return {"path": relative, "member": member, "bytes": size, "sha256": sha.hexdigest()}


def _put(stream, sha, chunk: bytes) -> None:
    sha.update(chunk)
    stream.write(chunk)


def _info(member: str, stamp, compression: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(member, date_time=stamp)
    info.compress_type = compression
    info.external_attr = 0o600 << 16  # personal data: owner only, if anyone unpacks it
    return info
