"""A form writes its own fields only: fields a request adds (an owner, a status, a decider) are ignored
(ASVS 15.3.3, mass assignment)."""
from __future__ import annotations

from tests.web.portfolio.builders import activity_form, only_activity
from tracker.models import ActivityStatus


def test_fields_the_form_does_not_have_are_ignored(client, as_nurse, org, ref, post_form):
    smuggled = {"owner_id": str(org["stranger"].id), "status": "signed_off", "decided_by_id": str(org["manager"].id),
                "submitted_at": "2020-01-01", "deleted_at": "2020-01-01", "id": "999999"}
    response = post_form("/activities/new", {**activity_form(ref, action="draft"), **smuggled})
    activity = only_activity()
    assert response.status_code == 302
    assert activity.owner_id == as_nurse.id and activity.id != 999999
    assert activity.status == ActivityStatus.DRAFT
    assert activity.decided_by_id is None and activity.submitted_at is None and activity.deleted_at is None
