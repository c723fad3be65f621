"""bench/load.py's people and its look in the database: provisioning through the command line and
the admin's web pages, signing everyone in once, and checking afterwards that every acknowledged
write is in the database exactly once and nothing is half-written."""
from __future__ import annotations

import json
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import psycopg

import load_people as people
from load_figures import tally
from load_server import flask

EMAIL = "load-{token}-{who}@bench.invalid"


def connect(database_url: str):
    return psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


def pick_units(database_url: str, wards: int) -> tuple[list[tuple], tuple]:
    """Demo wards of 30-50 people (a ward manager's dashboard) and the directorate nearest 2,000
    (a senior manager's): (id, name, parent id) each."""
    with connect(database_url) as conn:
        chosen = conn.execute(
            "SELECT u.id, u.name, u.parent_id FROM organisation_unit u JOIN person p ON p.team_id = u.id "
            "WHERE u.kind = 'team' AND p.active GROUP BY u.id HAVING count(*) BETWEEN 30 AND 50 "
            "ORDER BY u.id LIMIT %s", (wards,)).fetchall()
        directorate = conn.execute(
            "SELECT u.id, u.name, u.parent_id FROM organisation_unit u "
            "JOIN unit_closure c ON c.ancestor_id = u.id AND c.ends_on IS NULL "
            "JOIN person p ON p.team_id = c.descendant_id AND p.active WHERE u.kind = 'directorate' "
            "GROUP BY u.id ORDER BY abs(count(*) - 2000) LIMIT 1").fetchone()
    return chosen, directorate


def provision(server, env: dict, state_path: Path, database_url: str, counts: dict[str, int]) -> list[people.Account]:
    """The run's people, made once per database and kept in `state_path` (passwords and
    authenticator keys of throw-away accounts on a bench database)."""
    if state_path.exists():
        state = json.loads(state_path.read_text())
        if state["database"] == database_url and state["counts"] == counts:
            accounts = [people.Account(**a) for a in state["accounts"]]
            with connect(database_url) as conn:  # a database made afresh since holds none of them
                if conn.execute("SELECT count(*) FROM person WHERE email = %s", (accounts[0].email,)).fetchone()[0]:
                    return accounts
    token, password = secrets.token_hex(3), secrets.token_urlsafe(18)
    managers = counts["manager"] + counts["senior manager"]
    wards, directorate = pick_units(database_url, counts["manager"])
    print(f"provisioning {sum(counts.values())} people (token {token}) through `flask user create` ...")

    def create(account: people.Account, name: str, team: str, role: str | None) -> None:
        args = ["user", "create", "--email", account.email, "--name", name, "--team", team]
        flask(args + (["--role", role] if role else []), env, {"FLASK_USER_CREATE_PASSWORD": account.password})

    admin = people.Account("admin", EMAIL.format(token=token, who="admin"), password)
    lead = people.Account("lead", EMAIL.format(token=token, who="lead"), password)
    create(admin, f"Load Admin {token}", directorate[1], "admin")
    create(lead, f"Load Lead {token}", directorate[1], "education_lead")
    base = server.base
    session = _first_sign_in(server, admin)
    # One new team per manager, beside the ward (or in the directorate) they also oversee.
    overseen = [(w[0], w[2]) for w in wards] + [(directorate[0], directorate[0])]
    teams = []
    for k, (unit_id, parent_id) in enumerate(overseen, start=1):
        name = f"Load bench {token} team {k}"
        page = session.get(f"{base}/admin/teams/{parent_id}/add")
        today = datetime.now(UTC).date()
        answer = people.post_form(session, base, f"/admin/teams/{parent_id}/add", {
            "csrf_token": people.csrf_token(page.text), "name": name, "kind": "team",
            "on-day": today.day, "on-month": today.month, "on-year": today.year})
        if answer.status_code != 302:
            raise SystemExit(f"adding {name} failed: {answer.status_code}")
        teams.append((int(answer.headers["Location"].rstrip("/").rsplit("/", 1)[1]), name, unit_id))
    accounts = [lead]
    for k in range(managers):
        role = "senior manager" if k == managers - 1 else "manager"
        accounts.append(people.Account(role, EMAIL.format(token=token, who=f"manager-{k + 1:02}"), password))
    for k in range(counts["staff"]):
        accounts.append(people.Account("staff", EMAIL.format(token=token, who=f"staff-{k + 1:02}"), password))
    jobs = []
    for account in accounts[1:]:
        number = int(account.email.split("-")[-1].split("@")[0])
        if account.role == "staff":
            team = teams[(number - 1) % len(teams)]
            jobs.append((account, f"Load Staff {number} {token}", team[1], None))
        else:
            jobs.append((account, f"Load Manager {number} {token}", teams[number - 1][1], "manager"))
    with ThreadPoolExecutor(2) as pool:  # two at a time: the machine is shared
        list(pool.map(lambda job: create(*job), jobs))
    for k, account in enumerate(a for a in accounts if a.role != "staff" and a.role != "lead"):
        for unit_id in (teams[k][0], teams[k][2]):
            page = session.get(f"{base}/admin/teams/{unit_id}")
            answer = people.post_form(session, base, f"/admin/teams/{unit_id}/managers",
                                      {"csrf_token": people.csrf_token(page.text), "person": account.email})
            if answer.status_code != 302:
                raise SystemExit(f"giving {account.email} scope over unit {unit_id} failed: {answer.status_code}")
    _first_sign_in(server, lead)
    state_path.parent.mkdir(parents=True, exist_ok=True)
    state_path.write_text(json.dumps({"database": database_url, "counts": counts, "token": token,
                                      "accounts": [{k: getattr(a, k) for k in ("role", "email", "password",
                                                                                 "totp_secret")}
                                                   for a in accounts]}, indent=1))
    state_path.chmod(0o600)
    return accounts


def _first_sign_in(server, account: people.Account):
    """Password, then the authenticator app set up on the web page (the key read as a person would)."""
    session = people.browser(server.base, str(server.cert))
    page = session.get(server.base + "/sign-in")
    answer = people.post_form(session, server.base, "/sign-in", {
        "csrf_token": people.csrf_token(page.text), "email": account.email, "password": account.password, "next": ""})
    if not answer.headers.get("Location", "").endswith("/sign-in/set-up-authenticator-app"):
        raise SystemExit(f"{account.email} was not asked to set up a second factor: {answer.status_code}")
    account.totp_secret = people.enrol_second_factor(session, server.base)
    account.jar = session.cookies
    return session


def signed_in(server, accounts: list[people.Account]) -> dict[str, list[people.Account]]:
    """Everyone signed in once (those signed in while being provisioned keep that session)."""
    by_role: dict[str, list[people.Account]] = {}
    for account in accounts:
        if account.jar is None:
            people.sign_in(server.base, str(server.cert), account)
        by_role.setdefault(account.role, []).append(account)
    return by_role


def check_writes(database_url: str, ledger: people.Ledger, tag: str) -> dict:
    """Every acknowledged activity (by its title) and sign-off (by activity id) in the database
    exactly once, and none of this run's activities half-written: each has its behaviours, one
    "created" and one "submitted" audit event, and a sign-off has its decider and one audit event."""
    with connect(database_url) as conn:
        rows = conn.execute(
            "SELECT a.title, a.status, a.decided_by_id, "
            "(SELECT count(*) FROM activity_behaviour b WHERE b.activity_id = a.id), "
            "(SELECT count(*) FROM audit_event e WHERE e.activity_id = a.id AND e.action = 'activity.created'), "
            "(SELECT count(*) FROM audit_event e WHERE e.activity_id = a.id AND e.action = 'activity.submitted'), "
            "(SELECT count(*) FROM audit_event e WHERE e.activity_id = a.id AND e.action = 'activity.signed_off') "
            "FROM activity a WHERE a.title LIKE %s AND a.deleted_at IS NULL", (f"Load {tag} %",)).fetchall()
        decisions = conn.execute(
            "SELECT a.id, a.status, m.email, "
            "(SELECT count(*) FROM audit_event e WHERE e.activity_id = a.id AND e.action = 'activity.signed_off') "
            "FROM activity a LEFT JOIN person m ON m.id = a.decided_by_id WHERE a.id = ANY(%s)",
            (list(ledger.sign_offs),)).fetchall()
    found: dict[str, int] = {}
    half_written = 0
    for title, status, decided_by, behaviours, created, submitted, signed_off in rows:
        found[title] = found.get(title, 0) + 1
        whole = behaviours >= 1 and created == 1 and submitted == 1 and status != "draft"
        if status == "signed_off":
            whole = whole and decided_by is not None and signed_off == 1
        half_written += not whole
    activities = tally(ledger.activities, found)
    # A sign-off is held once when the activity is signed off by that manager with one audit event.
    sign_offs = tally(ledger.sign_offs, {i: events for i, status, email, events in decisions
                                         if status == "signed_off" and email == ledger.sign_offs[i]})
    return {
        "activities": activities, "sign_offs": sign_offs, "half_written": half_written,
        "activities_in_database": len(rows),
        # Sent but not acknowledged (a fault cut the answer off): written once, or not at all.
        "unanswered_activities": len(ledger.activities_unanswered),
        "unanswered_written": sum(found.get(t, 0) for t in ledger.activities_unanswered),
        "unanswered_sign_offs": len(ledger.sign_offs_unanswered),
    }
