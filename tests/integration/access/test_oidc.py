"""Issue 14, item 5: single sign-on with OpenID Connect next to local accounts, against a fake
identity provider on 127.0.0.1 (discovery, JWKS of a generated RSA key, a token endpoint that
checks PKCE and signs ID tokens). A first sign-in creates the user with the role and teams its
groups map to; a later one updates them; a wrong state, nonce, signature, an expired token or
groups the hub does not know are refused, and no session is opened."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import SecretStr

from tests.fakes.oidc import FakeIdentityProvider
from tests.support.live_server import LiveHub, serve_hub
from veille.settings import Settings
from veille.teams import create_team


@pytest.fixture
def idp() -> Iterator[FakeIdentityProvider]:
    fake = FakeIdentityProvider()
    with fake.serve():
        yield fake


@pytest.fixture
def live(settings: Settings, idp: FakeIdentityProvider) -> Iterator[LiveHub]:
    configured = settings.model_copy(
        update={
            "oidc_issuer": idp.issuer,
            "oidc_client_id": idp.client_id,
            "oidc_client_secret": SecretStr(idp.client_secret),
            "oidc_scopes": ["openid", "profile", "groups"],
            "oidc_group_teams": {"com-marketing": ["marketing"], "com-france": ["france"]},
            "oidc_group_roles": {"com-marketing": "analyst", "hub-admins": "admin"},
            "oidc_label": "Entreprise ID",
        }
    )
    with serve_hub(configured) as hub:
        create_team(store=hub.hub.store, spec={"name": "marketing"}, actor="tests")
        create_team(store=hub.hub.store, spec={"name": "france", "countries": ["FR"]}, actor="tests")
        yield hub


def _sign_in(live: LiveHub, *, tamper_state: bool = False, next_path: str = "/explore") -> httpx.Response:
    """The browser's round trip: hub → provider → hub callback (redirects followed by hand)."""
    with httpx.Client(base_url=live.base_url, timeout=30) as browser:
        start = browser.get("/auth/oidc/login", params={"next": next_path})
        assert start.status_code == 303, start.text
        authorize = start.headers["location"]
        query = parse_qs(urlsplit(authorize).query)
        assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
        assert query["scope"] == ["openid profile groups"]
        assert "veille_oidc" in browser.cookies
        back = httpx.get(authorize, timeout=30)
        assert back.status_code == 302, back.text
        callback = back.headers["location"]
        if tamper_state:
            callback = callback.replace("state=", "state=x")
        answer = browser.get(callback)
        if answer.status_code == 303:
            me = browser.get("/api/v1/me")
            answer.extensions["me"] = me.json() if me.status_code == 200 else me.text
        return answer


def test_first_sign_in_creates_the_user_with_teams_and_role_from_groups(
    live: LiveHub, idp: FakeIdentityProvider
) -> None:
    idp.user["groups"] = ["com-marketing", "com-france", "unrelated-group"]
    answer = _sign_in(live)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/explore"
    assert "veille_session=" in answer.headers["set-cookie"]
    me = answer.extensions["me"]
    assert me["name"] == "claire.martin" and me["role"] == "analyst"
    assert sorted(me["teams"]) == ["france", "marketing"]
    # The code was exchanged with the client's secret (HTTP Basic) and the PKCE verifier.
    assert idp.token_requests[-1]["code_verifier"]
    # A user of the provider has no usable local password.
    assert live.hub.access.check_password("claire.martin", "!sso") is None

    idp.user["groups"] = ["hub-admins"]
    again = _sign_in(live)
    assert again.status_code == 303
    assert again.extensions["me"]["role"] == "admin" and again.extensions["me"]["teams"] == []
    assert [user.username for user in live.hub.access.list_users()].count("claire.martin") == 1


def _refused(answer: httpx.Response, status: int, words: str) -> None:
    assert answer.status_code == status, answer.text
    assert words in answer.text
    assert "veille_session" not in answer.headers.get("set-cookie", "")


def test_a_wrong_state_is_refused(live: LiveHub) -> None:
    _refused(_sign_in(live, tamper_state=True), 403, "state")


def test_a_callback_without_the_browser_s_flow_is_refused(live: LiveHub) -> None:
    with httpx.Client(base_url=live.base_url, timeout=30) as stranger:
        answer = stranger.get("/auth/oidc/callback", params={"code": "stolen", "state": "guess"})
    _refused(answer, 400, "no sign-in in progress")


def test_a_wrong_nonce_is_refused(live: LiveHub, idp: FakeIdentityProvider) -> None:
    idp.claims = {"nonce": "replayed-from-another-sign-in"}
    _refused(_sign_in(live), 403, "nonce")


def test_a_token_signed_with_another_key_is_refused(live: LiveHub, idp: FakeIdentityProvider) -> None:
    idp.sign_with_other_key = True
    _refused(_sign_in(live), 403, "signature does not verify")


def test_an_expired_token_is_refused(live: LiveHub, idp: FakeIdentityProvider) -> None:
    now = int(time.time())
    idp.claims = {"iat": now - 3600, "exp": now - 600}
    _refused(_sign_in(live), 403, "expired")


def test_a_token_for_another_client_is_refused(live: LiveHub, idp: FakeIdentityProvider) -> None:
    idp.claims = {"aud": "another-app"}
    _refused(_sign_in(live), 403, "another client")


def test_groups_the_hub_does_not_know_are_refused_and_no_user_is_created(
    live: LiveHub, idp: FakeIdentityProvider
) -> None:
    idp.user["groups"] = ["finance"]
    _refused(_sign_in(live), 403, "none of your groups (finance)")
    assert "claire.martin" not in [user.username for user in live.hub.access.list_users()]


def test_a_local_account_of_the_same_name_is_not_taken_over(live: LiveHub) -> None:
    live.hub.access.add_user("claire.martin", "local password 123", role="viewer")
    _refused(_sign_in(live), 403, "local account")


@pytest.mark.parametrize(("language", "words"), [("en", "Log in with"), ("fr", "Se connecter avec")])
def test_the_login_page_offers_single_sign_on(live: LiveHub, language: str, words: str) -> None:
    page = httpx.get(f"{live.base_url}/login", params={"lang": language}, timeout=30)
    assert page.status_code == 200
    assert f"{words} Entreprise ID" in page.text
    assert 'href="/auth/oidc/login?next=' in page.text


def test_without_configuration_there_is_no_button_and_no_flow(settings: Settings) -> None:
    with serve_hub(settings) as live:
        page = httpx.get(f"{live.base_url}/login", timeout=30)
        assert "/auth/oidc/login" not in page.text
        assert httpx.get(f"{live.base_url}/auth/oidc/login", timeout=30).status_code == 404
