"""``POST /api/v1/posts/{id}/sentiment`` and the sentiment retrain job over HTTP, on both engines."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.live_server import LiveHub, serve_hub
from tests.unit.enrich.test_corrections import DOMAIN_TEXT, write_umsab_folder
from veille.corrections import workspace_model_path
from veille.settings import Settings


@pytest.fixture
def live(hub_settings: Settings, tmp_path: Path) -> Iterator[LiveHub]:
    settings = hub_settings.model_copy(update={"sentiment_data": write_umsab_folder(tmp_path / "base")})
    with serve_hub(settings) as hub:
        yield hub


@pytest.fixture
def api(live: LiveHub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=20) as client:
        yield client


def _post(number: int, text: str) -> dict[str, Any]:
    return {
        "id": f"test:{number}",
        "source": "test",
        "created_at": "2026-11-01T10:00:00Z",
        "text": text,
        "author": {"handle": "someone"},
        "lang": "en",
    }


def _wait_for_job(api: httpx.Client, location: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job: dict[str, Any] = api.get(location).json()
        if job["state"] != "running":
            return job
        time.sleep(0.1)
    raise AssertionError("the retrain job did not finish")


def test_correct_then_retrain_then_new_posts_use_the_workspace_model(
    live: LiveHub, api: httpx.Client
) -> None:
    posts = [_post(i, f"{DOMAIN_TEXT}, row {i}") for i in range(5)]
    assert api.post("/api/v1/posts", json=posts).json()["accepted"] == 5
    assert api.get("/api/v1/posts/test:0").json()["sentiment"]["model"] == "linear-en"
    for post in posts:
        corrected = api.post(f"/api/v1/posts/{post['id']}/sentiment", json={"label": "negative"})
        assert corrected.status_code == 200, corrected.text
        assert corrected.json()["sentiment"] == {"label": "negative", "score": -1.0, "model": "analyst"}
    stored = api.get("/api/v1/posts/test:3").json()
    assert stored["sentiment"]["model"] == "analyst" and stored["text"] == posts[3]["text"]
    models = {item["lang"]: item for item in api.get("/api/v1/models/sentiment").json()["items"]}
    assert models["en"]["model"] == "linear-en" and models["en"]["corrections_stored"] == 5

    started = api.post("/api/v1/models/sentiment/retrain", json={"lang": "en"})
    assert started.status_code == 202, started.text
    job = _wait_for_job(api, started.headers["location"])
    assert job["state"] == "done", job
    assert workspace_model_path(live.hub.settings.data_dir, "en").is_file()
    models = {item["lang"]: item for item in api.get("/api/v1/models/sentiment").json()["items"]}
    assert models["en"]["model"] == "workspace-en" and models["en"]["corrections_in_model"] == 5
    # Swapped into the running pipeline: the next post is scored by the workspace model.
    assert api.post("/api/v1/posts", json=[_post(99, DOMAIN_TEXT + " again")]).json()["accepted"] == 1
    fresh = api.get("/api/v1/posts/test:99").json()["sentiment"]
    assert (fresh["label"], fresh["model"]) == ("negative", "workspace-en") and fresh["score"] < 0


def test_refusals(live: LiveHub, api: httpx.Client) -> None:
    with httpx.Client(base_url=live.base_url, timeout=10) as anonymous:
        assert anonymous.post("/api/v1/posts/test:1/sentiment", json={"label": "negative"}).status_code == 401
        assert anonymous.post("/api/v1/models/sentiment/retrain", json={"lang": "en"}).status_code == 401
        assert anonymous.get("/api/v1/models/sentiment").status_code == 401
    missing = api.post("/api/v1/posts/test:nope/sentiment", json={"label": "negative"})
    assert missing.status_code == 404 and "test:nope" in missing.json()["detail"]
    api.post("/api/v1/posts", json=[_post(1, DOMAIN_TEXT)])
    assert api.post("/api/v1/posts/test:1/sentiment", json={"label": "angry"}).status_code == 422
    assert api.post("/api/v1/posts/test:1/sentiment", json={"label": "negative", "x": 1}).status_code == 422
    no_corrections = api.post("/api/v1/models/sentiment/retrain", json={"lang": "fr"})
    assert no_corrections.status_code == 422 and "no corrections" in no_corrections.text
    assert api.post("/api/v1/models/sentiment/retrain", json={"lang": "EN!"}).status_code == 422
