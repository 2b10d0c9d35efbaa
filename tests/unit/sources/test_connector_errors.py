"""Connector errors sit in the hub's error tree; a config error names its field and stays a ValueError."""

from __future__ import annotations

import httpx
import pytest

from veille.errors import Invalid, Unavailable, VeilleError, error_body, http_status
from veille.sources.connectors import (
    ConnectorConfigError,
    ConnectorError,
    CredentialsError,
    RateLimitedError,
    ServerError,
    StallError,
    build_connector,
)


def test_the_kinds_map_to_the_hub_tree() -> None:
    assert issubclass(ConnectorError, VeilleError)
    assert issubclass(ConnectorConfigError, Invalid) and issubclass(ConnectorConfigError, ValueError)
    assert issubclass(CredentialsError, ConnectorConfigError)
    for transient in (RateLimitedError, ServerError, StallError):
        assert issubclass(transient, ConnectorError) and issubclass(transient, Unavailable)
        assert not issubclass(transient, ValueError)
    assert http_status(ServerError("HTTP 502", status=502)) == 503
    assert RateLimitedError("slow down", retry_at=12.0).retry_at == 12.0


@pytest.mark.parametrize(
    ("table", "field", "message"),
    [
        ({"type": "hackernews", "name": "Bad Name"}, "name", "name: required, lower-case"),
        ({"type": "hackernews", "name": "hn", "colour": "red"}, "colour", r"unknown field\(s\) colour"),
        ({"type": "hackernews", "name": "hn", "max_pages": "many"}, "max_pages", "expected an integer"),
        ({"type": "hackernews", "name": "hn", "endpoint": "ftp://x"}, "endpoint", "endpoint: expected"),
        ({"type": "hackernews", "name": "hn", "query": 3}, "query", "query: expected a string"),
        ({"type": "mastodon", "name": "m", "endpoint": "https://m.example"}, "access_token", "required"),
        ({"type": "myspace", "name": "m"}, "type", "unknown connector type"),
    ],
)
async def test_a_config_error_names_its_field(table: dict[str, object], field: str, message: str) -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(ValueError, match=message) as caught:  # callers catching ValueError still work
            build_connector(table, http_client=client, environ={})
    error = caught.value
    assert isinstance(error, ConnectorConfigError) and error.field == field
    assert error_body(error) == {"detail": str(error), "field": field}
