"""A CSV export written by PostgreSQL's own `COPY ... TO STDOUT (FORMAT csv)`, byte for byte the
file tracker.exports.csv_chunks writes from the same rows.

The activities export can run to millions of rows. Its query already writes every cell as text
(neutralised, labelled, formatted), so the per-row Python of the csv module is all that is left,
and COPY does it in the server's C at several times the rate. Two differences remain, and both
are settled here or in the query:
- COPY ends each record with "\\n"; the csv module with "\\r\\n". A "\\n" inside a quoted cell
  must stay as it is, so each line's quotes are counted: a record ends where they pair up.
- COPY writes NULL as nothing and an empty string as "", where the csv module writes nothing for
  both; the query turns empty text into NULL (exporting.activities_query, for_csv).
"""
from __future__ import annotations

from typing import Callable, Iterable, Iterator

from sqlalchemy import Select
from sqlalchemy import text as sql_text

from tracker import exports
from tracker.exports import Column, RowCounter
from tracker.extensions import db


def available() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def csv_bytes(columns: list[Column], query: Callable[[], Select], counted: RowCounter) -> Iterator[bytes]:
    """The file: BOM and header as csv_chunks writes them, then the rows of `query()` as COPY writes
    them. The query is built as the body starts (see exports.RowCounter for why)."""
    yield b"".join(text.encode("utf-8") for text in exports.csv_chunks(columns, ()))
    connection = db.session.connection()
    connection.execute(sql_text("SET LOCAL jit = off"))  # as exporting._stream, for the same reason
    # Values rendered by their SQLAlchemy types (an enum as its stored value, a date as a date),
    # so the statement needs no parameters, which COPY cannot take.
    statement = str(query().compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    statement = statement.replace("%%", "%")  # escaped for the driver's %(name)s parameters; none here
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(f"COPY ({statement}) TO STDOUT (FORMAT csv)") as copy:
            yield from crlf_records(_batched(copy), counted)
    finally:
        cursor.close()


def _batched(copy, size: int = 64 * 1024) -> Iterator[bytes]:
    """COPY's messages (a row each) joined into blocks of about `size` bytes."""
    waiting, held = [], 0
    while block := copy.read():
        waiting.append(block)
        held += len(block)
        if held >= size:
            yield b"".join(waiting)
            waiting, held = [], 0
    if waiting:
        yield b"".join(waiting)


def crlf_records(blocks: Iterable[bytes], counted: RowCounter) -> Iterator[bytes]:
    """COPY's records with "\\r\\n" after each instead of "\\n"; counted as they pass."""
    carry, inside = b"", False  # inside: the last complete line ended within a quoted cell
    for block in blocks:
        data = carry + block
        end = data.rfind(b"\n")
        if end < 0:
            carry = data
            continue
        carry, lines = data[end + 1:], data[:end].split(b"\n")
        if not inside and b'"' not in data[:end]:
            counted.add(len(lines))  # no quoted cell: every line is a record
            yield b"\r\n".join(lines) + b"\r\n"
            continue
        out, records = [], 0
        for line in lines:
            if line.count(b'"') % 2:
                inside = not inside
            out.append(line + (b"\n" if inside else b"\r\n"))
            records += not inside
        counted.add(records)
        yield b"".join(out)
    if carry:  # COPY ends every record with "\n", so this is never reached on a whole stream
        counted.add(1)
        yield carry
    counted.finish()
