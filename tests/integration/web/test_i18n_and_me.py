"""The UI's language and the user's preferences over HTTP: ``/api/v1/me``, ``/i18n/{lang}.json``, and
pages rendered in the user's language, else the browser's, else English."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.support.live_server import LiveHub, serve_hub
from veille.settings import Settings
from veille.web.i18n import translations

HTML = {"Accept": "text/html"}
WRITE = {"X-Requested-With": "veille"}


@pytest.fixture
def live(hub_settings: Settings) -> Iterator[LiveHub]:
    with serve_hub(hub_settings) as hub:
        yield hub


@contextmanager
def _browser(live: LiveHub, accept_language: str | None = None) -> Iterator[httpx.Client]:
    """A client logged in through the form, as a browser (its session cookie)."""
    headers = {"Accept-Language": accept_language} if accept_language else {}
    with httpx.Client(base_url=live.base_url, timeout=30, headers=headers, follow_redirects=False) as client:
        answer = client.post(
            "/login", data={"username": live.username, "password": live.password, "next": "/wall"}
        )
        assert answer.status_code == 303, answer.text
        yield client


def test_me_reads_and_changes_the_users_preferences(live: LiveHub) -> None:
    with _browser(live) as browser:
        assert browser.get("/api/v1/me").json() == {
            "name": "tester",
            "admin": True,
            "role": "admin",
            "teams": [],
            "language": None,
            "time_zone": None,
        }
        changed = browser.put(
            "/api/v1/me", json={"language": "fr", "time_zone": "Europe/Paris"}, headers=WRITE
        )
        assert changed.status_code == 200, changed.text
        assert changed.json() == {
            "name": "tester",
            "admin": True,
            "role": "admin",
            "teams": [],
            "language": "fr",
            "time_zone": "Europe/Paris",
        }
        # A field left out stays; null clears one.
        assert browser.put("/api/v1/me", json={"time_zone": None}, headers=WRITE).json()["language"] == "fr"
        assert browser.get("/api/v1/me").json()["time_zone"] is None
        for body, field in (
            ({"language": "de"}, "language"),
            ({"time_zone": "Mars/Olympus"}, "time_zone"),
            ({"colour": "blue"}, "colour"),
        ):
            refused = browser.put("/api/v1/me", json=body, headers=WRITE)
            assert refused.status_code == 422 and field in refused.text, refused.text
        assert browser.get("/api/v1/me").json()["language"] == "fr"


def test_a_token_without_a_user_has_no_preferences(live: LiveHub) -> None:
    with httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=30) as api:
        me = api.get("/api/v1/me")
        assert me.json() == {
            "name": "tests",
            "admin": True,
            "role": "admin",
            "teams": [],
            "language": None,
            "time_zone": None,
        }
        refused = api.put("/api/v1/me", json={"language": "fr"})
        assert refused.status_code == 403 and refused.json()["field"] == "user"
    with httpx.Client(base_url=live.base_url, timeout=30) as anonymous:
        assert anonymous.get("/api/v1/me").status_code == 401


def test_the_catalogue_is_served_to_the_javascript(live: LiveHub) -> None:
    with httpx.Client(base_url=live.base_url, timeout=30) as anonymous:
        french = anonymous.get("/i18n/fr.json")
        assert french.status_code == 200 and french.headers["content-type"].startswith("application/json")
        document = french.json()
        assert document["language"] == "fr"
        assert document["messages"]["Dashboards"] == "Tableaux de bord"
        assert document["messages"]["No posts match these filters in this period."]
        version = translations("fr").version
        versioned = anonymous.get(f"/i18n/fr.json?v={version}")
        assert "immutable" in versioned.headers["cache-control"]
        assert anonymous.get("/i18n/fr.json", headers={"If-None-Match": f'"{version}"'}).status_code == 304
        assert anonymous.get("/i18n/de.json").status_code == 404
        assert json.loads(anonymous.get("/i18n/en.json").content)["language"] == "en"


def test_pages_follow_the_setting_then_the_browser_then_english(live: LiveHub) -> None:
    with httpx.Client(base_url=live.base_url, timeout=30) as anonymous:
        french = anonymous.get("/login", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
        assert '<html lang="fr"' in french.text and "Se connecter" in french.text
        german = anonymous.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"})
        assert '<html lang="en"' in german.text and "Log in" in german.text
        asked = anonymous.get("/login?lang=fr", headers={"Accept-Language": "en"})
        assert '<html lang="fr"' in asked.text
        wrong = anonymous.post(
            "/login",
            data={"username": "nobody", "password": "wrong password"},
            headers={"Accept-Language": "fr"},
        )
        assert wrong.status_code == 401 and "Utilisateur inconnu" in wrong.text

    with _browser(live, accept_language="en-GB,en") as browser:
        assert '<html lang="en"' in browser.get("/dashboards").text
        browser.put("/api/v1/me", json={"language": "fr", "time_zone": "America/Montreal"}, headers=WRITE)
        page = browser.get("/dashboards").text
        assert '<html lang="fr" data-time-zone="America/Montreal"' in page
        assert "Tableaux de bord" in page and "Déconnexion" in page
        assert f'data-i18n="/i18n/fr.json?v={translations("fr").version}"' in page
        # Error pages follow the same rule.
        missing = browser.get("/no-such-page", headers=HTML)
        assert (
            missing.status_code == 404
            and '<html lang="fr"' in missing.text
            and "Page introuvable" in missing.text
        )
        wall = browser.get("/wall").text
        assert "Veille — en direct" in wall
