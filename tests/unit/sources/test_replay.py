"""A JSONL file as a Source: batches, refused lines by number, the line checkpoint, the pipeline."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.support.posts import post_json
from veille.bus import MemoryBus
from veille.contracts import Source, SourceBatch
from veille.pipeline import Pipeline
from veille.sources.replay import ReplayBatch, ReplaySource
from veille.store import PostSearch
from veille.store.sql import open_store


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture
def jsonl(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "posts.jsonl",
        [
            json.dumps(post_json(1)),
            "{broken",
            "",
            json.dumps(post_json(4, text="")),
            json.dumps(post_json(5)),
            json.dumps(post_json(6)),
            json.dumps(post_json(7)),
        ],
    )


async def _read_all(source: ReplaySource, checkpoint: str | None = None) -> list[ReplayBatch]:
    return [batch async for batch in source.batches(checkpoint)]


def test_it_is_a_source_named_after_the_absolute_path(jsonl: Path) -> None:
    source = ReplaySource(jsonl)
    assert isinstance(source, Source)
    assert source.name == f"file:{jsonl.resolve()}"
    assert ReplaySource(jsonl, name="import-1").name == "import-1"


async def test_batches_hold_valid_posts_and_refused_lines_by_number(jsonl: Path) -> None:
    batches = await _read_all(ReplaySource(jsonl, batch_size=2))
    assert [[post.id for post in batch.posts] for batch in batches] == [
        ["push:1"],  # lines 1 and 4 are its two items (4 is refused; 2 is not even JSON)
        ["push:5", "push:6"],
        ["push:7"],
    ]
    refused = [reject.message() for batch in batches for reject in batch.rejected]
    assert refused[0].startswith("item 2: not valid JSON")
    assert refused[1] == "item 4: text: must not be empty"
    assert len(refused) == 2
    assert [batch.checkpoint for batch in batches] == ["4", "6", "7"]
    assert all(isinstance(batch, SourceBatch) for batch in batches)
    assert batches[-1].bytes_read == jsonl.stat().st_size
    assert [batch.bytes_read for batch in batches] == sorted(batch.bytes_read for batch in batches)


async def test_the_checkpoint_is_the_last_line_read_and_reading_resumes_after_it(jsonl: Path) -> None:
    source = ReplaySource(jsonl, batch_size=2)
    first = (await _read_all(source))[0]
    rest = await _read_all(source, first.checkpoint)
    assert [post.id for batch in rest for post in batch.posts] == ["push:5", "push:6", "push:7"]
    assert not [reject for batch in rest for reject in batch.rejected]  # lines 2 and 4 were before it
    assert (await _read_all(source, "7"))[0].posts == []  # past the end: nothing more


async def test_a_checkpoint_that_is_not_a_line_number_is_refused(jsonl: Path) -> None:
    with pytest.raises(ValueError, match="checkpoint: expected a line number, got 'abc'"):
        await _read_all(ReplaySource(jsonl), "abc")
    with pytest.raises(ValueError, match="batch_size"):
        ReplaySource(jsonl, batch_size=0)


def test_read_is_the_same_stream_without_an_event_loop(jsonl: Path) -> None:
    source = ReplaySource(jsonl, batch_size=2)
    assert [batch.checkpoint for batch in source.read()] == ["4", "6", "7"]
    assert [batch.checkpoint for batch in source.read("4")] == ["6", "7"]


async def test_an_empty_file_gives_no_batch(tmp_path: Path) -> None:
    assert await _read_all(ReplaySource(_write(tmp_path / "empty.jsonl", []))) == []


async def test_the_pipeline_stores_a_file_and_commits_its_line_checkpoint(tmp_path: Path) -> None:
    path = _write(tmp_path / "many.jsonl", [json.dumps(post_json(index)) for index in range(25)])
    store = open_store(f"sqlite:///{tmp_path / 'replay.sqlite3'}")
    source = ReplaySource(path, batch_size=10)
    pipeline = Pipeline(store=store, bus=MemoryBus(), stages=[])
    await pipeline.start()
    pipeline.add_source(source)
    deadline = asyncio.get_running_loop().time() + 10
    while store.get_checkpoint(source.name) != "25":
        assert asyncio.get_running_loop().time() < deadline, "the file was not stored"
        await asyncio.sleep(0.02)
    await pipeline.stop()
    assert store.count_posts() == 25
    assert {post.id for post in store.search_posts(PostSearch(limit=100)).items} == {
        f"push:{index}" for index in range(25)
    }
    store.close()
