"""The pages of prepared exports (tracker/reports/prepared.py): asking for one, the list of one's
own with their status, and the download, which only the requester gets (a 404 for anyone else)."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from tracker import access, exports, scope_filters
from tracker.audit import record
from tracker.auth import sessions
from tracker.extensions import db
from tracker.models import PreparedExport
from tracker.models.prepared_exports import READY
from tracker.reports import exporting, prepared
from tracker.reports.forms import PrepareExportForm
from tracker.reports.routes import _reporting_scope, bp
from tracker.views import commit_or_show_errors

LISTED = 50


def offer(key: str, fmt: str, filters, estimate: int):
    """The page shown instead of a long export's stream: the button that prepares it."""
    form = PrepareExportForm(formdata=None, key=key, fmt=fmt, filters=urlencode(filters.args()))
    return render_template("reports/prepare_export.html", form=form, filters=filters, estimate=estimate,
                           title=exporting.EXPORTS[key].title, fmt=prepared.FORMAT_WORDS[fmt])


@bp.route("/prepared-files", methods=["GET", "POST"])
def prepared_exports():
    form = PrepareExportForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        key, fmt = form.key.data, form.fmt.data
        if key not in exporting.EXPORTS or fmt not in prepared.FORMAT_WORDS:
            abort(400)
        filters = scope_filters.parse(MultiDict(parse_qsl(form.filters.data or "")), current_user,
                                      allow_all_years=exporting.EXPORTS[key].all_years)
        if filters.errors:
            abort(400)
        estimate = exporting.estimated_rows(key, scope=_reporting_scope(), filters=filters)
        export = commit_or_show_errors(form, lambda: prepared.request_export(
            current_user._get_current_object(), key, fmt, filters, estimate))
        if export is None:
            abort(400)
        prepared.start(export.id)
        flash("We are preparing the file. We will e-mail you when it is ready to download.", "success")
        return redirect(url_for(".prepared_exports"))
    listed = db.session.scalars(access.own_prepared_exports(current_user).limit(LISTED)).all()
    return render_template("reports/prepared_exports.html", listed=listed, prepared=prepared,
                           moment=sessions.moment_words)


@bp.route("/prepared-files/<int:export_id>/download")
def prepared_download(export_id: int):
    export = access.own_prepared_export_for(current_user, export_id, PreparedExport.status == READY)
    path = prepared.path_of(export)
    if not path.is_file():
        abort(404)
    record(current_user, "report.prepared_downloaded", export=export.kind, format=export.format,
           prepared_export=export.id, rows=export.rows)
    db.session.commit()
    response = send_file(path, mimetype=exports.MIMETYPES[export.format], as_attachment=True,
                         download_name=export.file_name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
