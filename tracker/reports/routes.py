"""Education leads: organisation report, behaviour gaps, training uptake, and their exports.

The whole blueprint is behind the "reports" permission (education leads and admins; a manager
gets 403), checked centrally by tracker.access before any view runs.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, stream_with_context
from flask_login import current_user
from sqlalchemy import case, select

from tracker import access, figures, scope_filters
from tracker.extensions import db
from tracker.models import ActivityType, OrganisationUnit, UnitKind
from tracker.reports import exporting, pages

bp = Blueprint("reports", __name__, url_prefix="/reports")

STATUS_CHOICES = [(s.value, s.label) for s in figures.STATUS_ORDER]


def _filters(allow_all_years: bool = False):
    return scope_filters.parse(request.args, current_user, allow_all_years=allow_all_years)


def _filter_choices() -> dict:
    """What the shared filter form offers: years, every unit of the organisation, staff groups,
    statuses and activity types."""
    kind_order = case({kind: i for i, kind in enumerate(UnitKind)}, value=OrganisationUnit.kind)
    units = db.session.scalars(select(OrganisationUnit).order_by(kind_order, OrganisationUnit.name)).all()
    return {
        "years": scope_filters.years_offered(),
        "units": units,
        "staff_groups": scope_filters.STAFF_GROUPS,
        "statuses": STATUS_CHOICES,
        "activity_types": db.session.scalars(select(ActivityType).order_by(ActivityType.position)).all(),
    }


@bp.route("/")
def organisation():
    filters = _filters()
    sort = request.args.get("sort", "percent")
    sort = sort if sort in pages.UNIT_SORTS else "percent"
    descending = request.args.get("order") == "desc"
    compare = request.args.get("compare", pages.EARLIER_YEARS_DEFAULT, type=int)
    compare = compare if compare in range(1, pages.EARLIER_YEARS_MAX + 1) else pages.EARLIER_YEARS_DEFAULT
    report = pages.organisation_report(access.reporting_people(current_user), filters, scope_filters.today(),
                                       current_app.config["COMPLIANCE_TARGET"], sort=sort, descending=descending,
                                       earlier_years=compare)
    return render_template("reports/organisation.html", report=report, filters=filters, sort=sort,
                           descending=descending, compare=compare, compare_max=pages.EARLIER_YEARS_MAX,
                           choices=_filter_choices())


@bp.route("/behaviours")
def behaviours():
    filters = _filters()
    report = pages.behaviour_report(access.reporting_people(current_user), filters, scope_filters.today())
    return render_template("reports/behaviours.html", report=report, filters=filters, choices=_filter_choices())


@bp.route("/training")
def training():
    filters = _filters()
    courses = pages.training_report(access.reporting_people(current_user), filters, scope_filters.today())
    return render_template("reports/training.html", courses=courses, filters=filters, choices=_filter_choices())


@bp.route("/export/<key>.<fmt>")
def export(key: str, fmt: str):
    if key not in exporting.EXPORTS or fmt not in ("csv", "xlsx"):
        abort(404)
    filters = _filters(allow_all_years=exporting.EXPORTS[key].all_years)
    if filters.errors:
        abort(400)
    prepared = exporting.prepare(key, fmt, actor=current_user._get_current_object(),
                                 people=access.reporting_people(current_user), filters=filters,
                                 today=scope_filters.today())
    response = Response(stream_with_context(prepared.body), mimetype=prepared.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{prepared.file_name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
