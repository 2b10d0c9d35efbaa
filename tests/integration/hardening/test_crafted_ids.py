"""Fault 10 of issue 18: ids past 64 bits and forged cursors are 422 naming the parameter, on
SQLite and PostgreSQL (they were 500s from the database driver)."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

HUGE = str(2**63)


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("GET", f"/api/v1/accounts/{HUGE}", "account_id"),
        ("DELETE", f"/api/v1/accounts/{HUGE}", "account_id"),
        ("GET", f"/api/v1/influencers/curated/{HUGE}", "influencer_id"),
        ("DELETE", f"/api/v1/influencers/curated/{HUGE}", "influencer_id"),
        ("GET", f"/api/v1/dashboards/{HUGE}", "dashboard_id"),
        ("GET", f"/api/v1/sources/push/failed?after={HUGE}", "after"),
    ],
)
def test_ids_past_64_bits_are_422(api: httpx.Client, method: str, path: str, field: str) -> None:
    answer = api.request(method, path)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field


def test_a_forged_cursor_past_64_bits_is_422(api: httpx.Client) -> None:
    forged = base64.urlsafe_b64encode(json.dumps([2**70, "push:1"]).encode()).decode().rstrip("=")
    answer = api.get("/api/v1/posts", params={"cursor": forged})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "cursor"


def test_last_event_id_past_64_bits_is_422(api: httpx.Client) -> None:
    answer = api.get("/api/v1/stream", headers={"Last-Event-ID": HUGE})
    assert answer.status_code == 422, answer.text
