"""The simulated people of bench/load.py (Locust users) and the browser steps they share with
provisioning: signing in (with the second factor), reading a form's CSRF token, sending a form.

Each person is signed in once, before any run; a run's users take those sessions (cookie jars)
and keep them, as people keep a browser tab open. Every write that gets its success response is
put in LEDGER with the identifier the client chose (an activity's title carries a unique token; a
sign-off is the activity's id), so that bench/load.py can look for it in the database afterwards."""
from __future__ import annotations

import itertools
import random
import re
import string
import time
from dataclasses import dataclass, field

import pyotp
import requests
from locust import HttpUser, between, task

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SECRET_SHOWN = re.compile(r'class="app-secret-key">([A-Z2-7 ]+)<')
USED_CODE = "This code has been used"
LETTERS = string.ascii_lowercase
WAITING = re.compile(r'href="/team/activities/(\d+)"')
# The first message of a refused form's error summary ("There is a problem").
REFUSAL = re.compile(r'nhsuk-error-summary__list.*?<a [^>]*>([^<]+)</a>', re.S)


@dataclass
class Account:
    role: str  # staff, manager, senior manager, lead, admin
    email: str
    password: str
    totp_secret: str | None = None
    jar: requests.cookies.RequestsCookieJar | None = None


@dataclass
class Ledger:
    """Writes the client saw acknowledged, and those it tried without an answer it could trust."""

    activities: dict[str, str] = field(default_factory=dict)  # title -> author's email
    activities_unanswered: dict[str, str] = field(default_factory=dict)
    sign_offs: dict[int, str] = field(default_factory=dict)  # activity id -> manager's email
    sign_offs_unanswered: dict[int, str] = field(default_factory=dict)
    exports: list[dict] = field(default_factory=list)


LEDGER = Ledger()
# Set by bench/load.py before a run: the server's certificate, the signed-in accounts by role, a run tag.
SETTINGS: dict = {"cert": None, "accounts": {}, "tag": "run"}
_taken: dict[str, itertools.count] = {}


def reset_accounts() -> None:
    """A new run hands the same sessions out again, from the first."""
    _taken.clear()


def browser(base: str, cert: str) -> requests.Session:
    """A client that trusts only the run's own certificate (and no proxy or CA bundle from the environment)."""
    session = requests.Session()
    session.trust_env = False
    session.verify = cert
    session.headers["User-Agent"] = "tracker-bench-load"
    return session


def csrf_token(html: str) -> str | None:
    found = CSRF.search(html)
    return found.group(1) if found else None


def post_form(session, base: str, path: str, data: dict, **kwargs):
    """Send a form as a browser does: Flask-WTF checks over https that the Referer is this site."""
    return session.post(base + path, data=data, headers={"Referer": base + path}, allow_redirects=False, **kwargs)


def code_for(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def sign_in(base: str, cert: str, account: Account) -> requests.Session:
    """Password, then (for those who need one) the authenticator code; exits on any surprise."""
    session = browser(base, cert)
    page = session.get(base + "/sign-in")
    answer = post_form(session, base, "/sign-in", {"csrf_token": csrf_token(page.text), "email": account.email,
                                                    "password": account.password, "next": ""})
    if answer.status_code != 302:
        raise SystemExit(f"signing in {account.email} failed: {answer.status_code}")
    if answer.headers["Location"].endswith("/sign-in/code"):
        for _ in range(2):
            page = session.get(base + "/sign-in/code")
            answer = post_form(session, base, "/sign-in/code", {"csrf_token": csrf_token(page.text),
                                                                 "code": code_for(account.totp_secret)})
            if answer.status_code == 302 or USED_CODE not in answer.text:
                break
            time.sleep(31 - time.time() % 30)  # this step's code was taken: wait for the next one
        if answer.status_code != 302:
            raise SystemExit(f"the second factor of {account.email} was refused: {answer.status_code}")
    account.jar = session.cookies
    return session


def enrol_second_factor(session: requests.Session, base: str) -> str:
    """The first sign-in of someone who needs a second factor: read the key the page shows (as a
    person types it into an authenticator app), answer with a code, and return the key."""
    page = session.get(base + "/sign-in/set-up-authenticator-app")
    secret = SECRET_SHOWN.search(page.text).group(1).replace(" ", "")
    answer = post_form(session, base, "/sign-in/set-up-authenticator-app",
                       {"csrf_token": csrf_token(page.text), "code": code_for(secret)})
    if answer.status_code != 200 or "recovery code" not in answer.text.lower():
        raise SystemExit(f"enrolling the second factor failed: {answer.status_code}")
    return secret


def activity_form_data(html: str, title: str) -> dict:
    """What a person types into "Log an activity": today's date (prefilled), a type, an hour, two
    behaviours of their tier, a What? So what? Now what? reflection, and "Submit for sign-off"."""
    type_select = html[html.index('name="type_id"'):]
    types = re.findall(r'<option value="(\d+)"', type_select[:type_select.index("</select>")])
    behaviours = re.findall(r'name="behaviour_ids" type="checkbox" value="(\d+)"', html)
    prefilled = dict(re.findall(r'name="(occurred_on_\w+|creation_key)" type="(?:text|hidden)" value="([^"]*)"', html))
    return {
        "csrf_token": csrf_token(html), **prefilled, "title": title, "type_id": random.choice(types),
        "duration_hours": "1", "duration_minutes": "0", "course_id": "",
        "behaviour_ids": random.sample(behaviours, 2), "reflection_model": "what_so_what",
        "what_so_what__what": "A hard conversation with a relative on the ward.",
        "what_so_what__so_what": "Naming the feeling first helped them hear the plan.",
        "what_so_what__now_what": "Use the same opening with the next family.", "action": "submit",
    }


class Person(HttpUser):
    """Shared by every kind of person: takes one of the signed-in sessions of its role."""

    abstract = True
    role = ""
    wait_time = between(2, 5)

    def on_start(self) -> None:
        accounts = SETTINGS["accounts"][self.role]
        self.account = accounts[next(_taken.setdefault(self.role, itertools.count())) % len(accounts)]
        self.client.trust_env = False
        self.client.verify = SETTINGS["cert"]
        self.client.headers["User-Agent"] = "tracker-bench-load"
        self.client.cookies = self.account.jar

    def send(self, path: str, data: dict, name: str, expected_paths: tuple[str, ...]):
        """POST a form; a success is a redirect to one of `expected_paths`. Returns the Location or None."""
        with self.client.post(path, data=data, name=name, allow_redirects=False, catch_response=True,
                              headers={"Referer": self.host + path}) as answer:
            location = answer.headers.get("Location", "")
            if answer.status_code == 302 and location.startswith(expected_paths):
                return location
            refusal = REFUSAL.search(answer.text or "")
            answer.failure(f"{answer.status_code} {location or (refusal.group(1).strip() if refusal else '')}")
            return None

    def page(self, path: str, name: str, must_hold: str = "</html>"):
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as answer:
            if answer.status_code == 200 and must_hold in answer.text:
                return answer.text
            answer.failure(f"{answer.status_code} {answer.headers.get('Location', '')}")
            return None


class Staff(Person):
    role = "staff"

    @task(3)
    def my_year(self) -> None:
        self.page("/my-year", "my year")

    @task(2)
    def log_activity(self) -> None:
        form = self.page("/activities/new", "log activity: form", 'name="creation_key"')
        if form is None:
            return
        # Letters only in the unique part: ten digits in a row could read as an NHS number (refused).
        title = f"Load {SETTINGS['tag']} {self.account.email.split('@')[0]} {''.join(random.choices(LETTERS, k=12))}"
        data = activity_form_data(form, title)
        self.wait()  # filling the form in
        for attempt in range(2):  # a person whose page failed sends the same form again (same creation key)
            location = self.send("/activities/new", data, "log activity: save", ("/my-year", "/activities/"))
            if location is not None:
                LEDGER.activities[title] = self.account.email
                LEDGER.activities_unanswered.pop(title, None)
                self.page(location, "my year" if location.startswith("/my-year") else "activity")
                return
            LEDGER.activities_unanswered[title] = self.account.email
            self.wait()


class Manager(Person):
    role = "manager"
    dashboard = "team dashboard"

    @task(3)
    def dashboard_page(self) -> None:
        self.page("/team/", self.dashboard)

    @task(2)
    def sign_off(self) -> None:
        queue = self.page("/team/queue", "sign-off queue")
        waiting = WAITING.findall((queue or "").split("app-recent-decisions")[0])
        if not waiting:
            return
        activity_id = int(waiting[0])
        self.wait()
        page = self.page(f"/team/activities/{activity_id}", "sign-off: activity", 'value="sign_off"')
        if page is None:
            return
        self.wait()  # reading it
        path = f"/team/activities/{activity_id}/decision"
        location = self.send(path, {"csrf_token": csrf_token(page), "feedback": "", "decision": "sign_off"},
                             "sign-off: decide", ("/team/queue",))
        if location is None:
            LEDGER.sign_offs_unanswered[activity_id] = self.account.email
            return
        LEDGER.sign_offs[activity_id] = self.account.email
        LEDGER.sign_offs_unanswered.pop(activity_id, None)
        self.page(location, "sign-off queue")


class SeniorManager(Manager):
    role = "senior manager"
    dashboard = "directorate dashboard"


class Lead(Person):
    """Reports and exports, in turn, so that every run holds at least one activities XLSX. All years'
    activities (about 120,000 rows here) are above EXPORT_STREAM_MAX_ROWS, so they are prepared by a
    worker and e-mailed (README, "Prepared exports"): the lead exports the open year's, which stream."""

    role = "lead"

    def on_start(self) -> None:
        super().on_start()
        self.turn = itertools.cycle([self.organisation_report, self.people_csv, self.year_xlsx])

    @task
    def next_in_turn(self) -> None:
        next(self.turn)()

    def organisation_report(self) -> None:
        self.page("/reports/", "organisation report")

    def people_csv(self) -> None:
        self.export("/reports/export/people.csv", "export: by person, CSV", b"\n")

    def year_xlsx(self) -> None:
        # A complete XLSX is a zip file: it ends with the end-of-central-directory record.
        self.export("/reports/export/activities.xlsx", "export: activities, open year, XLSX", b"PK\x05\x06")

    def export(self, path: str, name: str, ending: bytes) -> None:
        started = time.time()
        with self.client.get(path, name=name, catch_response=True, timeout=600) as answer:
            complete = answer.status_code == 200 and ending in answer.content[-200:]
            LEDGER.exports.append({"name": name, "seconds": round(time.time() - started, 2),
                                   "bytes": len(answer.content or b""), "complete": complete})
            if not complete:
                answer.failure(f"{answer.status_code}, {len(answer.content or b'')} bytes, incomplete")
