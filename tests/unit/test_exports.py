"""The one export helper: CSV and XLSX shape, types, formula safety, whitelists, flat memory."""
from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tracker import exports
from tracker.exports import Column

COLUMNS = [
    Column("name", "Name"),
    Column("tier", "Tier", "int"),
    Column("hours", "Hours", "number"),
    Column("last_activity_on", "Last activity date", "date"),
    Column("decided_at", "Signed off at", "datetime"),
    Column("team", "Team"),
]
ROWS = [
    ("Zoë Ångström", 2, Decimal("1.50"), date(2025, 6, 3), datetime(2025, 6, 4, 9, 30, tzinfo=UTC), "Ward 7"),
    ("=HYPERLINK(\"http://evil\")", 1, Decimal("0"), None, None, "+44 123"),
    ("-2+3", 3, Decimal("6.25"), date(2026, 3, 31), None, "@SUM(A1)"),
]


def csv_text(columns=COLUMNS, rows=ROWS) -> str:
    return "".join(exports.csv_chunks(columns, rows))


def test_csv_starts_with_a_bom_and_reads_back():
    text = csv_text()
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["Name", "Tier", "Hours", "Last activity date", "Signed off at", "Team"]
    assert rows[1] == ["Zoë Ångström", "2", "1.50", "2025-06-03", "2025-06-04 09:30", "Ward 7"]
    assert len(rows) == 4
    assert text.encode("utf-8")[:3] == b"\xef\xbb\xbf"


def test_csv_neutralises_formula_cells_but_not_numbers():
    rows = list(csv.reader(io.StringIO(csv_text().lstrip("\ufeff"))))
    assert rows[2][0] == "'=HYPERLINK(\"http://evil\")"
    assert rows[2][5] == "'+44 123"
    assert rows[3][0] == "'-2+3"
    assert rows[3][5] == "'@SUM(A1)"
    assert rows[2][3] == "" and rows[2][2] == "0"
    negative = list(csv.reader(io.StringIO(csv_text([Column("tier", "n", "int")], [(-5,)]).lstrip("\ufeff"))))
    assert negative[1] == ["-5"]  # a real number is not text, so it is left alone


def xlsx_book(columns=COLUMNS, rows=ROWS):
    data = b"".join(exports.xlsx_chunks(columns, rows, sheet_title="People: a/b",
                                        description=[("Appraisal year", "2025 to 2026"), ("Unit", "Cancer Services")]))
    return load_workbook(io.BytesIO(data))


def test_xlsx_has_frozen_header_filter_real_types_and_a_description_sheet():
    book = xlsx_book()
    assert book.sheetnames == ["People  a b", "About this export"]
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F4"
    header = [c.value for c in sheet[1]]
    assert header == ["Name", "Tier", "Hours", "Last activity date", "Signed off at", "Team"]
    assert sheet[1][0].font.bold
    name, tier, hours, last, decided, team = sheet[2]
    assert name.value == "Zoë Ångström"
    assert tier.value == 2 and tier.data_type == "n"
    assert hours.value == 1.5 and hours.data_type == "n"
    assert last.is_date and last.value.date() == date(2025, 6, 3)
    assert decided.is_date and decided.value == datetime(2025, 6, 4, 9, 30)
    about = {row[0]: row[1] for row in book.worksheets[1].iter_rows(values_only=True)}
    assert about["Appraisal year"] == "2025 to 2026" and about["Rows"] == 3


def test_xlsx_never_turns_text_into_a_formula():
    sheet = xlsx_book().worksheets[0]
    cell = sheet["A3"]
    assert cell.value == "=HYPERLINK(\"http://evil\")" and cell.data_type == "s"
    assert sheet["F4"].value == "@SUM(A1)" and sheet["F4"].data_type == "s"


def test_columns_are_checked_against_the_audience_whitelist():
    assert exports.for_audience([Column("name", "Name"), Column("email", "Email")], "organisation")
    with pytest.raises(exports.ColumnNotAllowed):
        exports.for_audience([Column("email", "Email")], "team")
    with pytest.raises(exports.ColumnNotAllowed):
        exports.for_audience([Column("reflection", "Reflection")], "organisation")
    assert not (exports.FORBIDDEN_KEYS & exports.AUDIENCES["organisation"])


def test_file_names_carry_organisation_scope_report_year_and_date():
    name = exports.file_name("Northfield Hospitals NHS FT", "Cancer Services", "people", "2025 to 2026",
                             fmt="xlsx", day=date(2026, 1, 20))
    assert name == "northfield-hospitals-nhs-ft-cancer-services-people-2025-to-2026-2026-01-20.xlsx"


def synthetic_rows(n: int):
    for i in range(n):
        yield (f"Person {i}", i % 3 + 1, Decimal(i % 700) / 100, date(2025, 4, 1 + i % 28), None, f"Team {i % 400}")


def peak_while_consuming(chunks) -> int:
    tracemalloc.start()
    try:
        for _ in chunks:
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_csv_memory_stays_flat_over_100k_rows():
    def run(n):
        return peak_while_consuming(exports.chunks("csv", COLUMNS, synthetic_rows(n), sheet_title="t", description=[]))

    small, large = run(10_000), run(100_000)
    assert large < 4 * 1024 * 1024, large  # bytes: far below the 4 MB of CSV the rows make
    assert large < small * 1.5 + 256 * 1024, (small, large)  # ten times the rows, not ten times the memory


def test_xlsx_memory_stays_flat_over_100k_rows():
    # Two columns keep the (tracemalloc-slowed) run short; the rows still go through openpyxl's writer.
    columns = [COLUMNS[0], COLUMNS[3]]
    rows = ((name, day) for name, _, _, day, _, _ in synthetic_rows(100_000))
    peak = peak_while_consuming(exports.chunks("xlsx", columns, rows, sheet_title="t", description=[]))
    assert peak < 8 * 1024 * 1024, peak  # the rows alone would be tens of megabytes as Python objects


def test_export_hours_are_the_hours_every_page_shows():
    from tracker.durations import minutes_to_hours
    from tracker.reports.exporting import _hours_number

    assert all(_hours_number(m) == float(minutes_to_hours(m)) for m in range(0, 6000))


def test_xlsx_rows_keep_markup_spaces_and_every_kind_of_value():
    """The row writer writes each row's XML itself: characters XML treats specially, spaces at the
    ends, booleans, whole numbers, dates given as text (SQLite's raw form) all read back as given."""
    columns = [Column("name", "Name"), Column("tier", "Tier", "int"), Column("last_activity_on", "Day", "date"),
               Column("decided_at", "At", "datetime"), Column("team", "Team")]
    rows = [("<b>Ann & \"Bo\"</b>", 7, "2025-06-03", "2025-06-04 09:30:00.000000", "  Ward 7 "),
            (True, 10 ** 12, date(2026, 3, 31), datetime(2026, 1, 2, 3, 4, tzinfo=UTC), None)]
    sheet = xlsx_book(columns, rows).worksheets[0]
    first, second = ([c.value for c in row] for row in sheet.iter_rows(min_row=2))
    assert first == ["<b>Ann & \"Bo\"</b>", 7, datetime(2025, 6, 3), datetime(2025, 6, 4, 9, 30), "  Ward 7 "]
    assert second == ["Yes", 10 ** 12, datetime(2026, 3, 31), datetime(2026, 1, 2, 3, 4), None]
    assert sheet["C2"].number_format == "dd/mm/yyyy" and sheet["D3"].number_format == "dd/mm/yyyy hh:mm"
