"""Demo observed practice: requests to observers about "Observed practice with feedback" activities,
in every state a request can be in, as rows for bulk inserts (no ORM objects, one pass over the activities).

A signed-off or submitted activity of that kind was observed: its request is answered, with the
observer's words and what they saw of the activity's behaviours, and the activity is marked observed
(what the team dashboard counts). A draft or returned one in an open year waits on its observer (sent
or opened), was answered, has expired or was cancelled; one left in a closed year expired or was
cancelled. Observers are the person's line manager or a colleague in their team, at made-up nhs.net
addresses; their words, like every demo text, never identify a patient.
"""
from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta

from tracker.models import ActivityStatus, ObservationStatus, SeenScale
from tracker.observation.links import LINK_VALID_FOR
from tracker.year_closing import first_open_day

from .organisation import Organisation

OBSERVED_TYPE = "observed_practice_feedback"
MOST_BEHAVIOURS = 6
# The requests about undecided activities of an open year, in turn.
OPEN_YEAR_TURNS = (ObservationStatus.SENT, ObservationStatus.OPENED, ObservationStatus.ANSWERED,
                   ObservationStatus.EXPIRED, ObservationStatus.CANCELLED, ObservationStatus.ANSWERED)
# What observers saw, and how often (cumulative weights: drawn once per behaviour, many thousand times).
SEEN = (SeenScale.NOT_SEEN, SeenScale.DEVELOPING, SeenScale.CONSISTENT, SeenScale.ROLE_MODEL)
SEEN_CUMULATIVE = (1, 5, 11, 13)

WENT_WELL = (
    "You introduced yourself and checked who everyone was before you started.",
    "You sat down at eye level and gave them time to take in what you said.",
    "You used plain words and checked what they had understood in their own words.",
    "You acknowledged the worry before moving on to the plan, and it visibly helped.",
    "You left a silence after the difficult news instead of filling it.",
    "You asked what mattered most to them and came back to it at the end.",
    "You stayed calm when the conversation became heated and named the feeling you saw.",
)
TRY_NEXT = (
    "Ask what they already know before you explain.",
    "Check for questions before you close, and say when you will next talk.",
    "Offer to write down the main points for them to keep.",
    "Slow down when you reach the part they did not expect.",
    "Agree the aim of the conversation with the team beforehand.",
    "Ask whether they would like someone with them before you start.",
)
COMMENTS = ("Clear and kind.", "Good use of pauses.", "Could check understanding more often.",
            "Picked up the cue about family straight away.", "Summarised well at the end.")
NOTES = ("A conversation with a family at visiting time.", "Explaining a change to the plan of care.",
         "A telephone call to a worried relative.", "")

# staff@example.org's observed activity: the feedback the demo shows them and their manager.
NAMED_TITLE = "Observed practice: explaining a chemotherapy delay"
NAMED_OBSERVER = ("Dr Amara Mensah", "amara.mensah@nhs.net", "Consultant medical oncologist")
NAMED_WENT_WELL = ("You told them early that there was a delay and why, in plain words, and then stopped to let "
                   "them react. When the daughter became angry you acknowledged it before explaining the plan.")
NAMED_TRY_NEXT = "Ask what they already know about the treatment plan before you explain the change."


class ObservationWriter:
    """Builds the rows of observation_request and observed_behaviour, with ids from `next_request_id`,
    and marks each answered activity row observed."""

    def __init__(self, rng: random.Random, organisation: Organisation, type_id: int | None, today: date, now: datetime,
                 next_request_id: int):
        self.rng = rng
        self.type_id = type_id
        self.today = today
        self.now = now
        self.next_request_id = next_request_id
        self.people = {row["id"]: row for row in organisation.people}
        self.observers: dict[int, tuple[str, str, str]] = {}  # person id -> (name, address, role)
        self.colleagues: dict[int, list[dict]] = {}
        for row in organisation.people:
            if row["tier"] >= 2 and row["active"]:
                self.colleagues.setdefault(row["team_id"], []).append(row)
        self.named_owner = next((row["id"] for row in organisation.people if row["email"] == "staff@example.org"), None)
        self.turn = 0
        self.requests: list[dict] = []
        self.observed: list[dict] = []

    def observable(self, activities: list[dict]) -> list[dict]:
        """The activities requests are drawn about: live ones of the observed-practice type."""
        return [a for a in activities if a["type_id"] == self.type_id and a["deleted_at"] is None]

    def write_all(self, activities: list[dict], links: list[dict]) -> None:
        """Requests about `activities` (marked observed when answered; the rest not observed)."""
        observed = self.observable(activities)
        wanted = {a["id"] for a in observed}
        behaviours: dict[int, list[int]] = {}
        for link in links:
            if link["activity_id"] in wanted:
                behaviours.setdefault(link["activity_id"], []).append(link["behaviour_id"])
        for activity in activities:
            activity["observed"] = False
        opening = first_open_day(self.today)  # an activity dated before it is in a closed year
        for activity in observed:
            self._requests_about(activity, behaviours.get(activity["id"], []), closed=activity["occurred_on"] < opening)

    def _requests_about(self, activity: dict, behaviour_ids: list[int], closed: bool) -> None:
        rng = self.rng
        named = activity["owner_id"] == self.named_owner and activity["title"] == NAMED_TITLE
        created = activity["created_at"]
        if activity["status"] in (ActivityStatus.SIGNED_OFF, ActivityStatus.SUBMITTED):
            # Answered before it was submitted: the person wrote their reflection on the feedback.
            asked, submitted = created + timedelta(minutes=5), activity["submitted_at"]
            if named or rng.random() < 0.15:  # a first request came to nothing before another colleague answered
                if submitted - asked > LINK_VALID_FOR + timedelta(days=1):
                    self._request(activity, behaviour_ids, asked, ObservationStatus.EXPIRED, by=self.now)
                    asked += LINK_VALID_FOR + timedelta(hours=2)
                else:
                    second = asked + (submitted - asked) / 3
                    self._request(activity, behaviour_ids, asked, ObservationStatus.CANCELLED, by=second)
                    asked = second
            self._request(activity, behaviour_ids, asked, ObservationStatus.ANSWERED, named=named, by=submitted)
            return
        asked = min(created + timedelta(hours=rng.randint(1, 30)), self.now - timedelta(hours=2))
        if closed:
            self._request(activity, behaviour_ids, asked, rng.choice((ObservationStatus.EXPIRED,
                                                                     ObservationStatus.CANCELLED)), by=self.now)
            return
        # Still the author's to change: the states in turn, so even a small demo shows each one.
        state = OPEN_YEAR_TURNS[self.turn % len(OPEN_YEAR_TURNS)]
        self.turn += 1
        if state == ObservationStatus.EXPIRED and asked + LINK_VALID_FOR > self.now:
            state = ObservationStatus.SENT  # logged too recently to have expired
        if state in (ObservationStatus.SENT, ObservationStatus.OPENED):  # asked in the last 14 days
            asked = max(asked, self.now - timedelta(days=rng.randint(1, 12), hours=rng.randint(2, 8)))
        self._request(activity, behaviour_ids, asked, state, by=self.now)

    def _request(self, activity: dict, behaviour_ids: list[int], asked: datetime, state: ObservationStatus, *,
                 by: datetime, named: bool = False) -> None:
        """One request asked at `asked`; whatever followed (opening, answering, cancelling) before `by`."""
        rng = self.rng
        request_id = self.next_request_id
        self.next_request_id += 1
        name, email, role = NAMED_OBSERVER if named else self._observer(activity["owner_id"])
        expires = asked + LINK_VALID_FOR
        by = min(by, expires - timedelta(minutes=1))
        row = {"id": request_id, "activity_id": activity["id"], "requester_id": activity["owner_id"],
               "observer_name": name, "observer_email": email, "situation_note": rng.choice(NOTES),
               "token_hash": f"{rng.getrandbits(256):064x}",  # of a link nobody holds
               # Expired is never stored: a request still sent or opened after its 14 days reads so.
               "status": ObservationStatus.SENT if state == ObservationStatus.EXPIRED else state,
               "created_at": asked, "expires_at": expires, "opened_at": None, "reminded": False,
               "cancelled_at": None, "answered_at": None, "answered_name": None, "answered_role": None,
               "went_well": None, "try_next": None}
        opened = asked + (by - asked) * rng.uniform(0.05, 0.5)
        if state in (ObservationStatus.OPENED, ObservationStatus.ANSWERED) or (
                state == ObservationStatus.EXPIRED and rng.random() < 0.4):
            row["opened_at"] = opened
            if state == ObservationStatus.EXPIRED:
                row["status"] = ObservationStatus.OPENED
        if state == ObservationStatus.CANCELLED:
            row["cancelled_at"] = asked + (by - asked) * rng.uniform(0.1, 0.9)
        row["reminded"] = state in (ObservationStatus.SENT, ObservationStatus.EXPIRED) and rng.random() < 0.3
        chosen = behaviour_ids[:MOST_BEHAVIOURS] if named else rng.sample(
            behaviour_ids, min(len(behaviour_ids), rng.randint(1, MOST_BEHAVIOURS)))
        answered = state == ObservationStatus.ANSWERED
        if answered:
            row.update(answered_at=opened + (by - opened) * rng.uniform(0.1, 0.9), answered_name=name,
                       answered_role=role, went_well=NAMED_WENT_WELL if named else rng.choice(WENT_WELL),
                       try_next=NAMED_TRY_NEXT if named else rng.choice(TRY_NEXT))
            activity["observed"] = True
        self.requests.append(row)
        for position, behaviour_id in enumerate(chosen):
            seen = comment = None
            if answered:
                seen = (SeenScale.CONSISTENT if named
                        else rng.choices(SEEN, cum_weights=SEEN_CUMULATIVE)[0])
                comment = rng.choice(COMMENTS) if rng.random() < 0.3 else None
            self.observed.append({"request_id": request_id, "behaviour_id": behaviour_id, "position": position,
                                  "seen": seen, "comment": comment})

    def _observer(self, owner_id: int) -> tuple[str, str, str]:
        """(name, e-mail address, role): their line manager, or a senior colleague in their team."""
        owner = self.people[owner_id]
        team = self.colleagues.get(owner["team_id"], [])
        manager = self.people.get(owner["line_manager_id"])
        row = manager if manager is not None and (len(team) < 2 or self.rng.random() < 0.5) else (
            self.rng.choice(team) if team else None)
        if row is None or row["id"] == owner_id:
            return NAMED_OBSERVER  # nobody else in their team to ask: a consultant they work with
        if row["id"] not in self.observers:
            address = ".".join(re.sub(r"[^a-z]", "", part.lower()) for part in row["name"].split()[-2:])
            self.observers[row["id"]] = (row["name"], f"{address}@nhs.net", row["job_title"] or "Colleague")
        return self.observers[row["id"]]


def when_now(today: date) -> datetime:
    """Noon of the demo's today: the moment its requests are judged by (sent, opened or expired)."""
    return datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
