"""The hub: guidance pages (readable signed out), the course catalogue and the resource library
(signed in), and the editing pages education leads use (the nested "hub.edit" blueprint, whose
permission access.AREA_PERMISSIONS enforces before any of its views run)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import access, appraisal_year
from tracker.compliance import load_rules
from tracker.durations import number_text
from tracker.organisation import organisation_name
from tracker.extensions import db
from tracker.hub import forms as hub_forms
from tracker.hub import wheel
from tracker.hub.catalogue import (
    FORMATS,
    LEVELS,
    CatalogueFilters,
    CourseDetails,
    add_course,
    catalogue_query,
    course_details_of,
    update_course,
)
from tracker.hub.entries import set_retired
from tracker.hub.forms import (
    CatalogueFilterForm,
    CourseForm,
    LibraryFilterForm,
    ResourceForm,
    RetireForm,
    SectionForm,
)
from tracker.hub.framework_browser import (
    TIER_DESCRIPTIONS,
    behaviour_by_code,
    behaviours_at_tier,
    course_counts_by_behaviour,
    current_behaviour_choices,
    describe_rule,
    evidenced_behaviour_ids,
    framework_outline,
)
from tracker.hub.library import (
    AUDIENCES,
    LibraryFilters,
    ResourceDetails,
    add_resource,
    library_by_section,
    library_query,
    resource_details_of,
    update_resource,
)
from tracker.hub.links import broken_link_count
from tracker.hub.markdown import render_markdown
from tracker.pages.routes import PATH_OF_PAGE
from tracker.hub.sections import (
    SECTION_SUBJECTS,
    SECTION_TITLES,
    all_sections,
    find_section,
    neighbours,
    save_section,
    section_subjects,
    shipped_sections,
)
from tracker.hub.validation import clean_text
from tracker.models import TIERS, Course, Resource
from tracker.views import commit_or_show_errors

bp = Blueprint("hub", __name__, url_prefix="/hub")
edit = Blueprint("edit", __name__, url_prefix="/manage")

# Leadership and management, for people without a team dashboard: what to ask of their manager.
ASK_YOUR_MANAGER = (
    "protected time in the rota for communication-skills development, not only for courses",
    "to watch you in a real conversation now and then, and tell you what went well and what to try next",
    "a debrief or supervision after a distressing event",
    "to sign off the activities you submit promptly, or tell you what to add",
    "to talk through your year at your appraisal, using your portfolio from this tracker",
)


# --- helpers for templates ---------------------------------------------------------------


def log_activity_url(**params) -> str:
    """The portfolio's "log an activity" form, prefilled with the parameters that have a value."""
    return url_for("portfolio.log_activity", **{k: v for k, v in params.items() if v not in (None, "")})


@bp.app_template_global()
def hub_wheel():
    """The circle's centre and segments, wherever it is drawn (the sign-in page too)."""
    return wheel.segments(shipped_sections())


@bp.app_template_filter("hub_choice_item")
def _choice_item(choice) -> dict:
    """A WTForms (value, label) choice as an NHS.UK component item."""
    value, label = choice[0], choice[1]
    return {"value": value, "text": label}


@bp.context_processor  # the hub's templates only (the nested editing pages too)
def _hub_words():
    return {"FORMATS": FORMATS, "LEVELS": LEVELS, "AUDIENCES": AUDIENCES, "SECTION_TITLES": SECTION_TITLES,
            "log_activity_url": log_activity_url, "TIER_DESCRIPTIONS": TIER_DESCRIPTIONS,
            "describe_rule": describe_rule}


def _signed_in_tier() -> int | None:
    return current_user.tier if current_user.is_authenticated else None


def _may_edit() -> bool:
    return access.can(current_user, "catalogue.edit")


def _section_action(slug: str) -> dict:
    """Where each section leads: the part of the tracker that acts on it."""
    if slug in SECTION_SUBJECTS:
        subjects = section_subjects(slug, _signed_in_tier())
        text = {"patient": "Log an activity about talking with patients",
                "staff": "Log an activity about working with colleagues"}[slug]
        return {"text": text, "href": log_activity_url(subjects=",".join(map(str, subjects)))}
    if slug == "leadership-and-management":
        if access.can(current_user, "team"):
            return {"text": "Go to your team dashboard", "href": url_for("team.dashboard")}
        return {"ask": ASK_YOUR_MANAGER}
    return {
        "relevant-frameworks": {"text": "Browse the framework and what your tier asks", "href": url_for("hub.framework")},
        "training-and-elearning": {"text": "Find a course in the course catalogue", "href": url_for("hub.catalogue")},
        "resources-and-more-information": {"text": "Open the resource library", "href": url_for("hub.resources")},
    }[slug]


# --- guidance (public) --------------------------------------------------------------------


@bp.route("")
def index():
    return render_template("hub/index.html", sections=all_sections())


@bp.route("/framework")
def framework():
    outline = framework_outline()
    own_tier = _signed_in_tier()
    chosen = request.args.get("tier", "")
    tier = int(chosen) if chosen in {str(t) for t in TIERS} else (None if chosen == "all" else own_tier)
    evidenced = set()
    if current_user.is_authenticated:
        year = appraisal_year.current_year()
        evidenced = evidenced_behaviour_ids(current_user, year)
    shown, left_out = behaviours_at_tier(outline, tier) if outline else ([], [])
    return render_template(
        "hub/framework.html", framework=outline, tier=tier, own_tier=own_tier, rules=load_rules(appraisal_year.current_year()),
        may_set_rules=access.can(current_user, "requirement.manage"),
        may_import_framework=access.can(current_user, "framework.manage"),
        # Those who keep the framework (education leads, admins) get where it comes from and what to check.
        full_wording_note=access.can(current_user, "framework.manage"), organisation=organisation_name(),
        shown=shown, left_out=left_out,
        course_counts=course_counts_by_behaviour(current_user) if outline else {},
        evidenced=evidenced,
    )


@bp.route("/<slug>")
def section(slug: str):
    shown = find_section(slug) if slug in SECTION_TITLES else None  # service pages live at their own address
    if shown is None:
        abort(404)
    previous, following = neighbours(slug)
    return render_template(
        "hub/section.html", section=shown, body=render_markdown(shown.body_markdown),
        action=_section_action(slug), previous=previous, following=following, may_edit=_may_edit(),
    )


# --- catalogue and library (signed in) ------------------------------------------------------


@bp.route("/courses")
def catalogue():
    form = CatalogueFilterForm(formdata=request.args)
    choices = current_behaviour_choices()
    form.behaviour.choices = hub_forms.choices([("", "Any behaviour")] + [
        (b.code, f"{b.code} {b.text}") for _, behaviours in choices for b in behaviours
    ])
    may_edit = _may_edit()
    codes = {b.code for _, behaviours in choices for b in behaviours}
    filters = CatalogueFilters(
        text=" ".join(clean_text(form.q.data).split())[:200],
        formats=[f for f in form.format.data or [] if f in FORMATS],
        levels=[lv for lv in form.level.data or [] if lv in LEVELS],
        experiential_only=bool(form.experiential.data),
        behaviour_code=form.behaviour.data if form.behaviour.data in codes else "",
        include_retired=may_edit and bool(form.retired.data),
        broken_links_only=may_edit and bool(form.broken.data),
    )
    courses = db.session.scalars(catalogue_query(current_user, filters)).all()
    return render_template(
        "hub/catalogue.html", form=form, courses=courses, filters=filters, may_edit=may_edit,
        behaviour=behaviour_by_code(filters.behaviour_code),
        broken=broken_link_count(Course) if may_edit else 0,
    )


@bp.route("/courses/<int:course_id>")
def course(course_id: int):
    shown = access.course_for(current_user, course_id)
    return render_template("hub/course.html", course=shown, may_edit=_may_edit(), retire_form=RetireForm())


@bp.route("/resources")
def resources():
    form = LibraryFilterForm(formdata=request.args)
    may_edit = _may_edit()
    filters = LibraryFilters(
        section=form.section.data if form.section.data in SECTION_TITLES else "",
        audience=form.audience.data if form.audience.data in AUDIENCES else "",
        include_retired=may_edit and bool(form.retired.data),
        broken_links_only=may_edit and bool(form.broken.data),
    )
    shown = db.session.scalars(library_query(current_user, filters)).all()
    return render_template(
        "hub/resources.html", form=form, groups=library_by_section(shown), total=len(shown),
        filters=filters, may_edit=may_edit, retire_form=RetireForm(),
        broken=broken_link_count(Resource) if may_edit else 0,
    )


# --- editing (education leads) -------------------------------------------------------------


def _retire_or_restore(shown: Course | Resource, retired: bool, place: str, back: str):
    """Retire a course or resource (staff no longer see it) or restore it, then go back to `back`."""
    form = RetireForm()
    if form.validate_on_submit() and commit_or_show_errors(form, lambda: set_retired(current_user, shown, retired)):
        flash(f"{shown.title} has been {'retired: staff no longer see it' if retired else f'restored to the {place}'}.",
              "success")
    return redirect(back)


@edit.route("/sections/<slug>", methods=["GET", "POST"])
def section_text(slug: str):
    shown = find_section(slug)
    if shown is None:
        abort(404)
    form = SectionForm(data={"summary": shown.summary, "body": shown.body_markdown})
    preview = None
    if form.validate_on_submit():
        if request.form.get("action") == "preview":
            preview = render_markdown(form.body.data)
        elif commit_or_show_errors(form, lambda: save_section(current_user, slug, form.summary.data, form.body.data)):
            flash(f"The {shown.title} page has been saved.", "success")
            if slug in PATH_OF_PAGE:
                return redirect(url_for("pages.page", path=PATH_OF_PAGE[slug]))
            return redirect(url_for("hub.section", slug=slug))
    return render_template("hub/edit_section.html", section=shown, form=form, preview=preview)


def _course_details(form: CourseForm) -> CourseDetails:
    return CourseDetails(
        title=form.title.data, provider=form.provider.data, format=form.format.data, level=form.level.data,
        duration_hours=form.duration_hours.data, url=form.url.data, experiential=form.experiential.data,
        description=form.description.data, behaviour_ids=form.behaviours.data or [],
    )


def _course_form_page(form: CourseForm, shown: Course | None):
    ticked = set(form.behaviours.data or [])
    groups = [
        (subject, [{"value": b.id, "text": f"{b.code} {b.text}", "checked": b.id in ticked} for b in behaviours])
        for subject, behaviours in current_behaviour_choices()
    ]
    return render_template("hub/edit_course.html", form=form, course=shown, behaviour_groups=groups)


@edit.route("/courses/new", methods=["GET", "POST"])
def course_new():
    form = CourseForm()
    if form.validate_on_submit():
        added = commit_or_show_errors(form, lambda: add_course(current_user, _course_details(form)))
        if added:
            flash(f"{added.title} has been added to the catalogue.", "success")
            return redirect(url_for("hub.course", course_id=added.id))
    return _course_form_page(form, None)


@edit.route("/courses/<int:course_id>", methods=["GET", "POST"])
def course_edit(course_id: int):
    shown = access.course_for(current_user, course_id)
    if request.method == "GET":
        details = course_details_of(shown)
        form = CourseForm(data={**details.__dict__, "behaviours": details.behaviour_ids,
                                "duration_hours": number_text(details.duration_hours)})
    else:
        form = CourseForm()
        if form.validate_on_submit():
            if commit_or_show_errors(form, lambda: update_course(current_user, shown, _course_details(form))):
                flash("Your changes have been saved.", "success")
                return redirect(url_for("hub.course", course_id=shown.id))
    return _course_form_page(form, shown)


@edit.route("/courses/<int:course_id>/retire", methods=["POST"])
def course_retire(course_id: int):
    return _set_course_retired(course_id, True)


@edit.route("/courses/<int:course_id>/restore", methods=["POST"])
def course_restore(course_id: int):
    return _set_course_retired(course_id, False)


def _set_course_retired(course_id: int, retired: bool):
    shown = access.course_for(current_user, course_id)
    return _retire_or_restore(shown, retired, "catalogue", url_for("hub.course", course_id=shown.id))


def _resource_details(form: ResourceForm) -> ResourceDetails:
    return ResourceDetails(title=form.title.data, publisher=form.publisher.data, section=form.section.data,
                                    audience=form.audience.data, summary=form.summary.data, url=form.url.data)


@edit.route("/resources/new", methods=["GET", "POST"])
def resource_new():
    form = ResourceForm(data={"section": request.args.get("section"), "audience": "everyone"}
                        if request.method == "GET" else None)
    if form.validate_on_submit():
        added = commit_or_show_errors(form, lambda: add_resource(current_user, _resource_details(form)))
        if added:
            flash(f"{added.title} has been added to the library.", "success")
            return redirect(url_for("hub.resources", section=added.section_slug))
    return render_template("hub/edit_resource.html", form=form, resource=None)


@edit.route("/resources/<int:resource_id>", methods=["GET", "POST"])
def resource_edit(resource_id: int):
    shown = access.resource_for(current_user, resource_id)
    form = ResourceForm(data=resource_details_of(shown).__dict__ if request.method == "GET" else None)
    if form.validate_on_submit():
        if commit_or_show_errors(form, lambda: update_resource(current_user, shown, _resource_details(form))):
            flash("Your changes have been saved.", "success")
            return redirect(url_for("hub.resources", section=shown.section_slug))
    return render_template("hub/edit_resource.html", form=form, resource=shown, retire_form=RetireForm())


@edit.route("/resources/<int:resource_id>/retire", methods=["POST"])
def resource_retire(resource_id: int):
    return _set_resource_retired(resource_id, True)


@edit.route("/resources/<int:resource_id>/restore", methods=["POST"])
def resource_restore(resource_id: int):
    return _set_resource_retired(resource_id, False)


def _set_resource_retired(resource_id: int, retired: bool):
    shown = access.resource_for(current_user, resource_id)
    return _retire_or_restore(shown, retired, "library",
                        url_for("hub.resources", section=shown.section_slug, retired="y" if retired else None))


bp.register_blueprint(edit)
