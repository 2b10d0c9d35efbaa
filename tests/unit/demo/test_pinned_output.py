"""The simulator's output for a seed, pinned: moving its data (profile, phrases) must not change a post.

The checksums were taken before the profile and the phrase banks moved from Python literals to the
TOML files of ``veille/demo/data``; a change of wording, order or number in those files (or in the
engine) shows here. When a change is meant, regenerate the checksums and say why in the commit.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from veille.cli.simulate import app
from veille.demo.simulator import SimulatorSource

END = "2026-11-20T18:00:00Z"

PINNED_JSONL = {
    "quiet_day": "c886eac5c29da753d9960822ed5315be63888eef61cfd3747d1c35de5c513ec8",
    "product_launch": "22c4d5eb7664683fdefbe8d23bb37ba63620a41ec38452130398c662c6c91d4f",
    "live_event": "a5281ba03a39217ad49adc6b134ec5aa00caeead521d4b6f8a95070e61ef5f22",
    "outage_crisis": "8a8ec99914d56e8f46e1b8d9cc84a8353cb7d3e3b78829e53a57f975d6b32efa",
}
PINNED_PROFILE_JSONL = "dfc50412a0fa59d4c8c213d83672902b71f711cc16835a96fb4a3fa4d007cedb"
PINNED_LIVE = "f04f947d708674e00897d18e70d04d855b0b6773e7524ec6756d9f5f121c16e2"


def _jsonl(*options: str) -> str:
    result = CliRunner().invoke(app, ["jsonl", "--count", "2000", "--seed", "7", "--end", END, *options])
    assert result.exit_code == 0, result.output
    return hashlib.sha256(result.stdout.encode()).hexdigest()


@pytest.mark.parametrize("scenario", sorted(PINNED_JSONL))
def test_simulate_jsonl_is_unchanged(scenario: str) -> None:
    assert _jsonl("--scenario", scenario) == PINNED_JSONL[scenario]


def test_a_profile_file_changes_only_what_it_gives(tmp_path: Path) -> None:
    path = tmp_path / "profile.toml"
    path.write_text(
        '[simulator.profile.outage]\ncountry = "SN"\nservice = "Nova Mobile"\nhashtags = { fr = "NovaKO" }\n'
        '[simulator.profile.launch]\nproduct = "Acme Box"\nhashtag = "AcmeBox"\n',
        encoding="utf-8",
    )
    assert _jsonl("--scenario", "outage_crisis", "--profile", str(path)) == PINNED_PROFILE_JSONL


async def test_the_live_source_is_unchanged() -> None:
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    moments = iter(range(10**9))
    source = SimulatorSource(
        scenario="product_launch",
        seed=3,
        rate_per_min=900,
        start=start,
        tick_s=0.05,
        clock=lambda: start + timedelta(seconds=10.0 * next(moments)),
    )
    digest = hashlib.sha256()
    stream = source.batches(None)
    batches = posts = 0
    async for batch in stream:
        for post in batch.posts:
            digest.update(post.to_json().encode())
            posts += 1
        digest.update((batch.checkpoint or "").encode())
        batches += 1
        if batches >= 16:
            break
    await stream.aclose()  # type: ignore[attr-defined]
    assert posts > 100
    assert digest.hexdigest() == PINNED_LIVE
