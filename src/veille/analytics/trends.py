"""Trends: hashtags, terms and topics whose count in the last window is unusually high against their
own baseline (burst detection), each with its growth factor, a significance score and example posts.

**Windows.** The *current* window is the last ``window`` of the range: ``[to - window, to)``. The
*baseline* is, when the range holds it, **seasonal**: the same window 1 to 7 days earlier and 14,
21 and 28 days earlier (the same hours of previous days and weeks, so a morning peak is compared
with other mornings), keeping only those windows where the hub holds posts at all (a hub installed
yesterday has no "last week"). With fewer than two such windows it is **trailing**: up to 24 windows
of the same length just before the current one, from the first one holding posts (``baseline=`` forces
one or the other).

**Statistics, relative to the volume.** For an item (hashtag, term or topic) seen ``c`` times in the
current window and ``b_1 … b_n`` times in the ``n`` baseline windows, when the filtered posts number
``V`` in the current window and ``V_1 … V_n`` in the baseline windows, the *volume ratio* is
``r = V / mean(V_i)`` (how much busier the current window is), the expected count is
``λ = (Σb + 0.5) / n × r`` (the item's usual share of the volume, applied to the current volume; half a
post of prior, so a never-seen item is not expected exactly zero times), the *growth* is
``(c + 1) / (mean(b) × r + 1)`` (the rise of its share) and the *score* is the Poisson surprise
``-log10 P(X ≥ c | λ)``. So when a crisis multiplies the volume by ten, a common word whose count is
ten times its usual one does not trend (growth ≈ 1): only an item whose share of the posts rises does.
With a steady volume (``r = 1``) these are the plain count figures. ``meta.volume_ratio`` gives ``r``.
An item is a trend when ``c ≥ min_count``, ``growth ≥ min_growth`` and ``score ≥ min_score``
(default 3, one chance in a thousand); trends are ranked by score, then growth.

**What is read.** Topics come from the rollups (hour and minute tables; cheap over any range).
Hashtags and terms need the posts' text: each window reads at most ``max_posts // windows`` posts
(at least 1,000), a systematic sample (every k-th post by write sequence) when it holds more, and
counts are scaled back by ``k``; the Poisson score is then computed on the posts actually read
(expected count divided by ``k``), so sampling never inflates significance. ``meta.sampled`` says
whether a window was sampled.

**Terms** are the folded words of the text outside URLs, mentions and hashtags, with apostrophes
read by the post's language (:func:`veille.analytics.terms.term_words`: ``l'opérateur`` gives
``operateur``, ``aujourd'hui`` is one word, ``Nova's`` gives ``nova``), at least 3 characters, not
only digits, not a stop-word of :data:`veille.analytics.stopwords.STOP_WORDS`. Each item counts
once per post.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Literal

from sqlalchemy import desc, func, select

from veille.analytics.filters import AnalyticsFilter, Criteria
from veille.analytics.reader import posts_conditions, read_measures
from veille.analytics.results import AnalyticsResult, json_value
from veille.analytics.scope import Scope
from veille.analytics.stopwords import STOP_WORDS
from veille.analytics.terms import term_words
from veille.clock import from_us, rfc3339_from_us, to_us
from veille.errors import Invalid
from veille.store.schema import post_topics, posts
from veille.store.sql import SqlStore
from veille.text import extract_hashtags, extract_mentions

__all__ = [
    "KINDS",
    "TREND_COLUMNS",
    "TrendKind",
    "Window",
    "baseline_windows",
    "check_options",
    "item_terms",
    "poisson_surprise",
    "trends",
]

TrendKind = Literal["hashtags", "terms", "topics"]
KINDS: tuple[str, ...] = ("hashtags", "terms", "topics")
DEFAULT_MAX_POSTS = 60_000
_MIN_WINDOW_POSTS = 1_000
_TRAILING = 24
_SEASONAL_DAYS = (1, 2, 3, 4, 5, 6, 7, 14, 21, 28)
_DAY_US = 86_400_000_000
_PRIOR = 0.5
TREND_COLUMNS: tuple[str, ...] = (
    "rank",
    "kind",
    "item",
    "count",
    "baseline_mean",
    "expected",
    "growth",
    "score",
    "z",
    "example_ids",
    "example_texts",
)


@dataclass(frozen=True, slots=True)
class Window:
    start_us: int
    end_us: int


def poisson_surprise(count: int, expected: float) -> float:
    """``-log10 P(X >= count)`` for ``X ~ Poisson(expected)``, computed in log space (no underflow)."""
    if count <= 0:
        return 0.0
    if expected <= 0:
        return math.inf
    log_term = -expected + count * math.log(expected) - math.lgamma(count + 1)
    if count > expected:
        # Upper tail from the count's own term: terms shrink by expected / (i + 1).
        total, ratio, i = 1.0, 1.0, count
        while True:
            i += 1
            ratio *= expected / i
            total += ratio
            if ratio < 1e-17 * total or i > count + 1_000_000:
                break
        log_tail = log_term + math.log(total)
        return max(0.0, -log_tail / math.log(10))
    # Count at or below the mean: 1 - P(X <= count - 1), the lower sum walked down from count - 1.
    log_term -= math.log(expected) - math.log(count)  # the term of count - 1
    total, ratio, i = 1.0, 1.0, count - 1
    while i > 0:
        ratio *= i / expected
        total += ratio
        i -= 1
        if ratio < 1e-17 * total:
            break
    lower = math.exp(log_term) * total
    tail = max(1.0 - lower, 1e-300)
    return max(0.0, -math.log10(tail))


def baseline_windows(start_us: int, current: Window, mode: Literal["seasonal", "trailing"]) -> list[Window]:
    """Candidate baseline windows inside ``[start, current.start)``, newest first."""
    length = current.end_us - current.start_us
    found: list[Window] = []
    if mode == "seasonal":
        for days in _SEASONAL_DAYS:
            shift = days * _DAY_US
            if shift < length:
                continue  # the window would overlap the current one
            window = Window(current.start_us - shift, current.end_us - shift)
            if window.start_us >= start_us:
                found.append(window)
        return found
    for k in range(1, _TRAILING + 1):
        window = Window(current.start_us - k * length, current.end_us - k * length)
        if window.start_us < start_us:
            break
        found.append(window)
    return found


def _in(criteria: Criteria, window: Window) -> Criteria:
    return replace(criteria, start_us=window.start_us, end_us=window.end_us)


def _post_count(store: SqlStore, criteria: Criteria) -> int:
    totals = read_measures(store, criteria, bucketed=False)
    return sum(measures[0] for measures in totals.values())


def item_terms(text: str, lang: str | None = None) -> set[str]:
    """The trend terms of a text in ``lang`` (see the module's documentation)."""
    holes = [span for _, span in extract_mentions(text)] + [span for _, span in extract_hashtags(text)]
    return {
        word
        for word in term_words(text, lang, holes=holes)
        if len(word) >= 3 and not word.isdigit() and word not in STOP_WORDS
    }


def _hashtags(text: str, _lang: str | None = None) -> set[str]:
    return {tag for tag, _ in extract_hashtags(text)}


@dataclass(slots=True)
class _Counts:
    counts: Counter[str]
    stride: int
    examples: dict[str, list[tuple[int, str]]]


def _count_text_items(
    store: SqlStore, criteria: Criteria, kind: str, budget: int, examples: int, posts_in_window: int
) -> _Counts:
    stride = max(1, math.ceil(posts_in_window / budget)) if posts_in_window else 1
    items_of = _hashtags if kind == "hashtags" else item_terms
    counts: Counter[str] = Counter()
    best: dict[str, list[tuple[int, str]]] = {}
    conditions = posts_conditions(criteria, criteria.start_us, criteria.end_us)
    if stride > 1:
        conditions.append(posts.c.seq % stride == 0)
    query = select(
        posts.c.id, posts.c.text, posts.c.lang, posts.c.likes, posts.c.reposts, posts.c.replies
    ).where(*conditions)
    with store.engine.connect() as connection:
        for row in connection.execution_options(yield_per=2000).execute(query):
            found = items_of(row.text, row.lang)
            if not found:
                continue
            counts.update(found)
            if examples:
                engagement = int(row.likes or 0) + int(row.reposts or 0) + int(row.replies or 0)
                for item in found:
                    heap = best.setdefault(item, [])
                    entry = (engagement, row.id)
                    if len(heap) < examples:
                        heapq.heappush(heap, entry)
                    elif entry > heap[0]:
                        heapq.heapreplace(heap, entry)
    return _Counts(counts, stride, best)


def _count_topics(store: SqlStore, criteria: Criteria) -> _Counts:
    totals = read_measures(store, criteria, group_by=("topic",), bucketed=False)
    counts: Counter[str] = Counter()
    for (_bucket, (topic,)), measures in totals.items():
        if topic is not None:
            counts[topic] += measures[0]
    return _Counts(counts, 1, {})


def _topic_examples(store: SqlStore, criteria: Criteria, topic: str, examples: int) -> list[str]:
    engagement = (
        func.coalesce(posts.c.likes, 0)
        + func.coalesce(posts.c.reposts, 0)
        + func.coalesce(posts.c.replies, 0)
    )
    query = (
        select(posts.c.id)
        .select_from(posts.join(post_topics, post_topics.c.post_id == posts.c.id))
        .where(post_topics.c.topic == topic, *posts_conditions(criteria, criteria.start_us, criteria.end_us))
        .order_by(desc(engagement), posts.c.id)
        .limit(examples)
    )
    with store.engine.connect() as connection:
        return [row.id for row in connection.execute(query)]


def _example_posts(store: SqlStore, ids: Iterable[str], criteria: Criteria) -> dict[str, dict[str, Any]]:
    wanted = sorted(set(ids))
    found: dict[str, dict[str, Any]] = {}
    with store.engine.connect() as connection:
        for start in range(0, len(wanted), 1000):
            query = select(
                posts.c.id, posts.c.text, posts.c.source, posts.c.author_handle, posts.c.created_us, posts.c.url,
                posts.c.likes, posts.c.reposts, posts.c.replies,
            ).where(posts.c.id.in_(wanted[start : start + 1000]))  # fmt: skip
            for row in connection.execute(query):
                found[row.id] = {
                    "id": row.id,
                    "text": row.text,
                    "source": row.source,
                    "author_handle": row.author_handle,
                    "created_at": json_value(from_us(int(row.created_us)).astimezone(criteria.zone)),
                    "url": row.url,
                    "engagement": int(row.likes or 0) + int(row.reposts or 0) + int(row.replies or 0),
                }
    return found


def check_options(
    filters: AnalyticsFilter,
    *,
    kind: str,
    window: timedelta,
    baseline: str,
    limit: int,
    min_count: int,
    min_growth: float,
    min_score: float,
    examples: int,
    max_posts: int,
) -> int:
    """Refuse options :func:`trends` cannot answer (naming the field); the window's length in µs."""
    if kind not in KINDS:
        raise Invalid(f"kind: {kind!r} is not one of {', '.join(KINDS)}", field="kind")
    if baseline not in ("auto", "seasonal", "trailing"):
        raise Invalid(f"baseline: {baseline!r} is not one of auto, seasonal, trailing", field="baseline")
    if not 1 <= limit <= 1000:
        raise Invalid("limit: must be between 1 and 1000", field="limit")
    if not 0 <= examples <= 10:
        raise Invalid("examples: must be between 0 and 10", field="examples")
    if min_count < 1 or min_growth < 0 or min_score < 0 or max_posts < 1:
        raise Invalid(
            "min_count, max_posts: at least 1; min_growth, min_score: not negative", field="min_count"
        )
    length_us = int(window.total_seconds() * 1_000_000)
    if length_us < 60_000_000:
        raise Invalid("window: at least one minute", field="window")
    if length_us * 2 > to_us(filters.end) - to_us(filters.start):
        raise Invalid(
            "window: the range (from, to) must hold at least two windows (a baseline and the last)",
            field="window",
        )
    return length_us


def trends(
    store: SqlStore,
    *,
    filters: AnalyticsFilter,
    scope: Scope,
    kind: str = "hashtags",
    window: timedelta = timedelta(hours=1),
    baseline: Literal["auto", "seasonal", "trailing"] = "auto",
    limit: int = 20,
    min_count: int = 5,
    min_growth: float = 2.0,
    min_score: float = 3.0,
    examples: int = 3,
    max_posts: int = DEFAULT_MAX_POSTS,
) -> AnalyticsResult:
    """Items of ``kind`` (hashtags, terms or topics) bursting in the last ``window`` of the range."""
    criteria = filters.within(scope)
    length_us = check_options(
        filters, kind=kind, window=window, baseline=baseline, limit=limit, min_count=min_count,
        min_growth=min_growth, min_score=min_score, examples=examples, max_posts=max_posts,
    )  # fmt: skip
    current = Window(criteria.end_us - length_us, criteria.end_us)
    volume = {current: _post_count(store, _in(criteria, current))}

    def holding_posts(candidates: list[Window]) -> list[Window]:
        for candidate in candidates:
            volume[candidate] = _post_count(store, _in(criteria, candidate))
        return [candidate for candidate in candidates if volume[candidate] > 0]

    chosen: list[Window] = []
    mode = "seasonal"
    if baseline in ("auto", "seasonal"):
        chosen = holding_posts(baseline_windows(criteria.start_us, current, "seasonal"))
        if baseline == "auto" and len(chosen) < 2:
            chosen = []
    if not chosen and baseline != "seasonal":
        mode = "trailing"
        trailing = baseline_windows(criteria.start_us, current, "trailing")
        holding = holding_posts(trailing)
        if holding:
            oldest = min(window.start_us for window in holding)
            chosen = [window for window in trailing if window.start_us >= oldest]
    meta: dict[str, Any] = {
        "filters": filters.to_json_dict(),
        "scope": scope.to_json_dict(),
        "kind": kind,
        "window_s": length_us // 1_000_000,
        "current": {
            "from": rfc3339_from_us(current.start_us),
            "to": rfc3339_from_us(current.end_us),
            "posts": volume[current],
        },
        "baseline": mode if chosen else "none",
        "baseline_windows": [
            {"from": rfc3339_from_us(w.start_us), "to": rfc3339_from_us(w.end_us), "posts": volume.get(w, 0)}
            for w in chosen
        ],
        "thresholds": {"min_count": min_count, "min_growth": min_growth, "min_score": min_score},
    }
    if criteria.matches_nothing or not chosen:
        meta["sampled"] = False
        return _result(meta, [], {})
    budget = max(_MIN_WINDOW_POSTS, max_posts // (len(chosen) + 1))

    def count(window_: Window, keep_examples: bool) -> _Counts:
        inside = _in(criteria, window_)
        if kind == "topics":
            return _count_topics(store, inside)
        return _count_text_items(
            store, inside, kind, budget, examples if keep_examples else 0, volume[window_]
        )

    now = count(current, True)
    past = [count(window_, False) for window_ in chosen]
    meta["sampled"] = any(c.stride > 1 for c in [now, *past])
    # Relative to the volume: the baseline's counts scaled by how much busier (or quieter) the
    # current window is than the baseline windows, so that an item whose count only follows the
    # total volume (every common word during a crisis) does not trend; only a rising share does.
    baseline_volume = sum(volume[window_] for window_ in chosen)
    volume_ratio = volume[current] * len(chosen) / baseline_volume if baseline_volume else 1.0
    meta["volume_ratio"] = volume_ratio
    rows: list[dict[str, Any]] = []
    for item, sample_count in now.counts.items():
        if sample_count < min_count:
            continue
        estimated = sample_count * now.stride
        baseline_total = sum(c.counts.get(item, 0) * c.stride for c in past)
        mean = baseline_total / len(past)
        growth = (estimated + 1) / (mean * volume_ratio + 1)
        if growth < min_growth:
            continue
        expected = (baseline_total + _PRIOR) / len(past) * volume_ratio
        expected_read = expected / now.stride  # what the posts actually read should hold
        score = poisson_surprise(sample_count, expected_read)
        if score < min_score:
            continue
        rows.append(
            {
                "kind": kind[:-1],
                "item": item,
                "count": estimated,
                "baseline_mean": mean,
                "expected": expected,
                "growth": growth,
                "score": score,
                "z": (sample_count - expected_read) / math.sqrt(expected_read),
            }
        )
    rows.sort(key=lambda row: (-row["score"], -row["growth"], row["item"]))
    rows = rows[:limit]
    example_ids: dict[str, list[str]] = {}
    for row in rows:
        if not examples:
            example_ids[row["item"]] = []
        elif kind == "topics":
            example_ids[row["item"]] = _topic_examples(store, _in(criteria, current), row["item"], examples)
        else:
            ranked = sorted(now.examples.get(row["item"], []), key=lambda entry: (-entry[0], entry[1]))
            example_ids[row["item"]] = [post_id for _, post_id in ranked]
    shown = _example_posts(store, (i for ids in example_ids.values() for i in ids), criteria)
    for rank, row in enumerate(rows, start=1):
        ids = [post_id for post_id in example_ids[row["item"]] if post_id in shown]
        row.update(rank=rank, example_ids=ids, example_texts=[shown[i]["text"] for i in ids])
    return _result(meta, rows, shown)


def _result(
    meta: dict[str, Any], rows: list[dict[str, Any]], shown: dict[str, dict[str, Any]]
) -> AnalyticsResult:
    meta["examples"] = shown
    return AnalyticsResult(kind=f"trends-{meta['kind']}", columns=list(TREND_COLUMNS), rows=rows, meta=meta)
