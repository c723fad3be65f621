"""Backups that restore: every table and every evidence file in one database-neutral archive.

`snapshot.backup` writes it (`flask data backup PATH`), `restore.restore` reads it into an empty,
migrated database (`flask data restore PATH`); `archive` is the file's layout and its checks,
`columns` the form each column's values take in it. pg_dump stays the first way to back up a
PostgreSQL database; this archive is the one that moves between SQLite and PostgreSQL and carries
the evidence files with the rows that name them.
"""
from tracker.backup.restore import Restored, restore
from tracker.backup.snapshot import BackedUp, backup

__all__ = ["BackedUp", "Restored", "backup", "restore"]
