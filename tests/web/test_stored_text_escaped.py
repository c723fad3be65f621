"""A person's name and every stored free text comes out as text, never as HTML, on the pages that show it."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import PASSWORD, make_activity, make_person, make_tree
from tracker.extensions import db
from tracker.models import (ActivityStatus, EvidenceFile, Exemption, ExemptionReason, LeadershipAction,
                            LeadershipActionKind, Notice)

SCRIPT = '<script>alert("stored")</script>'
ESCAPED = "&lt;script&gt;alert("


@pytest.fixture
def scripted(db_session, ref, in_year):
    """Every free text a person or manager can store, holding a script."""
    tree = make_tree()
    tree["ward7"].name = f"Ward {SCRIPT}"
    scoped = make_person(tree["ward7"], email="scoped@example.org", roles=["manager"], scope=[tree["cancer"]],
                         name=f"Scoped {SCRIPT}")
    # A line manager without manager scope sees the activity page's other branch ("Person" not a link).
    line = make_person(tree["clinic"], email="line@example.org", name=f"Line {SCRIPT}")
    nurse = make_person(tree["ward7"], email="nurse@example.org", line_manager=line, name=f"Nurse {SCRIPT}")
    nurse.job_title = f"Nurse {SCRIPT}"
    make_person(tree["trust"], email="admin@example.org", roles=["admin"])
    kind = next(t for t in ref["types"].values() if t.experiential)
    activity = make_activity(nurse, kind, occurred_on=in_year, status=ActivityStatus.SUBMITTED,
                             behaviours=[ref["b"]["1.1"]], title=f"Talk {SCRIPT}")
    activity.manager_may_read = True
    activity.reflection = {"what": f"What {SCRIPT}", "so_what": f"So {SCRIPT}", "now_what": f"Now {SCRIPT}"}
    db.session.add_all([
        EvidenceFile(activity_id=activity.id, original_name=f"{SCRIPT}.pdf", stored_name="escaped-test.pdf",
                     content_type="application/pdf", size_bytes=10),
        Exemption(person_id=nurse.id, reason=ExemptionReason.OTHER, reason_detail=f"Away {SCRIPT}",
                  starts_on=in_year - timedelta(days=1), ends_on=None, recorded_by_id=scoped.id),
        LeadershipAction(manager_id=scoped.id, unit_id=tree["ward7"].id, occurred_on=in_year, note=f"Note {SCRIPT}",
                         kind=LeadershipActionKind.TEAM_SESSION),
        Notice(person_id=nurse.id, sent_by_id=scoped.id, sent_on=in_year, message=f"Reminder {SCRIPT}"),
    ])
    db.session.commit()
    return {"activity": activity.id, "nurse": nurse.id, "ward7": tree["ward7"].id}


PAGES = [
    ("line@example.org", "/team/activities/{activity}"),
    ("scoped@example.org", "/team/activities/{activity}"),
    ("scoped@example.org", "/team/activities/{activity}/reflection"),
    ("scoped@example.org", "/team/people/{nurse}"),
    ("scoped@example.org", "/team/"),
    ("scoped@example.org", "/team/queue"),
    ("scoped@example.org", "/team/exemptions/open-ended"),
    ("admin@example.org", "/reports/people"),
    ("nurse@example.org", "/activities/{activity}"),
    ("nurse@example.org", "/portfolio"),
    ("nurse@example.org", "/my-year"),
    ("admin@example.org", "/admin/people"),
    ("admin@example.org", "/admin/people/{nurse}"),
    ("admin@example.org", "/admin/teams/{ward7}"),
]


@pytest.mark.parametrize("email, address", PAGES)
def test_stored_scripts_come_out_as_text(client, sign_in, scripted, email, address):
    sign_in(email, PASSWORD)
    response = client.get(address.format(**scripted))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, address
    assert SCRIPT not in html
    assert "<script>alert(" not in html
    assert ESCAPED in html, f"{address} shows none of the stored texts"
