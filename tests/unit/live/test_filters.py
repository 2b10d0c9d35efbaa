"""Live filters: normalised values, one key per selection, the moderation hook, SSE encoding."""

from __future__ import annotations

import json

import pytest

from tests.support.posts import post_json
from veille.live import LiveFilter, LiveItem, compile_filter
from veille.live.encoding import encode_event, encode_post


def _item(seq: int, **overrides: object) -> LiveItem:
    data = post_json(seq, **overrides)
    return LiveItem(seq, data, encode_post(seq, data))


class HideOdd:
    key = "wall:1@v1"

    def allows(self, item: LiveItem) -> bool:
        return item.seq % 2 == 0


def test_equal_selections_have_equal_keys_whatever_the_spelling() -> None:
    one = LiveFilter.of(languages=["FR", " en "], countries=["fr"], sources=["X"], topics=["b", "a"])
    two = LiveFilter.of(languages=["en", "fr"], countries=["FR"], sources=["x"], topics=["a", "b"])
    assert one.key == two.key
    assert LiveFilter.of(query="  ").everything and LiveFilter().everything
    assert not LiveFilter.of(moderation=HideOdd()).everything
    assert LiveFilter.of(moderation=HideOdd()).key != LiveFilter().key


def test_kinds_combine_with_and_values_with_or() -> None:
    compiled = compile_filter(LiveFilter.of(languages=["fr", "de"], countries=["FR"]))
    items = [
        _item(1, lang="fr", country="FR"),
        _item(2, lang="de", country="FR"),
        _item(3, lang="fr", country="ES"),
        _item(4, lang="en", country="FR"),
        _item(5, lang=None, country="FR"),
    ]
    assert [item.seq for item in compiled.select(items)] == [1, 2]
    undetermined = compile_filter(LiveFilter.of(languages=["und"]))
    assert [item.seq for item in undetermined.select(items)] == [5]


def test_topics_query_and_moderation() -> None:
    items = [
        _item(1, topics=[{"name": "helix", "spans": []}]),
        _item(2, topics=[{"name": "nova", "spans": []}], text="outage in Lyon"),
        _item(3, text="outage in Paris"),
        _item(4, text="Outage again"),
    ]
    assert [i.seq for i in compile_filter(LiveFilter.of(topics=["helix", "other"])).select(items)] == [1]
    assert [i.seq for i in compile_filter(LiveFilter.of(query="outage NOT paris")).select(items)] == [2, 4]
    moderated = compile_filter(LiveFilter.of(query="outage", moderation=HideOdd()))
    assert [i.seq for i in moderated.select(items)] == [2, 4]


def test_events_are_sse_bytes_built_once() -> None:
    data = post_json(7, text="line one\nline two")
    encoded = encode_post(42, data)
    assert encoded.startswith(b"event: post\nid: 42\ndata: ")
    assert encoded.endswith(b"\n\n") and encoded.count(b"\n") == 4  # the post's line break is escaped
    assert json.loads(encoded.split(b"data: ", 1)[1]) == data
    assert encode_event("caught-up", {"seq": 3}) == b'event: caught-up\ndata: {"seq":3}\n\n'
    with pytest.raises(ValueError, match="event name"):
        encode_event("bad\nname", {})
