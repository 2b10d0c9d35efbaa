"""Briefs: a radar sub-topic turned into a content brief, and the loop back from our content.

**Making a brief** (:func:`create_brief`) reads, for the topic and the range:

- the **questions** that match the brief's key terms (a question matches when it holds two of the
  terms, or the only one: :func:`veille.editorial.radar.covers`), the examples most engaged with
  first, and their **demand** (count, previous period's count, growth, engagement);
- the **audiences**: those questions by country and by language;
- **who influences the conversation**: the topic's influencers over the range
  (:func:`veille.analytics.influence.influencers`), those who asked or wrote on the sub-topic first
  (``on_subtopic``);
- the **formats and hours that performed best** for this topic in our content-performance figures
  (:func:`veille.analytics.content.content_performance`, by format and by local hour, over the
  :data:`PERFORMANCE_DAYS` days before the range's end), by engagement rate.

What was read is stored with the brief (``doc``): the brief says what the team saw when they decided.

**The loop** (:func:`link_content`, :func:`link_performance`): a post of ours linked to a brief
shows, read now,

- ``day`` / ``week``: the interactions the hub stored on it (replies, reposts and quotes) within
  24 hours / 7 days of publication, beside the mean of the same figure for our other posts on the
  topic in the same format over the :data:`PERFORMANCE_DAYS` days before it (``usual``) and the
  ratio; ``complete`` is false while the window is still running;
- ``totals``: the platform's counters now (likes, reposts, replies, views, engagement rate) beside
  our usual figures for the topic and format (content performance);
- ``questions``: the brief's questions in the window before publication and in as long a window
  after it (up to 7 days each), per day, and ``slowed`` when fewer are asked after.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update

from veille.clock import from_us, now_us, rfc3339_from_us, to_us
from veille.editorial.models import Brief, BriefChanges, BriefLinkSpec, BriefNotFound, BriefSpec
from veille.editorial.ports import Analytics, ScopeLike
from veille.editorial.radar import (
    Question,
    covers,
    our_accounts,
    question_json,
    ranked_shares,
    read_questions,
)
from veille.errors import Invalid
from veille.store.schema import editorial_brief_links, editorial_briefs, posts
from veille.store.sql import SqlStore

__all__ = [
    "PERFORMANCE_DAYS",
    "create_brief",
    "delete_brief",
    "get_brief",
    "link_content",
    "list_briefs",
    "unlink_content",
    "update_brief",
]

PERFORMANCE_DAYS = 90
QUESTION_WINDOW = timedelta(days=7)
DAY = timedelta(days=1)
WEEK = timedelta(days=7)
EXAMPLES = 12
INFLUENCERS = 10
MAX_USUAL_POSTS = 500


def _matching(questions: list[Question], terms: list[str]) -> list[Question]:
    chosen = tuple(terms)
    return [q for q in questions if covers(chosen, q.terms)]


def _examples(questions: list[Question]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    chosen: list[dict[str, Any]] = []
    for question in sorted(questions, key=lambda q: (-q.engagement, -q.created_us, q.id)):
        key = " ".join(question.text.lower().split())
        if key not in seen:
            seen.add(key)
            chosen.append(question_json(question))
        if len(chosen) == EXAMPLES:
            break
    return chosen


def _best(rows: list[dict[str, Any]], key: str, limit: int) -> list[dict[str, Any]]:
    ranked = sorted(
        rows,
        key=lambda row: (
            row["engagement_rate"] is None,
            -(row["engagement_rate"] or 0.0),
            -row["engagement_mean"],
            str(row[key]),
        ),
    )
    return [
        {
            key: row[key],
            "posts": row["posts"],
            "engagement_mean": round(float(row["engagement_mean"]), 2),
            "engagement_rate": None
            if row["engagement_rate"] is None
            else round(float(row["engagement_rate"]), 5),
        }
        for row in ranked[:limit]
    ]


def _who_influences(
    figures: Analytics, *, topic: str, start: datetime, end: datetime, askers: set[tuple[str, str]]
) -> list[dict[str, Any]]:
    found = []
    for row in figures.influencers(topic=topic, start=start, end=end):
        found.append(
            {
                "source": row["source"],
                "handle": row["handle"],
                "name": row.get("name"),
                "category": row.get("category"),
                "country": row.get("country"),
                "followers": row.get("followers"),
                "score": round(float(row["score"]), 1),
                "on_subtopic": (row["source"], str(row["handle"]).lower().lstrip("@")) in askers,
            }
        )
    found.sort(key=lambda person: (not person["on_subtopic"], -person["score"], person["handle"]))
    return found[:INFLUENCERS]


def _brief_questions(
    store: SqlStore, figures: Analytics, *, topic: str, terms: list[str], start_us: int, end_us: int
) -> tuple[list[Question], int, bool]:
    """The questions of ``[start, end)`` matching the terms, the sampling stride, whether any post was read."""
    period = read_questions(
        store,
        topic=topic,
        start_us=start_us,
        end_us=end_us,
        figures=figures,
        ours=our_accounts(store, figures.scope),
    )
    return _matching(period.questions, terms), period.stride, period.posts_in_period > 0


def _read_brief_doc(
    store: SqlStore, spec: BriefSpec, figures: Analytics, start: datetime, end: datetime
) -> dict[str, Any]:
    start_us, end_us = to_us(start), to_us(end)
    length = end_us - start_us
    asked, stride, _ = _brief_questions(
        store, figures, topic=spec.topic, terms=spec.terms, start_us=start_us, end_us=end_us
    )
    asked_before, stride_before, had_posts = _brief_questions(
        store, figures, topic=spec.topic, terms=spec.terms, start_us=start_us - length, end_us=start_us
    )
    volume = len(asked) * stride
    before = len(asked_before) * stride_before if had_posts else None
    since = end - timedelta(days=PERFORMANCE_DAYS)
    formats = figures.performance(topic=spec.topic, start=since, end=end, tz=spec.tz, group_by="format")
    hours = figures.performance(topic=spec.topic, start=since, end=end, tz=spec.tz, group_by="hour")
    askers = {(q.source, q.author) for q in asked}
    return {
        "demand": {
            "questions": volume,
            "previous_questions": before,
            "growth": round((volume + 1) / (before + 1), 3) if before is not None else 1.0,
            "engagement": sum(q.engagement for q in asked) * stride,
            "sampled": stride > 1,
        },
        "questions": _examples(asked),
        "countries": ranked_shares(Counter(q.country for q in asked if q.country), "country"),
        "languages": ranked_shares(Counter(q.lang for q in asked if q.lang), "language"),
        "influencers": _who_influences(figures, topic=spec.topic, start=start, end=end, askers=askers),
        "formats": _best(formats, "format", 4),
        "hours": _best(hours, "hour", 3),
    }


def create_brief(
    *, store: SqlStore, spec: BriefSpec, figures: Analytics, by: str, now: datetime | None = None
) -> Brief:
    """Make and store a brief for a sub-topic of ``spec.topic`` (see the module)."""
    end = spec.to or now or from_us(now_us())
    start = spec.from_ or end - timedelta(days=1)
    if start >= end:
        raise Invalid("from: must be before to", field="from")
    doc = _read_brief_doc(store, spec, figures, start, end)
    subtopic = spec.subtopic or " · ".join(spec.terms[:3])
    moment = now_us()
    values = {
        "topic": spec.topic,
        "subtopic": subtopic,
        "title": spec.title or subtopic,
        "status": "draft",
        "notes": spec.notes,
        "terms": list(spec.terms),
        "doc": doc,
        "tz": spec.tz,
        "range_start_us": to_us(start),
        "range_end_us": to_us(end),
        "created_by": by,
        "created_us": moment,
        "updated_us": moment,
    }
    with store.engine.begin() as connection:
        key = connection.execute(insert(editorial_briefs).values(**values)).inserted_primary_key
    assert key is not None
    return get_brief(store=store, brief_id=int(key[0]), figures=figures)


def _visible(topic: str, scope: ScopeLike) -> bool:
    return scope.topics is None or topic in scope.topics


def _row(store: SqlStore, brief_id: int, scope: ScopeLike) -> Any:
    with store.engine.connect() as connection:
        row = connection.execute(select(editorial_briefs).where(editorial_briefs.c.id == brief_id)).first()
    if row is None or not _visible(row.topic, scope):
        raise BriefNotFound(brief_id)  # out of scope is invisible
    return row


def _in_scope(entries: list[dict[str, Any]], scope: ScopeLike, key: str = "country") -> list[dict[str, Any]]:
    if scope.countries is None:
        return entries
    return [entry for entry in entries if scope.allows_country(entry.get(key))]


def _brief(row: Any, scope: ScopeLike, links: list[dict[str, Any]]) -> Brief:
    doc = row.doc if isinstance(row.doc, Mapping) else json.loads(row.doc)
    return Brief(
        id=int(row.id),
        topic=row.topic,
        subtopic=row.subtopic,
        title=row.title,
        status=row.status,
        notes=row.notes,
        terms=list(row.terms if isinstance(row.terms, list) else json.loads(row.terms)),
        tz=row.tz,
        range_from=rfc3339_from_us(int(row.range_start_us)),
        range_to=rfc3339_from_us(int(row.range_end_us)),
        created_by=row.created_by,
        created_at=rfc3339_from_us(int(row.created_us)),
        updated_at=rfc3339_from_us(int(row.updated_us)),
        demand=dict(doc.get("demand", {})),
        questions=_in_scope(list(doc.get("questions", [])), scope),
        countries=_in_scope(list(doc.get("countries", [])), scope),
        languages=list(doc.get("languages", [])),
        influencers=list(doc.get("influencers", [])),
        formats=list(doc.get("formats", [])),
        hours=list(doc.get("hours", [])),
        links=links,
    )


def get_brief(*, store: SqlStore, brief_id: int, figures: Analytics, now: datetime | None = None) -> Brief:
    """One brief with its links' performance as of ``now`` (404 when missing or out of scope)."""
    row = _row(store, brief_id, figures.scope)
    return _brief(row, figures.scope, link_performance(store=store, row=row, figures=figures, now=now))


def list_briefs(*, store: SqlStore, scope: ScopeLike) -> list[dict[str, Any]]:
    """Briefs in scope, newest first: the summary fields (no links' figures)."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(editorial_briefs).order_by(
                editorial_briefs.c.created_us.desc(), editorial_briefs.c.id.desc()
            )
        ).all()
        counts: dict[int, int] = dict(
            connection.execute(
                select(editorial_brief_links.c.brief_id, func.count()).group_by(
                    editorial_brief_links.c.brief_id
                )
            ).all()
        )
    found = []
    for row in rows:
        if not _visible(row.topic, scope):
            continue
        doc = row.doc if isinstance(row.doc, Mapping) else json.loads(row.doc)
        found.append(
            {
                "id": int(row.id),
                "topic": row.topic,
                "subtopic": row.subtopic,
                "title": row.title,
                "status": row.status,
                "terms": list(row.terms),
                "from": rfc3339_from_us(int(row.range_start_us)),
                "to": rfc3339_from_us(int(row.range_end_us)),
                "questions": int(doc.get("demand", {}).get("questions", 0)),
                "links": int(counts.get(row.id, 0)),
                "created_by": row.created_by,
                "created_at": rfc3339_from_us(int(row.created_us)),
                "updated_at": rfc3339_from_us(int(row.updated_us)),
            }
        )
    return found


def update_brief(*, store: SqlStore, brief_id: int, changes: BriefChanges, figures: Analytics) -> Brief:
    _row(store, brief_id, figures.scope)
    with store.engine.begin() as connection:
        connection.execute(
            update(editorial_briefs)
            .where(editorial_briefs.c.id == brief_id)
            .values(title=changes.title, status=changes.status, notes=changes.notes, updated_us=now_us())
        )
    return get_brief(store=store, brief_id=brief_id, figures=figures)


def delete_brief(*, store: SqlStore, brief_id: int, scope: ScopeLike) -> None:
    _row(store, brief_id, scope)
    with store.engine.begin() as connection:
        connection.execute(delete(editorial_brief_links).where(editorial_brief_links.c.brief_id == brief_id))
        connection.execute(delete(editorial_briefs).where(editorial_briefs.c.id == brief_id))


def link_content(
    *, store: SqlStore, brief_id: int, link: BriefLinkSpec, figures: Analytics, by: str
) -> Brief:
    """Link a post of ours to a brief, by id or by URL (the stored post with that URL)."""
    scope = figures.scope
    _row(store, brief_id, scope)
    field = "post_id" if link.post_id is not None else "url"
    condition = posts.c.id == link.post_id if link.post_id is not None else posts.c.url == link.url
    with store.engine.connect() as connection:
        found = connection.execute(
            select(posts.c.id, posts.c.source, posts.c.author_handle, posts.c.repost_of)
            .where(condition, *scope.post_conditions(countries=False))
            .order_by(posts.c.created_us)
            .limit(1)
        ).first()
    if found is None:
        raise Invalid(
            f"{field}: no stored post with that {'id' if field == 'post_id' else 'URL'}", field=field
        )
    if (found.source, found.author_handle) not in our_accounts(store, scope) or found.repost_of:
        raise Invalid(f"{field}: that post is not content of our accounts", field=field)
    with store.engine.begin() as connection:
        exists = connection.execute(
            select(editorial_brief_links.c.post_id).where(
                editorial_brief_links.c.brief_id == brief_id, editorial_brief_links.c.post_id == found.id
            )
        ).first()
        if exists is None:
            connection.execute(
                insert(editorial_brief_links).values(
                    brief_id=brief_id, post_id=found.id, linked_by=by, linked_us=now_us()
                )
            )
            connection.execute(
                update(editorial_briefs).where(editorial_briefs.c.id == brief_id).values(updated_us=now_us())
            )
    return get_brief(store=store, brief_id=brief_id, figures=figures)


def unlink_content(*, store: SqlStore, brief_id: int, post_id: str, scope: ScopeLike) -> None:
    _row(store, brief_id, scope)
    with store.engine.begin() as connection:
        gone = connection.execute(
            delete(editorial_brief_links).where(
                editorial_brief_links.c.brief_id == brief_id, editorial_brief_links.c.post_id == post_id
            )
        ).rowcount
    if not gone:
        raise Invalid(f"post_id: {post_id!r} is not linked to brief {brief_id}", field="post_id")


def _interactions(connection: Any, post_ids: list[str], windows: dict[str, int]) -> dict[str, dict[str, int]]:
    """Replies, reposts and quotes the hub stored on each post within each window after it."""
    counts: dict[str, dict[str, int]] = {post_id: dict.fromkeys(windows, 0) for post_id in post_ids}
    if not post_ids:
        return counts
    parents = posts.alias("parent")
    child = posts.alias("child")
    for start in range(0, len(post_ids), 500):
        chunk = post_ids[start : start + 500]
        query = (
            select(parents.c.id, parents.c.created_us, child.c.created_us.label("at"))
            .select_from(
                child.join(
                    parents,
                    or_(
                        child.c.reply_to == parents.c.id,
                        child.c.repost_of == parents.c.id,
                        child.c.quote_of == parents.c.id,
                    ),
                )
            )
            .where(parents.c.id.in_(chunk), child.c.author_handle != parents.c.author_handle)
        )
        for row in connection.execute(query):
            delay = int(row.at) - int(row.created_us)
            for name, width in windows.items():
                if 0 <= delay < width:
                    counts[row.id][name] += 1
    return counts


def _usual_posts(
    figures: Analytics, *, topic: str, before: datetime, fmt: str, exclude: str
) -> list[dict[str, Any]]:
    """Our other posts on the topic in the same format over the PERFORMANCE_DAYS before ``before``."""
    found = figures.our_posts(topic=topic, start=before - timedelta(days=PERFORMANCE_DAYS), end=before)
    return [row for row in found if row["format"] == fmt and row["id"] != exclude][:MAX_USUAL_POSTS]


def _ratio(value: float | None, usual: float | None) -> float | None:
    if value is None or not usual:
        return None
    return round(value / usual, 3)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def link_performance(
    *, store: SqlStore, row: Any, figures: Analytics, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Each linked post's figures against our usual ones, and the questions before/after (see the module)."""
    moment = to_us(now) if now is not None else now_us()
    with store.engine.connect() as connection:
        links = connection.execute(
            select(editorial_brief_links)
            .where(editorial_brief_links.c.brief_id == row.id)
            .order_by(editorial_brief_links.c.linked_us, editorial_brief_links.c.post_id)
        ).all()
        stored = (
            {
                found.id: found
                for found in connection.execute(
                    select(posts).where(posts.c.id.in_([link.post_id for link in links]))
                )
            }
            if links
            else {}
        )
    terms = list(row.terms)
    shown: list[dict[str, Any]] = []
    windows = {"day": int(DAY.total_seconds() * 1_000_000), "week": int(WEEK.total_seconds() * 1_000_000)}
    for link in links:
        post = stored.get(link.post_id)
        entry: dict[str, Any] = {
            "post_id": link.post_id,
            "linked_by": link.linked_by,
            "linked_at": rfc3339_from_us(int(link.linked_us)),
        }
        if post is None:
            entry["missing"] = True
            shown.append(entry)
            continue
        doc = post.doc if isinstance(post.doc, Mapping) else json.loads(post.doc)
        fmt = figures.post_format(doc)
        published = from_us(int(post.created_us))
        engagement = int(post.likes or 0) + int(post.reposts or 0) + int(post.replies or 0)
        usual_posts = _usual_posts(figures, topic=row.topic, before=published, fmt=fmt, exclude=post.id)
        with store.engine.connect() as connection:
            counts = _interactions(connection, [post.id, *[p["id"] for p in usual_posts]], windows)
        entry.update(
            {
                "url": post.url,
                "text": post.text,
                "format": fmt,
                "published_at": rfc3339_from_us(int(post.created_us)),
                "usual_posts": len(usual_posts),
            }
        )
        for name, width in windows.items():
            value = counts[post.id][name]
            usual = _mean([float(counts[p["id"]][name]) for p in usual_posts])
            entry[name] = {
                "interactions": value,
                "usual": None if usual is None else round(usual, 2),
                "ratio": _ratio(value, usual),
                "complete": moment - int(post.created_us) >= width,
            }
        rate = figures.engagement_rate(engagement, post.views, post.author_followers)
        usual_engagement = _mean([float(p["engagement"]) for p in usual_posts])
        usual_rate = _mean(
            [float(p["engagement_rate"]) for p in usual_posts if p["engagement_rate"] is not None]
        )
        entry["totals"] = {
            "likes": int(post.likes or 0),
            "reposts": int(post.reposts or 0),
            "replies": int(post.replies or 0),
            "views": post.views,
            "engagement": engagement,
            "engagement_rate": None if rate is None else round(rate, 5),
            "usual_engagement": None if usual_engagement is None else round(usual_engagement, 2),
            "usual_engagement_rate": None if usual_rate is None else round(usual_rate, 5),
            "engagement_ratio": _ratio(engagement, usual_engagement),
            "engagement_rate_ratio": _ratio(rate, usual_rate),
        }
        entry["questions"] = _questions_around(
            store,
            topic=row.topic,
            terms=terms,
            published_us=int(post.created_us),
            now_us_=moment,
            figures=figures,
        )
        shown.append(entry)
    return shown


def _questions_around(
    store: SqlStore,
    *,
    topic: str,
    terms: list[str],
    published_us: int,
    now_us_: int,
    figures: Analytics,
) -> dict[str, Any]:
    window = min(int(QUESTION_WINDOW.total_seconds() * 1_000_000), max(0, now_us_ - published_us))
    if window <= 0:
        return {"window_days": 0.0, "before": None, "after": None, "change": None, "slowed": None}

    def count(start: int, end: int) -> int:
        asked, stride, _ = _brief_questions(
            store, figures, topic=topic, terms=terms, start_us=start, end_us=end
        )
        return len(asked) * stride

    before = count(published_us - window, published_us)
    after = count(published_us, published_us + window)
    days = window / 86_400_000_000
    return {
        "window_days": round(days, 3),
        "before": before,
        "after": after,
        "before_per_day": round(before / days, 2),
        "after_per_day": round(after / days, 2),
        "change": None if before == 0 else round(after / before - 1, 3),
        "slowed": after < before,
    }
