"""What a person typed into the activity form and has not saved: kept on the server, the person's
alone, so that it survives a closed tab, a lost connection or an ended session. Nothing typed is
kept in the browser (ASVS 5.0.0 V14.3.3); tracker/static/portfolio.js sends a copy when the text
has changed (on leaving a field, and every 20 seconds while typing goes on) and offers it back.

Each form page has a random id. Saving the form, or "Forget what I typed", empties the copy but
remembers that page, so a copy the page sent a moment earlier and that arrives late is dropped
rather than offered back as "not saved". Services never commit."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from wtforms.fields.core import UnboundField

from tracker.auth import sessions
from tracker.extensions import db
from tracker.models import Activity, Person, TypedCopy
from tracker.portfolio.forms import ActivityForm
from tracker.portfolio.reflection import MAX_ANSWER_LENGTH

NEW = "new"
KEPT_FOR = timedelta(days=30)
# At most this many copies a minute per person: the page sends far fewer (README, "Sessions").
WRITES_PER_MINUTE = 30
MAX_COPY_CHARS = 200_000
MAX_TICKED = 500
PAGE = re.compile(r"[A-Za-z0-9_-]{16,64}")
# The form's fields a copy may hold: what was typed, chosen or ticked; never files or buttons.
KEPT_FIELDS = frozenset(
    name for name in dir(ActivityForm)
    if isinstance(getattr(ActivityForm, name), UnboundField) and name not in {"evidence", "action"})


def form_of(activity: Activity | None) -> str:
    """The copy's form: the new-activity form, or the form changing that activity."""
    return NEW if activity is None else f"activity-{activity.id}"


def page_id(raw: str | None) -> str | None:
    raw = (raw or "").strip()
    return raw if PAGE.fullmatch(raw) else None


def fields_from(raw: str | None) -> dict | None:
    """The copy the page sent (JSON: field name -> text, or a list of ticked values), or None when
    it is not one the activity form could have sent."""
    if not raw or len(raw) > MAX_COPY_CHARS:
        return None
    try:
        fields = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: thousands of nested brackets
        return None
    if not isinstance(fields, dict):
        return None
    for name, value in fields.items():
        if name not in KEPT_FIELDS:
            return None
        if isinstance(value, list):
            if len(value) > MAX_TICKED or not all(isinstance(v, str) and len(v) <= 64 for v in value):
                return None
        elif not isinstance(value, str) or len(value) > MAX_ANSWER_LENGTH * 2:
            return None
    return fields


def _copy(person: Person, form: str) -> TypedCopy | None:
    return db.session.scalar(select(TypedCopy).where(TypedCopy.person_id == person.id, TypedCopy.form == form))


def unsaved(person: Person, form: str, now: datetime) -> TypedCopy | None:
    """The person's copy of this form that was never saved, if any (one older than KEPT_FOR is removed)."""
    copy = _copy(person, form)
    if copy is None or copy.fields is None:
        return None
    if _aware(copy.saved_at) < now - KEPT_FOR:
        db.session.delete(copy)
        return None
    return copy


def too_many(person: Person) -> bool:
    """Counts this write; True when the person has sent more copies this minute than a page sends."""
    storage = current_app.extensions["sign_in_limiter"].storage
    # The sessions clock: the time of day, moved by tests (the appraisal clock stands still in them).
    minute = int(sessions.now().timestamp()) // 60
    return storage.incr(f"typed-copy/{person.id}/{minute}", 60) > WRITES_PER_MINUTE


def keep(person: Person, form: str, page: str, fields: dict, now: datetime) -> bool:
    """Keep what `page` sent; False when nothing was written (the same as kept, or that page's
    form was saved or its copy forgotten since)."""
    copy = _copy(person, form)
    if copy is not None and copy.page == page and (copy.fields is None or copy.fields == fields):
        return False
    _write(person, form, copy, page=page, fields=fields, now=now)
    return True


def close(person: Person, form: str, page: str | None, now: datetime) -> None:
    """The form was saved, or the person chose "Forget what I typed": no copy is kept, and none
    that `page` sent before is taken later. Without a page, the copy simply goes."""
    copy = _copy(person, form)
    if page is None:
        if copy is not None:
            db.session.delete(copy)
        return
    _write(person, form, copy, page=page, fields=None, now=now)


def forget_all(person: Person) -> None:
    """Signing out: "kept … until you save or sign out"."""
    db.session.execute(delete(TypedCopy).where(TypedCopy.person_id == person.id))


def _write(person: Person, form: str, copy: TypedCopy | None, *, page: str, fields: dict | None,
           now: datetime) -> None:
    if copy is None:
        copy = TypedCopy(person_id=person.id, form=form, page=page, fields=fields, saved_at=now)
        try:
            with db.session.begin_nested():  # another tab may add the same form's copy at once
                db.session.add(copy)
            return
        except IntegrityError:
            copy = _copy(person, form)
    copy.page, copy.fields, copy.saved_at = page, fields, now


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
