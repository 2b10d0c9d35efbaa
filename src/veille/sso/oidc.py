"""The OpenID Connect relying party: discovery, the authorization code flow with PKCE, and the ID
token checked (signature against the provider's published keys, issuer, audience, expiry, nonce).

Authlib builds the authorization request and the code's token request (RFC 6749 parameters, PKCE
``S256`` of RFC 7636); its JOSE library (joserfc) verifies the ID token. The provider is the operator's choice
(``[hub] oidc_issuer``), so its address is not subject to the outbound policy's private ranges;
every call has a time-out and a size cap, and no response body reaches an error message.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError, MissingKeyError
from joserfc.jwk import KeySet

from veille.errors import Forbidden, Unavailable
from veille.settings import Settings

__all__ = ["FlowState", "Identity", "OidcClient", "OidcConfig", "OidcError"]

# What an ID token may be signed with (never "none", never a symmetric key the client also holds).
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
# Clock skew tolerated between the provider and the hub, and how long a sign-in may take.
LEEWAY_S = 60
FLOW_TTL_S = 600
_TIMEOUT = httpx.Timeout(10.0)
_MAX_BYTES = 1_000_000
_METADATA_TTL_S = 3600
# The keys are read again for an unknown key id, at most this often.
_KEYS_REFRESH_S = 60


class OidcError(Forbidden):
    """A sign-in through the identity provider is refused: the message says why (never a secret)."""


@dataclass(frozen=True, slots=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str | None
    scopes: tuple[str, ...]
    groups_claim: str
    username_claim: str
    group_teams: dict[str, list[str]] = field(default_factory=dict)
    group_roles: dict[str, str] = field(default_factory=dict)
    default_role: str | None = None
    label: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcConfig | None:
        """The configuration, or None when single sign-on is off (no issuer or no client id)."""
        if not settings.oidc_issuer or not settings.oidc_client_id:
            return None
        scopes = tuple(settings.oidc_scopes)
        if "openid" not in scopes:
            scopes = ("openid", *scopes)
        secret = settings.oidc_client_secret
        return cls(
            issuer=settings.oidc_issuer.rstrip("/"),
            client_id=settings.oidc_client_id,
            client_secret=secret.get_secret_value() if secret is not None else None,
            scopes=scopes,
            groups_claim=settings.oidc_groups_claim,
            username_claim=settings.oidc_username_claim,
            group_teams={group: list(names) for group, names in settings.oidc_group_teams.items()},
            group_roles=dict(settings.oidc_group_roles),
            default_role=settings.oidc_default_role,
            label=settings.oidc_label,
        )


@dataclass(frozen=True, slots=True)
class FlowState:
    """What the browser carries between the login and the callback (sealed in a cookie)."""

    state: str
    nonce: str
    code_verifier: str
    next: str
    started: float

    def to_json(self) -> str:
        return json.dumps(
            {"s": self.state, "n": self.nonce, "v": self.code_verifier, "x": self.next, "t": self.started}
        )

    @classmethod
    def from_json(cls, text: str) -> FlowState:
        data = json.loads(text)
        return cls(
            state=str(data["s"]),
            nonce=str(data["n"]),
            code_verifier=str(data["v"]),
            next=str(data["x"]),
            started=float(data["t"]),
        )


@dataclass(frozen=True, slots=True)
class Identity:
    issuer: str
    subject: str
    username: str
    groups: tuple[str, ...]
    email: str | None = None
    name: str | None = None


class OidcClient:
    """One identity provider: its discovery document and keys are cached (keys re-read once when a
    token names a key id they lack: the provider rotated them)."""

    def __init__(self, config: OidcConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config
        self._transport = transport
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None
        self._keys_at = 0.0

    def _http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=_TIMEOUT, transport=self._transport, follow_redirects=False)

    async def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            async with self._http() as client:
                answer = await client.get(url, headers={"Accept": "application/json"})
        except httpx.HTTPError as error:
            raise Unavailable(
                f"identity provider: its {what} could not be read ({type(error).__name__})"
            ) from None
        if answer.status_code != 200 or len(answer.content) > _MAX_BYTES:
            raise Unavailable(f"identity provider: its {what} answered HTTP {answer.status_code}")
        try:
            document = answer.json()
        except ValueError:
            raise Unavailable(f"identity provider: its {what} is not JSON") from None
        if not isinstance(document, dict):
            raise Unavailable(f"identity provider: its {what} is not a JSON object")
        return document

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None or time.monotonic() - self._metadata_at > _METADATA_TTL_S:
            url = f"{self.config.issuer}/.well-known/openid-configuration"
            document = await self._get_json(url, "discovery document")
            if str(document.get("issuer", "")).rstrip("/") != self.config.issuer:
                raise Unavailable("identity provider: its discovery document names another issuer")
            for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(document.get(key), str):
                    raise Unavailable(f"identity provider: its discovery document has no {key}")
            self._metadata, self._metadata_at = document, time.monotonic()
        return self._metadata

    async def _key_set(self, *, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            document = await self._get_json((await self.metadata())["jwks_uri"], "key set (JWKS)")
            try:
                self._keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
                self._keys_at = time.monotonic()
            except (JoseError, ValueError, KeyError, TypeError):
                raise Unavailable("identity provider: its key set (JWKS) cannot be read") from None
        return self._keys

    async def start(self, *, redirect_uri: str, next_path: str) -> tuple[str, FlowState]:
        """The provider's authorization address for a new sign-in, and the flow to keep."""
        metadata = await self.metadata()
        flow = FlowState(
            state=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            code_verifier=secrets.token_urlsafe(48),
            next=next_path,
            started=time.time(),
        )
        url = prepare_grant_uri(
            metadata["authorization_endpoint"],
            self.config.client_id,
            "code",
            redirect_uri=redirect_uri,
            scope=" ".join(self.config.scopes),
            state=flow.state,
            nonce=flow.nonce,
            code_challenge=create_s256_code_challenge(flow.code_verifier),
            code_challenge_method="S256",
        )
        return url, flow

    async def finish(self, *, code: str, state: str, flow: FlowState, redirect_uri: str) -> Identity:
        """Exchange ``code`` (this flow's, checked by ``state``) and check the ID token it brings."""
        if not secrets.compare_digest(state, flow.state):
            raise OidcError("state: the answer does not belong to this browser's sign-in", field="state")
        if time.time() - flow.started > FLOW_TTL_S:
            raise OidcError("state: the sign-in took too long; start again", field="state")
        metadata = await self.metadata()
        token = await self._exchange(metadata, code=code, flow=flow, redirect_uri=redirect_uri)
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise OidcError("id_token: the identity provider sent no ID token", field="id_token")
        claims = await self._verified_claims(id_token, nonce=flow.nonce)
        return self._identity(claims)

    async def _exchange(
        self, metadata: dict[str, Any], *, code: str, flow: FlowState, redirect_uri: str
    ) -> dict[str, Any]:
        """The token endpoint's answer for ``code`` (with the PKCE verifier and the client's secret)."""
        secret = self.config.client_secret
        methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        basic = secret is not None and "client_secret_basic" in methods
        fields: dict[str, Any] = {"code": code, "code_verifier": flow.code_verifier}
        if not basic:
            fields["client_id"] = self.config.client_id
            if secret is not None:
                fields["client_secret"] = secret
        body = prepare_token_request("authorization_code", redirect_uri=redirect_uri, **fields)
        auth = httpx.BasicAuth(self.config.client_id, secret) if basic and secret is not None else None
        try:
            async with self._http() as client:
                answer = await client.post(
                    metadata["token_endpoint"],
                    content=body,
                    auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Accept": "application/json",
                    },
                )
        except httpx.HTTPError as error:
            raise Unavailable(
                f"identity provider: its token endpoint did not answer ({type(error).__name__})"
            ) from None
        if answer.status_code != 200 or len(answer.content) > _MAX_BYTES:
            raise OidcError(
                f"code: the identity provider refused the code (HTTP {answer.status_code})", field="code"
            )
        try:
            token = answer.json()
        except ValueError:
            raise OidcError("code: the identity provider's token answer is not JSON", field="code") from None
        if not isinstance(token, dict):
            raise OidcError("code: the identity provider's token answer is not a JSON object", field="code")
        return token

    async def _verified_claims(self, id_token: str, *, nonce: str) -> dict[str, Any]:
        keys = await self._key_set()
        try:
            try:
                decoded = jwt.decode(id_token, keys, algorithms=list(ALGORITHMS))
            except (MissingKeyError, InvalidKeyIdError):
                # A key id the cached set lacks: the provider may have rotated its keys since.
                if time.monotonic() - self._keys_at < _KEYS_REFRESH_S:
                    raise
                decoded = jwt.decode(id_token, await self._key_set(refresh=True), algorithms=list(ALGORITHMS))
        except JoseError:
            raise OidcError("id_token: its signature does not verify", field="id_token") from None
        except ValueError:
            raise OidcError("id_token: not a JSON Web Token", field="id_token") from None
        claims = dict(decoded.claims)
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_S,
            iss={"essential": True, "value": self.config.issuer},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError:
            raise OidcError("id_token: it has expired (exp)", field="id_token") from None
        except ClaimError as error:
            raise OidcError(f"id_token: claim {error.claim!r} is not valid", field="id_token") from None
        except JoseError as error:
            raise OidcError(f"id_token: its claims are not valid ({error.error})", field="id_token") from None
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.config.client_id not in audiences:
            raise OidcError("id_token: it was issued for another client (aud)", field="id_token")
        if len(audiences) > 1 and claims.get("azp") not in (None, self.config.client_id):
            raise OidcError("id_token: it was issued for another client (azp)", field="id_token")
        if not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(claims["nonce"], nonce):
            raise OidcError("nonce: the ID token does not answer this sign-in", field="nonce")
        return claims

    def _identity(self, claims: dict[str, Any]) -> Identity:
        groups_value = claims.get(self.config.groups_claim) or []
        if isinstance(groups_value, str):
            groups_value = [groups_value]
        groups = tuple(str(group) for group in groups_value if isinstance(group, str | int))
        username = claims.get(self.config.username_claim) or claims.get("email") or claims["sub"]
        return Identity(
            issuer=self.config.issuer,
            subject=str(claims["sub"]),
            username=str(username),
            groups=groups,
            email=claims.get("email") if isinstance(claims.get("email"), str) else None,
            name=claims.get("name") if isinstance(claims.get("name"), str) else None,
        )
