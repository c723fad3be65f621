"""An Excel extract is XML inside a zip: entities in it never read files from the server (XXE, ASVS 1.5.1)."""
from __future__ import annotations

import io
import zipfile

from tests.factories import make_tree
from tests.staff_files import as_xlsx, organisation
from tracker.extensions import db
from tracker.refusal import Refused
from tracker.staff_import import Options, build
from tracker.staff_import.reading import StaffFileError


def _with_entity(raw: bytes, secret_file) -> bytes:
    """The workbook with its shared strings declaring an external entity and one cell using it."""
    source, out = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/sharedStrings.xml":
                text = content.decode("utf-8")
                declaration, _, rest = text.partition("?>")
                doctype = f'<!DOCTYPE sst [<!ENTITY leak SYSTEM "file://{secret_file}">]>'
                rest = rest.replace("<t>Staff Nurse</t>", "<t>&leak;</t>", 1)
                assert "&leak;" in rest
                content = f"{declaration}?>{doctype}{rest}".encode("utf-8")
            target.writestr(item, content)
    return out.getvalue()


def test_an_external_entity_in_a_workbook_reads_no_file(db_session, today, tmp_path):
    make_tree()
    db.session.commit()
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    raw = _with_entity(as_xlsx(organisation(2)), secret)
    try:
        outcome = repr(vars(build(raw, Options(today))))
    except (StaffFileError, Refused) as refused:
        outcome = str(refused)
    assert "TOP-SECRET-CONTENT" not in outcome
