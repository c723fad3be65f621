"""Prepared exports: an export too long to stream while the browser waits (more rows, by
exporting.estimated_rows, than EXPORT_STREAM_MAX_ROWS) is asked for with "Prepare the file and
e-mail me when it is ready". A row records who asked, what, with which filters; a worker writes
the file under UPLOAD_FOLDER/prepared-exports/ (the same code path as a download, so the same
columns, scope and audit entry), marks it ready and queues the "export_ready" e-mail in one
transaction. Only the requester may download it (access.own_prepared_export_for); after
PREPARED_EXPORT_DAYS the beat job removes the file and marks the row expired.

Who builds it follows the outbox (notifications/dispatch.py): a Celery worker when a broker is set,
else this process once the response has gone (`make run` needs no Redis). Progress (rows written so
far) goes to a small file beside the one being written, so the status page can read it without a
database write in the middle of the export's long read."""
from __future__ import annotations

import logging
import os
import secrets
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from flask import after_this_request, current_app, has_request_context
from sqlalchemy import select, update
from werkzeug.datastructures import MultiDict

from tracker import access, appraisal_year, scope_filters
from tracker.audit import record
from tracker.auth import sessions
from tracker.auth.account_mail import address_of
from tracker.extensions import db
from tracker.models import Person, PreparedExport
from tracker.models.prepared_exports import EXPIRED, FAILED, PREPARING, READY, REQUESTED
from tracker.notifications import messages, outbox
from tracker.refusal import Refused
from tracker.reports import exporting

log = logging.getLogger("tracker.reports")
FOLDER = "prepared-exports"
PROGRESS_EVERY = 5000
# A build that has not finished in this time died with its worker: it is marked failed.
ABANDONED_AFTER = timedelta(hours=6)
FORMAT_WORDS = {"csv": "CSV", "xlsx": "Excel"}


def folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / FOLDER


def path_of(export: PreparedExport) -> Path:
    return folder() / f"{export.stored_name}.{export.format}"


def _progress_path(export: PreparedExport) -> Path:
    return folder() / f"{export.stored_name}.rows"


def is_long(estimate: int) -> bool:
    return estimate > current_app.config["EXPORT_STREAM_MAX_ROWS"]


def described(export: PreparedExport) -> str:
    """e.g. "Activities, all years (Excel)"."""
    title = exporting.EXPORTS[export.kind].title if export.kind in exporting.EXPORTS else export.kind
    year = export.filters.get("year")
    years = "all years" if year in (None, scope_filters.ALL_YEARS) else f"{year} to {int(year) + 1}"
    return f"{title}, {years} ({FORMAT_WORDS.get(export.format, export.format)})"


def request_export(requester: Person, key: str, fmt: str, filters: scope_filters.Filters,
                   estimate: int) -> PreparedExport:
    """Record the request (not committed: the view commits, then calls start())."""
    if key not in exporting.EXPORTS or fmt not in FORMAT_WORDS:
        raise Refused("There is no such export.")
    # Kept as the query string's text, so the worker parses them exactly as the report did.
    arguments = {name: str(value) for name, value in filters.args().items()}
    export = PreparedExport(requester_id=requester.id, kind=key, format=fmt, filters=arguments,
                            status=REQUESTED, estimated_rows=estimate, stored_name=secrets.token_hex(16),
                            created_at=appraisal_year.now())
    db.session.add(export)
    db.session.flush()
    record(requester, "report.export_requested", export=key, format=fmt, filters=arguments,
           prepared_export=export.id, estimated_rows=estimate)
    return export


def start(export_id: int) -> None:
    """Have the file built: by a Celery worker, or here once the response has been sent."""
    config = current_app.config
    if not config.get("NOTIFICATIONS_IN_PROCESS") and config.get("CELERY_BROKER_URL"):
        from tracker.notifications import worker

        try:
            current_app.extensions["celery"].send_task(worker.BUILD_EXPORT, args=[export_id], retry=False)
            return
        except Exception as error:  # the broker is down: build here rather than never
            log.warning("No Celery broker answered (%s); preparing export %s in-process",
                        type(error).__name__, export_id)
    if not has_request_context():
        build(export_id)
        return
    app = current_app._get_current_object()

    @after_this_request
    def _after_sending(response):
        def _build():
            with app.app_context():
                build(export_id)
        response.call_on_close(_build)
        return response


def build(export_id: int) -> str:
    """Write the file, then mark it ready and queue its e-mail in one transaction. Commits (it is
    the worker's own transaction). Returns the row's status."""
    claimed = db.session.execute(update(PreparedExport)
                                 .where(PreparedExport.id == export_id, PreparedExport.status == REQUESTED)
                                 .values(status=PREPARING).execution_options(synchronize_session=False))
    db.session.commit()
    export = db.session.get(PreparedExport, export_id)
    if not claimed.rowcount:  # another worker has it, or it is done
        return export.status if export else "missing"
    part = path_of(export).with_suffix(".part")
    try:
        folder().mkdir(parents=True, exist_ok=True)
        rows, size, file_name = _write(export, part)
        os.replace(part, path_of(export))
    except Exception:
        log.exception("Preparing export %s failed", export_id)
        db.session.rollback()
        part.unlink(missing_ok=True)
        _progress_path(export).unlink(missing_ok=True)
        export = db.session.get(PreparedExport, export_id)
        export.status, export.expires_at = FAILED, appraisal_year.now() + _kept_for()
        db.session.commit()
        return FAILED
    _progress_path(export).unlink(missing_ok=True)
    export = db.session.get(PreparedExport, export_id)
    now = appraisal_year.now()
    export.status, export.rows, export.size_bytes, export.file_name = READY, rows, size, file_name
    export.ready_at, export.expires_at = now, now + _kept_for()
    requester = db.session.get(Person, export.requester_id)
    outbox.queue(messages.EXPORT_READY, requester, key=f"export_ready:{export.id}", name=requester.name,
                 export=described(export), link=address_of("reports.prepared_exports"),
                 available_until=sessions.moment_words(export.expires_at) + " (UK time)")
    db.session.commit()
    from tracker.notifications import dispatch

    dispatch.send_soon()
    return READY


def _kept_for() -> timedelta:
    return timedelta(days=current_app.config["PREPARED_EXPORT_DAYS"])


def _write(export: PreparedExport, part: Path) -> tuple[int, int, str]:
    """The export written to `part` by the download's own code path; (rows, bytes, file name)."""
    requester = db.session.get(Person, export.requester_id)
    if requester is None or not requester.active or not access.can(requester, "reports"):
        raise PermissionError("the requester may no longer export reports")
    key = export.kind
    filters = scope_filters.parse(MultiDict(export.filters), requester,
                                  allow_all_years=exporting.EXPORTS[key].all_years)
    if filters.errors:
        raise ValueError(f"the filters no longer apply: {filters.errors}")
    progress = _Progress(_progress_path(export))
    made = exporting.prepare(key, export.format, actor=requester, scope=partial(access.reporting_staff, requester),
                             filters=filters, today=scope_filters.today(), source="prepared", progress=progress)
    size = 0
    with open(part, "wb") as out:
        for chunk in made.body:
            out.write(chunk)
            size += len(chunk)
    return progress.rows, size, made.file_name


class _Progress:
    """Counts rows as the export writes them, noting the count in a file every few thousand."""

    def __init__(self, path: Path):
        self.path, self.rows, self.noted = path, 0, 0

    def __call__(self, rows: int) -> None:
        self.rows += rows
        if self.rows - self.noted >= PROGRESS_EVERY:
            self.noted = self.rows
            self.path.write_text(str(self.rows))


def rows_so_far(export: PreparedExport) -> int | None:
    """Rows written so far of an export being prepared (None before the first few thousand)."""
    try:
        return int(_progress_path(export).read_text())
    except (OSError, ValueError):
        return None


def expire(now: datetime | None = None) -> int:
    """Remove the files of exports past their time and mark them expired; mark builds that died
    with their worker failed. Commits (the beat job's own transaction). Returns how many expired."""
    now = now or appraisal_year.now()
    db.session.execute(update(PreparedExport)
                       .where(PreparedExport.status.in_((REQUESTED, PREPARING)),
                              PreparedExport.created_at <= now - ABANDONED_AFTER)
                       .values(status=FAILED, expires_at=now).execution_options(synchronize_session=False))
    due = db.session.scalars(select(PreparedExport).where(PreparedExport.status.in_((READY, FAILED)),
                                                          PreparedExport.expires_at <= now)).all()
    for export in due:
        path_of(export).unlink(missing_ok=True)
        path_of(export).with_suffix(".part").unlink(missing_ok=True)
        _progress_path(export).unlink(missing_ok=True)
        export.status = EXPIRED
    db.session.commit()
    return len(due)
