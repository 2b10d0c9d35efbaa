"""An independent, plain-Python reading of ``shared/spec/care-metrics.md`` over a list of posts.

It shares nothing with :mod:`veille.analytics.care` but the account objects: its own mention regex
(the test texts are ASCII), a scan of every post for replies, business seconds counted minute by
minute in the account's zone, and numpy's percentiles.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy

from veille.accounts import BrandAccount
from veille.model import Post

__all__ = ["business_seconds_by_minute", "expected_figures", "inbound_times"]

_MENTION = re.compile(r"(?<![A-Za-z0-9_])@([A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*)")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _mentions(text: str) -> set[str]:
    return {match.group(1).lower() for match in _MENTION.finditer(text)}


def business_seconds_by_minute(account: BrandAccount, start: datetime, end: datetime) -> float:
    """Whole minutes of ``[start, end)`` whose local time is open (the tests use whole minutes)."""
    hours = account.business_hours
    assert hours is not None
    zone = ZoneInfo(hours.timezone)
    open_from = int(hours.start[:2]) * 60 + int(hours.start[3:])
    open_to = int(hours.end[:2]) * 60 + int(hours.end[3:])
    total = 0
    moment = start
    while moment < end:
        local = moment.astimezone(zone)
        minute = local.hour * 60 + local.minute
        if _DAYS[local.weekday()] in hours.days and open_from <= minute < open_to:
            total += 60
        moment += timedelta(minutes=1)
    return float(total)


def inbound_times(
    posts: Sequence[Post],
    accounts: Sequence[BrandAccount],
    *,
    start: datetime,
    end: datetime,
    business_hours: bool = False,
    countries: set[str] | None = None,
    sources: set[str] | None = None,
    topics: set[str] | None = None,
) -> dict[int, list[float | None]]:
    """Account id -> response time of each of its inbound posts created in ``[start, end)``."""
    by_id = {post.id: post for post in posts}
    registered = {(a.platform, a.handle.lower()): a for a in accounts}
    result: dict[int, list[float | None]] = {a.id: [] for a in accounts}
    for post in posts:
        if not start <= post.created_at < end or post.repost_of is not None:
            continue
        if sources is not None and post.source not in sources:
            continue
        if topics is not None and not {match.name for match in post.topics} & topics:
            continue
        author = registered.get((post.source, post.author.handle.lower()))
        targets = {(post.source, handle) for handle in _mentions(post.text)}
        parent = by_id.get(post.reply_to or "")
        if parent is not None and parent.source == post.source:
            targets.add((parent.source, parent.author.handle.lower()))
        for target in targets:
            account = registered.get(target)
            if account is None or (author is not None and author.brand == account.brand):
                continue
            country = post.country or account.country
            if countries is not None and country not in countries:
                continue
            replies = [
                reply.created_at
                for reply in posts
                if reply.reply_to == post.id
                and reply.source == account.platform
                and reply.author.handle.lower() == account.handle.lower()
            ]
            if not replies:
                result[account.id].append(None)
                continue
            first = min(replies)
            if business_hours and account.business_hours is not None:
                result[account.id].append(business_seconds_by_minute(account, post.created_at, first))
            else:
                result[account.id].append((first - post.created_at).total_seconds())
    return result


def expected_figures(times: list[float | None], *, sla_s: float = 3600.0) -> dict[str, Any]:
    answered = [time for time in times if time is not None]
    if not times:
        return dict.fromkeys(("response_rate", "median_s", "mean_s", "p90_s", "within_sla"), None) | {
            "inbound": 0,
            "responded": 0,
        }
    return {
        "inbound": len(times),
        "responded": len(answered),
        "response_rate": len(answered) / len(times),
        "median_s": float(numpy.percentile(answered, 50)) if answered else None,
        "mean_s": float(numpy.mean(answered)) if answered else None,
        "p90_s": float(numpy.percentile(answered, 90)) if answered else None,
        "within_sla": sum(1 for time in answered if time <= sla_s) / len(times),
    }


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
