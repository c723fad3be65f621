"""The second factor: admins and education leads (and managers, when the organisation says so)
give a code from an authenticator app after their password, set one up at their first sign-in,
and can use a recovery code once. A code is taken once; an admin can reset a person's second
factor; a password set by link never skips the step; the demo secret is refused in production."""
from __future__ import annotations

import hashlib
import random
import re

import pyotp
import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, make_person, make_tree
from tests.support import csrf_token_from, give_second_factor
from tracker.auth import links, mfa
from tracker.extensions import db
from tracker.models import AuditEvent, PersonRole, RecoveryCode, Role, SecondFactor
from tracker.models._types import utcnow

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
CODE_PAGE = "/sign-in/code"
SET_UP_PAGE = "/sign-in/set-up-authenticator-app"


@pytest.fixture
def tree(db_session):
    return make_tree()


@pytest.fixture
def admin(tree):
    person = make_person(tree["trust"], email="admin@example.org", roles=["admin"], name="Ann Admin")
    db.session.commit()
    return person


@pytest.fixture
def enrolled_admin(admin):
    db.session.add(SecondFactor(person_id=admin.id, secret=SECRET, enrolled_at=utcnow()))
    db.session.commit()
    return admin


def events(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def type_password(client, email: str, password: str = PASSWORD):
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


def type_code(client, code: str, page: str = CODE_PAGE):
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(page, data={"code": code, "csrf_token": token})


def code_now(secret: str = SECRET) -> str:
    return pyotp.TOTP(secret).at(mfa.now())


def signed_in(client) -> bool:
    return client.get("/my-year").status_code == 200


def test_staff_sign_in_with_their_password_alone(client, tree):
    make_person(tree["ward7"], email="nurse@example.org")
    db.session.commit()
    response = type_password(client, "nurse@example.org")
    assert response.status_code == 302 and response.location == "/"
    assert signed_in(client)


def test_an_admin_sets_up_an_authenticator_app_at_first_sign_in(client, admin):
    response = type_password(client, "admin@example.org")
    assert response.location == SET_UP_PAGE
    # The password alone signs nobody in: nothing else opens until the second step is done.
    assert not signed_in(client)
    assert client.get("/admin/people").status_code == 302
    page = client.get(SET_UP_PAGE)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "<svg" in html and 'aria-label="QR code for your authenticator app"' in html
    secret = db.session.get(SecondFactor, admin.id).secret
    assert " ".join(re.findall(".{1,4}", secret)) in html
    # A wrong first code is refused and recorded.
    wrong = type_code(client, "000000" if code_now(secret) != "000000" else "111111", SET_UP_PAGE)
    assert "The code is not right" in wrong.get_data(as_text=True)
    assert [e.detail["during"] for e in events(mfa.CODE_REFUSED)] == ["setting up"]
    assert db.session.get(SecondFactor, admin.id).enrolled_at is None

    answer = type_code(client, code_now(secret), SET_UP_PAGE)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    shown = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>", html)
    assert "Save your recovery codes" in html and len(set(shown)) == 10
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.person_id == admin.id)).all()
    assert len(stored) == 10 and not any(code.replace("-", "") in h for code in shown for h in stored)
    assert db.session.get(SecondFactor, admin.id).enrolled_at is not None
    [enrolled] = events(mfa.ENROLLED)
    assert enrolled.person_id == admin.id and "user_agent" in enrolled.detail
    assert signed_in(client)


def test_an_enrolled_admin_is_asked_for_the_code_and_it_works_once(client, enrolled_admin, second_factor_clock):
    assert type_password(client, "admin@example.org").location == CODE_PAGE
    page = client.get(CODE_PAGE).get_data(as_text=True)
    assert "Enter the code from your authenticator app" in page and "Use a recovery code instead" in page
    code = code_now()
    answer = type_code(client, code)
    assert answer.status_code == 302 and answer.location == "/"
    assert signed_in(client)

    # The same code again, in the same 30 seconds, from another browser: refused as used.
    other = client.application.test_client()
    assert type_password(other, "admin@example.org").location == CODE_PAGE
    replay = type_code(other, code)
    assert replay.status_code == 200 and "This code has been used" in replay.get_data(as_text=True)
    assert other.get("/my-year").status_code == 302
    assert [e.detail["reason"] for e in events(mfa.CODE_REFUSED)] == ["used before"]
    # The next step's code is new, and works.
    second_factor_clock.next_step()
    assert type_code(other, code_now()).location == "/"


def test_only_the_current_30_second_steps_code_is_taken(client, enrolled_admin, second_factor_clock):
    """ASVS 6.5.5: a code lives for its own 30-second step; the previous and next steps' are refused."""
    totp = pyotp.TOTP(SECRET)
    step_starts = second_factor_clock.next_step()
    while len({totp.at(step_starts + offset) for offset in (-30, 0, 30)}) < 3:  # the rare steps sharing a code
        step_starts = second_factor_clock.next_step()
    type_password(client, "admin@example.org")
    for other_step in (step_starts - mfa.STEP_SECONDS, step_starts + mfa.STEP_SECONDS):
        answer = type_code(client, totp.at(other_step))
        assert answer.status_code == 200 and mfa.WRONG_CODE in answer.get_data(as_text=True)
    assert not signed_in(client)
    assert [e.detail["reason"] for e in events(mfa.CODE_REFUSED)] == ["wrong", "wrong"]
    second_factor_clock.seconds = step_starts + mfa.STEP_SECONDS - 1  # the step's last second
    assert type_code(client, totp.at(step_starts)).location == "/"
    assert signed_in(client)


def test_five_wrong_codes_pause_every_code_for_a_while_in_every_browser(client, enrolled_admin, second_factor_clock):
    type_password(client, "admin@example.org")
    wrong = "000000" if code_now() != "000000" else "111111"
    for _ in range(4):
        answer = type_code(client, wrong)
        assert answer.status_code == 200 and "The code is not right" in answer.get_data(as_text=True)
    assert type_code(client, wrong).location == "/sign-in"
    assert client.get(CODE_PAGE).location == "/sign-in"  # the password is needed again
    assert "wrong code too many times" in client.get("/sign-in").get_data(as_text=True)
    # The count is the server's, not the session cookie's: another browser is paused too, even
    # with the right code.
    other = client.application.test_client()
    type_password(other, "admin@example.org")
    assert type_code(other, code_now()).location == "/sign-in"
    assert not signed_in(client) and other.get("/my-year").status_code == 302
    refused = events(mfa.CODE_REFUSED)
    assert [e.detail["reason"] for e in refused] == ["wrong"] * 5 + ["too many wrong codes"]
    assert {e.person_id for e in refused} == {enrolled_admin.id}
    # A quarter of an hour later, the right code works.
    second_factor_clock.seconds += mfa.PAUSE_SECONDS
    type_password(other, "admin@example.org")
    assert type_code(other, code_now()).location == "/"


def test_a_recovery_code_signs_in_once(client, admin):
    type_password(client, "admin@example.org")
    client.get(SET_UP_PAGE)
    secret = db.session.get(SecondFactor, admin.id).secret
    html = type_code(client, code_now(secret), SET_UP_PAGE).get_data(as_text=True)
    recovery = re.findall(r"<code>([a-z2-9-]{14})</code>", html)[0]
    client.post("/sign-out", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})
    assert not signed_in(client)

    type_password(client, "admin@example.org")
    assert type_code(client, recovery.upper().replace("-", " "), "/sign-in/recovery-code").location == "/"
    assert signed_in(client)
    [used] = events(mfa.RECOVERY_CODE_USED)
    assert used.person_id == admin.id and used.detail["codes_left"] == 9

    other = client.application.test_client()
    type_password(other, "admin@example.org")
    again = type_code(other, recovery, "/sign-in/recovery-code")
    assert again.status_code == 200 and "The recovery code is not right" in again.get_data(as_text=True)
    assert other.get("/my-year").status_code == 302
    assert len(events(mfa.RECOVERY_CODE_REFUSED)) == 1


def test_recovery_codes_are_kept_as_salted_hashes(tree, monkeypatch):
    """ASVS 6.5.2: two people given the same codes keep different values, each a salted scrypt
    hash that verifies the code, and no stored value holds a code."""
    people = [make_person(tree["trust"], roles=["admin"]) for _ in range(2)]
    db.session.commit()
    secrets_ = [mfa.secret_being_set_up(person) for person in people]
    shown = []
    for person, secret in zip(people, secrets_):
        # The same draw of codes for both (the salts still come from the secrets module).
        monkeypatch.setattr(mfa.secrets, "choice", random.Random(2026).choice)
        shown.append(mfa.enrol(person, pyotp.TOTP(secret).at(mfa.now())))
    monkeypatch.undo()
    assert shown[0] == shown[1] and len(set(shown[0])) == mfa.RECOVERY_CODES
    stored = [db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.person_id == person.id)
                                 .order_by(RecoveryCode.id)).all() for person in people]
    assert not set(stored[0]) & set(stored[1])
    for value in stored[0] + stored[1]:
        assert not any(code in value or code.replace("-", "") in value for code in shown[0])
    first_code = shown[0][0].replace("-", "")
    for value in (stored[0][0], stored[1][0]):
        kind, salt, digest = value.split("$")
        assert kind == "scrypt" and len(bytes.fromhex(salt)) == 16
        assert hashlib.scrypt(first_code.encode(), salt=bytes.fromhex(salt), n=2 ** 14, r=8, p=1,
                              dklen=32).hex() == digest
    assert mfa.use_recovery_code(people[1], shown[0][0]) is None


def test_the_second_step_pages_need_the_password_first(client, enrolled_admin):
    for page in (CODE_PAGE, "/sign-in/recovery-code", SET_UP_PAGE):
        assert client.get(page).location == "/sign-in"


def test_a_password_set_by_link_does_not_skip_the_second_factor(client, enrolled_admin, tree):
    other_admin = make_person(tree["trust"], roles=["admin"])
    # A password typed before the reset no longer opens the second step: the reset ended it.
    type_password(client, "admin@example.org")
    token, _ = links.create_link(other_admin, enrolled_admin)
    db.session.commit()
    form = client.get(f"/set-password/{token}").get_data(as_text=True)
    new_password = "a-brand-new-password-2026"
    done = client.post(f"/set-password/{token}", data={"password": new_password, "confirmation": new_password,
                                                        "csrf_token": csrf_token_from(form)})
    assert done.location == "/sign-in"
    assert client.get(CODE_PAGE).location == "/sign-in"
    assert not signed_in(client)
    assert type_password(client, "admin@example.org", new_password).location == CODE_PAGE
    assert not signed_in(client)
    assert db.session.get(SecondFactor, enrolled_admin.id).enrolled_at is not None


def test_an_admin_resets_a_persons_second_factor(client, sign_in, enrolled_admin, tree):
    lead = make_person(tree["trust"], email="lead@example.org", roles=["education_lead"])
    db.session.commit()
    lead_browser = client.application.test_client()
    assert type_password(lead_browser, "lead@example.org").location == SET_UP_PAGE
    give_second_factor(lead_browser, "lead@example.org")
    assert lead_browser.get("/my-year").status_code == 200

    sign_in("admin@example.org", PASSWORD)
    person_page = client.get(f"/admin/people/{lead.id}").get_data(as_text=True)
    assert "Authenticator app set up" in person_page and "Reset second factor" in person_page
    url = f"/admin/people/{lead.id}/second-factor/reset"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Reset second factor" in confirm.get_data(as_text=True)
    assert "First confirm who is asking" in confirm.get_data(as_text=True)
    answer = client.post(url, data={"csrf_token": csrf_token_from(confirm.get_data(as_text=True))})
    assert answer.location == f"/admin/people/{lead.id}"
    assert db.session.get(SecondFactor, lead.id) is None
    [reset] = events(mfa.RESET)
    assert (reset.actor_id, reset.person_id) == (enrolled_admin.id, lead.id)
    # The lead is signed out, and sets up an authenticator app again at their next sign-in.
    assert lead_browser.get("/my-year").status_code == 302
    assert type_password(lead_browser, "lead@example.org").location == SET_UP_PAGE


@pytest.mark.parametrize("roles", [[], ["manager"], ["education_lead"]])
def test_only_admins_may_reset_a_second_factor(client, sign_in, post_form, enrolled_admin, tree, roles):
    make_person(tree["ward7"], email="other@example.org", roles=roles)
    db.session.commit()
    sign_in("other@example.org", PASSWORD)
    url = f"/admin/people/{enrolled_admin.id}/second-factor/reset"
    assert client.get(url).status_code == 403
    assert post_form(url, token_from="/my-year").status_code == 403
    assert db.session.get(SecondFactor, enrolled_admin.id) is not None
    assert events(mfa.RESET) == []


def test_managers_need_a_second_factor_only_when_the_organisation_says_so(client, app, tree, monkeypatch):
    make_person(tree["ward7"], email="manager@example.org", roles=["manager"], scope=[tree["ward7"]])
    db.session.commit()
    assert type_password(client, "manager@example.org").location == "/"
    client.post("/sign-out", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})
    monkeypatch.setitem(app.config, "MFA_FOR_MANAGERS", True)
    assert type_password(client, "manager@example.org").location == SET_UP_PAGE
    assert not signed_in(client)


def test_a_signed_in_person_who_comes_to_need_a_second_factor_gives_one_first(client, sign_in, tree):
    nurse = make_person(tree["ward7"], email="nurse@example.org")
    db.session.commit()
    sign_in("nurse@example.org", PASSWORD)
    assert signed_in(client)
    nurse.role_grants.append(PersonRole(role=Role.EDUCATION_LEAD))
    db.session.commit()
    assert client.get("/reports/").location == SET_UP_PAGE
    assert not signed_in(client)


def test_the_demo_secret_works_outside_production_and_is_refused_in_production(client, app, admin, monkeypatch):
    mfa.enrol_with_demo_secret([admin.id])
    db.session.commit()
    assert type_password(client, "admin@example.org").location == CODE_PAGE
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    assert mfa.check_code(admin, code_now(mfa.DEMO_SECRET)) == mfa.WRONG_CODE
    assert client.get(CODE_PAGE).location == SET_UP_PAGE  # not enrolled: the demo secret does not count
    assert not signed_in(client)
    client.get(SET_UP_PAGE)
    assert db.session.get(SecondFactor, admin.id).secret != mfa.DEMO_SECRET
    monkeypatch.setitem(app.config, "ENV_NAME", "testing")
    other = client.application.test_client()
    type_password(other, "admin@example.org")
    assert other.get(CODE_PAGE).location == SET_UP_PAGE


def test_the_demo_secret_is_the_one_make_run_prints_and_the_readme_gives():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert f"DEMO_TOTP_SECRET := {mfa.DEMO_SECRET}" in (root / "Makefile").read_text()
    assert mfa.DEMO_SECRET in (root / "README.md").read_text()
