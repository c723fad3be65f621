"""The annual requirement page: education leads preview and save this year's rules and target;
earlier years keep theirs; bad input changes nothing; nobody else may reach it.

The known organisation (tests/conftest.py known_org) on 15 October 2025: Ada (tier 1, two
behaviours) and Gus (tier 2) are complete in 2025 to 2026; Hal was complete in 2024 to 2025 with two
behaviours. Raising tier 1's behaviours to 3 leaves only Gus complete this year.
"""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, make_person
from tests.support import csrf_token_from
from tracker.roster import Roster
from tracker import compliance, figures
from tracker.appraisal_year import AppraisalYear
from tracker.compliance import Status
from tracker.extensions import db
from tracker.models import AuditEvent, ComplianceTarget, Person, RequirementRule
from tracker.refusal import Refused
from tracker.reports import requirement

URL = "/reports/requirement"
THIS_YEAR, LAST_YEAR = AppraisalYear(2025), AppraisalYear(2024)


@pytest.fixture
def org(known_org, clock):
    clock.move_to(known_org["day"])
    tree = known_org["tree"]
    make_person(tree["trust"], email="lead@example.org", tier=1, roles=["education_lead"], name="Lee Lead")
    make_person(tree["trust"], email="boss@example.org", tier=1, roles=["manager"], scope=[tree["cancer"]])
    make_person(tree["ward7"], email="nurse@example.org", tier=2)
    db.session.commit()
    return known_org


def form_of(**changes) -> dict:
    """The form as it starts (the default rules, target 85, amber band 15) with `changes` typed in."""
    data = requirement.as_form_data({t: compliance.Rule(t, **v) for t, v in compliance.DEFAULT_RULES.items()},
                                    compliance.Target(85, 15))
    data = {k: ("y" if v is True else v) for k, v in data.items() if v is not False}
    data.update(changes)
    return data


def post(client, data: dict, action: str):
    token = csrf_token_from(client.get(URL).get_data(as_text=True))
    return client.post(URL, data={**data, "action": action, "csrf_token": token})


def complete_count(year: AppraisalYear, today: date) -> int:
    return figures.roll_up(figures.status_cube(Roster.of(year, today).people(), year, today)).counts[Status.COMPLETE]


def rule_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(RequirementRule))


def test_education_lead_sees_this_years_rules(client, sign_in, org):
    sign_in("lead@example.org", PASSWORD)
    html = client.get(URL).get_data(as_text=True)
    assert "<h1>Annual requirement</h1>" in html and "2025 to 2026" in html
    assert re.search(r'id="tier2_hours"[^>]*value="3"', html)
    assert "Nobody has changed the rules in the tracker yet" in html


def test_the_preview_says_what_would_change_and_saves_nothing(client, sign_in, org):
    sign_in("lead@example.org", PASSWORD)
    rows_before = rule_rows()
    html = post(client, form_of(tier1_behaviours="3"), "preview").get_data(as_text=True)
    assert "With these rules, 1 person would be complete instead of 2" in html
    assert rule_rows() == rows_before
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == requirement.CHANGED)) == 0


def test_saving_gives_what_the_preview_said_and_leaves_last_year_alone(client, sign_in, org):
    day = org["day"]
    last_year_complete = complete_count(LAST_YEAR, day)
    last_year_statuses = db.session.execute(compliance.status_query(Roster.of(LAST_YEAR, day).people(), LAST_YEAR, day)).all()
    sign_in("lead@example.org", PASSWORD)
    preview_html = post(client, form_of(tier1_behaviours="3", target="90", amber_band="5"), "preview").get_data(as_text=True)
    predicted = int(re.search(r"With these rules, (\d+) (?:person|people) would be complete", preview_html).group(1))

    response = post(client, form_of(tier1_behaviours="3", target="90", amber_band="5"), "save")
    assert response.status_code == 302 and response.headers["Location"].endswith(URL)
    page = client.get(URL).get_data(as_text=True)
    assert "Rules saved for 2025 to 2026" in page
    assert "Tier 1: behaviours 2 to 3" in page and "Target 85% to 90%, amber band 15 to 5 points" in page

    assert complete_count(THIS_YEAR, day) == predicted == 1
    assert compliance.load_rules(THIS_YEAR)[1].min_behaviours == 3
    target = compliance.load_target(THIS_YEAR, 85)
    assert (int(target), target.amber_band) == (90, 5)
    # Last year reads exactly as it did.
    assert compliance.load_rules(LAST_YEAR)[1].min_behaviours == 2
    assert (int(compliance.load_target(LAST_YEAR, 70)), compliance.load_target(LAST_YEAR, 70).amber_band) == (85, 15)
    assert complete_count(LAST_YEAR, day) == last_year_complete
    assert db.session.execute(compliance.status_query(Roster.of(LAST_YEAR, day).people(), LAST_YEAR, day)).all() == last_year_statuses


@pytest.mark.parametrize("field, value, message", [
    ("tier2_hours", "three", "The hours for Tier 2 must be a number from 0 to 500, for example 3 or 1.5"),
    ("tier2_hours", "-1", "The hours for Tier 2 must be a number from 0 to 500, for example 3 or 1.5"),
    ("tier2_hours", "1.555", "The hours for Tier 2 must be a number from 0 to 500, for example 3 or 1.5"),
    ("tier2_hours", "NaN", "The hours for Tier 2 must be a number from 0 to 500, for example 3 or 1.5"),
    ("tier2_hours", "", "Enter the hours for Tier 2"),
    ("tier1_activities", "-1", "The experiential activities for Tier 1 must be a whole number from 0 to 50"),
    ("tier3_behaviours", "2.5", "The behaviours for Tier 3 must be a whole number from 0 to 100"),
    ("target", "0", "The compliance target must be a whole number from 1 to 100"),
    ("target", "", "Enter the compliance target"),
    ("amber_band", "101", "The amber band must be a whole number from 0 to 100"),
])
def test_bad_input_is_named_by_its_field_and_changes_nothing(client, sign_in, org, field, value, message):
    sign_in("lead@example.org", PASSWORD)
    rows_before = rule_rows()
    for action in ("save", "preview"):
        response = post(client, form_of(**{field: value}), action)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "There is a problem" in html
        assert f'href="#{field}"' in html and message in html
    assert rule_rows() == rows_before
    assert db.session.scalar(select(func.count()).select_from(ComplianceTarget)) == 0


@pytest.mark.parametrize("email", ["boss@example.org", "nurse@example.org"])
def test_nobody_but_education_leads_and_admins_may_set_the_rules(client, sign_in, org, email):
    sign_in(email, PASSWORD)
    assert client.get(URL).status_code == 403
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post(URL, data={**form_of(tier1_behaviours="9"), "action": "save", "csrf_token": token})
    assert response.status_code == 403
    assert compliance.load_rules(THIS_YEAR)[1].min_behaviours == 2


def test_the_rules_page_is_linked_from_the_reports_and_the_framework(client, sign_in, org):
    sign_in("lead@example.org", PASSWORD)
    for page in ("/reports/", "/hub/framework"):
        assert f'href="{URL}"' in client.get(page).get_data(as_text=True), page


def test_a_closed_year_cannot_be_given_new_rules(org):
    lead = db.session.scalar(select(Person).where(Person.email == "lead@example.org"))
    rules = compliance.load_rules(LAST_YEAR)
    with pytest.raises(Refused) as refused:
        requirement.save(lead, LAST_YEAR, {**rules, 1: compliance.Rule(1, 1, rules[1].min_hours, 5, False)},
                         compliance.Target(85), org["day"], 85)
    assert refused.value.errors == {"form": "The 2024 to 2025 appraisal year closed at the end of 30 April 2025, so nothing dated in it can be changed"}


def test_a_new_year_starts_with_the_previous_years_rules(org):
    lead = db.session.scalar(select(Person).where(Person.email == "lead@example.org"))
    rules = compliance.load_rules(THIS_YEAR)
    changed = {**rules, 2: compliance.Rule(2, 3, rules[2].min_hours, 5, False)}
    assert requirement.save(lead, THIS_YEAR, changed, compliance.Target(80, 10), org["day"], 85)
    assert compliance.load_rules(AppraisalYear(2026)) == changed
    assert int(compliance.load_target(AppraisalYear(2026), 85)) == 80
    assert not requirement.save(lead, THIS_YEAR, changed, compliance.Target(80, 10), org["day"], 85)


def test_after_a_rule_change_the_report_says_its_figures_are_being_updated_until_they_are(client, sign_in, org):
    """Each person's month of completion is kept per year by its rules (tracker.figures.upkeep): a
    change marks the year, the report meanwhile works its figures out from the activities and says
    so, and the worker's rebuild brings back the kept figures, equal to the rule."""
    from tracker.figures import upkeep, verify
    from tracker.notifications import worker

    day = org["day"]
    sign_in("lead@example.org", PASSWORD)
    assert "The figures are being updated" not in client.get("/reports/").get_data(as_text=True)
    post(client, form_of(tier1_behaviours="3"), "save")
    assert upkeep.marked_years() == [THIS_YEAR.start_year]
    page = client.get("/reports/").get_data(as_text=True)
    assert "The figures are being updated" in page
    assert complete_count(THIS_YEAR, day) == 1
    assert verify.differences(THIS_YEAR) != []  # Ada's kept month of completion was by the old rule

    assert worker.rebuild_marked_figures() == [THIS_YEAR.start_year]
    assert upkeep.marked_years() == [] and verify.differences(THIS_YEAR) == []
    assert "The figures are being updated" not in client.get("/reports/").get_data(as_text=True)
    assert complete_count(THIS_YEAR, day) == 1
    everyone = lambda year: Roster.of(year, day).people()  # noqa: E731
    assert (figures.monthly_compliance_years(everyone, [THIS_YEAR], day)
            == figures.monthly_compliance_years(everyone, [THIS_YEAR], day, compliance.load_rules(THIS_YEAR)))
