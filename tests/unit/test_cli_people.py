"""`flask people import PATH [--dry-run] [--whole-organisation]` runs the page's importer."""
from __future__ import annotations

from sqlalchemy import func, select

from tests.factories import make_tree
from tests.staff_files import HEADINGS, as_csv, organisation, staff_row
from tracker.extensions import db
from tracker.models import Person


def people() -> int:
    return db.session.scalar(select(func.count()).select_from(Person))


def test_a_dry_run_writes_nothing_and_an_import_applies(app, db_session, tmp_path):
    make_tree()
    db.session.commit()
    path = tmp_path / "staff.csv"
    path.write_bytes(as_csv(organisation(4) + [staff_row(9, email="")]))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["people", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "5 to create, 0 to update, 0 unchanged" in dry.output and "Dry run: nothing was written." in dry.output
    assert "1 person has no e-mail address" in dry.output
    assert people() == 0
    applied = runner.invoke(args=["people", "import", str(path), "--whole-organisation"])
    assert applied.exit_code == 0, applied.output
    assert "Applied: 5 created" in applied.output and people() == 5
    again = runner.invoke(args=["people", "import", str(path), "--whole-organisation"])
    assert "Applied: 0 created, 0 updated, 5 unchanged, 0 deactivated" in again.output


def test_invalid_rows_and_unreadable_files_exit_with_the_reasons(app, db_session, tmp_path):
    make_tree()
    db.session.commit()
    rows = organisation(3)
    rows[2][7] = "Astronauts"
    path = tmp_path / "staff.csv"
    path.write_bytes(as_csv(rows))
    result = app.test_cli_runner().invoke(args=["people", "import", str(path)])
    assert result.exit_code == 1 and "line 4: employee 10000002: unknown staff group 'Astronauts'" in result.output
    path.write_bytes(b"")
    result = app.test_cli_runner().invoke(args=["people", "import", str(path)])
    assert result.exit_code == 1 and "error: The file is empty." in result.output
    assert people() == 0


def test_an_unrecognised_heading_is_mapped_with_map(app, db_session, tmp_path):
    make_tree()
    db.session.commit()
    path = tmp_path / "staff.csv"
    path.write_bytes(as_csv(organisation(2), ["Pay No" if h == "Employee Number" else h for h in HEADINGS]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["people", "import", str(path)])
    assert result.exit_code == 1 and "Employee number" in result.output and "Pay No" in result.output
    result = runner.invoke(args=["people", "import", str(path), "--map", "employee_number=Pay No"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["people", "import", str(path)]).exit_code == 0 and people() == 2
