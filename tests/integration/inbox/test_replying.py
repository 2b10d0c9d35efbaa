"""Answering through the service: the platform gets the reply, our reply is stored at once as our
account's post, the care metrics count it, and the queue agrees; refusals leave the post open
with the platform's words."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.fakes.replies import ReplyPlatform, demo_credentials, serve_replies
from tests.integration.inbox.helpers import customer_post, register_ours, write
from veille.analytics.care import care_report
from veille.analytics.scope import Scope
from veille.errors import Conflict, Invalid
from veille.inbox import service
from veille.inbox.replies import PlatformError
from veille.model import Post
from veille.security.outbound import GuardedTransport, OutboundPolicy
from veille.security.secrets import SecretBox
from veille.store.inbox_tables import inbox_accounts
from veille.store.sql import SqlStore

EVERYTHING = Scope()
BOX = SecretBox(SecretBox.generate_key().encode())


def secrets_for_tests() -> SecretBox:
    return BOX


@pytest.fixture
def served() -> Iterator[tuple[ReplyPlatform, str]]:
    with serve_replies() as pair:
        yield pair


@pytest.fixture
def desk(store: SqlStore, served: tuple[ReplyPlatform, str]) -> SqlStore:
    _fake, base = served
    accounts = register_ours(store)
    for platform, account in accounts.items():
        service.save_desk_settings(
            store=store,
            account_id=account.id,
            sla_s=1800,
            endpoint=f"{base}/{platform}",
            credentials=demo_credentials(platform),
            secrets=secrets_for_tests(),
            by="admin",
        )
    return store


def _reply(store: SqlStore, post_id: str, text: str, *, by: str = "alice") -> Any:
    async def run() -> Any:
        async def write_posts(posts: list[Post]) -> None:
            store.upsert_posts(posts)

        policy = OutboundPolicy.build(allow=["127.0.0.1"])
        async with httpx.AsyncClient(transport=GuardedTransport(policy), timeout=10) as client:
            return await service.reply(
                store=store,
                scope=EVERYTHING,
                post_id=post_id,
                text=text,
                by=by,
                client=client,
                secrets=secrets_for_tests(),
                write=write_posts,
            )

    return asyncio.run(run())


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky", "reddit", "youtube"])
def test_the_reply_is_sent_stored_and_counted_by_the_care_metrics(
    desk: SqlStore, served: tuple[ReplyPlatform, str], platform: str
) -> None:
    fake, _base = served
    handle = {"x": "NovaCare", "mastodon": "novatelecom", "bluesky": "novatelecom.bsky.social"}.get(
        platform, "NovaTelecom"
    )
    post = customer_post(
        1, platform=platform, to=handle, country="FR" if platform in ("x", "mastodon", "bluesky") else "GB"
    )
    write(desk, post)
    start = datetime.now(UTC) - timedelta(hours=2)
    before = care_report(
        store=desk, scope=EVERYTHING, start=start, end=datetime.now(UTC) + timedelta(minutes=1)
    )
    row = next(r for r in before.rows if r.group["platform"] == platform and r.group["ours"])
    assert (row.current.inbound, row.current.responded) == (1, 0)

    item = _reply(desk, post.id, "Bonjour {first_name}, nous regardons votre ligne. {agent}")
    assert item.status == "replied" and item.lock is None and item.reply_post_id
    [sent] = fake.replies
    assert sent["text"] == "Bonjour Camille, nous regardons votre ligne. alice"
    ours = desk.get_post(item.reply_post_id)
    assert ours is not None and ours.reply_to == post.id and ours.author.handle == handle
    assert ours.text == sent["text"]

    after = care_report(
        store=desk, scope=EVERYTHING, start=start, end=datetime.now(UTC) + timedelta(minutes=1)
    )
    row = next(r for r in after.rows if r.group["platform"] == platform and r.group["ours"])
    assert (row.current.inbound, row.current.responded, row.current.response_rate) == (1, 1, 1.0)
    assert row.current.median_s is not None and 1700 < row.current.median_s < 1900  # the post waited ~30 min
    # the queue agrees with the metrics
    assert [
        i.post_id for i in service.queue(store=desk, scope=EVERYTHING, caller="x", status=["replied"])
    ] == [post.id]
    service.close(
        store=desk, scope=EVERYTHING, post_id=post.id, disposition="answered", note=None, by="alice"
    )
    with pytest.raises(Conflict, match=r"cannot reply to .* it is closed"):
        _reply(desk, post.id, "again")


def test_a_platform_refusal_keeps_the_post_open_with_its_words(
    desk: SqlStore, served: tuple[ReplyPlatform, str]
) -> None:
    fake, _base = served
    post = customer_post(7)
    write(desk, post)
    fake.fail("x", "rate_limited")
    with pytest.raises(PlatformError) as caught:
        _reply(desk, post.id, "Bonjour")
    assert caught.value.retry_after_s is not None
    item = service.get_item(store=desk, scope=EVERYTHING, post_id=post.id)
    assert item.status == "new" and item.last_error and "X rate limit reached" in item.last_error
    assert item.lock is not None and item.lock.holder == "alice"  # still hers to send again
    assert desk.count_posts() == 1  # nothing stored
    item = _reply(desk, post.id, "Bonjour")
    assert item.status == "replied" and item.last_error is None


def test_someone_else_holding_the_lock_cannot_send(desk: SqlStore, served: tuple[ReplyPlatform, str]) -> None:
    fake, _base = served
    post = customer_post(8)
    write(desk, post)
    service.lock(store=desk, scope=EVERYTHING, post_id=post.id, by="alice")
    with pytest.raises(Conflict, match="locked by alice"):
        _reply(desk, post.id, "Bonjour", by="bruno")
    assert fake.replies == []


def test_credentials_are_sealed_and_never_shown(desk: SqlStore) -> None:
    with desk.engine.connect() as connection:
        stored = [row.credentials for row in connection.execute(inbox_accounts.select())]
    assert stored and all("$encrypted" in str(value) for value in stored)
    assert "demo-write-token" not in str(stored)
    shown = service.desk_settings(store=desk)
    assert all("demo-write-token" not in str(item) for item in shown)
    assert {tuple(item["credentials_set"]) for item in shown} == {("access_token",), ("app_password",)}


def test_no_credentials_is_said_before_anything_is_sent(
    store: SqlStore, served: tuple[ReplyPlatform, str]
) -> None:
    fake, _base = served
    register_ours(store)
    post = customer_post(9)
    write(store, post)
    with pytest.raises(Invalid, match="has no write credentials"):
        _reply(store, post.id, "Bonjour")
    assert fake.replies == []
