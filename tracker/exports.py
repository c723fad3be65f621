"""One helper for every spreadsheet the tracker hands out: CSV and XLSX, streamed.

- A report names its columns; an audience's whitelist says which column keys it may ever
  receive, so a new column cannot leak to an audience by accident, and some keys (reflection
  text, evidence files, credentials) are refused for every audience.
- CSV: UTF-8 with a byte-order mark (Excel then reads accented names correctly), and any text
  cell starting with = + - @ (or tab / carriage return) is prefixed with ' so a spreadsheet
  shows it as text instead of running it as a formula.
- XLSX: openpyxl write-only mode with lxml (rows go to a temporary file, so memory stays flat
  however many rows; each row written as one element, see _RowWriter), real dates and numbers, a frozen header row, an auto-filter, and a second sheet
  saying which filters made the file and when.
Rows arrive as tuples in column order, typically straight from a `yield_per` query.
"""
from __future__ import annotations

import csv
import io
import re
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import Callable, Iterable, Iterator

from xml.sax.saxutils import escape

from lxml.etree import fromstring
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from sqlalchemy import case, func, literal

CSV_BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_FLUSH_ROWS = 1000
FILE_CHUNK = 64 * 1024

# Never exported to anyone, whatever a report asks for.
FORBIDDEN_KEYS = frozenset({"reflection", "reflection_text", "evidence", "evidence_file", "password_hash",
                            "session_token", "feedback"})

_PEOPLE = {"employee_number", "name", "email", "team", "directorate", "line_manager", "staff_group", "tier", "status",
           "activities", "hours", "behaviours", "behaviours_required", "last_activity_on", "exempt_reason"}
_ACTIVITIES = {"activity_id", "person", "employee_number", "team", "directorate", "occurred_on", "activity_type",
               "experiential", "course", "duration_hours", "behaviour_codes", "activity_status", "decided_by",
               "decided_at"}
_COVERAGE = {"unit", "behaviour_code", "behaviour", "subject", "tiers", "people_expected", "people_evidenced",
             "percent_evidenced"}
_UPTAKE = {"course_code", "course", "provider", "format", "staff_group", "directorate", "activities", "people",
           "behaviour_codes"}

_AUDIT = {"occurred_at", "actor", "actor_subject", "action_words", "action", "about", "about_subject", "activity_id",
          "client_address", "details"}

# Audience -> the column keys it may receive.
AUDIENCES: dict[str, frozenset[str]] = {
    "organisation": frozenset(_PEOPLE | _ACTIVITIES | _COVERAGE | _UPTAKE),
    # Managers see their own people's figures, but contact details stay in the workforce system.
    "team": frozenset((_PEOPLE - {"email"}) | _COVERAGE),
    # Admins reading the audit trail: who did what about whom, never what was written.
    "audit": frozenset(_AUDIT),
}


class ColumnNotAllowed(PermissionError):
    pass


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    kind: str = "text"  # text | int | number | date | datetime
    convert: Callable | None = None  # turns the database value into what is written
    width: int = 14


def for_audience(columns: list[Column], audience: str) -> list[Column]:
    """The columns, checked against the audience's whitelist (refused outright if any is not on it)."""
    allowed = AUDIENCES[audience]
    refused = [c.key for c in columns if c.key in FORBIDDEN_KEYS or c.key not in allowed]
    if refused:
        raise ColumnNotAllowed(f"not exportable to {audience}: {', '.join(refused)}")
    return columns


def neutralised_sql(expression):
    """neutralise() done by the database, for exports large enough that the per-cell Python
    call shows: the same rule, the same characters."""
    first = func.substr(expression, 1, 1)
    return case((first.in_(FORMULA_STARTS), literal("'") + expression), else_=expression)


def neutralise(text: str) -> str:
    """Make a text cell inert in a spreadsheet: a leading formula character gets a ' before it."""
    if text and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _converted(columns: list[Column], rows: Iterable) -> Iterator[list]:
    converters = [c.convert for c in columns]
    if not any(converters):
        for row in rows:
            yield list(row)
        return
    for row in rows:
        yield [conv(value) if conv and value is not None else value for conv, value in zip(converters, row)]


# CSV cell writers by column kind. Databases hand dates back either as date objects or (SQLite,
# when a query skips type processing for speed) as ISO text; both come out the same. None is
# written as an empty cell by the csv module itself.
def _csv_text(value):
    if value.__class__ is str:
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return neutralise(str(value)) if value is not None else None


def _csv_datetime(value):
    if value is None:
        return None
    return value[:16] if value.__class__ is str else value.strftime("%Y-%m-%d %H:%M")


def _csv_number(value):
    if value is None or isinstance(value, int):
        return value
    return int(value) if value == int(value) else value


# A date's str() is already ISO (and SQLite's raw text is too), so dates need no writer.
_CSV_WRITERS = {"text": _csv_text, "date": None, "datetime": _csv_datetime, "number": _csv_number, "int": None}


def _csv_cell_functions(columns: list[Column], ready: frozenset[str]) -> list[tuple[int, Callable]]:
    """(column index, function) for the columns that need work: conversion, then format.
    Columns in `ready` were formatted and neutralised by the query itself."""
    functions = []
    for index, column in enumerate(columns):
        if column.key in ready:
            continue
        write, convert = _CSV_WRITERS.get(column.kind, _csv_text), column.convert
        if convert is None and write is None:
            continue
        if convert is None:
            functions.append((index, write))
        elif write is None:
            functions.append((index, lambda v, c=convert: None if v is None else c(v)))
        else:
            functions.append((index, lambda v, c=convert, w=write: None if v is None else w(c(v))))
    return functions


class RowCounter:
    """Counts rows as they stream, so the audit entry can say how many went out.

    `rows` may be a function returning the rows: then the query runs only when the first row
    is wanted, i.e. inside the streaming response, not in the view that returned it (whose
    database session is closed before the body is sent).
    """

    def __init__(self, rows: Iterable | Callable[[], Iterable], progress: Callable[[int], None] | None = None):
        self.rows, self.count, self.progress = rows, 0, progress

    def add(self, count: int) -> None:
        """Rows that went out without passing through this counter (a database's own writer);
        progress in thousands, as __iter__ reports it, and the rest by finish()."""
        before, self.count = self.count, self.count + count
        if self.progress and self.count // 1000 > before // 1000:
            self.progress((self.count // 1000 - before // 1000) * 1000)

    def finish(self) -> None:
        if self.progress:
            self.progress(self.count % 1000)

    def __iter__(self):
        rows = self.rows() if callable(self.rows) else self.rows
        if hasattr(rows, "partitions"):  # a query's result: counted a batch at a time
            for batch in rows.partitions():
                self.add(len(batch))
                yield from batch
            self.finish()
            return
        for row in rows:
            self.count += 1
            if self.progress and self.count % 1000 == 0:
                self.progress(1000)
            yield row
        self.finish()


def csv_chunks(columns: list[Column], rows: Iterable, ready: frozenset[str] = frozenset()) -> Iterator[str]:
    """The CSV text in chunks of about a thousand rows, header first, BOM at the very start."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(CSV_BOM)
    writer.writerow([neutralise(c.heading) for c in columns])
    functions = _csv_cell_functions(columns, ready)
    rows = iter(rows)
    # A thousand rows to the csv module at once; cells that need work are done first, row by row.
    while batch := list(islice(rows, CSV_FLUSH_ROWS)):
        if functions:
            batch = [_with_cells_done(row, functions) for row in batch]
        writer.writerows(batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _with_cells_done(row, functions: list[tuple[int, Callable]]) -> list:
    row = list(row)
    for index, function in functions:
        row[index] = function(row[index])
    return row


_NUMBER_FORMATS = {"date": "dd/mm/yyyy", "datetime": "dd/mm/yyyy hh:mm", "number": "0.00"}


def _xlsx_value(value, kind: str):
    if value is None:
        return None
    if isinstance(value, str):
        if kind == "date":
            return date.fromisoformat(value[:10])
        if kind == "datetime":
            return datetime.fromisoformat(value[:19])
        return value
    if isinstance(value, datetime):
        # Excel has no time zones: write the wall-clock time in UTC, without the offset.
        return value.replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value


class _RowWriter:
    """Writes a data row straight to openpyxl's write-only XML stream as one lxml element, each
    cell typed from its value with its column's number format worked out once. openpyxl's own
    path builds a Cell object and nested writer contexts for every value, which was most of an
    export's time. Reaches two internals of openpyxl's WriteOnlyWorksheet (pinned at 3.1.5; the
    tests read the files back with openpyxl): `_values_to_row` and its writer's `write_row`.
    Text the XML cannot hold (control characters) fails the export, as openpyxl's own check did."""

    def __init__(self, sheet, columns: list[Column]):
        self.kinds = [c.kind for c in columns]
        self.letters = [get_column_letter(i) for i in range(1, len(columns) + 1)]
        self.styles = []
        for column in columns:
            number_format = _NUMBER_FORMATS.get(column.kind)
            if number_format:
                prototype = WriteOnlyCell(sheet)
                prototype.number_format = number_format
                self.styles.append(str(prototype.style_id))
            else:
                self.styles.append(None)

    def install(self, sheet) -> None:
        sheet._values_to_row = lambda values, row_index: values
        sheet._writer.write_row = self.write

    def write(self, xf, values, row_index: int) -> None:
        number = str(row_index)
        parts = [f'<row r="{number}">']
        for value, kind, letter, style in zip(values, self.kinds, self.letters, self.styles):
            if value is None:
                continue
            cls = value.__class__
            if cls is str and kind in ("date", "datetime") or cls is Decimal or cls is bool or cls is datetime:
                value = _xlsx_value(value, kind)
                cls = value.__class__
            if cls is str:  # always an inline string: "=..." stays text, never a formula
                space = ' xml:space="preserve"' if value != value.strip() else ""
                parts.append(f'<c r="{letter}{number}" t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>')
                continue
            if cls is date or cls is datetime:
                value = to_excel(value)
            elif cls is not int and cls is not float:
                value = float(value)
            styled = f' s="{style}"' if style is not None else ""
            parts.append(f'<c r="{letter}{number}" t="n"{styled}><v>{value!r}</v></c>')
        parts.append("</row>")
        # One parse of the row's text is about twice as fast as building its elements one by one.
        xf.write(fromstring("".join(parts)))


def xlsx_chunks(columns: list[Column], rows: Iterable, *, sheet_title: str,
                description: list[tuple[str, str]]) -> Iterator[bytes]:
    """The workbook's bytes in chunks. Rows stream into openpyxl's temporary file; the zip is
    written to another temporary file and read back in chunks, so memory does not grow."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(sheet_title))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.heading)
        cell.font = bold
        header.append(cell)
    sheet.append(header)

    writer = _RowWriter(sheet, columns)
    writer.install(sheet)
    count = 0
    for values in _converted(columns, rows):
        sheet.append(values)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"

    about = workbook.create_sheet("About this export")
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 60
    for label, value in description:
        label_cell = WriteOnlyCell(about, value=label)
        label_cell.font = bold
        about.append([label_cell, value])
    about.append(["Rows", count])

    with tempfile.TemporaryFile() as archive:
        workbook.save(archive)
        archive.seek(0)
        while chunk := archive.read(FILE_CHUNK):
            yield chunk


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip() or "Export"
    return cleaned[:31]


MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def chunks(fmt: str, columns: list[Column], rows: Iterable, *, sheet_title: str,
           description: list[tuple[str, str]], csv_ready: frozenset[str] = frozenset()) -> Iterator[bytes]:
    """Bytes of the file in `fmt` ("csv" or "xlsx")."""
    if fmt == "csv":
        return (text.encode("utf-8") for text in csv_chunks(columns, rows, csv_ready))
    if fmt == "xlsx":
        return xlsx_chunks(columns, rows, sheet_title=sheet_title, description=description)
    raise ValueError(fmt)


def file_name(*parts: str, fmt: str, day: date) -> str:
    """e.g. northfield-hospitals-cancer-services-people-2025-to-2026-2026-01-20.csv"""
    words = [re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") for p in parts if p]
    stem = "-".join(w for w in words if w)[:150] or "export"
    return f"{stem}-{day.isoformat()}.{fmt}"
