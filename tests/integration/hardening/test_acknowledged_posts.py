"""Fault 5 of issue 18, on SQLite and PostgreSQL: a post answered ``accepted`` is stored, even when
the batch before failed to write; one bad item (an integer past 64 bits, a NUL character, JSON
nested too deep) is refused alone, naming its field; the rest of the batch is stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from tests.support.live_server import LiveHub
from tests.support.posts import post_json
from veille.cli import build_app
from veille.model import MAX_JSON_DEPTH
from veille.settings import Settings


def _deep(levels: int) -> Any:
    value: Any = "bottom"
    for _ in range(levels):
        value = {"d": value}
    return value


BAD_ITEMS: list[tuple[dict[str, Any], str]] = [
    (post_json(101, metrics={"likes": 2**63}), "metrics.likes"),
    (post_json(102, author={"handle": "big", "followers": 10**30}), "author.followers"),
    (post_json(103, extra={"count": 2**64}), "extra.count"),
    (post_json(104, extra=_deep(MAX_JSON_DEPTH + 5)), "nested deeper than"),
]


def test_one_bad_item_is_refused_alone_with_its_field(api: httpx.Client, live: LiveHub) -> None:
    good = [post_json(1), post_json(2, text="NUL\x00inside the text", author={"handle": "nul\x00user"})]
    answer = api.post("/api/v1/posts", json=[good[0], *[item for item, _ in BAD_ITEMS], good[1]])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["accepted"] == 2 and body["rejected"] == len(BAD_ITEMS)
    for error, (_item, field) in zip(body["errors"], BAD_ITEMS, strict=True):
        assert field in error["message"], error
    assert sorted(body["stored_ids"]) == ["push:1", "push:2"]
    stored = live.hub.store.get_post("push:2")
    assert stored is not None and stored.text == "NULinside the text" and stored.author.handle == "nuluser"


def test_a_failed_write_is_not_remembered_as_seen(
    api: httpx.Client, live: LiveHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = live.hub.store
    # The pipeline writes through write_prepared (issue 15: batches prepared beforehand).
    real_write = store.write_prepared
    failures = [RuntimeError("the database went away for a moment")]

    def flaky(*args: Any, **kwargs: Any) -> Any:
        if failures:
            raise failures.pop()
        return real_write(*args, **kwargs)

    monkeypatch.setattr(store, "write_prepared", flaky)
    batch = [post_json(index) for index in range(10, 15)]
    first = api.post("/api/v1/posts", json=batch)
    assert first.status_code == 503, first.text
    assert "send it again" in first.json()["detail"]
    again = api.post("/api/v1/posts", json=batch)
    assert again.status_code == 200, again.text
    assert sorted(again.json()["stored_ids"]) == [f"push:{index}" for index in range(10, 15)]
    assert all(store.get_post(f"push:{index}") is not None for index in range(10, 15))
    # And a true re-delivery after the commit is still dropped before any work.
    third = api.post("/api/v1/posts", json=batch)
    assert third.status_code == 200 and third.json()["stored_ids"] == []


def test_veille_ingest_refuses_bad_lines_alone(hub_settings: Settings, tmp_path: Path) -> None:
    lines = [post_json(1), *[item for item, _ in BAD_ITEMS], post_json(2, text="with \x00 NUL")]
    path = tmp_path / "posts.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in lines), encoding="utf-8")
    runner = CliRunner(env={"VEILLE_DATABASE_URL": hub_settings.database_url or ""})
    result = runner.invoke(build_app(), ["ingest", str(path), "--data", str(hub_settings.data_dir)])
    assert result.exit_code == 0, result.output
    for _item, field in BAD_ITEMS:
        assert field in result.output
    from veille.store import open_store

    store = open_store(hub_settings.sqlalchemy_url)
    try:
        assert store.get_post("push:1") is not None and store.get_post("push:2") is not None
        assert store.get_post("push:101") is None
    finally:
        store.close()
