"""The demo's bulk writer: rows straight to the driver, in the session's transaction.

SQLAlchemy's `insert()` with a list of dicts builds and checks a parameter set per row; at
100,000 staff (about 3 million rows) that bookkeeping cost more than the database's own work.
Here PostgreSQL gets `COPY … FROM STDIN` through psycopg, and SQLite one `executemany` per chunk
of plain tuples; each column's value still goes through its SQLAlchemy type's bind processor
(SQLite), or psycopg's own adaptation (PostgreSQL), so what is stored is what the ORM would store.
"""
from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter

from sqlalchemy import JSON, Table

from tracker.extensions import db

CHUNK = 20000  # rows per executemany on SQLite: bounded memory, few round trips


class BulkWriter:
    """Writes rows (dicts with the same keys) into tables, counting rows per table."""

    def __init__(self):
        self.counts: dict[str, int] = {}
        connection = db.session.connection()
        self._dialect = connection.dialect
        self._driver = connection.connection.driver_connection

    def write(self, model, rows: Iterable[dict]) -> None:
        table: Table = getattr(model, "__table__", model)
        rows = list(rows)
        if not rows:
            self.counts.setdefault(table.name, 0)
            return
        names = list(rows[0])
        if self._dialect.name == "postgresql":
            self._copy(table, names, rows)
        else:
            self._executemany(table, names, rows)
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def _copy(self, table: Table, names: list[str], rows: list[dict]) -> None:
        from psycopg.types.json import Json

        # psycopg adapts dates, times and booleans itself, and our enums as the str they subclass (their
        # values; the CHECK constraints would refuse anything else); JSON needs its wrapper.
        json_columns = {name for name in names if isinstance(table.c[name].type, JSON)}
        columns = ", ".join(f'"{name}"' for name in names)
        with self._driver.cursor() as cursor:
            with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                if json_columns:
                    for row in rows:
                        copy.write_row([Json(row[n]) if n in json_columns and row[n] is not None else row[n]
                                        for n in names])
                else:
                    for row in rows:
                        copy.write_row([row[n] for n in names])

    def _executemany(self, table: Table, names: list[str], rows: list[dict]) -> None:
        # The processors SQLAlchemy itself applies (dates as its text format, enums as values, JSON).
        processors = [table.c[name].type._cached_bind_processor(self._dialect) for name in names]
        processed = [(i, p) for i, p in enumerate(processors) if p is not None]
        values_of = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
        sql = (f'INSERT INTO "{table.name}" ({", ".join(chr(34) + n + chr(34) for n in names)}) '
               f'VALUES ({", ".join("?" * len(names))})')
        cursor = self._driver.cursor()
        try:
            for start in range(0, len(rows), CHUNK):
                if processed:
                    batch = []
                    for row in rows[start:start + CHUNK]:
                        values = list(values_of(row))
                        for i, process in processed:
                            values[i] = process(values[i])
                        batch.append(values)
                else:
                    batch = [values_of(row) for row in rows[start:start + CHUNK]]
                cursor.executemany(sql, batch)
        finally:
            cursor.close()
