"""Contract: every registered connector is built from its declared config and honours the Source protocol."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from veille.contracts import Source
from veille.sources.connectors import ConfigField, ConnectorMeta, build_connector, registered_connectors

SAMPLES: dict[str, Any] = {
    "str": "sample-value-1",
    "int": 3,
    "float": 1.5,
    "bool": True,
    "list[str]": ["livebox"],
}
SAMPLES["dict[str,str]"] = {"tag": "livebox"}
SECRET = "very-secret-sample-1234"
# Cross-field rules a generic table cannot guess (for connectors that declare no ``meta.example``).
EXTRA: dict[str, dict[str, Any]] = {
    "mastodon": {"hashtags": ["livebox"]},
    "reddit": {"subreddits": ["france"]},
    "youtube": {"video_ids": ["dQw4w9WgXcQ"]},
    "rss": {"feeds": ["https://www.example.org/feed.xml"]},
}


def _sample_table(meta: ConnectorMeta) -> dict[str, Any]:
    table: dict[str, Any] = {"type": meta.type, "name": f"contract-{meta.type}"}
    if meta.default_endpoint is None:
        table["endpoint"] = "https://platform.example"
    for spec in meta.fields:
        if spec.required:
            table[spec.name] = SECRET if spec.secret else _sample(spec)
        elif spec.secret:
            table[spec.name] = SECRET
    table.update(EXTRA.get(meta.type, {}))
    return table


def _sample(spec: ConfigField) -> Any:
    return spec.choices[0] if spec.choices else SAMPLES[spec.kind]


@pytest.mark.parametrize("kind", sorted(registered_connectors()))
async def test_the_declared_example_builds(kind: str) -> None:
    meta = registered_connectors()[kind].meta
    if not meta.example:
        pytest.skip("no example declared")
    environ = {"MASTODON_ACCESS_TOKEN": SECRET, "X_BEARER_TOKEN": SECRET}
    async with httpx.AsyncClient() as client:
        connector = build_connector(meta.example, http_client=client, environ=environ)
    assert connector.config.type == kind and SECRET not in connector.config.dumps()


def test_the_streaming_connectors_are_registered() -> None:
    assert {"mastodon", "bluesky", "x"} <= set(registered_connectors())


@pytest.mark.parametrize("kind", sorted(registered_connectors()))
async def test_every_connector_builds_from_its_declared_config(kind: str) -> None:
    cls = registered_connectors()[kind]
    meta = cls.meta
    assert meta.type == kind and meta.title
    json.dumps(meta.describe())  # docs and UI forms need JSON
    assert all(field.name and field.kind for field in meta.fields)
    async with httpx.AsyncClient() as client:
        connector = build_connector(
            _sample_table(meta), http_client=client, query_filter=lambda post: True, environ={}
        )
        assert isinstance(connector, Source)
        assert connector.name == f"contract-{kind}"
        for shown in (repr(connector), str(connector.config), connector.config.dumps()):
            assert SECRET not in shown
        snapshot = connector.health.snapshot()
        assert snapshot["name"] == f"contract-{kind}" and snapshot["posts_total"] == 0
        json.dumps(snapshot)


@pytest.mark.parametrize("kind", sorted(registered_connectors()))
async def test_missing_required_fields_are_named(kind: str) -> None:
    meta = registered_connectors()[kind].meta
    required = [spec for spec in meta.fields if spec.required]
    if not required:
        pytest.skip("no required field")
    table = _sample_table(meta)
    del table[required[0].name]
    async with httpx.AsyncClient() as client:
        with pytest.raises(ValueError, match=required[0].name):
            build_connector(table, http_client=client, environ={})


async def test_unknown_type_is_a_clear_error() -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(ValueError, match="unknown connector type 'myspace'"):
            build_connector({"type": "myspace", "name": "m"}, http_client=client)
