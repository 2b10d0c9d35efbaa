"""A fake OpenID Connect identity provider on 127.0.0.1: discovery document, JWKS (a generated RSA
key), an authorization endpoint that approves at once as ``fake.user`` and a token endpoint that
checks the code, the redirect address, the client's secret and the PKCE verifier before signing
an ID token.

Knobs for the refusals the relying party must make: ``fake.claims`` (merged into the ID token's
claims: a wrong ``nonce``, an ``exp`` in the past, other ``groups``), ``fake.sign_with_other_key``
(a key the JWKS does not publish, under the published key id).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.fakes import LocalServer

__all__ = ["FakeIdentityProvider"]

KEY_ID = "fake-key-1"


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class FakeIdentityProvider:
    def __init__(self, *, client_id: str = "veille", client_secret: str = "s3cret-client") -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        self.user: dict[str, Any] = {
            "sub": "idp-user-1",
            "preferred_username": "claire.martin",
            "email": "claire.martin@example.org",
            "name": "Claire Martin",
            "groups": ["com-marketing"],
        }
        self.claims: dict[str, Any] = {}
        self.sign_with_other_key = False
        self.codes: dict[str, dict[str, str]] = {}
        self.token_requests: list[dict[str, str]] = []
        self.server: LocalServer | None = None

    @property
    def issuer(self) -> str:
        assert self.server is not None
        return self.server.url

    def serve(self) -> LocalServer:
        self.server = LocalServer(
            Starlette(
                routes=[
                    Route("/.well-known/openid-configuration", self._discovery),
                    Route("/jwks", self._jwks),
                    Route("/authorize", self._authorize),
                    Route("/token", self._token, methods=["POST"]),
                ]
            )
        )
        return self.server

    async def _discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }
        )

    async def _jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    async def _authorize(self, request: Request) -> Response:
        query = request.query_params
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return JSONResponse({"error": "unauthorized_client"}, status_code=400)
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return JSONResponse({"error": "invalid_request", "error_description": "PKCE S256 required"}, 400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "redirect_uri": query["redirect_uri"],
            "nonce": query.get("nonce", ""),
            "challenge": query["code_challenge"],
            "scope": query.get("scope", ""),
        }
        target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        return RedirectResponse(target, status_code=302)

    async def _token(self, request: Request) -> Response:
        form = {key: str(value) for key, value in (await request.form()).items()}
        self.token_requests.append(form)
        expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(form.get("code", ""), None)
        if form.get("grant_type") != "authorization_code" or grant is None:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "redirect_uri"}, 400)
        if _s256(form.get("code_verifier", "")) != grant["challenge"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE verifier"}, 400)
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            **self.user,
            **self.claims,
        }
        key = self.other_key if self.sign_with_other_key else self.key
        id_token = jwt.encode({"alg": "RS256", "kid": KEY_ID}, claims, key)
        return JSONResponse(
            {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "id_token": id_token}
        )
