"""Generated workforce extracts for the staff-import tests (nothing big is committed)."""
from __future__ import annotations

import csv
import io

HEADINGS = ["Employee Number", "Assignment Number", "First Name", "Last Name", "Email Address", "Position Title",
            "Organisation", "Staff Group", "Line Manager Employee Number"]


def staff_row(n: int, *, team: str = "Ward 7 (Oncology)", group: str = "Nursing and Midwifery Registered",
              manager: str = "", email: str | None = None, title: str = "Staff Nurse", assignment: str | None = None,
              first: str | None = None) -> list[str]:
    return [f"{10000000 + n}", assignment or f"{10000000 + n}-1", first or f"Given{n}", f"Family{n}",
            f"given{n}.family{n}@example.nhs.uk" if email is None else email, title, team, group, manager]


def number(n: int) -> str:
    return f"{10000000 + n}"


def as_csv(rows: list[list[str]], headings: list[str] = HEADINGS, encoding: str = "utf-8",
           delimiter: str = ",") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headings)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def as_xlsx(rows: list[list], headings: list[str] = HEADINGS) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Staff in post")
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def organisation(people: int, team: str = "Ward 7 (Oncology)") -> list[list[str]]:
    """`people` staff in one team, each managed by the first."""
    return [staff_row(n, team=team, manager=number(0) if n else "") for n in range(people)]
