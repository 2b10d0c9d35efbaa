"""What each kind of rule measures, in event time, from the posts it has seen (pure, no I/O).

A :class:`Detector` keeps per-second counts of its rule's posts (and per-hour counts for the
baselines), and answers :meth:`Detector.evaluate` at an event-time second: a :class:`Reading`
saying whether the rule's condition holds, how strongly (``magnitude``: 1 at the trigger level)
and the figures that explain it. Nothing here reads a clock: a replay gives the same readings.

Baselines are robust to a topic with little history: a kind that compares with a baseline says
nothing until it has one (a few complete hours, or enough posts), so a new topic never alerts
because its first hour looks unusual against nothing.
"""

from __future__ import annotations

import heapq
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from veille.alerts.models import RuleSpec
from veille.model import Post
from veille.text import handle_key, tokenize

__all__ = ["INFLUENCER_CATEGORIES", "Detector", "Reading", "make_detector", "post_terms"]

INFLUENCER_CATEGORIES = frozenset({"journalist", "elected", "media"})
HOUR_S = 3600
WEEK_H = 168
# History kept per rule: four weeks of hours for the seasonal baseline.
KEEP_HOURS = 4 * WEEK_H + 2
TOP_POSTS = 5
MIN_TERM_CHARS = 4


@dataclass(slots=True)
class Reading:
    """A rule's condition at one second: ``active`` or not, ``magnitude`` (1 = trigger level)."""

    active: bool
    magnitude: float = 0.0
    posts: int = 0
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _Second:
    total: int = 0
    negative: int = 0
    top: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    authors: Counter[str] = field(default_factory=Counter)


def _post_card(post: Post) -> dict[str, Any]:
    """What an alert shows of a post: enough to explain, never the whole record."""
    return {
        "id": post.id,
        "author": post.author.handle,
        "followers": post.author.followers or 0,
        "text": post.text[:280],
        "url": post.url,
        "created_at": post.created_at.isoformat(),
        "engagement": post.metrics.engagement,
    }


def _weight(post: Post) -> float:
    """How much a post amplifies: engagement and audience, on a log scale."""
    return math.log10(1 + post.metrics.engagement) * 2 + math.log10(1 + (post.author.followers or 0))


def post_terms(post: Post) -> set[str]:
    """The terms of a post for bursts: its hashtags (``#tag``) and its words of 4 letters or more."""
    terms = {f"#{tag.lower()}" for tag in post.hashtags}
    for token in tokenize(post.text):
        word = token.folded
        if len(word) >= MIN_TERM_CHARS and word.isalpha():
            terms.add(word)
    return terms


class Detector:
    """Counts of one rule's matching posts, by second (the window) and by hour (the baseline)."""

    # Seconds between two evaluations (event time); the costly kinds look less often.
    every_s = 1

    def __init__(self, spec: RuleSpec) -> None:
        self.spec = spec
        self.window_s = spec.window_s
        self.threshold = spec.effective_threshold
        self.seconds: dict[int, _Second] = {}
        self.minutes: Counter[int] = Counter()  # minute -> posts (a day and a bit, for trailing rates)
        self.hours: dict[int, list[int]] = {}  # hour -> [total, negative]
        self.first_s: int | None = None
        self.last_pruned_s = 0
        # Running sums of the window (window_start, now]: seconds leave it in order (a heap).
        self.window_start: int | None = None
        self.window_total = 0
        self.window_negative = 0
        self._heap: list[int] = []

    # -- input -------------------------------------------------------------------------------
    def add(self, post: Post, second: int) -> None:
        if self.first_s is None or second < self.first_s:
            self.first_s = second
        bucket = self.seconds.get(second)
        if bucket is None:
            bucket = self.seconds[second] = _Second()
            heapq.heappush(self._heap, second)
        negative = post.sentiment is not None and post.sentiment.label == "negative"
        bucket.total += 1
        bucket.negative += negative
        if self.window_start is None or second > self.window_start:
            self.window_total += 1
            self.window_negative += negative
        bucket.authors[post.author.handle] += 1
        weight = _weight(post)
        if len(bucket.top) < TOP_POSTS or weight > bucket.top[-1][0]:
            bucket.top.append((weight, _post_card(post)))
            bucket.top.sort(key=lambda item: -item[0])
            del bucket.top[TOP_POSTS:]
        self.minutes[second // 60] += 1
        hour = self.hours.setdefault(second // HOUR_S, [0, 0])
        hour[0] += 1
        hour[1] += negative

    def slide(self, now_s: int) -> None:
        """Move the window to (now_s - window_s, now_s]: seconds that left it leave the sums."""
        start = now_s - self.window_s
        if self.window_start is not None and start <= self.window_start:
            return
        self.window_start = start
        heap = self._heap
        while heap and heap[0] <= start:
            second = heapq.heappop(heap)
            bucket = self.seconds.get(second)
            if bucket is not None:
                self.window_total -= bucket.total
                self.window_negative -= bucket.negative

    def seed_hours(self, counts: Mapping[int, tuple[int, int]], first_s: int) -> None:
        """History from the store (hour → (total, negative)) so that baselines exist at start."""
        for hour, (total, negative) in counts.items():
            slot = self.hours.setdefault(hour, [0, 0])
            slot[0] += total
            slot[1] += negative
        if self.first_s is None or first_s < self.first_s:
            self.first_s = first_s

    def prune(self, now_s: int) -> None:
        """Forget seconds that left the window, minutes older than a day and hours older than four weeks."""
        if now_s - self.last_pruned_s < 60:
            return
        self.last_pruned_s = now_s
        self.slide(now_s)  # the seconds leaving the window leave its sums before they are forgotten
        horizon = now_s - self.window_s - 60
        for second in [s for s in self.seconds if s < horizon]:
            del self.seconds[second]
        oldest_minute = (now_s - 26 * HOUR_S - 13 * self.window_s) // 60
        for minute in [m for m in self.minutes if m < oldest_minute]:
            del self.minutes[minute]
        oldest_hour = now_s // HOUR_S - KEEP_HOURS
        for hour in [h for h in self.hours if h < oldest_hour]:
            del self.hours[hour]

    # -- window figures ----------------------------------------------------------------------
    def _window(self, now_s: int) -> list[_Second]:
        start = now_s - self.window_s
        return [bucket for second, bucket in self.seconds.items() if start < second <= now_s]

    def _window_figures(self, now_s: int) -> tuple[int, int, dict[str, Any]]:
        self.slide(now_s)
        return self.window_total, self.window_negative, {"window_s": self.window_s}

    def explain(self, now_s: int) -> dict[str, Any]:
        """The window's top posts and authors (computed only for an active rule: it costs)."""
        buckets = self._window(now_s)
        top = sorted((item for bucket in buckets for item in bucket.top), key=lambda item: -item[0])
        authors: Counter[str] = Counter()
        for bucket in buckets:
            authors.update(bucket.authors)
        return {
            "top_posts": [card for _weight, card in top[:TOP_POSTS]],
            "top_authors": [{"author": name, "posts": count} for name, count in authors.most_common(5)],
        }

    def _observed_since(self, now_s: int) -> int:
        """Seconds of history behind ``now_s`` (0: none)."""
        return 0 if self.first_s is None else max(0, now_s - self.first_s)

    def evaluate(self, now_s: int) -> Reading:  # pragma: no cover - every kind overrides it
        raise NotImplementedError

    def observe_post(self, post: Post, second: int) -> Reading | None:
        """A per-post condition (the influencer kind); ``None`` for the windowed kinds."""
        return None


class VolumeThreshold(Detector):
    def evaluate(self, now_s: int) -> Reading:
        total, _negative, figures = self._window_figures(now_s)
        figures.update(volume=total, threshold=self.threshold)
        active = total >= max(self.threshold, 1)
        return Reading(active, total / max(self.threshold, 1), total, figures)


def _z_for(sensitivity: float) -> tuple[float, float]:
    """(z-score, minimum ratio) that make a window unusual: 0.5 → (5, 3); 1 → (2, 1.5); 0 → (8, 4.5)."""
    return 2.0 + (1.0 - sensitivity) * 6.0, 1.5 + (1.0 - sensitivity) * 3.0


class VolumeSpike(Detector):
    """The window's volume against the topic's own seasonal baseline (hour of week, else hour of day).

    The public's volume: a brand account's own posts (``is_brand_account``, or one of the hub's own
    accounts) and the reposts of them are left out, so that a brand's announcement shared a dozen
    times on an ordinary morning is not an unusual volume — a campaign is not a crisis.
    """

    BRAND_POSTS_KEPT = 20_000

    def __init__(self, spec: RuleSpec, accounts: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(spec)
        self.accounts = set(accounts)
        self.brand_posts: dict[str, None] = {}  # ids of the brand posts seen (oldest first)

    def add(self, post: Post, second: int) -> None:
        if post.is_brand_account or (post.source, handle_key(post.author.handle)) in self.accounts:
            self.brand_posts[post.id] = None
            if len(self.brand_posts) > self.BRAND_POSTS_KEPT:
                del self.brand_posts[next(iter(self.brand_posts))]
            return
        if post.repost_of is not None and post.repost_of in self.brand_posts:
            return
        super().add(post, second)

    def _complete_hour(self, hour: int) -> bool:
        return self.first_s is not None and hour > self.first_s // HOUR_S

    _trailing: tuple[int, float | None] | None = None

    def _trailing_rate(self, end_minute: int) -> float | None:
        """Posts per second over the twelve windows before ``end_minute``, once that much is seen."""
        minutes = max(2, 12 * self.window_s // 60)
        if self.first_s is None or self.first_s // 60 > end_minute - 2 * max(1, self.window_s // 60):
            return None
        begin = max(end_minute - minutes, self.first_s // 60 + 1)
        if end_minute <= begin:
            return None
        count = sum(self.minutes.get(minute, 0) for minute in range(begin, end_minute))
        return count / ((end_minute - begin) * 60)

    def baseline_rate(self, now_s: int) -> tuple[float | None, str]:
        """Expected posts per second at ``now_s`` and where the figure comes from."""
        hour = now_s // HOUR_S
        weekly = [
            self.hours.get(hour - WEEK_H * k, [0, 0])[0]
            for k in range(1, 5)
            if self._complete_hour(hour - WEEK_H * k)
        ]
        daily = [
            self.hours.get(hour - 24 * k, [0, 0])[0]
            for k in range(1, 8)
            if self._complete_hour(hour - 24 * k)
        ]
        seasonal: float | None = None
        source = "none"
        if len(weekly) >= 2:
            seasonal, source = statistics.median(weekly) / HOUR_S, "same hour, same weekday"
        elif len(daily) >= 2:
            seasonal, source = statistics.median(daily) / HOUR_S, "same hour of day"
        elif daily:
            seasonal, source = daily[0] / HOUR_S, "the same hour yesterday"
        # The last twelve windows before this one (Meltwater's comparison), once that much is seen.
        end_minute = (now_s - self.window_s) // 60
        if self._trailing is None or self._trailing[0] != end_minute:
            self._trailing = (end_minute, self._trailing_rate(end_minute))
        trailing = self._trailing[1]
        if seasonal is None and trailing is None:
            return None, source
        if seasonal is None:
            return trailing, "previous hours"
        # A seasonal figure below the recent rate would call an ordinary busy day unusual.
        if trailing is not None and trailing > seasonal:
            return trailing, "recent hours"
        return seasonal, source

    def evaluate(self, now_s: int) -> Reading:
        total, _negative, figures = self._window_figures(now_s)
        rate, source = self.baseline_rate(now_s)
        figures.update(volume=total, minimum=self.threshold, baseline_source=source)
        if rate is None:
            figures["baseline"] = None
            return Reading(False, 0.0, total, figures)
        expected = rate * self.window_s
        z_needed, ratio_needed = _z_for(self.spec.sensitivity)
        if source == "the same hour yesterday":
            ratio_needed *= 1.5  # one day is a thin baseline: a busier hour today must count for less
        if source == "previous hours":
            # Without a day of history the time of day is unknown: a morning's rise looks unusual
            # against the night before it, so the recent rate alone must be beaten twice as far.
            ratio_needed *= 2
        spread = math.sqrt(expected + (0.25 * expected) ** 2 + 1.0)
        z = (total - expected) / spread
        ratio = total / max(expected, 0.5)
        figures.update(baseline=round(expected, 2), ratio=round(ratio, 2), z=round(z, 2))
        active = total >= self.threshold and z >= z_needed and ratio >= ratio_needed
        return Reading(active, ratio / ratio_needed, total, figures)


class NegativeShare(Detector):
    """The window's share of negative posts against the topic's share over the day before it."""

    MIN_WINDOW = 20
    MIN_HISTORY = 100

    def evaluate(self, now_s: int) -> Reading:
        total, negative, figures = self._window_figures(now_s)
        figures.update(volume=total, negative=negative)
        window_start_hour = (now_s - self.window_s) // HOUR_S
        history = [self.hours[h] for h in range(window_start_hour - 24, window_start_hour) if h in self.hours]
        history_total = sum(slot[0] for slot in history)
        history_negative = sum(slot[1] for slot in history)
        if total < self.MIN_WINDOW or history_total < self.MIN_HISTORY:
            figures["baseline_share"] = None
            return Reading(False, 0.0, total, figures)
        share = negative / total
        baseline = history_negative / history_total
        rise = share - baseline
        # A rise a small window could show by chance is no signal: a binomial z-score too, its
        # spread widened by half because negative posts come in clusters (replies, reposts).
        spread = 1.5 * math.sqrt(max(baseline * (1 - baseline), 0.01) / total)
        z = rise / spread
        z_needed, _ratio = _z_for(self.spec.sensitivity)
        figures.update(
            share=round(share, 3), baseline_share=round(baseline, 3), rise=round(rise, 3), z=round(z, 2)
        )
        threshold = max(self.threshold, 0.01)
        return Reading(rise >= threshold and z >= z_needed, rise / threshold, total, figures)


class InfluencerPost(Detector):
    """A post of the rule's topic from a big audience or a curated journalist, elected or media."""

    def __init__(self, spec: RuleSpec, curated: Mapping[tuple[str, str], str]) -> None:
        super().__init__(spec)
        self.curated = curated
        self.seen: list[tuple[int, dict[str, Any]]] = []

    def observe_post(self, post: Post, second: int) -> Reading | None:
        category = self.curated.get((post.source, handle_key(post.author.handle)))
        followers = post.author.followers or 0
        big = self.spec.min_followers > 0 and followers >= self.spec.min_followers
        if not big and category not in INFLUENCER_CATEGORIES:
            return None
        card = _post_card(post)
        card["category"] = category
        self.seen.append((second, card))
        horizon = second - max(self.window_s, self.spec.cooldown_s)
        self.seen = [item for item in self.seen if item[0] > horizon][-50:]
        figures = {
            "influencer_posts": [item[1] for item in self.seen][-TOP_POSTS:],
            "author": post.author.handle,
            "category": category,
            "followers": followers,
            "min_followers": self.spec.min_followers,
            "top_posts": [card],
        }
        magnitude = len(self.seen) + (2 if category in INFLUENCER_CATEGORIES else 0)
        return Reading(True, magnitude / 1.0, len(self.seen), figures)

    def evaluate(self, now_s: int) -> Reading:
        return Reading(False)


class EmergingTerm(Detector):
    """A term whose share of the topic's posts in the window is far above its share the day before.

    Shares, not counts: when a crisis multiplies a topic's volume every common word's count rises
    with it, but its share stays; only the words of the crisis itself gain share.
    """

    MIN_HISTORY = 200
    HISTORY_MINUTES = 24 * 60
    every_s = 15

    def __init__(self, spec: RuleSpec) -> None:
        super().__init__(spec)
        self.term_minutes: dict[int, Counter[str]] = {}
        self.minute_totals: Counter[int] = Counter()
        self.first_minute: int | None = None  # the window's first minute
        self.window_terms: Counter[str] = Counter()
        self.history_terms: Counter[str] = Counter()
        self.window_posts = 0
        self.history_posts = 0
        self._compacted_s = 0

    def add(self, post: Post, second: int) -> None:
        super().add(post, second)
        minute = second // 60
        # A repost or a copy says nothing new: its words would burst with every viral post.
        # A brand's own posts (its care replies' greetings) are not the public's words.
        skipped = post.repost_of or post.duplicate_of or post.is_brand_account
        terms = set() if skipped else post_terms(post)
        self.term_minutes.setdefault(minute, Counter()).update(terms)
        self.minute_totals[minute] += 1
        if self.first_minute is None or minute >= self.first_minute:
            self.window_terms.update(terms)
            self.window_posts += 1
        elif minute >= self.first_minute - self.HISTORY_MINUTES:
            self.history_terms.update(terms)
            self.history_posts += 1

    def _advance(self, now_s: int) -> None:
        first = (now_s - self.window_s) // 60 + 1
        old = self.first_minute
        if old is None:
            self.first_minute = first
            return
        if first <= old:
            return
        for minute in range(old, min(first, old + self.HISTORY_MINUTES + self.window_s // 60 + 2)):
            counts = self.term_minutes.get(minute)
            if counts is not None:
                self.window_terms.subtract(counts)
                self.history_terms.update(counts)
                moved = self.minute_totals.get(minute, 0)
                self.window_posts -= moved
                self.history_posts += moved
        old_history = old - self.HISTORY_MINUTES
        for minute in range(
            old_history, min(first - self.HISTORY_MINUTES, old_history + self.HISTORY_MINUTES + 1)
        ):
            counts = self.term_minutes.pop(minute, None)
            if counts is not None:
                self.history_terms.subtract(counts)
                self.history_posts -= self.minute_totals.pop(minute, 0)
        if first - old > self.HISTORY_MINUTES:  # a gap longer than the history: start afresh
            self.term_minutes = {
                m: c for m, c in self.term_minutes.items() if m >= first - self.HISTORY_MINUTES
            }
            self.window_terms = Counter()
            self.history_terms = Counter()
            self.window_posts = self.history_posts = 0
            for minute, counts in self.term_minutes.items():
                posts = self.minute_totals.get(minute, 0)
                if minute >= first:
                    self.window_terms.update(counts)
                    self.window_posts += posts
                else:
                    self.history_terms.update(counts)
                    self.history_posts += posts
        self.first_minute = first

    def prune(self, now_s: int) -> None:
        super().prune(now_s)
        if now_s - self._compacted_s >= 900:  # subtracted terms leave zero counts behind
            self._compacted_s = now_s
            self.window_terms = +self.window_terms
            self.history_terms = +self.history_terms

    def evaluate(self, now_s: int) -> Reading:
        total, _negative, figures = self._window_figures(now_s)
        self._advance(now_s)
        figures.update(volume=total)
        window_posts, history_posts = self.window_posts, self.history_posts
        if window_posts <= 0 or history_posts < self.MIN_HISTORY:
            return Reading(False, 0.0, total, figures)
        _z, ratio_needed = _z_for(self.spec.sensitivity)
        lift_needed = 2 * ratio_needed
        bursting: list[dict[str, Any]] = []
        for term, count in self.window_terms.items():
            if count < self.threshold:
                continue
            share = count / window_posts
            before = (self.history_terms.get(term, 0) + 0.5) / history_posts
            lift = share / before
            if lift >= lift_needed and share >= 0.05:
                bursting.append(
                    {"term": term, "posts": count, "share": round(share, 3), "lift": round(lift, 1)}
                )
        bursting.sort(key=lambda item: (-item["lift"], item["term"]))
        figures["terms"] = bursting[:10]
        if not bursting:
            return Reading(False, 0.0, total, figures)
        return Reading(True, bursting[0]["lift"] / lift_needed, bursting[0]["posts"], figures)


class CareSla(Detector):
    """Brand accounts' answers to the posts addressed to them, against the SLA (``threshold`` seconds)."""

    MIN_DUE = 10

    def __init__(self, spec: RuleSpec, accounts: Iterable[tuple[str, str]]) -> None:
        super().__init__(spec)
        self.accounts = set(accounts)  # (platform, folded handle)
        self.account_posts: dict[str, tuple[str, str]] = {}  # post id -> account
        self.inbound: dict[str, tuple[int, tuple[str, str]]] = {}  # post id -> (second, account)
        self.answered: dict[str, int] = {}  # inbound id -> response delay (s)

    def add_any(self, post: Post, second: int) -> None:
        """Every post counts here (the rule's topic, if any, narrows the inbound posts only)."""
        author = (post.source, handle_key(post.author.handle))
        if author in self.accounts:
            self.account_posts[post.id] = author
            if post.reply_to in self.inbound and post.reply_to not in self.answered:
                asked_s, _account = self.inbound[post.reply_to]
                self.answered[post.reply_to] = max(0, second - asked_s)
            return

    def add(self, post: Post, second: int) -> None:
        author = (post.source, handle_key(post.author.handle))
        if author in self.accounts or post.repost_of:
            return
        addressed = None
        if post.reply_to in self.account_posts:
            addressed = self.account_posts[post.reply_to]
        else:
            for mention in post.mentions:
                key = (post.source, handle_key(mention))
                if key in self.accounts:
                    addressed = key
                    break
        if addressed is not None:
            super().add(post, second)
            self.inbound[post.id] = (second, addressed)

    def prune(self, now_s: int) -> None:
        super().prune(now_s)
        horizon = now_s - 2 * (self.window_s + int(self.threshold)) - 60
        for post_id in [key for key, (second, _a) in self.inbound.items() if second < horizon]:
            del self.inbound[post_id]
            self.answered.pop(post_id, None)
        if len(self.account_posts) > 50_000:
            for post_id in list(self.account_posts)[:10_000]:
                del self.account_posts[post_id]

    def evaluate(self, now_s: int) -> Reading:
        sla = int(self.threshold)
        due_end = now_s - sla
        due_start = due_end - self.window_s
        due = [post_id for post_id, (second, _a) in self.inbound.items() if due_start < second <= due_end]
        delays = [self.answered[post_id] for post_id in due if post_id in self.answered]
        figures: dict[str, Any] = {"due": len(due), "answered": len(delays), "sla_s": sla}
        if len(due) < self.MIN_DUE:
            return Reading(False, 0.0, len(due), figures)
        rate = len(delays) / len(due)
        median = statistics.median(delays) if delays else None
        figures.update(response_rate=round(rate, 3), median_response_s=median)
        slow = median is not None and median > sla
        unanswered = rate < self.spec.min_response_rate
        magnitude = max(
            (median or 0) / max(sla, 1), self.spec.min_response_rate / max(rate, 0.01) if unanswered else 0
        )
        return Reading(slow or unanswered, magnitude, len(due), figures)


def make_detector(
    spec: RuleSpec,
    *,
    curated: Mapping[tuple[str, str], str],
    accounts: Iterable[tuple[str, str]],
) -> Detector:
    kinds: dict[str, type[Detector]] = {
        "volume_threshold": VolumeThreshold,
        "negative_share": NegativeShare,
        "emerging_term": EmergingTerm,
    }
    if spec.kind == "volume_spike":
        return VolumeSpike(spec, accounts)
    if spec.kind == "influencer":
        return InfluencerPost(spec, curated)
    if spec.kind == "care_sla":
        return CareSla(spec, accounts)
    return kinds[spec.kind](spec)
