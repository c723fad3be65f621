"""Each activity's behaviour codes, kept on the activity (tracker.activity_codes), follow its links."""
from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select

from tests.factories import make_activity, make_activity_type, make_person, make_tree
from tracker import activity_codes
from tracker.extensions import db
from tracker.models import Activity


def kept_and_gathered() -> list[tuple]:
    """Every activity's kept cell beside the cell gathered from its links now."""
    rows = db.session.execute(select(Activity.id, Activity.behaviour_codes).order_by(Activity.id)).all()
    now = activity_codes.gathered([activity_id for activity_id, _ in rows])
    return [(activity_id, kept, now[activity_id]) for activity_id, kept in rows]


def test_the_codes_follow_every_change_to_an_activitys_behaviours(ref):
    b = ref["b"]
    owner = make_person(make_tree()["ward7"], tier=3)
    activity = make_activity(owner, make_activity_type(), occurred_on=date(2026, 6, 1), behaviours=[b["2.1"], b["1.1"]])
    assert activity.behaviour_codes == "1.1; 2.1"  # in code order, whatever order they were chosen in
    activity.behaviours.append(b["1.2"])  # as an observer's answer adds one
    db.session.flush()
    assert activity.behaviour_codes == "1.1; 1.2; 2.1"
    activity.behaviours = [b["3.1"]]  # as the form replaces them
    db.session.flush()
    assert activity.behaviour_codes == "3.1"
    activity.behaviours = []
    db.session.flush()
    assert activity.behaviour_codes is None  # no codes: an empty cell, as the outer join gave
    activity.title = "Renamed"  # a change that leaves the behaviours alone
    db.session.flush()
    assert activity.behaviour_codes is None


def test_kept_codes_equal_the_links_after_random_changes_and_fill_makes_the_same(ref):
    rng = random.Random(41)
    behaviours = sorted(ref["b"].values(), key=lambda x: x.id)
    owner = make_person(make_tree()["ward7"], tier=3)
    activity_type = make_activity_type()
    activities = [make_activity(owner, activity_type, occurred_on=date(2026, 6, 1),
                                behaviours=rng.sample(behaviours, rng.randint(0, 4))) for _ in range(12)]
    for _ in range(30):
        activity = rng.choice(activities)
        if rng.random() < 0.5:
            activity.behaviours = rng.sample(behaviours, rng.randint(0, 5))
        elif activity.behaviours:
            activity.behaviours.remove(rng.choice(activity.behaviours))
        db.session.flush()
    rows = kept_and_gathered()
    assert [kept for _, kept, _ in rows] == [gathered for _, _, gathered in rows]
    assert sum(1 for _, kept, _ in rows if kept and "; " in kept) >= 3  # several cells with codes in order
    kept = [kept for _, kept, _ in rows]
    db.session.execute(Activity.__table__.update().values(behaviour_codes=None))
    activity_codes.fill([a.id for a in activities])
    db.session.expire_all()
    assert [kept for _, kept, _ in kept_and_gathered()] == kept
