"""Single sign-on with OpenID Connect: the organisation's providers (OIDC_PROVIDERS, config.py),
which person a provider's verified account is, and when a password may still be used.

A person signs in through a provider only when the organisation put them in the tracker: the
first time by the verified e-mail address, after that by the provider's stable subject (the link
in PersonIdentity), so an address changed at the provider never reaches another account. Nothing
here knows about requests; tracker/auth/sso_routes.py is the request side (Authlib's client does
the protocol: authorization code with PKCE, state, nonce, the ID token checked against the JWKS).
"""
from __future__ import annotations

from dataclasses import dataclass

from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import current_app
from sqlalchemy import select

from tracker import appraisal_year
from tracker.audit import record
from tracker.auth.services import create_person, normalise_email
from tracker.extensions import db
from tracker.models import Person, PersonIdentity, Role, StaffGroup
from tracker.organisation import organisation_root
from tracker.refusal import Refused

LINKED = "auth.sso_linked"
REFUSED = "auth.sso_refused"
PASSWORD_REFUSED = "auth.password_sign_in_refused"

# Why a provider's account does not sign anybody in (the audit trail's `reason`).
UNKNOWN = "unknown"
DEACTIVATED = "deactivated"
NO_VERIFIED_EMAIL = "no_verified_email"
OTHER_TENANT = "other_tenant"
OTHER_DOMAIN = "other_domain"
LINKED_ELSEWHERE = "linked_to_another_account"

PASSWORD_NOT_ALLOWED = "Sign in with your organisation account: only admins may sign in with a password."
# The session's note of the provider it signed in with ("Sign out" then offers the provider's own),
# and of the one a person in the second step came from.
SIGNED_IN_WITH = "sso_signed_in_with"
PENDING_PROVIDER = "sso_pending_provider"
OFFER_END_SESSION = "sso_offer_end_session"
# How long the tracker waits for a provider before saying it is not answering.
PROVIDER_TIMEOUT_SECONDS = 10
# An ID token's `amr` value saying more than one factor was used (RFC 8176).
MFA_METHOD = "mfa"


@dataclass(frozen=True)
class Provider:
    name: str  # "NHSmail": the button says "Sign in with NHSmail"
    slug: str  # its part of the tracker's addresses
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    email_claim: str
    tenant: str  # when set, the ID token's `tid` must be this (one Entra ID organisation)
    domains: tuple[str, ...]  # when set, only e-mail addresses at these domains

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


class NotSetUp(Exception):
    """The provider's account names nobody the tracker may sign in; `person` when it names one."""

    def __init__(self, reason: str, person: Person | None = None):
        super().__init__(reason)
        self.reason, self.person = reason, person


def providers() -> list[Provider]:
    return [Provider(**{**raw, "domains": tuple(raw.get("domains") or ())})
            for raw in current_app.config.get("OIDC_PROVIDERS") or ()]


def provider(slug: str) -> Provider | None:
    return next((p for p in providers() if p.slug == slug), None)


def password_mode() -> str:
    """PASSWORD_SIGN_IN: on, off or admins; by default on without a provider and admins with one
    (the admins' password is the break-glass way in when the provider is down)."""
    return current_app.config.get("PASSWORD_SIGN_IN") or ("admins" if providers() else "on")


def password_allowed(person: Person) -> bool:
    mode = password_mode()
    return mode == "on" or (mode == "admins" and Role.ADMIN in person.roles)


def client(chosen: Provider) -> FlaskOAuth2App:
    """Authlib's client for one provider, kept for the app's life: it holds the provider's
    discovery document and keys (fetched again when a token names a key it does not hold)."""
    clients = current_app.extensions.setdefault("sso_clients", {})
    key = (chosen.slug, chosen.issuer, chosen.client_id, chosen.client_secret, chosen.scopes)
    if key not in clients:
        clients[key] = FlaskOAuth2App(
            FlaskIntegration(f"sso-{chosen.slug}"), name=f"sso-{chosen.slug}",
            client_id=chosen.client_id, client_secret=chosen.client_secret,
            server_metadata_url=chosen.discovery_url,
            client_kwargs={"scope": chosen.scopes, "code_challenge_method": "S256",
                           "default_timeout": PROVIDER_TIMEOUT_SECONDS})
    return clients[key]


def claims_options(chosen: Provider) -> dict:
    """The ID token must come from the configured issuer (not only the one its discovery document names)."""
    return {"iss": {"essential": True, "value": chosen.issuer}}


def clock_skew() -> int:
    return int(current_app.config.get("OIDC_CLOCK_SKEW_SECONDS", 120))


def end_session_url(chosen: Provider, after: str) -> str | None:
    """The provider's sign-out page (RP-initiated logout) when it has one and has told us so."""
    metadata = client(chosen).load_server_metadata()  # fetched now if this worker has not yet
    if not metadata.get("end_session_endpoint"):
        return None
    return client(chosen).create_logout_url(post_logout_redirect_uri=after, client_id=chosen.client_id)["url"]


def mfa_at_provider(claims: dict) -> bool:
    """The ID token says the person used more than one factor at the provider."""
    methods = claims.get("amr") or []
    if isinstance(methods, str):
        methods = [methods]
    acr = str(claims.get("acr") or "").lower()
    return MFA_METHOD in methods or bool(acr) and acr in current_app.config.get("OIDC_MFA_ACR_VALUES", ())


def second_factor_done(claims: dict) -> bool:
    """MFA at the provider stands for the tracker's second factor only when the organisation says so."""
    return bool(current_app.config.get("OIDC_MFA_TRUSTED")) and mfa_at_provider(claims)


def _verified_email(chosen: Provider, claims: dict) -> str | None:
    email = claims.get(chosen.email_claim)
    if not isinstance(email, str) or "@" not in email or claims.get("email_verified") is False:
        return None
    return normalise_email(email)


def person_for(chosen: Provider, claims: dict) -> Person:
    """The active person the provider's (already verified) ID token names, linked by its subject
    the first time. Raises NotSetUp when it names nobody who may sign in; creates nobody."""
    if chosen.tenant and claims.get("tid") != chosen.tenant:
        raise NotSetUp(OTHER_TENANT)
    subject = str(claims["sub"])
    link = db.session.scalar(select(PersonIdentity).where(PersonIdentity.provider == chosen.issuer,
                                                          PersonIdentity.subject == subject))
    if link is not None:
        person = db.session.get(Person, link.person_id)
        if not person.active:
            raise NotSetUp(DEACTIVATED, person)
        return person
    email = _verified_email(chosen, claims)
    if email is None:
        raise NotSetUp(NO_VERIFIED_EMAIL)
    if chosen.domains and email.rsplit("@", 1)[1] not in chosen.domains:
        raise NotSetUp(OTHER_DOMAIN)
    person = db.session.scalar(select(Person).where(Person.email == email))
    if person is None:
        person = _added_at_first_sign_in(chosen, claims, email)
        db.session.add(PersonIdentity(provider=chosen.issuer, subject=subject, person_id=person.id,
                                      made_the_person=True))
        record(person, LINKED, person=person, provider=chosen.name)
        return person
    if not person.active:
        raise NotSetUp(DEACTIVATED, person)
    # Another account at this provider already signs this person in: this one took over their
    # address (changed at the provider), and does not become them.
    if db.session.scalar(select(PersonIdentity.id).where(PersonIdentity.provider == chosen.issuer,
                                                         PersonIdentity.person_id == person.id)):
        raise NotSetUp(LINKED_ELSEWHERE, person)
    db.session.add(PersonIdentity(provider=chosen.issuer, subject=subject, person_id=person.id))
    record(person, LINKED, person=person, provider=chosen.name)
    return person


# Someone added at their first sign-in is staff with the fewest demands until the admin says more.
ADDED_STAFF_GROUP = StaffGroup.ADMIN_CLERICAL
ADDED_TIER = 1


def _added_at_first_sign_in(chosen: Provider, claims: dict, email: str) -> Person:
    """A new person for an unknown address at a domain the organisation listed in
    OIDC_CREATE_FOR_DOMAINS (else NotSetUp): staff on the organisation's top unit, in no team,
    in post from today."""
    root = organisation_root()
    if email.rsplit("@", 1)[1] not in current_app.config.get("OIDC_CREATE_FOR_DOMAINS", ()) or root is None:
        raise NotSetUp(UNKNOWN)
    name = str(claims.get("name") or "").strip()[:200] or email.split("@", 1)[0]
    try:
        person = create_person(email=email, name=name, team=root, tier=ADDED_TIER, staff_group=ADDED_STAFF_GROUP,
                               in_post_from=appraisal_year.today())
    except Refused:
        raise NotSetUp(UNKNOWN) from None
    record(person, "person.created", person=person, provider=chosen.name, added_at_first_sign_in=True)
    return person


def waiting_for_a_team() -> list[Person]:
    """People added at their first sign-in who are still on the organisation's top unit."""
    root = organisation_root()
    if root is None:
        return []
    return list(db.session.scalars(
        select(Person).join(PersonIdentity, PersonIdentity.person_id == Person.id)
        .where(PersonIdentity.made_the_person, Person.team_id == root.id, Person.active)
        .order_by(Person.name, Person.id)))
