"""The editorial API over HTTP: the radar, briefs (CRUD, Markdown and PDF), our content linked to a
brief with its figures against our usual ones, and what roles and team scopes allow."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.live_server import LiveHub
from veille.accounts import create_account
from veille.editorial.planted import OUR_ACCOUNT, TOPIC, plant
from veille.model import Post
from veille.teams import create_team

END = datetime(2026, 6, 1, tzinfo=UTC)
PUBLISHED = END + timedelta(hours=2)


def _post(post_id: str, created: datetime, text: str, handle: str, **fields: Any) -> Post:
    return Post.model_validate(
        {
            "id": post_id,
            "source": "x",
            "created_at": created,
            "text": text,
            "lang": "en",
            "country": "GB",
            "author": {"handle": handle, "followers": 50_000 if handle == OUR_ACCOUNT.handle else 100},
            "topics": [{"name": TOPIC}],
            **fields,
        }
    )


def _loop_posts() -> list[Post]:
    """Our eSIM video, two earlier videos of ours (one reply each), replies to the new one within a
    day and a week, and a few eSIM questions in the week after it (fewer than before)."""
    ours = OUR_ACCOUNT.handle
    found = [
        _post(
            "x:our-esim",
            PUBLISHED,
            "How to transfer your eSIM to a new phone, in 3 steps https://youtu.be/abc",
            ours,
        ),
        _post(
            "x:our-old-1", END - timedelta(days=10), "Our fibre installers at work https://youtu.be/def", ours
        ),
        _post("x:our-old-2", END - timedelta(days=20), "Meet the team https://youtu.be/ghi", ours),
        _post("x:r-old-1", END - timedelta(days=10, hours=-2), "nice", "fan1", reply_to="x:our-old-1"),
        _post("x:r-old-2", END - timedelta(days=20, hours=-2), "great", "fan2", reply_to="x:our-old-2"),
    ]
    for index in range(5):  # within the day
        found.append(
            _post(
                f"x:r-day-{index}",
                PUBLISHED + timedelta(hours=1 + index),
                "thanks!",
                f"fan{index}",
                reply_to="x:our-esim",
            )
        )
    for index in range(2):  # within the week, after the day
        found.append(
            _post(
                f"x:r-week-{index}",
                PUBLISHED + timedelta(days=3 + index),
                "worked",
                f"late{index}",
                reply_to="x:our-esim",
            )
        )
    for index in range(4):
        found.append(
            _post(
                f"x:after-{index}",
                PUBLISHED + timedelta(days=1 + index),
                "how do I transfer my eSIM to my Pixel 8?",
                f"asker{index}",
            )
        )
    return found


@pytest.fixture
def loaded(live: LiveHub) -> LiveHub:
    planting = plant(lang="en", seed=11, end=END)
    store = live.hub.store
    store.upsert_posts(planting.posts)
    store.upsert_posts(_loop_posts())
    create_account(store=store, spec=OUR_ACCOUNT)
    return live


def _range() -> dict[str, str]:
    return {"topic": TOPIC, "from": (END - timedelta(days=1)).isoformat(), "to": END.isoformat()}


def test_radar_brief_and_loop(loaded: LiveHub, api: httpx.Client) -> None:
    answer = api.get("/api/v1/editorial/radar", params=_range())
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    for item in items:
        assert {
            "subtopic",
            "terms",
            "questions",
            "demand",
            "growth",
            "coverage",
            "gap",
            "countries",
            "languages",
        } <= set(item)
    top = items[0]
    assert "esim" in top["terms"]
    assert top["coverage"] == 0 and top["gap"] == max(item["gap"] for item in items)
    assert all(question["id"] and question["text"] for question in top["questions"])

    made = api.post(
        "/api/v1/editorial/briefs",
        json={
            "topic": TOPIC,
            "terms": top["terms"],
            "subtopic": top["subtopic"],
            "from": _range()["from"],
            "to": _range()["to"],
        },
    )
    assert made.status_code == 201, made.text
    brief = made.json()
    assert brief["subtopic"] == top["subtopic"] and brief["title"] == top["subtopic"]
    assert brief["demand"]["questions"] >= 20 and brief["demand"]["growth"] > 5
    assert brief["countries"] and {c["country"] for c in brief["countries"]} <= {"GB", "US", "IE"}
    assert brief["languages"][0]["language"] == "en"
    assert all("esim" in q["text"].lower() for q in brief["questions"])
    assert isinstance(brief["influencers"], list) and isinstance(brief["formats"], list)

    listed = api.get("/api/v1/editorial/briefs").json()["items"]
    assert [entry["id"] for entry in listed] == [brief["id"]]

    changed = api.put(
        f"/api/v1/editorial/briefs/{brief['id']}",
        json={"title": "eSIM transfer: a how-to video", "status": "commissioned", "notes": "# not a heading"},
    )
    assert changed.status_code == 200 and changed.json()["status"] == "commissioned"

    markdown = api.get(f"/api/v1/editorial/briefs/{brief['id']}.md")
    assert markdown.status_code == 200 and markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.startswith("# eSIM transfer: a how\\-to video")
    assert "\\# not a heading" in markdown.text
    assert "## What people ask" in markdown.text
    french = api.get(f"/api/v1/editorial/briefs/{brief['id']}.md", params={"lang": "fr"})
    assert "## Ce que les gens demandent" in french.text

    # The loop: link our eSIM video by URL; an unknown URL and someone else's post are refused.
    refused = api.post(
        f"/api/v1/editorial/briefs/{brief['id']}/links", json={"url": "https://nowhere.example/x"}
    )
    assert refused.status_code == 422 and refused.json()["field"] == "url"
    theirs = api.post(f"/api/v1/editorial/briefs/{brief['id']}/links", json={"post_id": "x:after-0"})
    assert theirs.status_code == 422 and theirs.json()["field"] == "post_id"
    both = api.post(
        f"/api/v1/editorial/briefs/{brief['id']}/links", json={"post_id": "x:our-esim", "url": "x"}
    )
    assert both.status_code == 422
    linked = api.post(f"/api/v1/editorial/briefs/{brief['id']}/links", json={"post_id": "x:our-esim"})
    assert linked.status_code == 201, linked.text
    link = linked.json()["links"][0]
    assert link["format"] == "video" and link["usual_posts"] == 2
    assert link["day"] == {"interactions": 5, "usual": 1.0, "ratio": 5.0, "complete": True}
    assert link["week"]["interactions"] == 7 and link["week"]["usual"] == 1.0
    assert link["questions"]["after"] == 4
    assert link["questions"]["before"] > 20
    assert link["questions"]["slowed"] is True
    assert api.get(f"/api/v1/editorial/briefs/{brief['id']}").json()["links"][0]["post_id"] == "x:our-esim"
    assert "questions before / after" in api.get(f"/api/v1/editorial/briefs/{brief['id']}.md").text

    assert api.delete(f"/api/v1/editorial/briefs/{brief['id']}/links/x:our-esim").status_code == 204
    assert api.get(f"/api/v1/editorial/briefs/{brief['id']}").json()["links"] == []
    assert api.delete(f"/api/v1/editorial/briefs/{brief['id']}").status_code == 204
    assert api.get(f"/api/v1/editorial/briefs/{brief['id']}").status_code == 404


def test_refusals_name_the_field(loaded: LiveHub, api: httpx.Client) -> None:
    unknown = api.get("/api/v1/editorial/radar", params={**_range(), "topic": "nope"})
    assert (
        unknown.status_code == 422
        and unknown.json()["field"] == "topic"
        and "nope" in unknown.json()["detail"]
    )
    backwards = api.get(
        "/api/v1/editorial/radar", params={**_range(), "from": _range()["to"], "to": _range()["from"]}
    )
    assert backwards.status_code == 422 and backwards.json()["field"] == "from"
    no_terms = api.post("/api/v1/editorial/briefs", json={"topic": TOPIC, "terms": []})
    assert no_terms.status_code == 422 and no_terms.json()["field"] == "terms"
    bad_topic = api.post("/api/v1/editorial/briefs", json={"topic": "nope", "terms": ["esim"]})
    assert bad_topic.status_code == 422 and bad_topic.json()["field"] == "topic"


@pytest.fixture
def team_clients(loaded: LiveHub) -> Iterator[dict[str, httpx.Client]]:
    """A viewer and an analyst of a team scoped to another topic, and a viewer of the topic's team."""
    access = loaded.hub.access
    create_team(store=loaded.hub.store, spec={"name": "other", "topics": ["other"]}, actor="tests")
    create_team(store=loaded.hub.store, spec={"name": "nova-team", "topics": [TOPIC]}, actor="tests")
    clients = {}
    for name, role, team in (("outsider", "analyst", "other"), ("viewer", "viewer", "nova-team")):
        user_id = access.add_user(name, "long enough password", role=role, teams=[team])
        token = access.create_token(name, user_id=user_id, role=role, teams=[team])
        clients[name] = httpx.Client(
            base_url=loaded.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
    yield clients
    for client in clients.values():
        client.close()


def test_roles_and_scopes(loaded: LiveHub, api: httpx.Client, team_clients: dict[str, httpx.Client]) -> None:
    made = api.post(
        "/api/v1/editorial/briefs",
        json={"topic": TOPIC, "terms": ["esim", "transfer"], "to": END.isoformat()},
    )
    assert made.status_code == 201
    brief_id = made.json()["id"]
    outsider, viewer = team_clients["outsider"], team_clients["viewer"]
    # Outside the scope: the topic is unknown, the brief invisible.
    assert outsider.get("/api/v1/editorial/radar", params=_range()).status_code == 422
    assert outsider.get(f"/api/v1/editorial/briefs/{brief_id}").status_code == 404
    assert outsider.get(f"/api/v1/editorial/briefs/{brief_id}.md").status_code == 404
    assert outsider.get("/api/v1/editorial/briefs").json()["items"] == []
    assert outsider.delete(f"/api/v1/editorial/briefs/{brief_id}").status_code == 404
    # A viewer of the topic reads, and may not write.
    assert viewer.get("/api/v1/editorial/radar", params=_range()).status_code == 200
    assert viewer.get(f"/api/v1/editorial/briefs/{brief_id}").status_code == 200
    denied = viewer.post("/api/v1/editorial/briefs", json={"topic": TOPIC, "terms": ["esim"]})
    assert denied.status_code == 403 and "analyst" in denied.json()["detail"]
    assert viewer.delete(f"/api/v1/editorial/briefs/{brief_id}").status_code == 403


@pytest.mark.browser
def test_the_brief_prints_as_pdf(loaded: LiveHub, api: httpx.Client) -> None:
    made = api.post(
        "/api/v1/editorial/briefs",
        json={"topic": TOPIC, "terms": ["esim", "transfer"], "to": END.isoformat()},
    )
    answer = api.get(f"/api/v1/editorial/briefs/{made.json()['id']}.pdf", timeout=120)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF") and len(answer.content) > 2000
