"""``veille export KIND`` and ``veille rollups rebuild`` on both engines."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from veille.analytics.exports import export_bytes
from veille.analytics.filters import AnalyticsFilter
from veille.analytics.scope import Scope
from veille.analytics.voice import share_of_voice
from veille.analytics.volume import volume
from veille.cli import build_app
from veille.settings import Settings
from veille.store.rollups import rollup_hour
from veille.store.sql import open_store

from .dataset import build_posts


def test_export_and_rebuild(hub_settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner(env={"VEILLE_DATABASE_URL": hub_settings.database_url or ""})
    data = ["--data", str(hub_settings.data_dir)]
    app = build_app()
    store = open_store(hub_settings.sqlalchemy_url)
    try:
        store.upsert_posts(build_posts(200, seed=8))
        window = ["--from", "2026-03-28", "--to", "2026-03-31T12:00:00+02:00", "--tz", "Europe/Paris"]
        out = tmp_path / "volume.csv"
        result = runner.invoke(
            app,
            [
                "export",
                "volume",
                *window,
                "--interval",
                "hour",
                "--country",
                "FR,ES",
                "--no-duplicates",
                "--out",
                str(out),
                *data,
            ],
        )
        assert result.exit_code == 0, result.output
        filters = AnalyticsFilter.of(
            start=datetime(2026, 3, 27, 23, tzinfo=UTC),
            end=datetime(2026, 3, 31, 10, tzinfo=UTC),
            interval="hour",
            tz="Europe/Paris",
            countries=["FR", "ES"],
            include_duplicates=False,
        )
        expected = volume(store, filters=filters, scope=Scope())
        assert out.read_bytes() == export_bytes(expected, "csv")

        sov = tmp_path / "sov.parquet"
        args = ["export", "share-of-voice", *window, "--topic", "nova", "--topic", "helix", "--per-country"]
        assert runner.invoke(app, [*args, "--out", str(sov), *data]).exit_code == 0
        sov_filters = AnalyticsFilter.of(
            start=filters.start, end=filters.end, tz="Europe/Paris", topics=["nova", "helix"]
        )
        want = share_of_voice(store, filters=sov_filters, scope=Scope(), per_country=True).to_json_dict()[
            "rows"
        ]
        assert pq.read_table(sov).to_pylist() == want

        printed = runner.invoke(app, ["export", "top-hashtags", *window, "--limit", "3", *data])
        assert printed.exit_code == 0 and len(json.loads(printed.stdout)["rows"]) == 3

        with store.engine.begin() as connection:
            connection.execute(rollup_hour.delete())
        rebuilt = runner.invoke(app, ["rollups", "rebuild", *data])
        assert rebuilt.exit_code == 0 and "hour rows" in rebuilt.stderr
        assert volume(store, filters=filters, scope=Scope()).rows == expected.rows

        for bad, message in (
            (["export", "volume", *window, "--format", "xlsx"], "format:"),
            (["export", "volume", *window, "--interval", "fortnight"], "interval:"),
            (["export", "top-posts", *window, "--by", "likes"], "by:"),
            (["rollups", "rebuild", "--since", "soon"], "since:"),
        ):
            refused = runner.invoke(app, [*bad, *data])
            assert refused.exit_code == 2 and f"error: {message}" in refused.stderr, refused.output
    finally:
        store.close()
