"""Staff portfolio: My year and logging an activity, with every refusal of the form."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.shipped import behaviours_for_tier
from tests.web.portfolio.builders import (
    GIBBS,
    VALID_NHS,
    activity_count,
    activity_form,
    date_fields,
    my_activity,
    only_activity,
)
from tracker.extensions import db
from tracker.framework_import import import_framework
from tracker.models import (
    ActivityStatus,
    AuditEvent,
    Behaviour,
    Exemption,
    ExemptionReason,
    Notice,
    RequirementRule,
)
from tracker.portfolio.activity_input import NHS_NUMBER_MESSAGE


# --- My year ---------------------------------------------------------------------------------


def test_my_year_for_someone_new_says_not_started_and_what_is_needed(client, as_nurse, this_year):
    html = client.get("/my-year").get_data(as_text=True)
    assert "<h1" in html and "My year" in html
    assert "not started" in html
    assert "2 more experiential activities" in html and "3 more hours of experiential activity" in html
    assert "4 more behaviours" in html
    assert re.search(r"\d+ days? left|last day of this appraisal year", html)
    assert f"Appraisal year {this_year.label}" in html
    assert "Behaviours for tier 2" in html and "Not yet" in html


def test_my_year_shows_my_activities_statuses_and_evidenced_behaviours(client, as_nurse, ref):
    my_activity(as_nurse, ref, title="Signed-off observation", behaviours=[ref["b"]["2.2"], ref["b"]["3.1"]])
    my_activity(as_nurse, ref, title="Waiting debrief", status=ActivityStatus.SUBMITTED, behaviours=[ref["b"]["4.1"]])
    html = client.get("/my-year").get_data(as_text=True)
    assert "Signed-off observation" in html and "Waiting debrief" in html
    assert "in progress" in html
    assert "awaiting sign-off of 1 activity" in html
    assert "Evidenced" in html and "Awaiting sign-off" in html
    assert (f"Evidenced this year by experiential activities: 2 of {behaviours_for_tier(2)} signed off, "
            "1 more awaiting sign-off") in html


def test_my_year_never_shows_other_peoples_activities(client, as_nurse, org, ref):
    my_activity(org["stranger"], ref, title="Someone else's secret")
    assert "Someone else&#39;s secret" not in client.get("/my-year").get_data(as_text=True)


def test_my_year_becomes_complete(client, as_nurse, ref):
    for codes in (("2.1", "2.2"), ("3.1", "4.1")):
        my_activity(as_nurse, ref, minutes=90, behaviours=[ref["b"][c] for c in codes])
    html = client.get("/my-year").get_data(as_text=True)
    assert "complete" in html and "You have met this year" in html
    assert "Still needed" not in html


def test_one_hour_reads_as_one_hour_never_one_hours(client, as_nurse, ref):
    db.session.get(RequirementRule, (0, 2)).min_hours = Decimal(1)
    course = next(c for c in ref["courses"].values() if c.experiential and not c.retired
                  and any(b.code.startswith("2.") for b in c.behaviours))
    course.duration_hours = Decimal(1)
    my_activity(as_nurse, ref, minutes=60, status=ActivityStatus.SUBMITTED)
    html = client.get("/my-year").get_data(as_text=True)
    assert "at least 1 hour in all" in html  # the tier's rule
    assert "1 more hour awaiting sign-off" in html  # the hours part of the rule
    assert f"{course.provider} · 1 hour · {course.format}" in html  # a suggested course
    assert not re.search(r"\b1 hours\b", html)


def test_an_activitys_hours_are_a_decimal_like_every_other_figure(ref, org):
    activity = my_activity(org["nurse"], ref, minutes=100)
    assert activity.hours == Decimal("1.67") and isinstance(activity.hours, Decimal)


def test_days_left_counts_down_to_the_last_day(client, as_nurse, clock, this_year):
    clock.move_to(this_year.ends_on - timedelta(days=1))
    assert "1 day left" in client.get("/my-year").get_data(as_text=True)
    clock.move_to(this_year.ends_on)
    assert "Today is the last day of this appraisal year" in client.get("/my-year").get_data(as_text=True)


def test_an_exempt_person_sees_why_and_nothing_is_needed(client, as_nurse, org, today):
    db.session.add(Exemption(person_id=as_nurse.id, reason=ExemptionReason.PARENTAL_LEAVE, recorded_by_id=org["manager"].id,
                             starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=100)))
    db.session.commit()
    html = client.get("/my-year").get_data(as_text=True)
    assert "exempt" in html and "parental leave" in html and "Still needed" not in html


def test_year_switcher_shows_an_earlier_year(client, as_nurse, ref, this_year):
    last_year = this_year.previous()
    my_activity(as_nurse, ref, title="Last year's shadowing", occurred_on=last_year.starts_on + timedelta(days=10))
    html = client.get("/my-year").get_data(as_text=True)
    assert f'value="{last_year.start_year}"' in html and "Last year&#39;s shadowing" not in html
    html = client.get(f"/my-year?year={last_year.start_year}").get_data(as_text=True)
    assert "Last year&#39;s shadowing" in html and "overdue" in html
    assert f"ended on" in html


@pytest.mark.parametrize("year", ["abc", "1990", "next", "-1", "99999999999999999999"])
def test_unknown_years_are_404(client, as_nurse, this_year, year):
    year = str(this_year.start_year + 1) if year == "next" else year
    assert client.get(f"/my-year?year={year}").status_code == 404
    assert client.get(f"/portfolio?year={year}").status_code == 404


def test_my_year_shows_notices_and_they_can_be_dismissed(client, as_nurse, org, post_form, today):
    notice = Notice(person_id=as_nurse.id, sent_by_id=org["manager"].id, sent_on=today,
                    message="Please log an activity before your appraisal")
    others = Notice(person_id=org["stranger"].id, sent_on=today, message="Not for the nurse")
    db.session.add_all([notice, others])
    db.session.commit()
    html = client.get("/my-year").get_data(as_text=True)
    assert "Please log an activity before your appraisal" in html and "Not for the nurse" not in html
    response = post_form(f"/notices/{notice.id}/dismiss", token_from="/my-year")
    assert response.status_code == 302
    assert "Please log an activity before your appraisal" not in client.get("/my-year").get_data(as_text=True)
    assert notice.dismissed_at is not None


def test_dismissing_someone_elses_notice_is_404(client, as_nurse, org, post_form, today):
    others = Notice(person_id=org["stranger"].id, sent_on=today, message="Not for the nurse")
    db.session.add(others)
    db.session.commit()
    assert post_form(f"/notices/{others.id}/dismiss", token_from="/my-year").status_code == 404
    assert others.dismissed_at is None


def test_my_year_suggests_courses_and_activity_types(client, as_nurse):
    html = client.get("/my-year").get_data(as_text=True)
    assert "Ideas for the behaviours you have not evidenced yet" in html
    assert "Log this course" in html and "/activities/new?course=" in html
    assert "/activities/new?type=" in html


def test_my_year_query_count_does_not_grow_with_activities(client, as_nurse, ref, count_queries):
    my_activity(as_nurse, ref)  # each my_activity() commits, so both requests start from the same state
    with count_queries() as few:
        assert client.get("/my-year").status_code == 200
    for _ in range(12):
        my_activity(as_nurse, ref, behaviours=[ref["b"]["2.1"], ref["b"]["4.2"]])
    with count_queries() as many:
        assert client.get("/my-year").status_code == 200
    assert many.count == few.count, many.statements[few.count:]


# --- the form ----------------------------------------------------------------------------------


def test_the_form_uses_the_agreed_words_and_is_private_by_default(client, as_nurse, today):
    html = client.get("/activities/new").get_data(as_text=True)
    for words in ("Save as draft", "Submit for sign-off", "What? So what? Now what?", "Gibbs reflective cycle",
                  "Revalidation reflective account", "My manager may read my full reflection"):
        assert words in html, words
    box = re.search(r'<input[^>]*name="manager_may_read"[^>]*>', html).group(0)
    assert "checked" not in box
    assert f'name="occurred_on_day" type="text" value="{today.day}"' in html.replace("\n", " ") or \
        re.search(rf'id="occurred_on_day"[^>]*value="{today.day}"', html)
    assert 'enctype="multipart/form-data"' in html
    assert 'data-autosave-key="tracker:%d:activity:new"' % as_nurse.id in html


def test_experiential_types_come_first(client, as_nurse, ref):
    html = client.get("/activities/new").get_data(as_text=True)
    experiential = html.index("Observed practice with feedback")
    not_counted = html.index("E-learning module (does not count)")
    assert experiential < not_counted


def test_only_my_tiers_behaviours_are_offered(client, as_nurse, ref):
    html = client.get("/activities/new").get_data(as_text=True)
    assert f'value="{ref["b"]["4.1"].id}"' in html  # tier 2
    assert f'value="{ref["b"]["5.1"].id}"' not in html  # tier 3 only


def test_course_link_preselects_the_course_and_ticks_its_behaviours(client, as_nurse, ref):
    course = ref["courses"]["sage-thyme-foundation"]
    html = client.get(f"/activities/new?course={course.id}").get_data(as_text=True)
    assert re.search(rf'<option value="{course.id}"[^>]*selected', html)
    for code in ("2.2", "2.4", "3.1", "3.2", "3.4"):
        assert re.search(rf'value="{ref["b"][code].id}"[^>]*checked', html), code
    assert 'value="SAGE &amp; THYME Foundation Level workshop"' in html


def test_behaviour_and_subject_links_pretick_and_open_first(client, as_nurse, ref):
    html = client.get("/activities/new?behaviours=2.1,2.3,5.1,nonsense&subjects=4").get_data(as_text=True)
    assert re.search(rf'value="{ref["b"]["2.1"].id}"[^>]*checked', html)
    assert re.search(rf'value="{ref["b"]["2.3"].id}"[^>]*checked', html)
    assert not re.search(rf'value="{ref["b"]["2.2"].id}"[^>]*checked', html)
    subjects = re.findall(r'data-subject="(\d+)"[^>]*?( open)?>', html)
    assert subjects[0] == ("4", " open")
    assert ("2", " open") in subjects and ("1", "") in subjects


def test_unknown_link_values_are_ignored(client, as_nurse):
    response = client.get("/activities/new?course=99999&behaviours=9.9&subjects=x&type=nope")
    assert response.status_code == 200


def test_save_as_draft_needs_only_date_title_and_type(client, as_nurse, ref, post_form, in_year):
    data = {**date_fields(in_year), "title": "Shadowed the specialist nurse",
            "type_id": str(ref["types"]["shadowing"].id), "action": "draft"}
    response = post_form("/activities/new", data)
    activity = only_activity()
    assert response.status_code == 302 and response.headers["Location"] == f"/activities/{activity.id}"
    assert activity.status == ActivityStatus.DRAFT and activity.owner_id == as_nurse.id
    assert activity.behaviours == [] and activity.reflection == {} and activity.submitted_at is None
    assert activity.manager_may_read is False
    events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.activity_id == activity.id)).all()
    assert events == ["activity.created"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved as a draft" in page


def test_submit_sends_it_to_my_line_manager_and_my_year_changes(client, as_nurse, ref, post_form):
    response = post_form("/activities/new", activity_form(ref, manager_may_read="y"))
    activity = only_activity()
    assert response.status_code == 302 and response.headers["Location"].startswith("/my-year")
    assert activity.status == ActivityStatus.SUBMITTED and activity.submitted_at is not None
    assert activity.duration_minutes == 90 and activity.manager_may_read is True
    assert activity.reflection_model.value == "gibbs"
    assert activity.reflection == {key.split("__")[1]: text for key, text in GIBBS.items()}
    assert {b.code for b in activity.behaviours} == {"2.2", "4.1"}
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.activity_id == activity.id)).all()
    assert actions == ["activity.created", "activity.submitted"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Submitted for sign-off to Wyn Wardmanager" in html
    assert "awaiting sign-off of 1 activity" in html


def test_only_the_chosen_models_answers_are_kept(client, as_nurse, ref, post_form):
    post_form("/activities/new", activity_form(ref, what_so_what__what="A stray answer"))
    assert "what" not in only_activity().reflection


def test_an_invalid_ten_digit_number_is_not_mistaken_for_an_nhs_number(client, as_nurse, ref, post_form):
    response = post_form("/activities/new", activity_form(ref, gibbs__description="Bleep 123 456 7890 next time"))
    assert response.status_code == 302
    assert only_activity().reflection["description"] == "Bleep 123 456 7890 next time"


# --- every refusal: a clear message on the form, nothing saved ----------------------------------


def refused(response, message):
    html = response.get_data(as_text=True)
    assert response.status_code == 200, response.status_code
    assert "There is a problem" in html and message in html, message
    assert "<title>Error:" in html
    assert activity_count() == 0
    return html


@pytest.mark.parametrize("overrides,message", [
    ({"occurred_on_day": "", "occurred_on_month": "", "occurred_on_year": ""}, "Enter the date of the activity"),
    ({"occurred_on_month": ""}, "Date of the activity must include a month"),
    ({"occurred_on_day": "31", "occurred_on_month": "2"}, "Date of the activity must be a real date"),
    ({"occurred_on_day": "x"}, "Date of the activity must be a real date"),
    ({"occurred_on_year": "99999999999"}, "Date of the activity must be a real date"),
    ("tomorrow", "Date of the activity must be today or in the past"),
    ("the day before last year began", "earlier appraisal years are closed"),
    ({"title": ""}, "Enter a title for the activity"),
    ({"title": "x" * 201}, "Title must be 200 characters or fewer"),
    ({"type_id": ""}, "Select the type of activity"),
    ({"type_id": "99999"}, "Select the type of activity"),
    ({"type_id": "1; drop table activity"}, "Select the type of activity"),
    ({"duration_hours": "", "duration_minutes": ""}, "Enter how long the activity took"),
    ({"duration_minutes": "75"}, "Minutes must be between 0 and 59"),
    ({"duration_hours": "100"}, "Duration must be 99 hours or less"),
    ({"duration_hours": "1.5"}, "Duration must be whole hours and minutes"),
    ({"course_id": "99999"}, "Select a course from the list"),
    ({"course_id": "abc"}, "Select a course from the list"),
    ({"behaviour_ids": []}, "Select at least one behaviour that this activity shows"),
    ({"behaviour_ids": ["abc"]}, "Select behaviours from the list for your tier"),
    ({"behaviour_ids": ["99999"]}, "Select behaviours from the list for your tier"),
    ({"reflection_model": ""}, "Select how you want to reflect on this activity"),
    ({"reflection_model": "freeform"}, "Select a reflection model from the list"),
    ({"gibbs__feelings": ""}, "Answer ‘Feelings’"),
    ({"gibbs__analysis": "x" * 10_001}, "Analysis must be 10,000 characters or fewer"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_saved(client, as_nurse, ref, post_form, today, this_year,
                                                               overrides, message):
    days = {"tomorrow": today + timedelta(days=1),
            "the day before last year began": this_year.previous().starts_on - timedelta(days=1)}
    if isinstance(overrides, str):
        overrides = date_fields(days[overrides])
    refused(post_form("/activities/new", activity_form(ref, **overrides)), message)


def test_a_behaviour_of_a_higher_tier_is_refused(client, as_nurse, ref, post_form):
    tampered = activity_form(ref, behaviour_ids=[str(ref["b"]["2.2"].id), str(ref["b"]["5.1"].id)])
    refused(post_form("/activities/new", tampered), "Select behaviours from the list for your tier")


def test_a_behaviour_of_another_framework_is_refused(client, as_nurse, ref, post_form):
    other = import_framework({
        "code": "other", "version": "1", "title": "Another framework", "short_title": "Other",
        "domains": [{"code": "X", "title": "X", "subjects": [{"number": 1, "title": "X", "behaviours": [
            {"code": "1.1", "text": "Another framework's behaviour", "tiers": [1, 2, 3]}]}]}],
    }, apply=False)
    db.session.commit()
    foreign = db.session.scalar(select(Behaviour).where(Behaviour.framework_id == other.framework.id))
    refused(post_form("/activities/new", activity_form(ref, behaviour_ids=[str(foreign.id)])),
            "Select behaviours from the list for your tier")


def test_a_retired_course_is_refused(client, as_nurse, ref, post_form):
    course = ref["courses"]["vitaltalk"]
    course.retired = True
    db.session.commit()
    refused(post_form("/activities/new", activity_form(ref, course_id=str(course.id))), "Select a course from the list")


def test_drafts_are_checked_too_except_for_completeness(client, as_nurse, ref, post_form):
    refused(post_form("/activities/new", activity_form(ref, action="draft", title="")), "Enter a title for the activity")
    response = post_form("/activities/new", activity_form(ref, action="draft", behaviour_ids=[], reflection_model="",
                                                          duration_hours="", duration_minutes=""))
    assert response.status_code == 302 and only_activity().status == ActivityStatus.DRAFT


def test_errors_link_to_their_fields_and_keep_what_was_typed(client, as_nurse, ref, post_form):
    html = refused(post_form("/activities/new", activity_form(ref, title="", gibbs__feelings="")),
                   "Enter a title for the activity")
    assert 'href="#title"' in html and 'href="#gibbs__feelings"' in html
    assert GIBBS["gibbs__analysis"] in html  # nothing typed is lost
    assert html.index('href="#title"') < html.index('href="#gibbs__feelings"')  # page order
    assert 'data-autosave-state="returned"' in html


def test_date_errors_link_to_the_day_and_behaviour_errors_open_every_subject(client, as_nurse, ref, post_form):
    html = refused(post_form("/activities/new", activity_form(ref, occurred_on_day="", occurred_on_month="",
                                                              occurred_on_year="", behaviour_ids=[])),
                   "Enter the date of the activity")
    assert 'href="#occurred_on_day"' in html and 'href="#behaviour_ids"' in html
    assert 'id="behaviour_ids"' in html
    assert not re.search(r'<details[^>]*data-subject="\d+"(?![^>]*open)[^>]*>', html)


@pytest.mark.parametrize("field", ["title", "gibbs__description", "gibbs__action_plan"])
@pytest.mark.parametrize("written", [VALID_NHS, "9434765919", "943-476-5919"])
def test_a_valid_nhs_number_is_refused_and_never_echoed_or_logged(client, as_nurse, ref, post_form, caplog, field, written):
    digits = written.replace(" ", "").replace("-", "")
    text = f"Spoke with the patient ({written}) about the plan"
    html = refused(post_form("/activities/new", activity_form(ref, **{field: text})), NHS_NUMBER_MESSAGE)
    assert digits not in html.replace(" ", "").replace("-", "")
    assert "[number removed]" in html  # the rest of the text is kept, the number masked
    assert re.search(rf'href="#{field}"', html)
    assert digits not in caplog.text.replace(" ", "").replace("-", "")
    details = db.session.scalars(select(AuditEvent.detail)).all()
    assert digits not in str(details)


def test_a_refused_form_is_not_a_500_for_nonsense_fields(client, as_nurse, ref, post_form):
    data = activity_form(ref, remove_evidence=["abc"], action="nonsense")
    refused(post_form("/activities/new", data), "Select files to remove from the list")


def test_posting_without_the_csrf_token_is_refused(client, as_nurse, ref):
    response = client.post("/activities/new", data=activity_form(ref))
    assert response.status_code == 400 and activity_count() == 0


def test_a_form_too_large_to_read_gets_the_form_back_with_a_message(app, client, as_nurse, ref, post_form, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 20_000)
    response = post_form("/activities/new", activity_form(ref, gibbs__analysis="x" * 30_000))
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Nothing was saved because the form was too large to send" in html
    assert "Log an activity" in html and 'data-autosave-state="lost"' in html
    assert activity_count() == 0


def test_log_activity_uses_the_day_the_view_gives(client, as_nurse, ref, post_form, clock, in_year):
    # The rules are judged on appraisal_year.today(): moving it moves what "the future" means.
    clock.move_to(in_year - timedelta(days=1))
    refused(post_form("/activities/new", activity_form(ref, on=in_year)), "Date of the activity must be today or in the past")


def test_an_nhs_number_in_an_unchosen_models_answer_is_not_echoed_either(client, as_nurse, ref, post_form):
    html = refused(post_form("/activities/new", activity_form(ref, title="", what_so_what__what=f"Old draft {VALID_NHS}")),
                   "Enter a title for the activity")
    assert "5919" not in html and "Old draft [number removed]" in html
