"""Education leads: organisation report, behaviour gaps, training uptake, and their exports.

The whole blueprint is behind the "reports" permission (education leads and admins; a manager
gets 403), checked centrally by tracker.access before any view runs.
"""
from __future__ import annotations

from functools import partial

from datetime import timedelta

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_login import current_user
from sqlalchemy import select

from tracker import access, appraisal_year, compliance, figures, scope_filters, unit_list
from tracker.extensions import db
from tracker.models import ActivityType
from tracker.refusal import Refused
from tracker.reports import exporting, pages, people_list
from tracker.framework_import import FrameworkFileError
from tracker.framework_years import years_and_frameworks
from tracker.reports import framework_version as version_page
from tracker.reports import requirement as requirement_page
from tracker.reports.forms import FrameworkImportForm, FrameworkUploadForm, RequirementForm
from tracker.views import commit_or_show_errors, show_errors
from tracker.year_closing import closes_on

bp = Blueprint("reports", __name__, url_prefix="/reports")

STATUS_CHOICES = [(s.value, s.label) for s in figures.STATUS_ORDER]


def _filters(allow_all_years: bool = False):
    return scope_filters.parse(request.args, current_user, allow_all_years=allow_all_years)


def _filter_choices() -> dict:
    """What the shared filter form offers: years, every unit of the organisation, staff groups,
    statuses and activity types."""
    return {
        "years": scope_filters.years_offered(),
        "units": unit_list.every_unit(),  # kept in the process until a unit changes
        "staff_groups": scope_filters.STAFF_GROUPS,
        "statuses": STATUS_CHOICES,
        "activity_types": db.session.scalars(select(ActivityType).order_by(ActivityType.position)).all(),
    }


def _reporting_scope():
    """Whom the viewer's reports count, as a function of a year's roster."""
    return partial(access.reporting_staff, current_user._get_current_object())


@bp.route("/")
def organisation():
    filters = _filters()
    sort = request.args.get("sort", "percent")
    sort = sort if sort in pages.UNIT_SORTS else "percent"
    descending = request.args.get("order") == "desc"
    compare = request.args.get("compare", pages.EARLIER_YEARS_DEFAULT, type=int)
    compare = compare if compare in range(1, pages.EARLIER_YEARS_MAX + 1) else pages.EARLIER_YEARS_DEFAULT
    target = compliance.load_target(filters.year, current_app.config["COMPLIANCE_TARGET"])
    report = pages.organisation_report(_reporting_scope(), filters, scope_filters.today(),
                                       target, sort=sort, descending=descending,
                                       earlier_years=compare, everyone=access.is_organisation_wide(current_user))
    db.session.commit()  # closed years' months computed for this page are kept
    return render_template("reports/organisation.html", report=report, filters=filters, sort=sort,
                           descending=descending, compare=compare, compare_max=pages.EARLIER_YEARS_MAX,
                           choices=_filter_choices())


@bp.route("/people")
def people():
    """The people behind a count of the organisation report, with the report's filters."""
    filters = _filters()
    sort = request.args.get("sort", "name")
    sort = sort if sort in people_list.SORTS else "name"
    descending = request.args.get("order") == "desc"
    listed = people_list.people_list(_reporting_scope(), filters, scope_filters.today(), sort=sort,
                                     descending=descending, page=request.args.get("page", 1, type=int) or 1)
    return render_template("reports/people.html", listed=listed, filters=filters, sort=sort, descending=descending,
                           choices=_filter_choices())


@bp.route("/behaviours")
def behaviours():
    filters = _filters()
    report = pages.behaviour_report(_reporting_scope(), filters, scope_filters.today())
    return render_template("reports/behaviours.html", report=report, filters=filters, choices=_filter_choices())


@bp.route("/training")
def training():
    filters = _filters()
    courses = pages.training_report(_reporting_scope(), filters, scope_filters.today())
    return render_template("reports/training.html", courses=courses, filters=filters, choices=_filter_choices())


@bp.route("/export/<key>.<fmt>")
def export(key: str, fmt: str):
    if key not in exporting.EXPORTS or fmt not in ("csv", "xlsx"):
        abort(404)
    filters = _filters(allow_all_years=exporting.EXPORTS[key].all_years)
    if filters.errors:
        abort(400)
    # A long export is prepared by a worker and e-mailed (README, "Prepared exports"), not streamed.
    estimate = exporting.estimated_rows(key, scope=_reporting_scope(), filters=filters)
    if prepared_views.prepared.is_long(estimate):
        return prepared_views.offer(key, fmt, filters, estimate)
    prepared = exporting.prepare(key, fmt, actor=current_user._get_current_object(),
                                 scope=_reporting_scope(), filters=filters,
                                 today=scope_filters.today())
    response = Response(stream_with_context(prepared.body), mimetype=prepared.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{prepared.file_name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the annual requirement ----------------------------------------------------------------


@bp.route("/requirement", methods=["GET", "POST"])
def requirement():
    """This year's rule per tier and compliance target: preview a change, then save it."""
    today = scope_filters.today()
    year = appraisal_year.current_year(today)
    default_target = current_app.config["COMPLIANCE_TARGET"]
    form = RequirementForm()
    outcome = None
    if request.method == "GET":
        form.process(data=requirement_page.as_form_data(compliance.load_rules(year),
                                                        compliance.load_target(year, default_target)))
    elif form.validate_on_submit():
        if request.form.get("action") == "save":
            saved = commit_or_show_errors(form, lambda: _save_requirement(form, year, today, default_target))
            if saved is not None:
                flash(f"Rules saved for {year.label}" if saved else "Nothing changed: the rules are as they were",
                      "success")
                return redirect(url_for(".requirement"))
        else:
            try:
                rules, _ = requirement_page.check(request.form)
                outcome = requirement_page.preview(year, rules, today)
            except Refused as refused:
                show_errors(form, refused.errors)
    return render_template("reports/requirement.html", form=form, year=year, outcome=outcome,
                           last_open_day=closes_on(year) - timedelta(days=1), changes=requirement_page.changes(),
                           years=requirement_page.years_shown(year, default_target))


def _save_requirement(form, year, today, default_target) -> bool:
    rules, target = requirement_page.check(request.form)
    return requirement_page.save(current_user._get_current_object(), year, rules, target, today, default_target)


# --- a new framework version ------------------------------------------------------------


@bp.route("/framework-version", methods=["GET", "POST"])
def framework_version():
    """Upload a framework file, see what it adds, changes and removes, then import it."""
    today = scope_filters.today()
    upload, confirm = FrameworkUploadForm(), FrameworkImportForm()
    shown = None
    try:
        if request.form.get("action") == "import" and confirm.validate_on_submit():
            result = commit_or_show_errors(upload, lambda: version_page.import_kept(
                current_user._get_current_object(), confirm.token.data, confirm.applies_from.data, today))
            if result is not None:
                version_page.forget(confirm.token.data)
                flash(version_page.imported_message(result), "success")
                return redirect(url_for(".framework_version"))
        elif request.method == "POST" and upload.validate_on_submit():
            shown = version_page.preview(upload.file.data.read(version_page.MAX_FILE_BYTES + 1),
                                         upload.applies_from.data, today)
    except FrameworkFileError as error:
        db.session.rollback()
        upload.form_errors = list(error.errors)
        upload.file.errors = [f"Correct the file ({len(error.errors)} "
                              f"{'problem' if len(error.errors) == 1 else 'problems'} above) and upload it again"]
    except Refused as refused:
        show_errors(upload, refused.errors)
    this_year = appraisal_year.current_year(today)
    return render_template("reports/framework_version.html", upload=upload, confirm=confirm, shown=shown,
                           year=this_year, years=years_and_frameworks(this_year), imports=version_page.imports())


# Prepared exports: their views register on this blueprint.
from tracker.reports import prepared_views  # noqa: E402
