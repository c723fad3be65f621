"""`flask data restore PATH`: an archive of `flask data backup` into an empty, migrated database.

Refused, with nothing changed, unless the database is at the archive's schema revision and holds
no rows, the evidence folder holds no files, and every member of the archive matches its manifest.
Then the rows go in, in foreign-key order, in the caller's one transaction; PostgreSQL's sequences
move past the restored ids; the files go back with their hashes checked; and every table's count
is held to the manifest. The caller commits; on any failure it rolls back and calls
`Restored.discard_files()` (restore() does so itself for its own errors).
"""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field

from sqlalchemy import func, inspect, select, text

from tracker import audit
from tracker.backup.archive import ALEMBIC_VERSION, CHUNK, Archive, files_under, safe_relative_path, table_member
from tracker.backup.columns import TableForm, held_back_columns
from tracker.extensions import db
from tracker.refusal import Refused

BATCH = 1000


@dataclass
class Restored:
    rows: int = 0
    files: int = 0
    seconds: float = 0.0
    written: list[str] = field(default_factory=list)  # full paths of the evidence files put back

    def discard_files(self) -> None:
        for path in self.written:
            try:
                os.remove(path)
            except FileNotFoundError:
                pass
        self.written.clear()


def restore(path: str, upload_folder: str, progress=lambda message: None) -> Restored:
    started = time.perf_counter()
    archive = Archive.open(path)
    try:
        manifest = archive.manifest
        connection = db.session.connection()
        _refuse_unless_ready(connection, manifest, upload_folder)
        archive.check(progress)
        restored = Restored()
        try:
            restored.rows = _insert_rows(archive, connection, progress)
            _move_sequences_on(connection)
            _hold_counts_to_manifest(connection, manifest)
            restored.files = _put_files_back(archive, upload_folder, restored)
        except BaseException:
            restored.discard_files()
            raise
    finally:
        archive.close()
    audit.record(None, "data.restored", rows=restored.rows, evidence_files=restored.files,
                 backed_up_at=manifest["created_at"], from_database=manifest["database"]["kind"],
                 schema_revision=manifest["schema_revision"])
    restored.seconds = time.perf_counter() - started
    return restored


def _refuse_unless_ready(connection, manifest: dict, upload_folder: str) -> None:
    if not inspect(connection).has_table(ALEMBIC_VERSION):
        raise Refused("The database has no schema yet: run `flask db upgrade` first, then restore.")
    revision = connection.execute(text(f"SELECT version_num FROM {ALEMBIC_VERSION}")).scalar()
    if revision != manifest["schema_revision"]:
        raise Refused(f"The backup is of schema revision {manifest['schema_revision']} and this database is at "
                      f"{revision}: restore into a database migrated to {manifest['schema_revision']} "
                      "(`flask db upgrade " + manifest["schema_revision"] + "`), then upgrade it.")
    in_archive = {t["name"]: t["columns"] for t in manifest["tables"] if t["name"] != ALEMBIC_VERSION}
    here = {table.name: [c.name for c in table.columns] for table in db.metadata.sorted_tables}
    if in_archive != here:
        differ = sorted(name for name in in_archive.keys() | here.keys() if in_archive.get(name) != here.get(name))
        raise Refused(f"The backup's tables are not this version of the tracker's (they differ in {', '.join(differ)}): "
                      f"restore with the version that made it, at schema revision {manifest['schema_revision']}, "
                      "then upgrade.")
    holding = [t.name for t in db.metadata.sorted_tables
               if connection.execute(select(1).select_from(t).limit(1)).first() is not None]
    if holding:
        raise Refused(f"The database holds rows already (in {', '.join(holding)}): restore only into an "
                      "empty database, made with `flask db upgrade`.")
    present = next(files_under(upload_folder), None)
    if present is not None:
        raise Refused(f"The evidence folder {upload_folder} holds files already ({present[0]} and perhaps "
                      "more): restore only into an empty folder.")


def _insert_rows(archive: Archive, connection, progress) -> int:
    dialect = connection.dialect.name
    order = [t.name for t in db.metadata.sorted_tables]
    total = 0
    for table in db.metadata.sorted_tables:
        started = time.perf_counter()
        form, held_back = TableForm(table), held_back_columns(table, order)
        names = {c.name for c in held_back}
        member = table_member(table.name)
        insert = form.insert(dialect)
        rows = _in_batches(archive.lines(member), lambda line: form.decode(line, names))
        count = 0
        for batch in rows:
            connection.execute(insert, batch)
            count += len(batch)
        if held_back:  # now every row they may point at is in
            update = form.update(held_back, dialect)
            later = (line for line in archive.lines(member) if any(line.get(n) is not None for n in names))
            for batch in _in_batches(later, lambda line: {**form.key_params(line),
                                                          **form.values(line, held_back)}):
                connection.execute(update, batch)
        total += count
        progress(f"  {table.name:<20} {count:>12,} rows  {time.perf_counter() - started:6.1f} s")
    return total


def _in_batches(lines, convert):
    batch = []
    for line in lines:
        batch.append(convert(line))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _move_sequences_on(connection) -> None:
    """PostgreSQL hands out ids from sequences the inserted ids did not move: set each past its table's
    largest id, so the next row added gets a new one. (SQLite takes the next id from the rows.)"""
    if connection.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        for column in table.primary_key.columns:
            sequence = connection.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                          {"t": table.name, "c": column.name}).scalar()
            if sequence is not None:
                largest = connection.execute(select(func.max(column))).scalar()
                connection.execute(text("SELECT setval(:s, :v, :called)"),
                                   {"s": sequence, "v": largest or 1, "called": largest is not None})


def _hold_counts_to_manifest(connection, manifest: dict) -> None:
    for listed in manifest["tables"]:
        if listed["name"] == ALEMBIC_VERSION:
            continue
        table = db.metadata.tables[listed["name"]]
        found = connection.execute(select(func.count()).select_from(table)).scalar()
        if found != listed["rows"]:
            raise Refused(f"Table {table.name} holds {found} rows after restoring, not the "
                          f"{listed['rows']} of the manifest: nothing was restored.")


def _put_files_back(archive: Archive, upload_folder: str, restored: Restored) -> int:
    for held in archive.manifest["files"]:
        target = os.path.join(upload_folder, *safe_relative_path(held["path"]).split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        sha = hashlib.sha256()
        # "x": never overwrite; 0600: only the service account reads evidence (as when uploaded).
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        restored.written.append(target)
        with os.fdopen(fd, "wb") as out, archive.zip.open(held["member"]) as stream:
            while chunk := stream.read(CHUNK):
                sha.update(chunk)
                out.write(chunk)
        if sha.hexdigest() != held["sha256"]:
            raise Refused(f"Evidence file {held['path']} changed while restoring: nothing was restored.")
    return len(restored.written)
