"""Fixtures of the admin's people pages: a small organisation on 15 October 2025, when the
2025 to 2026 appraisal year is open and 2024 to 2025 has closed (on 1 May 2025)."""
from __future__ import annotations

from datetime import date

import pytest

from tests.factories import PASSWORD, make_person, make_tree
from tracker.extensions import db
from tracker.models import StaffGroup

DAY = date(2025, 10, 15)
IN_OPEN_YEAR = date(2025, 6, 1)
IN_CLOSED_YEAR = date(2025, 3, 1)
CLOSED_MESSAGE = "The 2024 to 2025 appraisal year closed at the end of 30 April 2025, so nothing dated in it can be changed"


@pytest.fixture
def org(db_session, clock):
    clock.move_to(DAY)
    tree = make_tree()
    p = {
        "admin": make_person(tree["trust"], email="admin@example.org", tier=1, roles=["admin"], name="Ann Admin",
                             staff_group=StaffGroup.ADMIN_CLERICAL),
        "boss": make_person(tree["cancer"], email="boss@example.org", tier=3, roles=["manager"],
                            scope=[tree["cancer"]], name="Bob Boss"),
        "lead": make_person(tree["trust"], email="lead@example.org", tier=3, roles=["education_lead"], name="Lee Lead"),
    }
    p["nurse"] = make_person(tree["ward7"], email="nurse@example.org", tier=2, name="Nia Nurse", line_manager=p["boss"])
    p["nurse"].employee_number = "E1001"
    p["clinic"] = make_person(tree["clinic"], email="clinic@example.org", tier=1, name="Cal Clinic",
                              staff_group=StaffGroup.ALLIED_HEALTH)
    p["surgeon"] = make_person(tree["theatres"], email="surgeon@example.org", tier=3, name="Sam Surgeon",
                               staff_group=StaffGroup.MEDICAL_DENTAL)
    p["gone"] = make_person(tree["theatres"], email="gone@example.org", tier=2, name="Gil Gone", active=False)
    db.session.commit()  # a SAVEPOINT release: survives a view's rollback
    return {"tree": tree, "people": p}


@pytest.fixture
def as_admin(client, sign_in, org):
    assert sign_in("admin@example.org", PASSWORD).status_code == 302
    return org
