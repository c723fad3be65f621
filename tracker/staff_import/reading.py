"""Reading a workforce extract (CSV or XLSX) into a heading row and data rows, within limits.

A hostile or broken file raises StaffFileError with one message a person can act on; nothing is
ever evaluated (a formula is the text of the formula) and memory stays bounded: the file's size,
its columns, its lines and each line's length are capped, and rows are read one at a time.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterator

MAX_FILE_BYTES = 20 * 1024 * 1024  # a 100,000-person extract is about 15 MB
MAX_COLUMNS = 200
MAX_ROWS = 100_000  # people (non-blank rows)
MAX_LINES = 250_000  # lines read, blank ones included
MAX_LINE_CHARS = 20_000
MAX_XLSX_UNPACKED = 200 * 1024 * 1024  # what a zip may unpack to (a zip bomb is refused)

_XLSX_MAGIC = b"PK\x03\x04"
# A valid UTF-8 multi-byte sequence: seen in a file that is not UTF-8 as a whole, the file mixes encodings.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


class StaffFileError(Exception):
    """The file cannot be read as a staff extract; str() is the one message to show."""


@dataclass
class Table:
    headings: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (line number, cells), blank rows skipped
    encoding: str  # "UTF-8", "Windows-1252" or "Excel"


def read_table(raw: bytes) -> Table:
    """The heading row and a stream of the data rows of a CSV or XLSX file (told apart by content)."""
    if not raw or not raw.strip():
        raise StaffFileError("The file is empty.")
    if len(raw) > MAX_FILE_BYTES:
        raise StaffFileError(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    if raw.startswith(_XLSX_MAGIC):
        return _read_xlsx(raw)
    return _read_csv(raw)


def decode(raw: bytes) -> tuple[str, str]:
    """The text of the file and its encoding's name: UTF-8 (with or without a byte order mark),
    else Windows-1252 as Excel writes it."""
    if b"\x00" in raw[:65536]:
        raise StaffFileError("This is not a CSV or Excel file: it holds binary data.")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as error:
        bad_line = raw.count(b"\n", 0, error.start) + 1
        if _UTF8_SEQUENCE.search(raw):
            raise StaffFileError(f"The file mixes text encodings (line {bad_line} is not UTF-8 but others are): "
                                 "save it again as CSV UTF-8.") from None
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise StaffFileError("The file is neither UTF-8 nor Windows-1252 text: save it as CSV UTF-8.") from None


def _lines(text: str) -> Iterator[str]:
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if number > MAX_LINES:
            raise StaffFileError(f"The file has more than {MAX_LINES:,} lines.")
        if len(line) > MAX_LINE_CHARS:
            raise StaffFileError(f"Line {number} is longer than {MAX_LINE_CHARS:,} characters.")
        yield line


def _read_csv(raw: bytes) -> Table:
    text, encoding = decode(raw)
    # The heading row says the separator: Excel writes ";" in some locales, and some systems tabs.
    first_line = text.lstrip()[:MAX_LINE_CHARS].partition("\n")[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    rows = _csv_rows(reader)
    headings = _headings(rows)
    return Table(headings, rows, encoding)


def _csv_rows(reader) -> Iterator[tuple[int, list[str]]]:
    count = 0
    try:
        for cells in reader:
            if len(cells) > MAX_COLUMNS:
                raise StaffFileError(f"Line {reader.line_num} has more than {MAX_COLUMNS} columns.")
            cells = [cell.strip() for cell in cells]
            if any(cells):
                count += 1
                if count > MAX_ROWS + 1:
                    raise StaffFileError(f"The file has more than {MAX_ROWS:,} rows.")
                yield reader.line_num, cells
    except csv.Error as error:
        raise StaffFileError(f"The file is not valid CSV near line {reader.line_num} ({_csv_reason(error)}).") from None


def _csv_reason(error: csv.Error) -> str:
    text = str(error)
    if "unexpected end of data" in text or "field larger" in text or "EOF" in text:
        return "a quote is opened and never closed"
    return text


def _headings(rows: Iterator[tuple[int, list[str]]]) -> list[str]:
    first = next(rows, None)
    if first is None:
        raise StaffFileError("The file has no heading row and no people.")
    headings = first[1]
    if len([h for h in headings if h]) > MAX_COLUMNS:
        raise StaffFileError(f"The file has more than {MAX_COLUMNS} columns.")
    return headings


def cell_text(value) -> str:
    """A spreadsheet cell as the text it shows (a whole number without ".0"; dates as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _read_xlsx(raw: bytes) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            if sum(item.file_size for item in archive.infolist()) > MAX_XLSX_UNPACKED:
                raise StaffFileError("The Excel file unpacks to more than 200 MB.")
    except zipfile.BadZipFile:
        raise StaffFileError("This is not a CSV or Excel file we can read.") from None
    from openpyxl import load_workbook

    try:
        # read_only streams the sheet; formulas come back as their text, never evaluated.
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
        sheet = book.worksheets[0]
        rows = _xlsx_rows(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1))
        headings = _headings(rows)
    except StaffFileError:
        raise
    except Exception:  # openpyxl raises many kinds for a broken workbook; all mean the same to the admin
        raise StaffFileError("The Excel file could not be read: save it again from Excel, or as CSV.") from None
    if len(headings) > MAX_COLUMNS:
        raise StaffFileError(f"The file has more than {MAX_COLUMNS} columns.")
    return Table(headings, rows, "Excel")


def _xlsx_rows(values) -> Iterator[tuple[int, list[str]]]:
    count = 0
    try:
        for line, row in enumerate(values, start=1):
            if line > MAX_LINES:
                raise StaffFileError(f"The file has more than {MAX_LINES:,} rows, blank ones included.")
            cells = [cell_text(v) for v in row]
            while cells and not cells[-1]:
                cells.pop()
            if len(cells) > MAX_COLUMNS:
                raise StaffFileError(f"Row {line} has more than {MAX_COLUMNS} columns.")
            if cells:
                count += 1
                if count > MAX_ROWS + 1:
                    raise StaffFileError(f"The file has more than {MAX_ROWS:,} rows.")
                yield line, cells
    except StaffFileError:
        raise
    except Exception:
        raise StaffFileError("The Excel file could not be read: save it again from Excel, or as CSV.") from None
