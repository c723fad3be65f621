"""Hostile or broken staff files: each gets one clear message (StaffFileError) and changes nothing,
quickly and within bounded memory."""
from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from tests.factories import make_tree
from tests.staff_files import HEADINGS, as_csv, as_xlsx, organisation, staff_row
from tracker.extensions import db
from tracker.models import Person
from tracker.staff_import import Options, StaffFileError, build
from tracker.staff_import.reading import MAX_COLUMNS, MAX_FILE_BYTES

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (210 * 1024 * 1024))
    return out.getvalue()


HOSTILE = {
    "empty": (b"", "The file is empty."),
    "only blank lines": (b"\r\n" * 100_000, "The file is empty."),
    "only blank rows": (b",,,\r\n" * 100_000, "no heading row"),
    "binary": (bytes(range(256)) * 64, "binary data"),
    "a renamed image": (PNG, "binary data"),
    "too big": (b"a" * (MAX_FILE_BYTES + 1), "larger than"),
    "a million columns": (b"," * 1_000_000 + b"\r\n", "longer than"),
    "too many columns": (as_csv([], [f"Column {n}" for n in range(MAX_COLUMNS + 5)]), "more than 200 columns"),
    "an unclosed quote": (as_csv([staff_row(1)]) + b'10000002,"Given2,Family2\r\n' + as_csv([staff_row(3)]),
                          "a quote is opened and never closed"),
    "mixed encodings": (as_csv([staff_row(1, first="Zoë")]) + as_csv([staff_row(2, first="José")], [],
                                                                      encoding="cp1252"), "mixes text encodings"),
    "duplicate headings": (as_csv([staff_row(1)], [*HEADINGS[:-1], "Email Address"]), "appears twice"),
    "not a workbook": (b"PK\x03\x04 not really a zip", "not a CSV or Excel file"),
    "a zip bomb": (None, "unpacks to more than"),
    "a truncated workbook": (None, "not a CSV or Excel file"),
    "a corrupt workbook": (None, "could not be read"),
}


@pytest.fixture
def tree(db_session):
    tree = make_tree()
    db.session.commit()
    return tree


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_file_gets_one_clear_message_and_changes_nothing(tree, today, case):
    raw, message = HOSTILE[case]
    if case == "a zip bomb":
        raw = _zip_bomb()
    elif case == "a truncated workbook":
        raw = as_xlsx([staff_row(1)])[:-200]
    elif case == "a corrupt workbook":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("[Content_Types].xml", b"<Types")
            archive.writestr("xl/workbook.xml", b"<workbook><sheets><sheet")
        raw = out.getvalue()
    before = db.session.scalar(select(func.count()).select_from(Person))
    with pytest.raises(StaffFileError, match=message):
        build(raw, Options(today))
    assert db.session.scalar(select(func.count()).select_from(Person)) == before


def test_100000_blank_lines_after_the_people_are_skipped(tree, today):
    plan = build(as_csv(organisation(3)) + b",,,,\r\n" * 100_000, Options(today))
    assert len(plan.creates) == 3 and plan.invalid == []


def test_formulas_in_csv_cells_are_kept_as_text(tree, today):
    rows = [staff_row(1, title="=1+2"), staff_row(2, title="@SUM(A1)")]
    plan = build(as_csv(rows), Options(today))
    assert [e.job_title for e in plan.creates] == ["=1+2", "@SUM(A1)"]


def test_a_semicolon_separated_file_reads_too(tree, today):
    assert len(build(as_csv(organisation(2), delimiter=";"), Options(today)).creates) == 2
