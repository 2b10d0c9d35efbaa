"""``/api/v1/alerts``: rules CRUD and refusals, an alert raised from the live stream (posts pushed
through the push API), delivered through Apprise's ``json://`` to a local server, and its life."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.live_server import LiveHub, serve_hub
from tests.support.webhook import webhook_server
from veille.settings import Settings
from veille.topics import TopicSpec
from veille.topics.service import create_topic


@pytest.fixture
def live(hub_settings: Settings) -> Iterator[LiveHub]:
    settings = hub_settings.model_copy(
        update={"organisation_language": "fr", "public_url": "http://hub.example"}
    )
    with serve_hub(settings) as hub:
        create_topic(
            store=hub.hub.store, spec=TopicSpec(name="outage", query="panne OR outage"), live=hub.hub.topics
        )
        yield hub


def _rule(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Outage volume",
        "kind": "volume_threshold",
        "topic": "outage",
        "window_s": 600,
        "threshold": 5,
        "severity": "warning",
        "cooldown_s": 1800,
        "notify": [],
        "playbook": "Tell the network team\nPrepare a holding statement",
        "enabled": True,
    }
    body.update(changes)
    return body


def _posts(count: int, *, start: datetime, text: str = "Grosse panne chez Nova") -> list[dict[str, Any]]:
    return [
        {
            "id": f"x:{start.timestamp():.0f}-{index}",
            "source": "x",
            "created_at": (start + timedelta(seconds=index)).isoformat(),
            "text": f"{text} <b>{index}</b>",
            "author": {"handle": f"user{index}", "followers": 100 + index},
        }
        for index in range(count)
    ]


def _wait_for_alert(api: httpx.Client, *, status: str = "open", timeout_s: float = 60.0) -> dict[str, Any]:
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        items = api.get("/api/v1/alerts", params={"status": status}).json()["items"]
        if items:
            return dict(items[0])
        time.sleep(0.1)
    raise AssertionError("no alert was raised")


def test_rules_crud_and_refusals(api: httpx.Client) -> None:
    created = api.post("/api/v1/alerts/rules", json=_rule())
    assert created.status_code == 201, created.text
    rule = created.json()
    assert rule["id"] >= 1 and rule["playbook"] == ["Tell the network team", "Prepare a holding statement"]
    assert api.get(f"/api/v1/alerts/rules/{rule['id']}").json()["name"] == "Outage volume"
    assert [item["id"] for item in api.get("/api/v1/alerts/rules").json()["items"]] == [rule["id"]]
    replaced = api.put(f"/api/v1/alerts/rules/{rule['id']}", json=_rule(threshold=9, name="Renamed"))
    assert replaced.status_code == 200 and replaced.json()["threshold"] == 9
    refused = api.post("/api/v1/alerts/rules", json=_rule(topic="nope"))
    assert refused.status_code == 422 and refused.json()["field"] == "topic"
    refused = api.post("/api/v1/alerts/rules", json=_rule(kind="volume_magic"))
    assert refused.status_code == 422 and "kind" in refused.text
    refused = api.post("/api/v1/alerts/rules", json=_rule(topic=None, query="panne AND ("))
    assert refused.status_code == 422 and refused.json()["field"] == "query"
    refused = api.post("/api/v1/alerts/rules", json=_rule(topic=None))
    assert refused.status_code == 422 and "topic" in refused.text
    assert api.delete(f"/api/v1/alerts/rules/{rule['id']}").status_code == 204
    assert api.get(f"/api/v1/alerts/rules/{rule['id']}").status_code == 404
    assert api.delete(f"/api/v1/alerts/rules/{rule['id']}").status_code == 404


def test_alert_raised_delivered_and_followed_to_resolution(api: httpx.Client) -> None:
    with webhook_server() as hook:
        created = api.post("/api/v1/alerts/rules", json=_rule(notify=[hook.url]))
        assert created.status_code == 201, created.text
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
        # Below the threshold: nothing; the fifth post makes the rule true.
        assert api.post("/api/v1/posts", json=_posts(4, start=start)).status_code == 200
        assert api.get("/api/v1/alerts").json()["items"] == []
        assert (
            api.post(
                "/api/v1/posts", json=_posts(1, start=start + timedelta(seconds=30), text="panne encore")
            ).status_code
            == 200
        )
        item = _wait_for_alert(api)
        assert set(item) == {
            "id",
            "rule",
            "kind",
            "topic",
            "severity",
            "status",
            "opened_at",
            "updated_at",
            "posts",
            "summary",
        }
        assert (
            item["rule"] == "Outage volume"
            and item["kind"] == "volume_threshold"
            and item["topic"] == "outage"
        )
        assert item["status"] == "open" and item["posts"] == 5
        # The summary is worded in the reader's language (this client asks none: English); the
        # notification below is in the organisation's (French).
        assert "5 posts in" in item["summary"]
        in_french = api.get("/api/v1/alerts", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).json()["items"][
            0
        ]
        assert "5 publications en" in in_french["summary"]
        assert "5 publications en" in api.get(f"/api/v1/alerts/{item['id']}?lang=fr").json()["summary"]
        delivered = hook.wait_for(1)
        message = delivered[0]
        assert "Alerte" in message["title"] and "Outage volume" in message["title"]
        assert "http://hub.example/crisis/" in message["message"] and "@user" in message["message"]
        # More posts: the same incident updates, no second alert and no second notification.
        api.post(
            "/api/v1/posts", json=_posts(6, start=start + timedelta(seconds=40), text="toujours en panne")
        )
        alert_id = item["id"]
        import time

        deadline = time.monotonic() + 30
        while api.get(f"/api/v1/alerts/{alert_id}").json()["posts"] < 11 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert api.get(f"/api/v1/alerts/{alert_id}").json()["posts"] == 11
        assert len(api.get("/api/v1/alerts").json()["items"]) == 1
        whole = api.get(f"/api/v1/alerts/{alert_id}").json()
        assert [d["status"] for d in whole["deliveries"]] == ["delivered"]
        assert whole["deliveries"][0]["target"] == f"json://127.0.0.1:{hook.port}/…"
        assert len(hook.received) == 1

    assert api.post(f"/api/v1/alerts/{alert_id}/acknowledge").json()["status"] == "acknowledged"
    assert (
        api.post(f"/api/v1/alerts/{alert_id}/assign", json={"assignee": "camille"}).json()["assignee"]
        == "camille"
    )
    assert (
        api.post(f"/api/v1/alerts/{alert_id}/notes", json={"text": "Network team on it"}).status_code == 200
    )
    assert api.post(f"/api/v1/alerts/{alert_id}/playbook", json={"step": 1}).json()["checked"] == [1]
    assert api.post(f"/api/v1/alerts/{alert_id}/playbook", json={"step": 7}).status_code == 422
    assert api.get("/api/v1/alerts", params={"status": "open"}).json()["items"] == []
    assert [
        a["id"] for a in api.get("/api/v1/alerts", params={"status": "acknowledged"}).json()["items"]
    ] == [alert_id]
    resolved = api.post(
        f"/api/v1/alerts/{alert_id}/resolve", json={"outcome": "false_positive", "note": "a drill"}
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "false_positive"
    again = api.post(f"/api/v1/alerts/{alert_id}/acknowledge")
    assert again.status_code == 409 and again.json()["field"] == "status"
    timeline = api.get(f"/api/v1/alerts/{alert_id}").json()["timeline"]
    actions = [(event["who"], event["action"]) for event in timeline]
    assert actions[0] == ("veille", "opened")
    assert ("veille", "notified") in actions
    assert [action for who, action in actions if who == "tests"] == [
        "acknowledged",
        "assigned",
        "note",
        "playbook",
        "false_positive",
    ]
    report = api.get(f"/api/v1/alerts/{alert_id}/report", params={"format": "html"})
    assert report.status_code == 200 and "Network team on it" in report.text
    assert "<b>" not in report.text and "&lt;b&gt;" in report.text  # post text is data, never HTML
    assert api.get("/api/v1/alerts/999/report").status_code == 404
    assert api.post("/api/v1/alerts/999/acknowledge").status_code == 404
    assert api.get("/api/v1/alerts", params={"status": "closed"}).status_code == 422
