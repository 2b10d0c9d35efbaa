"""Accounts and posts for the inbox tests: our accounts, customers writing to them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from veille.accounts.models import AccountSpec, BrandAccount, BusinessHours
from veille.accounts.service import create_account
from veille.model import Post
from veille.store.sql import SqlStore

__all__ = ["customer_post", "register_ours", "write"]


def register_ours(store: SqlStore, *, hours: BusinessHours | None = None) -> dict[str, BrandAccount]:
    made = {}
    for platform, handle, country in (
        ("x", "NovaCare", "FR"),
        ("mastodon", "novatelecom", "FR"),
        ("bluesky", "novatelecom.bsky.social", "FR"),
        ("reddit", "NovaTelecom", "GB"),
        ("youtube", "NovaTelecom", "GB"),
    ):
        made[platform] = create_account(
            store=store,
            spec=AccountSpec(
                platform=platform,
                handle=handle,
                brand="Nova",
                country=country,
                ours=True,
                business_hours=hours,
            ),
        )
    create_account(
        store=store, spec=AccountSpec(platform="x", handle="HelixCare", brand="Helix", country="FR")
    )
    return made


def customer_post(
    number: int,
    *,
    platform: str = "x",
    to: str = "NovaCare",
    minutes_ago: float = 30,
    followers: int = 100,
    sentiment: str | None = None,
    score: float | None = None,
    topics: list[str] | None = None,
    country: str = "FR",
    text: str | None = None,
    post_id: str | None = None,
) -> Post:
    created = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    ids = {
        "x": f"x:{1790000000000000000 + number}",
        "mastodon": f"mastodon:mastodon.example/{110000000000000000 + number}",
        "bluesky": f"bluesky:at://did:plc:cust{number}/app.bsky.feed.post/3kcust{number:06d}",
        "reddit": f"reddit:t1_c{number:05d}",
        "youtube": f"youtube:Ugz{number:08d}",
    }
    doc: dict[str, Any] = {
        "id": post_id or ids[platform],
        "source": platform,
        "url": f"https://example.org/{platform}/{number}",
        "created_at": created,
        "text": text or f"@{to} my line has been down since this morning, order {number}",
        "lang": "fr",
        "author": {"handle": f"customer{number}", "name": f"Camille Martin{number}", "followers": followers},
        "country": country,
    }
    if sentiment:
        doc["sentiment"] = {
            "label": sentiment,
            "score": score if score is not None else -0.8,
            "model": "test",
        }
    if topics:
        doc["topics"] = [{"name": name} for name in topics]
    return Post.model_validate(doc)


def write(store: SqlStore, *posts: Post) -> None:
    store.upsert_posts(list(posts))
