"""Each activity's behaviour codes in one cell ("1.1; 2.3"), kept on the activity itself.

The activities export writes these codes on every row. Gathered from the link table as it ran, they
were a third of the export's query on SQLite (0.3 s of 0.9 s for 110,000 activities): now the
export reads a column. The codes follow the links in the same flush as any change to an
activity's behaviours made through the session. Rows written in bulk carry their codes (the demo
load makes them with `codes_of`) or are filled by `fill`; the migration that added the column
filled it in SQL, in the same order. A behaviour's code never changes (a new
framework version makes new behaviours), so the links are all the codes depend on.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, attributes

from tracker.batching import batches
from tracker.extensions import db
from tracker.models import Activity, Behaviour, activity_behaviour

SEPARATOR = "; "
_PER_STATEMENT = 10_000  # activity ids per IN list


def codes_of(codes: Iterable[str]) -> str | None:
    """The cell for these codes: sorted as Python sorts text, None when there are none (as the
    export's outer join gave)."""
    return SEPARATOR.join(sorted(codes)) or None


def gathered(activity_ids: list[int]) -> dict[int, str | None]:
    """Each activity's cell made from its links as they are now."""
    codes: dict[int, list[str]] = {activity_id: [] for activity_id in activity_ids}
    for batch in batches(activity_ids, _PER_STATEMENT):
        for activity_id, code in db.session.execute(
                select(activity_behaviour.c.activity_id, Behaviour.code)
                .join(Behaviour, Behaviour.id == activity_behaviour.c.behaviour_id)
                .where(activity_behaviour.c.activity_id.in_(batch))):
            codes[activity_id].append(code)
    return {activity_id: codes_of(found) for activity_id, found in codes.items()}


def fill(activity_ids: list[int]) -> None:
    """Sets the codes of activities whose links were written in bulk."""
    cells = gathered(activity_ids)
    if cells:
        db.session.execute(update(Activity), [{"id": activity_id, "behaviour_codes": cell}
                                              for activity_id, cell in cells.items()])


def _every_activity(progress) -> Iterator[list[int]]:
    """Every activity's id, a statement's worth at a time; `progress(n)` is told as each is done."""
    for batch in batches(list(db.session.scalars(select(Activity.id).order_by(Activity.id))), _PER_STATEMENT):
        yield batch
        if progress:
            progress(len(batch))


def differences(progress=None) -> list[tuple[int, str | None, str | None]]:
    """Activities whose kept codes differ from their links: (id, kept, from the links).
    `progress(n)` is told of each batch of activities done."""
    found = []
    for batch in _every_activity(progress):
        now = gathered(batch)
        for activity_id, kept in db.session.execute(
                select(Activity.id, Activity.behaviour_codes).where(Activity.id.in_(batch))):
            if kept != now[activity_id]:
                found.append((activity_id, kept, now[activity_id]))
    return found


def fill_all(progress=None) -> int:
    """Sets every activity's codes from its links; how many activities there were."""
    done = 0
    for batch in _every_activity(progress):
        fill(batch)
        done += len(batch)
    return done


def _keep_codes(session: Session, flush_context, instances) -> None:
    for activity in (*session.new, *session.dirty):
        if not isinstance(activity, Activity):
            continue
        if activity in session.dirty and not attributes.instance_state(activity).attrs.behaviours.history.has_changes():
            continue
        codes = codes_of(b.code for b in activity.behaviours)
        if activity.behaviour_codes != codes:
            activity.behaviour_codes = codes


def keep_up_to_date(session_class) -> None:
    """Register the hook once on the application's session class."""
    if not event.contains(session_class, "before_flush", _keep_codes):
        event.listen(session_class, "before_flush", _keep_codes)
