"""The editorial radar: what people ask about a topic now, grouped into sub-topics, ranked by the gap
between their demand and what our own accounts published on them.

**Periods.** The *current* period is the range asked, ``[from, to)``. Its *baseline* is up to
:data:`BASELINE_PERIODS` periods of the same length just before it, keeping those where the topic
has posts at all (a hub installed yesterday has no "last week").

**What is read.** The topic's posts of each period, reposts and our own accounts' posts left out.
At most :data:`MAX_PERIOD_POSTS` posts are read for the current period and half as many for each
baseline period (they only give counts): when a period holds more, a systematic
sample (every k-th post by write sequence) is read and counts are scaled back by k
(``meta.sampled``). Questions are found by :func:`veille.editorial.questions.is_question` and
grouped by :mod:`veille.editorial.subtopics` (clustering the current period's questions; the
baseline's are assigned to the nearest sub-topic).

**Per sub-topic** (each field of an item of :func:`radar`):

- ``volume``: questions in the current period (scaled back when sampled);
- ``baseline``: mean questions per baseline period (same scaling), ``null`` without a baseline;
- ``growth``: ``(volume + 1) / (baseline + 1)`` (1 = steady; 1 too without a baseline: unknown);
- ``engagement``: likes + reposts + replies of those questions;
- ``demand`` (0-100): ``volume × min(growth, 10) × (1 + log10(1 + engagement / volume))``, scaled
  so that the topic's most demanded sub-topic is 100;
- ``coverage`` (0-1): our accounts' original posts (registered accounts with ``ours``; no replies,
  no reposts) in the :data:`COVERAGE_DAYS` days before ``to`` (or the range when longer) that hold
  at least two of the sub-topic's key terms (the one, when it has a single term), divided by
  :data:`COVERED_POSTS` and capped at 1 (``our_posts`` is that count);
- ``gap`` (0-100): ``demand × (1 - coverage)``. Items are ranked by gap, then volume, then name.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from veille.accounts import handle_key, list_accounts
from veille.clock import rfc3339_from_us, to_us
from veille.editorial.ports import Analytics, ScopeLike
from veille.editorial.questions import is_question
from veille.editorial.subtopics import Grouping, group_questions, key_terms_present, question_terms
from veille.store.schema import post_topics, posts
from veille.store.sql import SqlStore

__all__ = [
    "BASELINE_PERIODS",
    "COVERAGE_DAYS",
    "COVERED_POSTS",
    "MAX_PERIOD_POSTS",
    "Question",
    "our_accounts",
    "radar",
    "read_questions",
]

BASELINE_PERIODS = 3
MAX_PERIOD_POSTS = 10_000
COVERAGE_DAYS = 14
COVERED_POSTS = 3
MAX_OWN_POSTS = 5_000
EXAMPLES = 5
MAX_GROWTH = 10.0


@dataclass(frozen=True, slots=True)
class Question:
    """A post that asks something, with what the radar and briefs need of it."""

    id: str
    text: str
    lang: str | None
    country: str | None
    source: str
    author: str
    url: str | None
    created_us: int
    engagement: int
    terms: frozenset[str]


@dataclass(slots=True)
class _Period:
    questions: list[Question] = field(default_factory=list)
    posts_read: int = 0
    posts_in_period: int = 0
    stride: int = 1


def our_accounts(store: SqlStore, scope: ScopeLike) -> set[tuple[str, str]]:
    """``(platform, folded handle)`` of our registered accounts on platforms the scope allows."""
    return {
        (account.platform, handle_key(account.handle))
        for account in list_accounts(store=store)
        if account.ours and scope.allows_source(account.platform)
    }


def _topic_conditions(topic: str, start_us: int, end_us: int, scope: ScopeLike) -> list[Any] | None:
    """SQL conditions for the topic's posts in ``[start, end)`` inside the scope (``None``: none can match)."""
    if scope.topics is not None and topic not in scope.topics:
        return None
    matched = select(post_topics.c.post_id).where(
        post_topics.c.post_id == posts.c.id, post_topics.c.topic == topic
    )
    return [
        posts.c.created_us >= start_us,
        posts.c.created_us < end_us,
        matched.exists(),
        posts.c.repost_of.is_(None),
        *scope.post_conditions(),
    ]


def read_questions(
    store: SqlStore,
    *,
    topic: str,
    start_us: int,
    end_us: int,
    figures: Analytics,
    ours: set[tuple[str, str]],
    max_posts: int = MAX_PERIOD_POSTS,
) -> _Period:
    """The questions among the topic's posts of ``[start, end)`` in scope (reposts and ours left out),
    a systematic sample of ``max_posts`` when there are more (:attr:`_Period.stride`)."""
    period = _Period()
    conditions = _topic_conditions(topic, start_us, end_us, figures.scope)
    if conditions is None:
        return period
    with store.engine.connect() as connection:
        period.posts_in_period = int(connection.execute(select(func.count()).where(*conditions)).scalar_one())
    if not period.posts_in_period:
        return period
    period.stride = max(1, math.ceil(period.posts_in_period / max_posts))
    if period.stride > 1:
        conditions.append(posts.c.seq % period.stride == 0)
    query = (
        select(
            posts.c.id, posts.c.text, posts.c.lang, posts.c.country, posts.c.source, posts.c.author_handle,
            posts.c.url, posts.c.created_us, posts.c.likes, posts.c.reposts, posts.c.replies,
        )
        .where(*conditions)
        .order_by(posts.c.seq)
        .limit(max_posts)
    )  # fmt: skip
    with store.engine.connect() as connection:
        for row in connection.execution_options(yield_per=2000).execute(query):
            period.posts_read += 1
            if (row.source, row.author_handle) in ours:
                continue
            text = row.text or ""
            if not is_question(text, row.lang):
                continue
            period.questions.append(
                Question(
                    id=row.id,
                    text=text,
                    lang=row.lang,
                    country=row.country,
                    source=row.source,
                    author=row.author_handle,
                    url=row.url,
                    created_us=int(row.created_us),
                    engagement=int(row.likes or 0) + int(row.reposts or 0) + int(row.replies or 0),
                    terms=question_terms(figures.terms(text, row.lang)),
                )
            )
    return period


def _own_posts_terms(
    store: SqlStore, *, ours: set[tuple[str, str]], figures: Analytics, start_us: int, end_us: int
) -> list[frozenset[str]]:
    """The terms of our accounts' original posts in ``[start, end)`` (the latest :data:`MAX_OWN_POSTS`)."""
    if not ours:
        return []
    conditions = [
        posts.c.created_us >= start_us,
        posts.c.created_us < end_us,
        posts.c.author_handle.in_(sorted({handle for _, handle in ours})),
        posts.c.source.in_(sorted({platform for platform, _ in ours})),
        posts.c.repost_of.is_(None),
        posts.c.reply_to.is_(None),
        *figures.scope.post_conditions(countries=False),
    ]
    query = (
        select(posts.c.text, posts.c.lang, posts.c.source, posts.c.author_handle)
        .where(*conditions)
        .order_by(posts.c.created_us.desc())
        .limit(MAX_OWN_POSTS)
    )
    found: list[frozenset[str]] = []
    with store.engine.connect() as connection:
        for row in connection.execute(query):
            if (row.source, row.author_handle) in ours:
                found.append(question_terms(figures.terms(row.text or "", row.lang)))
    return found


def covers(terms: tuple[str, ...], words: Iterable[str]) -> bool:
    """Whether a post with ``words`` covers a sub-topic with key ``terms`` (two of them, or its only one)."""
    return key_terms_present(terms, words) >= min(2, len(terms))


def ranked_shares(counter: Counter[str], name: str) -> list[dict[str, Any]]:
    total = sum(counter.values())
    return [
        {name: key, "questions": count, "share": round(count / total, 4)}
        for key, count in sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    ]


def question_json(question: Question) -> dict[str, Any]:
    return {
        "id": question.id,
        "text": question.text,
        "lang": question.lang,
        "country": question.country,
        "source": question.source,
        "author": question.author,
        "url": question.url,
        "created_at": rfc3339_from_us(question.created_us),
        "engagement": question.engagement,
    }


def _examples(members: list[Question]) -> list[dict[str, Any]]:
    chosen: list[dict[str, Any]] = []
    seen: set[str] = set()
    for question in sorted(members, key=lambda q: (-q.engagement, -q.created_us, q.id)):
        key = " ".join(question.text.lower().split())
        if key in seen:
            continue
        seen.add(key)
        chosen.append(question_json(question))
        if len(chosen) == EXAMPLES:
            break
    return chosen


def _subtopic_name(terms: tuple[str, ...]) -> str:
    return " · ".join(terms[:3])


def radar(
    store: SqlStore,
    *,
    topic: str,
    start: datetime,
    end: datetime,
    figures: Analytics,
    max_posts: int = MAX_PERIOD_POSTS,
    min_questions: int = 3,
    member_ids: bool = False,
) -> dict[str, Any]:
    """``{"items": [...], "meta": {...}}``: the topic's sub-topics ranked by gap (see the module).

    ``member_ids`` adds each item's ``question_ids`` (every question grouped in it: for briefs and
    measurements, not for the API, where it could be thousands).
    """
    start_us, end_us = to_us(start), to_us(end)
    ours = our_accounts(store, figures.scope)

    def read(shift: int) -> _Period:
        return read_questions(
            store,
            topic=topic,
            start_us=start_us - shift,
            end_us=end_us - shift,
            figures=figures,
            ours=ours,
            # A baseline period only gives counts: half the sample is enough for them.
            max_posts=max_posts if shift == 0 else max(1, max_posts // 2),
        )

    current = read(0)
    length = end_us - start_us
    baselines = [found for k in range(1, BASELINE_PERIODS + 1) if (found := read(k * length)).posts_in_period]
    signatures: Counter[frozenset[str]] = Counter(q.terms for q in current.questions if q.terms)
    grouping = group_questions(signatures, min_questions=min_questions)
    members = _members(grouping, current.questions)
    baseline_counts: list[Counter[int]] = []
    for period in baselines:
        counts: Counter[int] = Counter()
        for question in period.questions:
            index = grouping.assign(question.terms)
            if index is not None:
                counts[index] += period.stride
        baseline_counts.append(counts)
    coverage_start = min(start_us, end_us - COVERAGE_DAYS * 86_400_000_000)
    own_terms = _own_posts_terms(store, ours=ours, figures=figures, start_us=coverage_start, end_us=end_us)
    items = _items(grouping, members, current.stride, baseline_counts, own_terms)
    if not member_ids:
        for item in items:
            del item["question_ids"]
    meta = {
        "topic": topic,
        "from": rfc3339_from_us(start_us),
        "to": rfc3339_from_us(end_us),
        "baseline_periods": len(baselines),
        "baseline_from": rfc3339_from_us(start_us - len(baselines) * length) if baselines else None,
        "coverage_from": rfc3339_from_us(coverage_start),
        "posts_read": current.posts_read + sum(p.posts_read for p in baselines),
        "posts_in_range": current.posts_in_period,
        "questions": len(current.questions) * current.stride,
        "sampled": current.stride > 1 or any(p.stride > 1 for p in baselines),
        "max_posts_per_period": max_posts,
        "our_accounts": len(ours),
        "our_posts": len(own_terms),
    }
    return {"items": items, "meta": meta}


def _members(grouping: Grouping, questions: list[Question]) -> dict[int, list[Question]]:
    index_of: dict[frozenset[str], int] = {}
    for position, subtopic in enumerate(grouping.subtopics):
        for signature in subtopic.signatures:
            index_of[signature] = position
    members: dict[int, list[Question]] = defaultdict(list)
    for question in questions:
        reduced = frozenset(term for term in question.terms if term in grouping.vocabulary)
        index: int | None = index_of.get(reduced)
        if index is None:
            index = grouping.assign(question.terms)
        if index is not None:
            members[index].append(question)
    return members


def _items(
    grouping: Grouping,
    members: dict[int, list[Question]],
    stride: int,
    baseline_counts: list[Counter[int]],
    own_terms: list[frozenset[str]],
) -> list[dict[str, Any]]:
    raw: list[dict[str, Any]] = []
    for index, subtopic in enumerate(grouping.subtopics):
        asked = members.get(index, [])
        if not asked:
            continue
        volume = len(asked) * stride
        engagement = sum(q.engagement for q in asked) * stride
        baseline = (
            sum(counts[index] for counts in baseline_counts) / len(baseline_counts)
            if baseline_counts
            else None
        )
        # Without a baseline period (a hub installed yesterday) growth is unknown: counted as steady.
        growth = (volume + 1) / (baseline + 1) if baseline is not None else 1.0
        # Growth weighs as much as volume: what people ask *now* comes before what they always ask.
        strength = volume * min(growth, MAX_GROWTH) * (1 + math.log10(1 + engagement / volume))
        covering = sum(1 for words in own_terms if covers(subtopic.terms, words))
        raw.append(
            {
                "subtopic": _subtopic_name(subtopic.terms),
                "terms": list(subtopic.terms),
                "questions": _examples(asked),
                "volume": volume,
                "baseline": None if baseline is None else round(baseline, 2),
                "growth": round(growth, 3),
                "engagement": engagement,
                "our_posts": covering,
                "coverage": round(min(1.0, covering / COVERED_POSTS), 3),
                "countries": ranked_shares(Counter(q.country for q in asked if q.country), "country"),
                "languages": ranked_shares(Counter(q.lang for q in asked if q.lang), "language"),
                "question_ids": sorted(q.id for q in asked),
                "_strength": strength,
            }
        )
    strongest = max((item["_strength"] for item in raw), default=0.0) or 1.0
    for item in raw:
        demand = 100 * item.pop("_strength") / strongest
        item["demand"] = round(demand, 1)
        item["gap"] = round(demand * (1 - item["coverage"]), 1)
    raw.sort(key=lambda item: (-item["gap"], -item["volume"], item["subtopic"]))
    for rank, item in enumerate(raw, start=1):
        item["rank"] = rank
    return raw


def period_of(start: datetime | None, end: datetime | None, *, now: datetime) -> tuple[datetime, datetime]:
    """``[from, to)`` with the defaults: ``to`` now, ``from`` a day before ``to``."""
    stop = end or now
    return (start or stop - timedelta(days=1)), stop
