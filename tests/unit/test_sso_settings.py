"""The single sign-on settings: one provider from OIDC_*, several from OIDC_PROVIDERS, and the
mistakes that stop the app starting with a message that says what to fix."""
from __future__ import annotations

import json

import pytest

import config
# config.ConfigError is looked up when raised: tests/unit/test_config.py reloads the module, making a new class.
from config import oidc_providers_from, password_sign_in_from

ENTRA = "https://login.microsoftonline.com/0b0b0b0b-1111-2222-3333-444444444444/v2.0"


def test_no_provider_without_settings():
    assert oidc_providers_from({}) == ()


def test_one_provider_from_the_oidc_settings():
    (provider,) = oidc_providers_from({"OIDC_NAME": "NHSmail", "OIDC_ISSUER": ENTRA + "/", "OIDC_CLIENT_ID": "id",
                                       "OIDC_CLIENT_SECRET": "secret", "OIDC_DOMAINS": "nhs.net, Trust.NHS.uk"})
    assert provider["slug"] == "nhsmail" and provider["issuer"] == ENTRA
    assert provider["scopes"] == "openid email profile" and provider["email_claim"] == "email"
    assert provider["domains"] == ["nhs.net", "trust.nhs.uk"]


def test_several_providers_from_json():
    raw = [{"name": "NHSmail", "issuer": ENTRA, "client_id": "a", "client_secret": "b", "tenant": "t"},
           {"name": "NHS CIS2", "issuer": "https://am.nhsidentity.spineservices.nhs.uk/openam/oauth2/realms/root/"
                                          "realms/NHSIdentity/realms/Healthcare/.well-known/openid-configuration",
            "client_id": "c", "client_secret": "d", "scopes": "openid email nationalrbacaccess"}]
    first, second = oidc_providers_from({"OIDC_PROVIDERS": json.dumps(raw)})
    assert (first["slug"], first["tenant"]) == ("nhsmail", "t")
    assert second["slug"] == "nhs-cis2" and second["issuer"].endswith("/realms/Healthcare")


@pytest.mark.parametrize("raw, words", [
    ('{"name": "x"}', "JSON list"),
    ("not json", "JSON list"),
    ('[{"name": "A", "issuer": "http://idp.example.com", "client_id": "a", "client_secret": "b"}]', "https://"),
    ('[{"name": "A", "issuer": "https://idp.example.com", "client_id": "a"}]', "client_secret"),
    ('[{"name": "A", "issuer": "https://idp.example.com", "client_id": "a", "client_secret": "b", "scope": "x"}]',
     "unknown setting"),
    ('[{"name": "A", "issuer": "https://idp.example.com", "client_id": "a", "client_secret": "b", "scopes": "email"}]',
     "openid"),
    ('[{"name": "A", "issuer": "https://a.example.com", "client_id": "a", "client_secret": "b"},'
     ' {"name": "a", "issuer": "https://b.example.com", "client_id": "a", "client_secret": "b"}]', "same name"),
])
def test_mistakes_are_refused_with_what_to_fix(raw, words):
    with pytest.raises(config.ConfigError, match=words):
        oidc_providers_from({"OIDC_PROVIDERS": raw})


def test_a_provider_on_this_machine_may_use_plain_http():
    (provider,) = oidc_providers_from({"OIDC_ISSUER": "http://127.0.0.1:8080", "OIDC_NAME": "Test",
                                       "OIDC_CLIENT_ID": "a", "OIDC_CLIENT_SECRET": "b"})
    assert provider["issuer"] == "http://127.0.0.1:8080"


def test_password_sign_in_takes_on_off_admins_or_the_default():
    assert [password_sign_in_from({"PASSWORD_SIGN_IN": v}) for v in ("on", "OFF", " admins ")] == ["on", "off", "admins"]
    assert password_sign_in_from({}) == ""
    with pytest.raises(config.ConfigError, match="on, off or admins"):
        password_sign_in_from({"PASSWORD_SIGN_IN": "sometimes"})


def test_the_default_is_on_without_a_provider_and_admins_with_one(app):
    from tests.sso_support import provider_settings, providers_configured
    from tracker.auth import sso
    with app.app_context():
        assert config.TestingConfig.PASSWORD_SIGN_IN == "" and sso.password_mode() == "on"
        with providers_configured(app, provider_settings("NHSmail", "https://login.example.com")):
            assert sso.password_mode() == "admins"
