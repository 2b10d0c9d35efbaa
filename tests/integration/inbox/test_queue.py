"""The queue: which posts land in it, statuses and transitions, locks between two people,
priorities in order, tags, the thread, saved replies, on both engines."""

from __future__ import annotations

import pytest

from tests.integration.inbox.helpers import customer_post, register_ours, write
from veille.access import UserAccess
from veille.analytics.scope import Scope
from veille.errors import Conflict, Invalid, NotFound
from veille.inbox import service
from veille.inbox.models import SavedReplySpec
from veille.store.sql import SqlStore
from veille.topics import TopicSpec
from veille.topics import service as topics

EVERYTHING = Scope()


@pytest.fixture
def desk(store: SqlStore) -> SqlStore:
    register_ours(store)
    access = UserAccess(store)
    access.add_user("alice", "long enough password", role="analyst")
    access.add_user("bruno", "long enough password", role="analyst")
    return store


def test_inbound_posts_of_our_accounts_land_in_the_queue(desk: SqlStore) -> None:
    write(
        desk,
        customer_post(1),
        customer_post(2, platform="mastodon", to="novatelecom"),
        customer_post(3, to="HelixCare"),  # a competitor's: not ours to answer
        customer_post(4, text="nothing addressed to anyone here"),
    )
    items = service.queue(store=desk, scope=EVERYTHING, caller="alice")
    assert {item.post_id for item in items} == {customer_post(1).id, customer_post(2, platform="mastodon").id}
    first = items[0].to_json_dict()
    assert first["status"] == "new" and first["lock"] is None and first["assignee"] is None
    assert {"due", "breached"} <= set(first["sla"]) and first["priority"]["reasons"]
    assert first["post"]["id"] == first["post_id"]


def test_statuses_move_and_invalid_moves_are_refused(desk: SqlStore) -> None:
    post = customer_post(1)
    write(desk, post)
    item = service.assign(
        store=desk, scope=EVERYTHING, post_id=post.id, assignee="alice", team=None, by="bruno"
    )
    assert (item.status, item.assignee) == ("assigned", "alice")
    item = service.set_status(store=desk, scope=EVERYTHING, post_id=post.id, status="waiting", by="alice")
    assert item.status == "waiting"
    with pytest.raises(Conflict, match=r"cannot set waiting .* it is waiting"):
        service.set_status(store=desk, scope=EVERYTHING, post_id=post.id, status="waiting", by="alice")
    item = service.close(
        store=desk, scope=EVERYTHING, post_id=post.id, disposition="resolved", note=None, by="alice"
    )
    assert (item.status, item.disposition) == ("closed", "resolved")
    with pytest.raises(Conflict, match=r"cannot close .* it is closed by alice; reopen it first"):
        service.close(
            store=desk, scope=EVERYTHING, post_id=post.id, disposition="spam", note=None, by="bruno"
        )
    with pytest.raises(Conflict, match="cannot assign"):
        service.assign(store=desk, scope=EVERYTHING, post_id=post.id, assignee="bruno", team=None, by="bruno")
    item = service.set_status(store=desk, scope=EVERYTHING, post_id=post.id, status="new", by="bruno")
    assert (item.status, item.disposition) == ("assigned", None)  # reopened, still alice's
    item = service.assign(store=desk, scope=EVERYTHING, post_id=post.id, assignee=None, team=None, by="bruno")
    assert (item.status, item.assignee) == ("new", None)
    with pytest.raises(NotFound, match="no user named 'nobody'"):
        service.assign(
            store=desk, scope=EVERYTHING, post_id=post.id, assignee="nobody", team=None, by="bruno"
        )
    statuses = [
        event["action"] for event in service.thread(store=desk, scope=EVERYTHING, post_id=post.id)["events"]
    ]
    assert statuses == ["assigned", "waiting", "closed", "reopened", "unassigned"]


def test_an_answer_from_our_account_makes_the_post_replied(desk: SqlStore) -> None:
    post = customer_post(1)
    write(desk, post)
    answer = customer_post(2, minutes_ago=5).model_copy(
        update={
            "id": "x:1790000000000009999",
            "reply_to": post.id,
            "text": "on regarde",
            "author": post.author.model_copy(update={"handle": "NovaCare"}),
        }
    )
    write(desk, answer)
    [item] = service.queue(store=desk, scope=EVERYTHING, caller="alice", status=["replied"])
    assert item.post_id == post.id and item.sla["stopped"] is True and item.sla["breached"] is False


def test_two_people_never_hold_the_same_post(desk: SqlStore) -> None:
    post = customer_post(1)
    write(desk, post)
    held = service.lock(store=desk, scope=EVERYTHING, post_id=post.id, by="alice")
    assert held.lock is not None and held.lock.holder == "alice"
    with pytest.raises(Conflict, match="locked by alice until"):
        service.lock(store=desk, scope=EVERYTHING, post_id=post.id, by="bruno")
    with pytest.raises(Conflict, match="locked by alice"):
        service.unlock(store=desk, scope=EVERYTHING, post_id=post.id, by="bruno")
    with pytest.raises(Conflict, match="locked by alice"):
        service.close(
            store=desk, scope=EVERYTHING, post_id=post.id, disposition="spam", note=None, by="bruno"
        )
    again = service.lock(store=desk, scope=EVERYTHING, post_id=post.id, by="alice")  # extends her lease
    assert again.lock is not None and again.lock.until_us >= held.lock.until_us
    service.unlock(store=desk, scope=EVERYTHING, post_id=post.id, by="alice")
    taken = service.lock(store=desk, scope=EVERYTHING, post_id=post.id, by="bruno")
    assert taken.lock is not None and taken.lock.holder == "bruno"


def test_an_expired_lease_can_be_taken(desk: SqlStore) -> None:
    post = customer_post(1)
    write(desk, post)
    service.lock(store=desk, scope=EVERYTHING, post_id=post.id, by="alice", seconds=-1)  # already over
    item = service.get_item(store=desk, scope=EVERYTHING, post_id=post.id)
    assert item.lock is None
    assert service.lock(store=desk, scope=EVERYTHING, post_id=post.id, by="bruno").lock.holder == "bruno"  # type: ignore[union-attr]


def test_priorities_rank_influence_negativity_sensitivity_and_waiting(desk: SqlStore) -> None:
    topics.create_topic(store=desk, spec=TopicSpec(name="outage", query="panne OR down", kind="sensitive"))
    write(
        desk,
        customer_post(1, minutes_ago=5, followers=10),  # calm, fresh, unknown
        customer_post(2, minutes_ago=5, followers=250_000),  # influential
        customer_post(3, minutes_ago=5, followers=10, sentiment="negative", score=-0.9),
        customer_post(
            4, minutes_ago=5, followers=250_000, sentiment="negative", score=-0.9, topics=["outage"]
        ),
        customer_post(5, minutes_ago=50, followers=10),  # has waited most of its hour
    )
    items = service.queue(store=desk, scope=EVERYTHING, caller="alice")
    order = [item.post_id for item in items]
    expected = [customer_post(n).id for n in (4, 2, 3, 5, 1)]
    assert order == expected, [(i.post_id, i.priority) for i in items]
    top = items[0].priority
    assert top["level"] == "urgent"
    assert {reason["factor"] for reason in top["reasons"]} >= {"influence", "negative", "sensitive"}
    assert any("outage" in reason["detail"] for reason in top["reasons"])


def test_filters_and_team_scope(desk: SqlStore) -> None:
    write(desk, customer_post(1), customer_post(2, platform="reddit", to="NovaTelecom", country="GB"))
    service.assign(
        store=desk, scope=EVERYTHING, post_id=customer_post(1).id, assignee="alice", team=None, by="alice"
    )
    assert [
        i.post_id for i in service.queue(store=desk, scope=EVERYTHING, caller="alice", assignee="me")
    ] == [customer_post(1).id]
    assert [i.post_id for i in service.queue(store=desk, scope=EVERYTHING, caller="x", assignee="none")] == [
        customer_post(2, platform="reddit").id
    ]
    assert [
        i.post_id
        for i in service.queue(store=desk, scope=EVERYTHING, caller="x", account="reddit:@NovaTelecom")
    ] == [customer_post(2, platform="reddit").id]
    assert service.queue(store=desk, scope=EVERYTHING, caller="x", status=["closed"]) == []
    france = Scope.of(countries=["FR"])
    assert [i.post_id for i in service.queue(store=desk, scope=france, caller="x")] == [customer_post(1).id]
    with pytest.raises(NotFound, match="not in the inbox"):
        service.get_item(store=desk, scope=france, post_id=customer_post(2, platform="reddit").id)
    with pytest.raises(NotFound, match="no account of ours"):
        service.queue(store=desk, scope=EVERYTHING, caller="x", account="x:@HelixCare")


def test_tags_and_thread(desk: SqlStore) -> None:
    first = customer_post(1, minutes_ago=40)
    second = customer_post(2, minutes_ago=20).model_copy(update={"reply_to": first.id})
    write(desk, first, second)
    item = service.set_tags(
        store=desk, scope=EVERYTHING, post_id=second.id, tags=["Billing", "fibre"], by="alice"
    )
    assert item.tags == ["Billing", "fibre"]
    thread = service.thread(store=desk, scope=EVERYTHING, post_id=second.id)
    assert [post["id"] for post in thread["items"]] == [first.id, second.id]
    assert [post["focus"] for post in thread["items"]] == [False, True]


def test_saved_replies_with_variables(desk: SqlStore) -> None:
    saved = service.create_saved_reply(
        store=desk,
        spec=SavedReplySpec(
            name="Outage holding",
            kind="holding",
            lang="fr",
            text="Bonjour {first_name}, {account} regarde. {agent}",
        ),
        by="alice",
    )
    assert saved.to_json_dict()["variables"] == ["first_name", "account", "agent"]
    assert [s.id for s in service.list_saved_replies(store=desk, lang="fr")] == [saved.id]
    assert service.list_saved_replies(store=desk, lang="en") == []
    write(desk, customer_post(1))
    item = service.get_item(store=desk, scope=EVERYTHING, post_id=customer_post(1).id)
    assert service.render(saved.text, item=item, agent="Alice") == "Bonjour Camille, @NovaCare regarde. Alice"
    with pytest.raises(Invalid, match=r"unknown variable \{nom\}"):
        service.render("Bonjour {nom}", item=item, agent="Alice")
    with pytest.raises(ValueError, match=r"unknown variable \{nom\}"):
        SavedReplySpec(name="x", lang="fr", text="Bonjour {nom}")
    service.delete_saved_reply(store=desk, reply_id=saved.id)
    with pytest.raises(NotFound):
        service.delete_saved_reply(store=desk, reply_id=saved.id)
