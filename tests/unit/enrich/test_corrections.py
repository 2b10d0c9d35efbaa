"""Analysts' corrections on both engines: stored, applied to the post, learnt by the workspace model."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.unit.enrich.conftest import make_post
from tests.unit.enrich.test_sentiment import NEGATIVE, NEUTRAL, POSITIVE
from veille.corrections import (
    list_corrections,
    load_workspace_models,
    record_correction,
    retrain_workspace_model,
    workspace_model_path,
)
from veille.enrich.chain import build_enrichment_stages
from veille.enrich.sentiment import SentimentStage
from veille.model import Sentiment
from veille.settings import Settings
from veille.store.schema import posts as posts_table
from veille.store.sql import SqlStore

# "delayed" reads as neutral or negative to a model trained on generic tweets; this client's
# analysts say it is always a complaint.
DOMAIN_TEXT = "flight delayed by two hours at the gate"


def write_umsab_folder(root: Path, language: str = "english") -> Path:
    """A tiny UMSAB-layout base data folder: <root>/umsab/<language>/train_{text,labels}.txt."""
    folder = root / "umsab" / language
    folder.mkdir(parents=True)
    texts = (POSITIVE + NEGATIVE + NEUTRAL) * 3
    labels = (["2"] * 3 + ["0"] * 3 + ["1"] * 3) * 3
    (folder / "train_text.txt").write_text("\n".join(texts) + "\n", encoding="utf-8")
    (folder / "train_labels.txt").write_text("\n".join(labels) + "\n", encoding="utf-8")
    return root


def store_posts(store: SqlStore, count: int) -> list[str]:
    posts = [make_post(f"c{i}", f"{DOMAIN_TEXT} number {i}", lang="en") for i in range(count)]
    for post in posts:
        post.sentiment = Sentiment(label="neutral", score=0.0, model="linear-en")
    store.upsert_posts(posts)
    return [post.id for post in posts]


def test_correction_is_stored_and_applied(store: SqlStore) -> None:
    first, second = store_posts(store, 2)
    corrected = record_correction(store, post_id=first, label="negative", user="ana")
    assert corrected.sentiment == Sentiment(label="negative", score=-1.0, model="analyst")
    stored = store.get_post(first)
    assert stored is not None and stored.sentiment == corrected.sentiment
    with store.engine.connect() as connection:
        column = connection.execute(
            select(posts_table.c.sentiment_label).where(posts_table.c.id == first)
        ).scalar_one()
    assert column == "negative"
    # A later correction replaces the earlier one (whoever makes it).
    record_correction(store, post_id=first, label="positive", user="bob")
    record_correction(store, post_id=second, label="negative", user="ana")
    found = list_corrections(store, lang="en")
    assert [(c.post_id, c.label, c.user) for c in found] == [
        (first, "positive", "bob"),
        (second, "negative", "ana"),
    ]
    assert found[0].text.startswith(DOMAIN_TEXT) and list_corrections(store, lang="fr") == []
    with pytest.raises(LookupError, match="no post"):
        record_correction(store, post_id="test:missing", label="negative", user="ana")
    with pytest.raises(ValueError, match="label"):
        record_correction(store, post_id=first, label="angry", user="ana")


def test_retrain_learns_corrections_writes_and_swaps(store: SqlStore, tmp_path: Path) -> None:
    ids = store_posts(store, 6)
    for post_id in ids:
        record_correction(store, post_id=post_id, label="negative", user="ana")
    base_root = write_umsab_folder(tmp_path / "base")
    data_dir = tmp_path / "data"
    stage = SentimentStage(fallback=None)
    shipped = stage.models["en"]
    before = shipped.predict([DOMAIN_TEXT])[0]
    model = retrain_workspace_model(store, lang="en", data_dir=data_dir, base_data=base_root, stage=stage)
    path = workspace_model_path(data_dir, "en")
    assert path.is_file() and not path.with_suffix(".npz.partial").exists()
    assert stage.models["en"] is model and model.name == "workspace-en"
    assert model.info["corrections"] == 6 and model.info["examples"] == 27 + 6
    # The shipped model's relative base-data path is what the retrained one records too.
    assert model.info["data"] == "umsab/english"
    assert model.predict([DOMAIN_TEXT])[0].label == "negative"
    assert before.label != "negative" or before.score > model.predict([DOMAIN_TEXT])[0].score
    # The hub's chain prefers the workspace model over the shipped one.
    assert load_workspace_models(data_dir)["en"].name == "workspace-en"
    chain_stage = build_enrichment_stages(languages=["en", "fr"], data_dir=data_dir)[1]
    assert isinstance(chain_stage, SentimentStage)
    assert chain_stage.models["en"].name == "workspace-en" and chain_stage.models["fr"].name == "linear-fr"


def test_retrain_refusals(store: SqlStore, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no corrections"):
        retrain_workspace_model(store, lang="en", data_dir=tmp_path, base_data=tmp_path)
    (post_id,) = store_posts(store, 1)
    record_correction(store, post_id=post_id, label="negative", user="ana")
    with pytest.raises(ValueError, match="VEILLE_SENTIMENT_DATA"):
        retrain_workspace_model(store, lang="en", data_dir=tmp_path, base_data=None)
    with pytest.raises(ValueError, match="not found"):
        retrain_workspace_model(store, lang="en", data_dir=tmp_path, base_data=tmp_path / "nowhere")


def test_stage_keeps_an_analyst_sentiment() -> None:
    stage = SentimentStage(fallback=None)
    corrected = make_post(1, "great great great, love it", lang="en")
    corrected.sentiment = Sentiment(label="negative", score=-1.0, model="analyst")
    guessed = make_post(2, "great great great, love it", lang="en")
    stage.process([corrected, guessed])
    assert corrected.sentiment.label == "negative"
    assert guessed.sentiment is not None and guessed.sentiment.label == "positive"


def test_cli_trains_from_the_store(store: SqlStore, settings: Settings, tmp_path: Path) -> None:
    from tests.unit.enrich.test_cli import root

    if store.dialect != "sqlite":
        pytest.skip("the CLI reads the store of its data folder (SQLite)")
    for post_id in store_posts(store, 3):
        record_correction(store, post_id=post_id, label="negative", user="ana")
    base_root = write_umsab_folder(tmp_path / "base")
    runner = CliRunner()
    common = ["train", "sentiment", "--lang", "en", "--data-dir", str(settings.data_dir)]
    refused = runner.invoke(root, [*common, "--from-corrections"], env={"VEILLE_SENTIMENT_DATA": None})
    assert refused.exit_code == 2 and "VEILLE_SENTIMENT_DATA" in refused.stderr
    result = runner.invoke(root, [*common, "--from-corrections", "--base-data", str(base_root)])
    assert result.exit_code == 0, result.output
    assert "including 3 correction(s)" in result.stdout
    assert load_workspace_models(settings.data_dir)["en"].info["corrections"] == 3
    # The JSONL form still works, with explicit base data and output.
    jsonl = tmp_path / "corrections.jsonl"
    jsonl.write_text('{"text": "late again", "lang": "en", "label": "negative"}\n', encoding="utf-8")
    out = tmp_path / "m.npz"
    base = str(base_root / "umsab" / "english")
    from_file = runner.invoke(
        root,
        [
            "train",
            "sentiment",
            "--lang",
            "en",
            "--data",
            base,
            "--from-corrections",
            str(jsonl),
            "--out",
            str(out),
        ],
    )
    assert from_file.exit_code == 0, from_file.output
    assert "including 1 correction(s)" in from_file.stdout and out.is_file()
