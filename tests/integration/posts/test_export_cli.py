"""``veille export posts`` on both engines: the posts the explorer lists, as JSON Lines or CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from tests.support.posts import post_json
from veille.cli import build_app
from veille.model import Post
from veille.settings import Settings
from veille.store.sql import open_store
from veille.topics import TopicSpec, service


def test_export_posts_with_a_query(hub_settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner(env={"VEILLE_DATABASE_URL": hub_settings.database_url or ""})
    data = ["--data", str(hub_settings.data_dir)]
    app = build_app()
    store = open_store(hub_settings.sqlalchemy_url)
    try:
        texts = ["Panne NovaBox", "novabox ok", "panne seule", "Helix en panne"]
        store.upsert_posts([Post.model_validate(post_json(i, text=text)) for i, text in enumerate(texts)])
        service.create_topic(store=store, spec=TopicSpec(name="helix", query="helix"), live=None)
    finally:
        store.close()
    window = ["--from", "2026-11-01", "--to", "2026-11-02T00:00:00+01:00", "--tz", "Europe/Paris"]
    result = runner.invoke(app, ["export", "posts", "--query", "panne AND NOT topic:helix", *window, *data])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["push:2", "push:0"]
    out = tmp_path / "posts.csv"
    result = runner.invoke(
        app, ["export", "posts", "--query", "novabox", "--format", "csv", "--out", str(out), *window, *data]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [row["id"] for row in rows] == ["push:1", "push:0"] and rows[1]["text"] == "Panne NovaBox"
    refused = runner.invoke(app, ["export", "posts", "--query", "panne AND (", *window, *data])
    assert refused.exit_code == 2 and "query: column" in refused.output
    refused = runner.invoke(app, ["export", "posts", "--sentiment", "angry", *window, *data])
    assert refused.exit_code == 2 and "sentiment" in refused.output
