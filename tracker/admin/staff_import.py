"""Admin: "Import staff" from the workforce system's extract. Upload, map any heading the importer
does not recognise (once: it is remembered), read the preview, then "Apply import" in one
transaction. The kept file is read and checked again on apply. The rules are in tracker/staff_import."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from tracker import appraisal_year, unit_list
from tracker.admin.import_forms import ApplyForm, KeptFileForm, TiersForm, UploadForm, tier_field_name
from tracker.admin.routes import bp
from tracker.extensions import db
from tracker.input_guard import record_id
from tracker.models import AuditEvent, OrganisationUnit, Person, StaffGroup
from tracker.refusal import Refused
from tracker.staff_import import APPLIED, Options, StaffFileError, apply_plan, build
from tracker.staff_import.headers import FIELDS, label, remember
from tracker.staff_import.keeping import forget, keep, kept
from tracker.staff_import.reading import MAX_FILE_BYTES
from tracker.staff_import.staff_groups import set_tiers, tiers_by_group
from tracker.views import commit_or_show_errors, show_errors

SHOWN = 200  # rows of each list on the preview; the counts say how many in all


def _units() -> list[SelectChoice]:
    units = db.session.execute(select(OrganisationUnit.id, OrganisationUnit.name).where(OrganisationUnit.is_open())
                               .order_by(unit_list.kind_order(), OrganisationUnit.name)).all()
    return [SelectChoice("", "Choose a unit")] + [SelectChoice(str(unit_id), name) for unit_id, name in units]


def _options(form: KeptFileForm) -> Options:
    try:
        on = date.fromisoformat(form.extract_date.data or "")
    except ValueError:
        raise Refused({"file": "The upload was incomplete: upload the file again"}) from None
    return Options(on, form.whole_organisation.data == "y")


def _preview(token: str, options: Options, upload: UploadForm | None = None, errors: dict | None = None):
    """The preview page (or the mapping question) for the kept file; the upload page with the
    file's one message when it cannot be read."""
    upload = upload or UploadForm(formdata=None, extract_date=options.extract_date)
    try:
        plan = build(kept(token), options)
    except StaffFileError as error:
        forget(token)
        upload.file.errors = [str(error)]
        return _upload_page(upload)
    except Refused as refused:
        forget(token)
        show_errors(upload, refused.errors)
        return _upload_page(upload)
    carried = {"token": token, "extract_date": options.extract_date.isoformat(),
               "whole_organisation": "y" if options.whole_organisation else ""}
    if plan.missing:
        return render_template("admin/import/map.html", plan=plan, form=KeptFileForm(data=carried),
                               missing=[(name, label(name)) for name in plan.missing],
                               heading_items=[{"value": h, "text": h} for h in plan.columns.unrecognised])
    form = ApplyForm(data=carried)
    form.parent.choices = _units()
    errors = errors or {}
    form.form_errors = [message for name, message in errors.items() if name != "parent"]
    if "parent" in errors:
        form.parent.errors = [errors["parent"]]
    return render_template("admin/import/preview.html", plan=plan, form=form, shown=SHOWN,
                           column_labels={name: label(name) for name in FIELDS},
                           headings=plan.headings)


def _upload_page(upload: UploadForm):
    history = db.session.execute(
        select(AuditEvent.occurred_at, AuditEvent.detail, Person.name)
        .outerjoin(Person, Person.id == AuditEvent.actor_id)
        .where(AuditEvent.action == APPLIED).order_by(AuditEvent.id.desc()).limit(5)).all()
    return render_template("admin/import/upload.html", upload=upload, history=history, tiers=tiers_by_group(),
                           max_mb=MAX_FILE_BYTES // (1024 * 1024))


@bp.route("/import", methods=["GET", "POST"])
def staff_import():
    upload = UploadForm() if request.method == "POST" else UploadForm(extract_date=appraisal_year.today())
    if request.method == "POST" and upload.validate_on_submit():
        raw = upload.file.data.read(MAX_FILE_BYTES + 1)
        options = Options(upload.extract_date.data, upload.whole_organisation.data)
        return _preview(keep(raw), options, upload)
    return _upload_page(upload)


@bp.route("/import/map", methods=["POST"])
def staff_import_map():
    """Remember which heading holds each field the importer did not recognise, then preview."""
    form = KeptFileForm()
    if not form.validate_on_submit():
        return redirect(url_for(".staff_import"))
    choices = {name: request.form.get(f"map-{name}", "") for name in FIELDS}
    try:
        options = _options(form)
    except Refused as refused:
        upload = UploadForm(formdata=None, extract_date=appraisal_year.today())
        show_errors(upload, refused.errors)
        return _upload_page(upload)
    commit_or_show_errors(form, lambda: remember(choices))
    return _preview(form.token.data, options)


@bp.route("/import/apply", methods=["POST"])
def staff_import_apply():
    """Apply the previewed file (read and checked again) in one transaction, or show why not."""
    form = ApplyForm()
    form.parent.choices = _units()
    if not form.validate_on_submit():
        return redirect(url_for(".staff_import"))
    upload = UploadForm(formdata=None, extract_date=appraisal_year.today())
    try:
        options = _options(form)
    except Refused as refused:
        show_errors(upload, refused.errors)
        return _upload_page(upload)

    def write():
        plan = build(kept(form.token.data), options)
        parent = db.session.get(OrganisationUnit, record_id(form.parent.data)) if record_id(form.parent.data) else None
        return apply_plan(plan, current_user._get_current_object(), parent)

    try:
        result = commit_or_show_errors(form, write)
    except StaffFileError as error:  # the kept file no longer reads (never expected: it was read at preview)
        db.session.rollback()
        forget(form.token.data)
        upload.file.errors = [str(error)]
        return _upload_page(upload)
    if result is None:
        errors = {f"form{n}": message for n, message in enumerate(
            [*form.form_errors, *form.token.errors, *form.extract_date.errors])}
        if form.parent.errors:
            errors["parent"] = form.parent.errors[0]
        if _still_kept(form.token.data):
            return _preview(form.token.data, options, errors=errors)
        upload.file.errors = list(errors.values())
        return _upload_page(upload)
    forget(form.token.data)
    flash(f"Import applied: {result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
          f"{result.deactivated} deactivated, {result.teams_created} new teams.", "success")
    return redirect(url_for(".staff_import"))


def _still_kept(token: str) -> bool:
    try:
        kept(token)
    except Refused:
        return False
    return True


@bp.route("/import/tiers", methods=["GET", "POST"])
def staff_import_tiers():
    """The tier each staff group gets when a file has no tier column."""
    current = tiers_by_group()
    form = TiersForm(data={tier_field_name(g): str(t) for g, t in current.items()})
    if form.validate_on_submit():
        tiers = {group: int(form.tier_field(group).data) for group in StaffGroup}
        if commit_or_show_errors(form, lambda: set_tiers(tiers) or True):
            flash("Tiers from staff groups saved.", "success")
            return redirect(url_for(".staff_import"))
    return render_template("admin/import/tiers.html", form=form, groups=list(StaffGroup))
