from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from tests.support.posts import post_json
from veille.sources.push import PushBodyError, read_push_body, validate_push_items


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_declared_length_over_the_limit_is_refused_before_reading() -> None:
    with pytest.raises(PushBodyError) as caught:
        await read_push_body({"content-length": "2000"}, _chunks(b"x"), max_bytes=1000)
    assert caught.value.status_code == 413
    assert "2000 bytes is larger than the limit of 1000 bytes" in str(caught.value)


async def test_streamed_body_over_the_limit_is_refused() -> None:
    with pytest.raises(PushBodyError) as caught:
        await read_push_body({}, _chunks(b"a" * 600, b"b" * 600), max_bytes=1000)
    assert caught.value.status_code == 413


def test_json_array_and_ndjson_give_the_same_posts() -> None:
    items = [post_json(1), post_json(2)]
    from_array = validate_push_items(
        json.dumps(items).encode(), content_type="application/json", max_items=10
    )
    ndjson = "\n".join(json.dumps(item) for item in items).encode()
    from_lines = validate_push_items(ndjson, content_type="application/x-ndjson", max_items=10)
    assert [p.id for p in from_array.accepted] == [p.id for p in from_lines.accepted] == ["push:1", "push:2"]


def test_ndjson_bad_lines_are_reported_with_their_index() -> None:
    body = "\n".join(
        [json.dumps(post_json(0)), "{oops", json.dumps(post_json(2, text="")), json.dumps(post_json(3))]
    )
    items = validate_push_items(body.encode(), content_type="application/x-ndjson", max_items=10)
    assert [p.id for p in items.accepted] == ["push:0", "push:3"]
    assert [r.message() for r in items.rejected] == [
        "item 1: not valid JSON: Expecting property name enclosed in double quotes (column 2)",
        "item 2: text: must not be empty",
    ]


def test_too_many_items_is_413_and_broken_array_is_400() -> None:
    body = json.dumps([post_json(i) for i in range(5)]).encode()
    with pytest.raises(PushBodyError) as caught:
        validate_push_items(body, content_type="application/json", max_items=4)
    assert caught.value.status_code == 413
    with pytest.raises(PushBodyError) as broken:
        validate_push_items(b"[{", content_type="application/json", max_items=4)
    assert broken.value.status_code == 400
    assert "not valid JSON" in str(broken.value)
