"""My portfolio is for appraisal: signed-off activities by default, the rest only when asked for,
never anyone else's; it carries the organisation's name."""
from __future__ import annotations

import pytest

from tests.web.portfolio.builders import my_activity
from tracker.models import ActivityStatus


@pytest.fixture
def year_of_work(as_nurse, org, ref):
    my_activity(as_nurse, ref, status=ActivityStatus.SIGNED_OFF, title="Signed debrief")
    my_activity(as_nurse, ref, status=ActivityStatus.SUBMITTED, title="Waiting role-play")
    my_activity(as_nurse, ref, status=ActivityStatus.DRAFT, title="My half-written draft")
    my_activity(org["porter"], ref, status=ActivityStatus.DRAFT, title="Porter's draft")
    my_activity(org["porter"], ref, status=ActivityStatus.SIGNED_OFF, title="Porter's signed one")
    return as_nurse


def test_by_default_only_signed_off_activities_are_listed(client, year_of_work):
    html = client.get("/portfolio").get_data(as_text=True)
    assert "Signed debrief" in html
    assert "Waiting role-play" not in html and "My half-written draft" not in html
    assert "Only signed-off activities are listed. 2 activities not yet signed off are left out." in html
    assert "Include activities not yet signed off" in html


def test_the_rest_is_listed_when_asked_for_with_drafts_marked(client, year_of_work):
    html = client.get("/portfolio?include=all").get_data(as_text=True)
    assert "Signed debrief" in html and "Waiting role-play" in html
    assert "Draft: My half-written draft" in html
    assert "including those not yet signed off" in html


@pytest.mark.parametrize("url", ["/portfolio", "/portfolio?include=all"])
def test_never_another_persons_activities(client, year_of_work, url):
    html = client.get(url).get_data(as_text=True)
    assert "Porter" not in html


def test_one_left_out_is_in_the_singular(client, as_nurse, ref):
    my_activity(as_nurse, ref, status=ActivityStatus.DRAFT, title="Only draft")
    html = client.get("/portfolio").get_data(as_text=True)
    assert "1 activity not yet signed off is left out." in html
    assert "No activities signed off in" in html


def test_the_portfolio_carries_the_organisation_name(client, as_nurse):
    html = client.get("/portfolio").get_data(as_text=True)
    assert "Test Trust: communication skills development" in html


def test_the_configured_organisation_name_wins(app, client, as_nurse, monkeypatch):
    monkeypatch.setitem(app.config, "ORGANISATION_NAME", "Northshire Hospitals NHS Foundation Trust")
    html = client.get("/portfolio").get_data(as_text=True)
    assert "Northshire Hospitals NHS Foundation Trust: communication skills development" in html
