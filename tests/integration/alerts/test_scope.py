"""Alerts inside the caller's team scope (issue 14): a team sees the alerts of rules on its topics
(by topic, or by a query naming only its topics), never the others' — absent from the list, 404 for
the alert, its actions, its report and its crisis room — and the post cards of an alert it sees
are only those of its countries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.support.live_server import LiveHub
from veille.alerts import repository
from veille.clock import now_us
from veille.model import Post
from veille.teams import create_team


def _alert(live: LiveHub, *, topic: str | None, query: str | None, cards: list[dict[str, Any]]) -> int:
    moment = now_us()
    with live.hub.store.engine.begin() as connection:
        return repository.insert_alert(
            connection,
            {
                "rule_id": None, "rule_name": f"rule on {topic or query}", "kind": "volume_threshold",
                "topic": topic, "severity": "warning", "status": "open", "opened_us": moment,
                "updated_us": moment, "posts": len(cards), "summary": "posts", "figures": {"top_posts": cards},
                "assignee": None, "playbook": ["Call the network team"], "checked": [], "window_s": 600,
                "query": query,
            },
        )  # fmt: skip


def _card(post_id: str) -> dict[str, Any]:
    return {"id": post_id, "author": "someone", "text": "panne", "followers": 1, "url": None}


def test_a_team_sees_the_alerts_of_its_topics_only(live: LiveHub, api: httpx.Client) -> None:
    store = live.hub.store
    posts = [
        Post.model_validate(
            {
                "id": f"x:{country}",
                "source": "x",
                "created_at": "2026-11-01T12:00:00Z",
                "text": "panne",
                "author": {"handle": f"user_{country}"},
                "country": country,
                "topics": [{"name": "outage"}],
            }
        )
        for country in ("FR", "ES")
    ]
    store.upsert_posts(posts)
    cards = [_card("x:FR"), _card("x:ES")]
    outage = _alert(live, topic="outage", query=None, cards=cards)
    by_query = _alert(live, topic=None, query="topic:outage AND panne", cards=[])
    nova = _alert(live, topic="nova", query=None, cards=[])
    everything = _alert(live, topic=None, query="panne", cards=[])
    create_team(
        store=store, spec={"name": "outage-fr", "topics": ["outage"], "countries": ["FR"]}, actor="tests"
    )
    user_id = live.hub.access.add_user(
        "fr-analyst", "long enough password", role="analyst", teams=["outage-fr"]
    )
    token = live.hub.access.create_token("fr-token", user_id=user_id, role="analyst", teams=["outage-fr"])
    with httpx.Client(
        base_url=live.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as team:
        listed = [item["id"] for item in team.get("/api/v1/alerts").json()["items"]]
        assert sorted(listed) == sorted([outage, by_query])
        shown = team.get(f"/api/v1/alerts/{outage}").json()
        assert [card["id"] for card in shown["figures"]["top_posts"]] == ["x:FR"]  # not Spain's post
        for hidden in (nova, everything):
            assert team.get(f"/api/v1/alerts/{hidden}").status_code == 404
            assert team.get(f"/api/v1/alerts/{hidden}/report").status_code == 404
            assert team.post(f"/api/v1/alerts/{hidden}/acknowledge").status_code == 404
            assert team.post(f"/api/v1/alerts/{hidden}/notes", json={"text": "x"}).status_code == 404
        assert team.post(f"/api/v1/alerts/{outage}/acknowledge").status_code == 200
        assert team.get(f"/api/v1/alerts/{outage}/report").status_code == 200
    # An administrator sees every alert, with every card.
    assert len(api.get("/api/v1/alerts").json()["items"]) == 4
    assert len(api.get(f"/api/v1/alerts/{outage}").json()["figures"]["top_posts"]) == 2
    # The crisis room of an alert outside the team: not found.
    with httpx.Client(base_url=live.base_url, timeout=30) as browser:
        browser.post(
            "/login", data={"username": "fr-analyst", "password": "long enough password", "next": "/"}
        )
        assert browser.get(f"/crisis/{nova}").status_code == 404
        assert browser.get(f"/crisis/{outage}").status_code == 200


def test_the_topic_crisis_room_and_report(live: LiveHub, api: httpx.Client) -> None:
    from veille.topics import TopicSpec
    from veille.topics.service import create_topic

    store = live.hub.store
    for name, query in (("outage", "panne"), ("nova", "nova")):
        create_topic(store=store, spec=TopicSpec(name=name, query=query), live=live.hub.topics)
    outage = _alert(live, topic="outage", query=None, cards=[])
    _alert(live, topic="nova", query=None, cards=[])
    api.post(f"/api/v1/alerts/{outage}/notes", json={"text": "Fibre cut <script>x</script> in Lyon"})
    pushed = api.post(
        "/api/v1/posts",
        json=[
            {"id": f"x:t{index}", "source": "x", "created_at": (datetime.now(UTC) - timedelta(minutes=2)).isoformat(),
             "text": f"grosse panne {index}", "author": {"handle": f"u{index}"}}
            for index in range(3)
        ],
    )  # fmt: skip
    assert pushed.status_code == 200
    report = api.get("/api/v1/alerts/topic/outage/report")
    assert report.status_code == 200 and 'data-report="topic"' in report.text
    assert "rule on outage" in report.text and "rule on nova" not in report.text
    assert "Fibre cut &lt;script&gt;x&lt;/script&gt; in Lyon" in report.text  # notes are text
    assert "<tr><th>Posts</th><td>3</td></tr>" in report.text, report.text[
        report.text.index("<table>") : report.text.index("</table>")
    ]
    french = api.get("/api/v1/alerts/topic/outage/report", params={"lang": "fr"})
    assert "Salle de crise" in french.text
    assert api.get("/api/v1/alerts/topic/nowhere/report").status_code == 404
    create_team(store=store, spec={"name": "nova-team", "topics": ["nova"]}, actor="tests")
    user_id = live.hub.access.add_user(
        "nova-viewer", "long enough password", role="viewer", teams=["nova-team"]
    )
    token = live.hub.access.create_token("nova-token", user_id=user_id, role="viewer", teams=["nova-team"])
    with httpx.Client(
        base_url=live.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as team:
        assert team.get("/api/v1/alerts/topic/outage/report").status_code == 404  # outside its scope
        assert team.get("/api/v1/alerts/topic/nova/report").status_code == 200
    with httpx.Client(base_url=live.base_url, timeout=30) as browser:
        browser.post(
            "/login", data={"username": "nova-viewer", "password": "long enough password", "next": "/"}
        )
        assert browser.get("/crisis/topic/nova").status_code == 200
        assert 'data-topic="nova"' in browser.get("/crisis/topic/nova").text
        assert browser.get("/crisis/topic/outage").status_code == 404
        assert browser.get("/crisis/topic/nowhere").status_code == 404


def test_a_rule_the_caller_may_not_see_hides_its_alerts(live: LiveHub, api: httpx.Client) -> None:
    """A private rule's incidents are seen by who may see the rule (its creator, the admins), on
    top of the team scope: a team member who may not see the rule sees none of its alerts."""
    create_team(store=live.hub.store, spec={"name": "care"}, actor="tests")
    clients = {}
    for name in ("maker", "colleague"):
        user_id = live.hub.access.add_user(name, "long enough password", role="analyst", teams=["care"])
        token = live.hub.access.create_token(name, user_id=user_id, role="analyst", teams=["care"])
        clients[name] = httpx.Client(
            base_url=live.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
    body = {"name": "quiet", "kind": "volume_threshold", "query": "panne", "threshold": 5}
    private = clients["maker"].post("/api/v1/alerts/rules", json={**body, "visibility": "private"})
    shared = clients["maker"].post(
        "/api/v1/alerts/rules", json={**body, "name": "loud", "visibility": "team"}
    )
    assert private.status_code == 201 and shared.status_code == 201
    alerts = {}
    for rule in (private.json(), shared.json()):
        alert_id = _alert(live, topic=None, query="panne", cards=[])
        with live.hub.store.engine.begin() as connection:
            repository.update_alert(connection, alert_id, {"rule_id": rule["id"], "rule_name": rule["name"]})
        alerts[rule["name"]] = alert_id
    try:
        for name, expected in (("maker", {"quiet", "loud"}), ("colleague", {"loud"})):
            listed = {item["rule"] for item in clients[name].get("/api/v1/alerts").json()["items"]}
            assert listed == expected, name
        colleague = clients["colleague"]
        assert colleague.get(f"/api/v1/alerts/{alerts['quiet']}").status_code == 404
        assert colleague.post(f"/api/v1/alerts/{alerts['quiet']}/acknowledge").status_code == 404
        assert colleague.get(f"/api/v1/alerts/{alerts['loud']}").status_code == 200
        assert clients["maker"].get(f"/api/v1/alerts/{alerts['quiet']}").status_code == 200
        assert {item["rule"] for item in api.get("/api/v1/alerts").json()["items"]} == {"quiet", "loud"}
        # Shared with the team afterwards, its alerts come with it.
        spec = {key: value for key, value in private.json().items() if key in body or key == "visibility"}
        assert (
            clients["maker"]
            .put(f"/api/v1/alerts/rules/{private.json()['id']}", json={**spec, "visibility": "team"})
            .status_code
            == 200
        )
        assert colleague.get(f"/api/v1/alerts/{alerts['quiet']}").status_code == 200
    finally:
        for client in clients.values():
            client.close()
