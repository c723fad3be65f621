"""Single sign-on's pages, on the auth blueprint: "Sign in with …" sends the browser to the
provider; the provider sends it back to the return address with a code, which Authlib exchanges
(state, PKCE verifier, nonce and the ID token's signature, issuer, audience and times all checked)
before tracker/auth/sso.py says who the person is. From there the password's way on: the second
step when a second factor is owed, then the same session making (routes.complete_sign_in)."""
from __future__ import annotations

from authlib.integrations.base_client import OAuthError
from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from joserfc.errors import JoseError
from requests import RequestException

from tracker.auth import mfa, security_events, sso
from tracker.auth.mfa_routes import SECOND_FACTOR_PASSED, start_second_step
from tracker.auth.routes import bp, complete_sign_in, safe_next
from tracker.extensions import db

NEXT = "sso_next"
STATE_KEYS = "_state_sso-"  # Authlib's session keys for a sign-in under way (sso.client names them)


def return_address(chosen: sso.Provider) -> str:
    """The redirect URI to register at the provider."""
    return url_for("auth.sso_return", slug=chosen.slug, _external=True)


def _chosen(slug: str) -> sso.Provider:
    chosen = sso.provider(slug)
    if chosen is None:
        abort(404)
    return chosen


def _not_answering(chosen: sso.Provider, error: Exception):
    current_app.logger.warning("Single sign-on: %s did not answer: %s", chosen.slug, type(error).__name__)
    security_events.sso_refused(chosen.slug, "provider_unavailable")
    return render_template("auth/sso_problem.html", provider=chosen, down=True,
                           password_mode=sso.password_mode()), 503


def _did_not_work(chosen: sso.Provider, reason: str):
    security_events.sso_refused(chosen.slug, reason)
    return render_template("auth/sso_problem.html", provider=chosen, down=False,
                           password_mode=sso.password_mode()), 400


@bp.route("/sign-in/with/<slug>")
def sso_start(slug: str):
    chosen = _chosen(slug)
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    session[NEXT] = safe_next(request.args.get("next")) or ""
    # Only the latest start in this browser is answered: each start keeps its state, verifier and
    # nonce in the session cookie, which would otherwise outgrow what a browser keeps.
    for key in [key for key in session if key.startswith(STATE_KEYS)]:
        session.pop(key)
    try:
        return sso.client(chosen).authorize_redirect(return_address(chosen))
    except (RequestException, ValueError, KeyError, RuntimeError) as error:
        return _not_answering(chosen, error)


@bp.route("/sign-in/with/<slug>/return")
def sso_return(slug: str):
    chosen = _chosen(slug)
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    try:
        token = sso.client(chosen).authorize_access_token(claims_options=sso.claims_options(chosen),
                                                          leeway=sso.clock_skew())
    except OAuthError as error:  # a state not of this browser, a code refused, the person said no
        return _did_not_work(chosen, f"oauth: {error.error}")
    except JoseError as error:  # the ID token's signature, issuer, audience, times or nonce
        return _did_not_work(chosen, f"id_token: {error.error}")
    except (RequestException, ValueError, KeyError, RuntimeError) as error:
        return _not_answering(chosen, error)
    claims = token.get("userinfo")
    if not claims or not claims.get("sub"):
        return _did_not_work(chosen, "id_token: missing")
    try:
        person = sso.person_for(chosen, claims)
    except sso.NotSetUp as refusal:
        db.session.rollback()
        security_events.sso_refused(chosen.slug, refusal.reason, person=refusal.person)
        return render_template("auth/sso_not_set_up.html", provider=chosen,
                               ask=current_app.config.get("OIDC_ACCOUNT_HELP")), 403
    db.session.commit()  # the link, at the first sign-in
    next_url = safe_next(session.pop(NEXT, None))
    if mfa.needs_second_factor(person) and not sso.second_factor_done(claims):
        response = start_second_step(person, next_url)
        session[sso.PENDING_PROVIDER] = chosen.slug  # the second step's end keeps it (mfa_routes._finish)
        return response
    response = complete_sign_in(person, next_url, provider=chosen, mfa_at_provider=sso.mfa_at_provider(claims))
    if mfa.needs_second_factor(person):
        session[SECOND_FACTOR_PASSED] = person.id  # given at the provider, and the organisation trusts it
    return response


def offer_end_session() -> dict | None:
    """After signing out of a session made through a provider: its sign-out page, once."""
    chosen = sso.provider(session.pop(sso.OFFER_END_SESSION, "") or "")
    if chosen is None:
        return None
    try:
        url = sso.end_session_url(chosen, url_for("auth.sign_in", _external=True))
    except (RequestException, ValueError, KeyError, RuntimeError):
        return None
    return {"name": chosen.name, "url": url} if url else None


@bp.app_context_processor
def _sign_in_choices():
    return {"sso_providers": sso.providers, "password_mode": sso.password_mode, "offer_end_session": offer_end_session}
