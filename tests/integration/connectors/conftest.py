"""Fixtures of the connector tests: an HTTP client, and the module's ``fake`` served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from tests.fakes import LocalServer


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield http


@pytest.fixture
def server(fake: Any) -> Iterator[LocalServer]:
    """The test module's ``fake`` platform (anything with ``serve()``), running."""
    with fake.serve() as running:
        yield running
