"""Fixtures of the integration tests: a hub served over HTTP on the parametrised store, and an
authenticated client of its API. A test module that needs another hub (other limits, other data)
defines its own ``live``; ``api`` then follows it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.live_server import LiveHub, serve_hub
from veille.settings import Settings


@pytest.fixture
def live(hub_settings: Settings) -> Iterator[LiveHub]:
    with serve_hub(hub_settings) as hub:
        yield hub


@pytest.fixture
def api(live: LiveHub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=60) as client:
        yield client
