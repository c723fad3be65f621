"""Single sign-on against providers on 127.0.0.1: the oidc-provider-mock package for the whole
flow through a real provider, and tests/sso_support.LoopbackProvider for the ID tokens that one
will not make. Nothing of the tracker is stood in for."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
import requests
from joserfc.jwk import RSAKey
from oidc_provider_mock import User, run_server_in_thread
from sqlalchemy import select

from tests.factories import PASSWORD, make_person, make_tree
from tests.sso_support import CLIENT_ID, LoopbackProvider, provider_settings, providers_configured, query_of
from tests.support import csrf_token_from, free_port, give_second_factor
from tracker.auth import sso
from tracker.extensions import db
from tracker.models import AuditEvent, PersonIdentity, UserSession

NOT_SET_UP = "Your organisation account is not set up in this tracker"


def events(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


@pytest.fixture(scope="module")
def idp():
    with LoopbackProvider() as provider:
        yield provider


@pytest.fixture
def people(db_session):
    tree = make_tree()
    found = {"ann": make_person(tree["ward7"], email="ann@trust.nhs.uk", name="Ann Nurse"),
             "bob": make_person(tree["ward7"], email="bob@trust.nhs.uk", name="Bob Porter"),
             "gone": make_person(tree["ward7"], email="gone@trust.nhs.uk", name="Gil Left", active=False),
             "admin": make_person(tree["trust"], email="admin@trust.nhs.uk", name="Ada Admin", roles=["admin"])}
    db.session.commit()
    return found


@pytest.fixture
def trust(app, idp):
    with providers_configured(app, provider_settings("Trust login", idp.issuer)):
        yield idp


def start(client, slug: str = "trust-login") -> dict[str, str]:
    response = client.get(f"/sign-in/with/{slug}")
    assert response.status_code == 302, response.get_data(as_text=True)
    return query_of(response.location)


def come_back(client, asked: dict, code: str, slug: str = "trust-login"):
    return client.get(f"/sign-in/with/{slug}/return", query_string={"code": code, "state": asked["state"]})


def sign_in_at(client, idp, sub: str, email: str | None, code: str, **claims):
    asked = start(client)
    more = {"email": email, **claims} if email else claims
    idp.issue(code, idp.claims(sub, asked["nonce"], **more), challenge=asked["code_challenge"])
    return come_back(client, asked, code)


def signed_in_as(client) -> str:
    return client.get("/").get_data(as_text=True)


def test_the_sign_in_page_shows_each_provider_above_the_password_form(app, client, people, idp):
    with providers_configured(app, provider_settings("NHSmail", idp.issuer),
                              provider_settings("NHS CIS2", "https://am.nhsidentity.spineservices.nhs.uk/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare")):
        page = client.get("/sign-in").get_data(as_text=True)
    assert page.index("Sign in with NHSmail") < page.index("Sign in with NHS CIS2") < page.index('name="password"')
    assert "Admins: sign in with a password" in page  # admins by default once a provider is set
    assert 'href="/sign-in/with/nhsmail"' in page and 'href="/sign-in/with/nhs-cis2"' in page


def test_without_a_provider_the_page_is_as_before(client, people):
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Sign in with " not in page and 'name="password"' in page and "Admins:" not in page


def test_a_known_person_signs_in_is_linked_and_audited(client, people, trust):
    asked = start(client)
    assert asked["code_challenge_method"] == "S256" and asked["nonce"] and asked["state"]
    assert asked["redirect_uri"] == "http://localhost/sign-in/with/trust-login/return"
    trust.issue("ok-1", trust.claims("sub-ann", asked["nonce"], email="Ann@Trust.nhs.uk"),
                challenge=asked["code_challenge"])
    response = come_back(client, asked, "ok-1")
    assert response.status_code == 302 and response.location == "/"
    assert "Ann Nurse" in signed_in_as(client)
    link = db.session.scalar(select(PersonIdentity).where(PersonIdentity.subject == "sub-ann"))
    assert link.person_id == people["ann"].id and link.provider == trust.issuer
    assert [e.detail["provider"] for e in events(sso.LINKED)] == ["Trust login"]
    assert events("auth.signed_in")[-1].detail["provider"] == "Trust login"
    # The same session rules as a password: a server-side session record.
    assert db.session.scalar(select(UserSession).where(UserSession.person_id == people["ann"].id)) is not None


def test_wrong_state_is_refused(client, people, trust):
    asked = start(client)
    trust.issue("st-1", trust.claims("sub-ann", asked["nonce"], email="ann@trust.nhs.uk"), challenge=asked["code_challenge"])
    response = come_back(client, {"state": "not-the-state"}, "st-1")
    assert response.status_code == 400
    assert "Signing in with Trust login did not work" in response.get_data(as_text=True)
    assert "Ann Nurse" not in signed_in_as(client)
    assert events(sso.REFUSED)[-1].detail["reason"].startswith("oauth: mismatching_state")


def test_a_code_used_once_is_refused_the_second_time(client, people, trust):
    asked = start(client)
    trust.issue("rp-1", trust.claims("sub-ann", asked["nonce"], email="ann@trust.nhs.uk"), challenge=asked["code_challenge"])
    assert come_back(client, asked, "rp-1").status_code == 302
    client.post("/sign-out", data={"csrf_token": csrf_token_from(signed_in_as(client))})
    # The same answer again, in a new sign-in of this browser: the state is new, the code is spent.
    again = start(client)
    trust.challenges["rp-1"] = again["code_challenge"]
    response = come_back(client, again, "rp-1")
    assert response.status_code == 400 and "Ann Nurse" not in signed_in_as(client)
    assert events(sso.REFUSED)[-1].detail["reason"] == "oauth: invalid_grant"


def test_a_replayed_answer_is_refused(client, people, trust):
    asked = start(client)
    trust.issue("rp-2", trust.claims("sub-ann", asked["nonce"], email="ann@trust.nhs.uk"), challenge=asked["code_challenge"])
    assert come_back(client, asked, "rp-2").status_code == 302
    client.post("/sign-out", data={"csrf_token": csrf_token_from(signed_in_as(client))})
    assert come_back(client, asked, "rp-2").status_code == 400


@pytest.mark.parametrize("case", ["expired", "other_key", "other_audience", "other_issuer", "other_nonce"])
def test_id_tokens_that_do_not_hold_are_refused(client, people, trust, case):
    asked = start(client)
    claims = trust.claims("sub-ann", asked["nonce"], email="ann@trust.nhs.uk")
    key = None
    if case == "expired":
        claims.update(iat=int(time.time()) - 3600, exp=int(time.time()) - 600)  # beyond the two minutes' skew
    elif case == "other_key":
        key = RSAKey.generate_key(2048, parameters={"kid": trust.key.kid})  # a key the JWKS does not hold, same kid
    elif case == "other_audience":
        claims["aud"] = "another-client"
    elif case == "other_issuer":
        claims["iss"] = "https://login.example.com"
    else:
        claims["nonce"] = "not-the-nonce"
    trust.issue(f"bad-{case}", claims, key=key, challenge=asked["code_challenge"])
    response = come_back(client, asked, f"bad-{case}")
    assert response.status_code == 400
    assert "Ann Nurse" not in signed_in_as(client)
    assert events(sso.REFUSED)[-1].detail["reason"].startswith("id_token: ")
    assert db.session.scalar(select(PersonIdentity)) is None


def test_a_clock_a_little_ahead_of_ours_is_tolerated(client, people, trust):
    now = int(time.time())
    response = sign_in_at(client, trust, "sub-ann", "ann@trust.nhs.uk", "skew-1", iat=now + 60, exp=now - 60 + 300)
    assert response.status_code == 302 and "Ann Nurse" in signed_in_as(client)


def test_a_rotated_key_is_fetched_without_a_restart(client, people, trust):
    assert sign_in_at(client, trust, "sub-ann", "ann@trust.nhs.uk", "rot-1").status_code == 302
    client.post("/sign-out", data={"csrf_token": csrf_token_from(signed_in_as(client))})
    trust.rotate()
    response = sign_in_at(client, trust, "sub-ann", "ann@trust.nhs.uk", "rot-2")
    assert response.status_code == 302 and "Ann Nurse" in signed_in_as(client)


@pytest.mark.parametrize("email, reason", [("nobody@trust.nhs.uk", sso.UNKNOWN), ("gone@trust.nhs.uk", sso.DEACTIVATED)])
def test_an_unknown_or_deactivated_person_gets_the_page_and_nothing_is_made(client, people, trust, email, reason):
    response = sign_in_at(client, trust, "sub-x", email, f"who-{reason}")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert NOT_SET_UP in page and "your line manager or the tracker&#39;s administrator" in page
    assert db.session.scalar(select(PersonIdentity)) is None
    assert events(sso.REFUSED)[-1].detail["reason"] == reason
    assert "Sign in" in signed_in_as(client)


def test_an_unverified_email_is_not_matched(client, people, trust):
    response = sign_in_at(client, trust, "sub-ann", "ann@trust.nhs.uk", "unv-1", email_verified=False)
    assert response.status_code == 403 and events(sso.REFUSED)[-1].detail["reason"] == sso.NO_VERIFIED_EMAIL


def test_an_email_changed_at_the_provider_after_linking_does_not_take_over_another_account(client, people, trust):
    assert sign_in_at(client, trust, "sub-ann", "ann@trust.nhs.uk", "chg-1").status_code == 302
    client.post("/sign-out", data={"csrf_token": csrf_token_from(signed_in_as(client))})
    # Ann's account at the provider now carries Bob's address: she is still Ann.
    assert sign_in_at(client, trust, "sub-ann", "bob@trust.nhs.uk", "chg-2").status_code == 302
    page = signed_in_as(client)
    assert "Ann Nurse" in page and "Bob Porter" not in page
    client.post("/sign-out", data={"csrf_token": csrf_token_from(page)})
    # And once Bob is linked, another account given his address does not become him.
    assert sign_in_at(client, trust, "sub-bob", "bob@trust.nhs.uk", "chg-3").status_code == 302
    client.post("/sign-out", data={"csrf_token": csrf_token_from(signed_in_as(client))})
    response = sign_in_at(client, trust, "sub-intruder", "bob@trust.nhs.uk", "chg-4")
    assert response.status_code == 403 and events(sso.REFUSED)[-1].detail["reason"] == sso.LINKED_ELSEWHERE


def test_a_linked_person_who_leaves_cannot_sign_in(client, people, trust):
    assert sign_in_at(client, trust, "sub-ann", "ann@trust.nhs.uk", "lv-1").status_code == 302
    client.post("/sign-out", data={"csrf_token": csrf_token_from(signed_in_as(client))})
    people["ann"].active = False
    db.session.commit()
    response = sign_in_at(client, trust, "sub-ann", "ann@trust.nhs.uk", "lv-2")
    assert response.status_code == 403 and NOT_SET_UP in response.get_data(as_text=True)


def test_another_tenant_is_refused(app, client, people, idp):
    with providers_configured(app, provider_settings("Trust login", idp.issuer, tenant="tenant-a")):
        response = sign_in_at(client, idp, "sub-ann", "ann@trust.nhs.uk", "tn-1", tid="tenant-b")
        assert response.status_code == 403 and events(sso.REFUSED)[-1].detail["reason"] == sso.OTHER_TENANT
        assert sign_in_at(client, idp, "sub-ann", "ann@trust.nhs.uk", "tn-2", tid="tenant-a").status_code == 302


def test_several_providers_at_once_each_with_its_own_accounts(app, client, people, idp):
    with LoopbackProvider() as second, providers_configured(
            app, provider_settings("Trust login", idp.issuer), provider_settings("NHS CIS2", second.issuer)):
        asked = start(client, "nhs-cis2")
        assert urlsplit(asked["redirect_uri"]).path == "/sign-in/with/nhs-cis2/return"
        second.issue("two-1", second.claims("uid-ann", asked["nonce"], email="ann@trust.nhs.uk"),
                     challenge=asked["code_challenge"])
        assert come_back(client, asked, "two-1", "nhs-cis2").status_code == 302
        assert "Ann Nurse" in signed_in_as(client)
        # A token of the first provider handed to the second's return address is not the second's.
        client.post("/sign-out", data={"csrf_token": csrf_token_from(signed_in_as(client))})
        asked = start(client, "nhs-cis2")
        second.issue("two-2", idp.claims("uid-ann", asked["nonce"], email="ann@trust.nhs.uk") | {"iss": idp.issuer},
                     key=idp.key, challenge=asked["code_challenge"])
        assert come_back(client, asked, "two-2", "nhs-cis2").status_code == 400
    assert {link.provider for link in db.session.scalars(select(PersonIdentity))} == {second.issuer}


def test_a_provider_that_does_not_answer_gets_a_clear_page_and_passwords_still_work(app, client, people, sign_in):
    down = f"http://127.0.0.1:{free_port()}"
    with providers_configured(app, provider_settings("Trust login", down), PASSWORD_SIGN_IN="on"):
        response = client.get("/sign-in/with/trust-login")
        assert response.status_code == 503
        page = response.get_data(as_text=True)
        assert "Trust login is not answering at the moment" in page
        assert "You can also sign in with your email address and password" in page
        assert events(sso.REFUSED)[-1].detail["reason"] == "provider_unavailable"
        assert sign_in("ann@trust.nhs.uk", PASSWORD).status_code == 302
        assert "Ann Nurse" in signed_in_as(client)


def test_passwords_for_admins_only(app, client, people, sign_in, trust):
    response = sign_in("ann@trust.nhs.uk", PASSWORD)
    assert response.status_code == 200 and sso.PASSWORD_NOT_ALLOWED in response.get_data(as_text=True)
    assert events(sso.PASSWORD_REFUSED)[-1].about_subject_id is not None
    assert "Ann Nurse" not in signed_in_as(client)
    assert sign_in("admin@trust.nhs.uk", PASSWORD).status_code == 302  # break-glass: the admin's password (and code)
    assert "Ada Admin" in signed_in_as(client)


def test_passwords_off(app, client, people, idp):
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))  # this browser's, from before
    with providers_configured(app, provider_settings("Trust login", idp.issuer), PASSWORD_SIGN_IN="off"):
        page = client.get("/sign-in").get_data(as_text=True)
        assert "Sign in with Trust login" in page and 'name="password"' not in page
        response = client.post("/sign-in", data={"email": "admin@trust.nhs.uk", "password": PASSWORD, "csrf_token": token})
        assert sso.PASSWORD_NOT_ALLOWED in response.get_data(as_text=True)
        assert "Sign in with Trust login" in signed_in_as(client)


def test_an_admin_through_the_provider_still_gives_the_trackers_second_factor(client, people, trust):
    response = sign_in_at(client, trust, "sub-admin", "admin@trust.nhs.uk", "mfa-1", amr=["pwd"])
    assert response.status_code == 302 and response.location.startswith("/sign-in/")
    assert "Ada Admin" not in signed_in_as(client)


def test_after_the_provider_an_admin_gives_the_code_and_the_sign_in_names_the_provider(client, people, trust):
    response = sign_in_at(client, trust, "sub-admin", "admin@trust.nhs.uk", "mfa-3")
    assert response.location == "/sign-in/set-up-authenticator-app"
    response = give_second_factor(client, "admin@trust.nhs.uk")
    assert response.status_code == 302 and "Ada Admin" in signed_in_as(client)
    assert events("auth.signed_in")[-1].detail["provider"] == "Trust login"
    # Signed in through the provider: signing out offers the provider's sign-out.
    page = client.post("/sign-out", data={"csrf_token": csrf_token_from(signed_in_as(client))},
                       follow_redirects=True).get_data(as_text=True)
    assert "Sign out of Trust login too" in page


def test_a_session_made_through_the_provider_has_the_same_idle_time_out(client, people, trust, time_of_day):
    assert sign_in_at(client, trust, "sub-ann", "ann@trust.nhs.uk", "idle-1").status_code == 302
    time_of_day.move_on(minutes=29)
    assert "Ann Nurse" in signed_in_as(client)
    time_of_day.move_on(minutes=30)
    assert client.get("/my-year").headers["Location"] == "/sign-in"
    assert "had not done anything for 30 minutes" in client.get("/sign-in").get_data(as_text=True)


def test_mfa_at_the_provider_counts_when_the_organisation_says_so(app, client, people, idp):
    with providers_configured(app, provider_settings("Trust login", idp.issuer), OIDC_MFA_TRUSTED=True):
        response = sign_in_at(client, idp, "sub-admin", "admin@trust.nhs.uk", "mfa-2", amr=["pwd", "mfa"])
        assert response.status_code == 302 and response.location == "/"
        assert "Ada Admin" in signed_in_as(client)
        assert events("auth.signed_in")[-1].detail["mfa_at_provider"] is True


def test_signing_out_offers_the_providers_sign_out(client, people, trust):
    assert sign_in_at(client, trust, "sub-ann", "ann@trust.nhs.uk", "out-1").status_code == 302
    response = client.post("/sign-out", data={"csrf_token": csrf_token_from(signed_in_as(client))},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Sign out of Trust login too" in page
    assert f'href="{trust.issuer}/logout?post_logout_redirect_uri=' in page and f"client_id={CLIENT_ID}" in page
    assert "Sign out of Trust login too" not in client.get("/sign-in").get_data(as_text=True)  # offered once
    # The session is over on the server too.
    assert "Ann Nurse" not in signed_in_as(client)


def test_the_whole_flow_through_a_real_provider(app, client, people):
    """oidc-provider-mock: its own authorization page, codes, tokens and keys; the nonce required."""
    ann = User(sub="ann-at-mock", claims={"email": "ann@trust.nhs.uk", "email_verified": True})
    with run_server_in_thread(port=free_port(), require_nonce=True, user_claims=[ann]) as server:
        issuer = f"http://localhost:{server.server_port}"
        with providers_configured(app, provider_settings("NHSmail", issuer)):
            authorize = client.get("/sign-in/with/nhsmail").location
            assert authorize.startswith(f"{issuer}/oauth2/authorize?")
            # The person authenticates at the provider's page, which sends the browser back.
            back = requests.post(authorize, data={"sub": "ann-at-mock"}, allow_redirects=False, timeout=10)
            assert back.status_code == 302 and back.headers["Location"].startswith("http://localhost/sign-in/with/nhsmail/return?")
            parts = urlsplit(back.headers["Location"])
            response = client.get(f"{parts.path}?{parts.query}")
            assert response.status_code == 302 and response.location == "/"
            assert "Ann Nurse" in signed_in_as(client)
            assert db.session.scalar(select(PersonIdentity.subject)) == "ann-at-mock"


def test_nobody_is_added_unless_the_organisation_lists_their_domain(app, client, people, trust):
    response = sign_in_at(client, trust, "sub-new", "new.starter@trust.nhs.uk", "add-0", name="New Starter")
    assert response.status_code == 403 and events("person.created") == []


def test_a_listed_domain_adds_staff_in_no_team_listed_for_the_admin(app, client, people, idp, sign_in):
    with providers_configured(app, provider_settings("Trust login", idp.issuer), OIDC_CREATE_FOR_DOMAINS=("trust.nhs.uk",)):
        response = sign_in_at(client, idp, "sub-new", "New.Starter@trust.nhs.uk", "add-1", name="New Starter")
        assert response.status_code == 302 and "New Starter" in signed_in_as(client)
        # Only the listed domain: another's unknown address is still refused.
        client.post("/sign-out", data={"csrf_token": csrf_token_from(signed_in_as(client))})
        assert sign_in_at(client, idp, "sub-other", "someone@elsewhere.nhs.uk", "add-2").status_code == 403
        made = db.session.scalar(select(PersonIdentity).where(PersonIdentity.subject == "sub-new"))
        assert made.made_the_person
        person = db.session.get(type(people["ann"]), made.person_id)
        assert (person.email, person.team.parent_id, person.roles) == ("new.starter@trust.nhs.uk", None, set())
        assert events("person.created")[-1].detail["added_at_first_sign_in"] is True
        sign_in("admin@trust.nhs.uk", PASSWORD)
        page = client.get("/admin/people").get_data(as_text=True)
        assert "Added at their first sign-in" in page and "New Starter" in page
        assert f'href="/admin/people/{person.id}/edit"' in page


def test_only_the_latest_start_is_answered_and_the_cookie_stays_small(client, people, trust):
    first = start(client)
    for _ in range(20):
        latest = start(client)
    cookie = client.get_cookie("session")
    assert len(cookie.value) < 2000
    trust.issue("late-1", trust.claims("sub-ann", first["nonce"], email="ann@trust.nhs.uk"), challenge=first["code_challenge"])
    assert come_back(client, first, "late-1").status_code == 400
    trust.issue("late-2", trust.claims("sub-ann", latest["nonce"], email="ann@trust.nhs.uk"), challenge=latest["code_challenge"])
    assert come_back(client, latest, "late-2").status_code == 302


def test_a_smartcard_acr_counts_as_mfa_when_listed(app, client, people, idp):
    with providers_configured(app, provider_settings("NHS CIS2", idp.issuer), OIDC_MFA_TRUSTED=True,
                              OIDC_MFA_ACR_VALUES=("aal3_any",)):
        asked = start(client, "nhs-cis2")
        idp.issue("acr-1", idp.claims("uid-admin", asked["nonce"], email="admin@trust.nhs.uk", acr="AAL1_USERPASS"),
                  challenge=asked["code_challenge"])
        assert come_back(client, asked, "acr-1", "nhs-cis2").location.startswith("/sign-in/")  # not MFA: the code
        client.get("/sign-in")  # a new start, from the beginning
        asked = start(client, "nhs-cis2")
        idp.issue("acr-2", idp.claims("uid-admin", asked["nonce"], email="admin@trust.nhs.uk", acr="AAL3_ANY"),
                  challenge=asked["code_challenge"])
        assert come_back(client, asked, "acr-2", "nhs-cis2").location == "/"
        assert "Ada Admin" in signed_in_as(client)


def test_the_providers_sign_out_is_offered_by_a_worker_that_never_loaded_it(app, client, people, trust):
    assert sign_in_at(client, trust, "sub-ann", "ann@trust.nhs.uk", "fresh-1").status_code == 302
    app.extensions.pop("sso_clients")  # as another worker, or after a restart
    page = client.post("/sign-out", data={"csrf_token": csrf_token_from(signed_in_as(client))},
                       follow_redirects=True).get_data(as_text=True)
    assert "Sign out of Trust login too" in page
