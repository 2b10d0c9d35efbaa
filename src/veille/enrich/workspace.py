"""The workspace's own sentiment models: ``<data>/models/sentiment-<lang>.npz``, retrained from
analysts' corrections (:mod:`veille.corrections`) and preferred over the shipped model of their
language when the hub starts. Only files here: the enrichment chain reads them without the store.
"""

from __future__ import annotations

from pathlib import Path

from veille.enrich.sentiment import LinearSentimentModel

__all__ = ["load_workspace_models", "workspace_model_path"]


def workspace_model_path(data_dir: Path, lang: str) -> Path:
    return Path(data_dir) / "models" / f"sentiment-{lang}.npz"


def load_workspace_models(data_dir: Path | None) -> dict[str, LinearSentimentModel]:
    """The workspace's own models in ``<data_dir>/models/`` by language (none when the folder is absent)."""
    if data_dir is None:
        return {}
    folder = Path(data_dir) / "models"
    if not folder.is_dir():
        return {}
    return {
        path.stem.removeprefix("sentiment-"): LinearSentimentModel.load(path)
        for path in sorted(folder.glob("sentiment-*.npz"))
    }
