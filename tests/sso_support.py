"""OpenID Connect providers on 127.0.0.1 for the single sign-on tests: the oidc-provider-mock
package (a real provider: its own sign-in page, codes, tokens, keys) and, for the ID tokens it
will not make (expired, wrongly signed, for another audience or issuer, from a rotated key), a
small provider the tests control: discovery, JWKS and a token endpoint that checks the PKCE
verifier and takes each code once."""
from __future__ import annotations

import base64
import hashlib
import threading
import time
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.loopback import JsonHandler

CLIENT_ID = "tracker-client"
CLIENT_SECRET = "tracker-secret"


def provider_settings(name: str, issuer: str, **more) -> dict:
    """One provider as config.oidc_provider makes it from the settings."""
    import config
    return config.oidc_provider({"name": name, "issuer": issuer, "client_id": CLIENT_ID,
                                 "client_secret": CLIENT_SECRET, **more}, name)


@contextmanager
def providers_configured(app, *providers: dict, **settings) -> Iterator[None]:
    """The app signs in with these providers (and settings) for the test, as before afterwards."""
    keys = {"OIDC_PROVIDERS": tuple(providers), **settings}
    before = {key: app.config.get(key) for key in keys}
    app.config.update(keys)
    app.extensions.pop("sso_clients", None)
    try:
        yield
    finally:
        app.config.update(before)
        app.extensions.pop("sso_clients", None)


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


class LoopbackProvider:
    """A provider whose every ID token the test decides. `issue(code, claims)` prepares what the
    token endpoint answers for `code`; `rotate()` signs with a new key from now on."""

    def __init__(self):
        self.keys = [RSAKey.generate_key(2048, parameters={"kid": "key-1", "use": "sig"})]
        self.prepared: dict[str, dict] = {}
        self.used: set[str] = set()
        self.challenges: dict[str, str] = {}  # code -> the code_challenge it was asked with
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def key(self) -> RSAKey:
        return self.keys[-1]

    def rotate(self) -> None:
        """A new signing key; the old one leaves the JWKS."""
        self.keys = [RSAKey.generate_key(2048, parameters={"kid": f"key-{len(self.keys) + 1}", "use": "sig"})]

    def claims(self, sub: str, nonce: str, **more) -> dict:
        now = int(time.time())  # ID tokens carry the real time: the tracker checks them against it
        return {"iss": self.issuer, "sub": sub, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": nonce,
                **more}

    def issue(self, code: str, claims: dict, *, key: RSAKey | None = None, challenge: str = "") -> None:
        signing = key or self.key
        token = jwt.encode({"alg": "RS256", "kid": signing.kid}, claims, signing)
        self.prepared[code] = {"access_token": f"access-{code}", "token_type": "Bearer", "expires_in": 300,
                               "id_token": token}
        self.challenges[code] = challenge

    def _token(self, form: dict[str, str], authorization: str) -> tuple[int, dict]:
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != expected:
            return 401, {"error": "invalid_client"}
        code = form.get("code", "")
        if code not in self.prepared or code in self.used:
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if self.challenges.get(code) and digest != self.challenges[code]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verifier does not match"}
        self.used.add(code)
        return 200, self.prepared[code]

    def _handler(self):
        provider = self

        class Handler(JsonHandler):

            def do_GET(self):
                path = urlsplit(self.path).path
                if path == "/.well-known/openid-configuration":
                    self._answer(200, {
                        "issuer": provider.issuer, "authorization_endpoint": f"{provider.issuer}/authorize",
                        "token_endpoint": f"{provider.issuer}/token", "jwks_uri": f"{provider.issuer}/jwks",
                        "end_session_endpoint": f"{provider.issuer}/logout",
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "response_types_supported": ["code"], "subject_types_supported": ["public"]})
                elif path == "/jwks":
                    self._answer(200, {"keys": [key.as_dict(private=False) for key in provider.keys]})
                else:
                    self._answer(404, {})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlsplit(self.path).path != "/token":
                    return self._answer(404, {})
                self._answer(*provider._token(form, self.headers.get("Authorization", "")))

        return Handler
