"""`veille ingest`: summary contract, rejects on stderr, exactly-once after a kill half-way."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from tests.support.posts import post_json
from veille.store import open_store
from veille.store.schema import posts as posts_table


def _veille(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "veille", *args, "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _write_jsonl(path: Path, count: int, *, bad_every: int = 0) -> int:
    valid = 0
    with path.open("w") as handle:
        for index in range(count):
            if bad_every and index % bad_every == bad_every - 1:
                handle.write(json.dumps(post_json(index, created_at="bad")) + "\n")
            else:
                handle.write(json.dumps(post_json(index)) + "\n")
                valid += 1
    return valid


def test_summary_is_the_last_stdout_line_and_rejects_go_to_stderr(tmp_path: Path) -> None:
    jsonl = tmp_path / "posts.jsonl"
    jsonl.write_text(
        json.dumps(post_json(1))
        + "\n"
        + "{broken\n"
        + "\n"
        + json.dumps(post_json(4, text=""))
        + "\n"
        + json.dumps(post_json(5))
        + "\n"
    )
    result = _veille("ingest", str(jsonl), data=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"accepted": 2, "rejected": 2}
    assert "item 2: not valid JSON" in result.stderr
    assert "item 4: text: must not be empty" in result.stderr
    again = _veille("ingest", str(jsonl), data=tmp_path / "data")
    assert json.loads(again.stdout.strip().splitlines()[-1]) == {"accepted": 2, "rejected": 2}
    store = open_store(f"sqlite:///{tmp_path / 'data' / 'veille.sqlite3'}")
    assert store.count_posts() == 2


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = _veille("ingest", str(tmp_path / "nope.jsonl"), data=tmp_path / "data")
    assert result.returncode == 2
    assert "nope.jsonl: no such file" in result.stderr


def test_killed_half_way_then_run_again_stores_every_valid_post_once(tmp_path: Path) -> None:
    jsonl = tmp_path / "big.jsonl"
    valid = _write_jsonl(jsonl, 12_000, bad_every=97)
    data = tmp_path / "data"
    process = subprocess.Popen(
        [sys.executable, "-m", "veille", "ingest", str(jsonl), "--data", str(data), "--batch-size", "500"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    database = data / "veille.sqlite3"
    deadline = time.monotonic() + 120
    stored_before_kill = 0
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
        if database.exists():
            store = open_store(f"sqlite:///{database}", migrate=False)
            try:
                with store.engine.connect() as connection:
                    stored_before_kill = connection.execute(
                        select(func.count()).select_from(posts_table)
                    ).scalar_one()
            except Exception:  # the schema may not be there yet
                stored_before_kill = 0
            finally:
                store.close()
            if stored_before_kill >= 2_000:
                process.send_signal(signal.SIGKILL)
                break
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    assert 0 < stored_before_kill < valid

    result = _veille("ingest", str(jsonl), "--resume", data=data)
    assert result.returncode == 0, result.stderr
    store = open_store(f"sqlite:///{database}")
    ids = [row.id for row in store.execute_text("SELECT id FROM posts")]
    assert len(ids) == len(set(ids)) == valid
    resumed = json.loads(result.stdout.strip().splitlines()[-1])
    assert resumed["accepted"] < valid  # resume really skipped what was committed

    full = _veille("ingest", str(jsonl), data=data)
    assert json.loads(full.stdout.strip().splitlines()[-1]) == {"accepted": valid, "rejected": 12_000 - valid}
    assert store.count_posts() == valid
