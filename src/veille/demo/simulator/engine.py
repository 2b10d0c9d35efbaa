"""The simulation engine: a deterministic, time-ordered stream of simulated posts.

Time is counted in seconds from an origin. It is cut into blocks; each block draws its original
posts (a Poisson process at the phase's rate) from its own random generator seeded with
``(seed, block)``, and schedules what follows from them — brand replies after a care delay,
reposts, copy-pasted near-duplicates — on a heap. :meth:`Engine.drain` returns everything up to a
time limit in order. The same seed, origin and settings always give the same posts and ids, and
the live source can resume at any offset without replaying the past.
"""

from __future__ import annotations

import heapq
import math
import random
from bisect import bisect_right
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any, TypeVar

from pydantic import BaseModel

from veille.demo.simulator.people import Person, PersonPool, hash_text, mix64, post_address
from veille.demo.simulator.profile import Brand, CareProfile, CompanyProfile, Country, Product
from veille.demo.simulator.scenarios import Beat, Phase, Scenario
from veille.demo.simulator.writer import Context, Writer
from veille.model import Author, Metrics, Post

__all__ = ["Draft", "Engine", "RisingQuestions", "Timeline"]

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
_NO_MENTION_PLATFORMS = frozenset({"reddit"})
_PREFIX_PLATFORMS = frozenset({"x", "bluesky", "mastodon"})
# Relative posting activity per local hour (Europe), normalised to a mean of 1 below.
_HOURLY = (
    0.25,
    0.15,
    0.1,
    0.08,
    0.08,
    0.12,
    0.3,
    0.6,
    0.9,
    1.1,
    1.15,
    1.2,
    1.25,
    1.2,
    1.15,
    1.15,
    1.2,
    1.25,
    1.35,
    1.45,
    1.4,
    1.2,
    0.85,
    0.5,
)
_DIURNAL = tuple(value * 24 / sum(_HOURLY) for value in _HOURLY)
_REPLY_GROUP = {
    "complaint": "reply_complaint",
    "question": "reply_question",
    "praise": "reply_praise",
    "outage": "reply_outage",
    "launch": "reply_complaint",
    "copy": "reply_complaint",
}
_ANSWER_FACTOR = {
    "complaint": 1.0,
    "question": 1.0,
    "outage": 1.0,
    "copy": 0.7,
    "praise": 0.45,
    "launch": 0.6,
}


@dataclass(slots=True)
class Draft:
    """A simulated post before it gets its wall-clock time."""

    t: float
    id: str
    url: str
    person: Person
    text: str
    lang: str
    country: str
    kind: str
    label: str
    phase: str
    links: list[str]
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    views: int | None = None
    reply_to: str | None = None
    repost_of: str | None = None
    quote_of: str | None = None
    geotagged: bool = False
    media: str = ""  # "image" or "video" attached (brand posts), kept in extra["media"]

    def to_post(self, anchor: datetime, scenario: str) -> Post:
        """The canonical post, created at ``anchor + t``.

        Built without re-validation (the engine only writes valid values; the tests validate every
        kind of post), which is what makes ``generate_history`` fast enough for benchmark files.
        """
        person = self.person
        return _trusted(
            Post,
            {
                "id": self.id,
                "source": person.platform,
                "url": self.url,
                "created_at": anchor + timedelta(seconds=self.t),
                "text": self.text,
                "lang": self.lang,
                "author": _trusted(Author, dict(person.author), extra={}),
                "reply_to": self.reply_to,
                "repost_of": self.repost_of,
                "quote_of": self.quote_of,
                "links": list(self.links),
                "metrics": _trusted(
                    Metrics,
                    {
                        "likes": self.likes,
                        "reposts": self.reposts,
                        "replies": self.replies,
                        "views": self.views,
                    },
                    extra={},
                ),
                "country": self.country if self.geotagged else None,
                "extra": {
                    **({"media": [{"type": self.media}]} if self.media else {}),
                    "simulator": {
                        "scenario": scenario,
                        "phase": self.phase,
                        "kind": self.kind,
                        "sentiment": self.label,
                        "country": self.country,
                        "role": person.role,
                        "category": person.category,
                    },
                },
                "sentiment": None,
                "topics": [],
                "duplicate_of": None,
                "hashtags": [],
                "mentions": [],
                "is_brand_account": False,
                "entities": {},
            },
        )


_set_attribute = object.__setattr__
_FIELDS_SET: dict[type[BaseModel], set[str]] = {}


def _trusted(cls: type[M], values: dict[str, Any], *, extra: dict[str, Any] | None = None) -> M:
    """What ``model_construct`` does, minus its per-field loop: every field is given here.

    ``tests/unit/simulator`` checks that the keys given are exactly the model's fields, so a field
    added to the model shows up there rather than as a half-built object.
    """
    instance = cls.__new__(cls)
    _set_attribute(instance, "__dict__", values)
    # Every field is set, so one shared set is right for all instances (pydantic only ever adds to it).
    fields_set = _FIELDS_SET.get(cls)
    if fields_set is None:
        fields_set = _FIELDS_SET[cls] = set(cls.model_fields)
    _set_attribute(instance, "__pydantic_fields_set__", fields_set)
    _set_attribute(instance, "__pydantic_extra__", extra)
    _set_attribute(instance, "__pydantic_private__", None)
    return instance


class Timeline:
    """Phases laid out in output seconds; ``loop`` repeats the scenario, otherwise the last phase lasts."""

    def __init__(self, scenario: Scenario, *, seconds_per_minute: float, loop: bool) -> None:
        if seconds_per_minute <= 0:
            raise ValueError("seconds_per_minute must be positive")
        self.loop = loop
        self.spans: list[tuple[float, float, Phase]] = []
        position = 0.0
        for phase in scenario.phases:
            length = phase.minutes * seconds_per_minute
            self.spans.append((position, position + length, phase))
            position += length
        self.total = position
        self._ends = [end for _, end, _ in self.spans]

    def locate(self, t: float) -> tuple[Phase, float]:
        """The phase at ``t`` and how far into it (0..1)."""
        if self.loop:
            t %= self.total
        elif t >= self.total:
            return self.spans[-1][2], 1.0
        index = min(bisect_right(self._ends, t), len(self.spans) - 1)
        start, end, phase = self.spans[index]
        return phase, (t - start) / (end - start) if end > start else 0.0

    def beats_between(self, start: float, end: float) -> list[tuple[float, Beat, Phase]]:
        found: list[tuple[float, Beat, Phase]] = []
        cycles = range(int(start // self.total), int(end // self.total) + 1) if self.loop else range(1)
        for cycle in cycles:
            base = cycle * self.total
            for span_start, span_end, phase in self.spans:
                for beat in phase.beats:
                    moment = base + span_start + beat.at * (span_end - span_start)
                    if start <= moment < end:
                        found.append((moment, beat, phase))
        return sorted(found, key=lambda item: item[0])

    def min_phase_seconds(self) -> float:
        return min(end - start for start, end, _ in self.spans)


class _Choice:
    """A weighted choice with precomputed cumulative weights (``random.choices`` rebuilds them)."""

    __slots__ = ("cumulative", "items", "total")

    def __init__(self, weights: Mapping[Any, float]) -> None:
        self.items = list(weights)
        self.cumulative = list(accumulate(max(0.0, weights[item]) for item in self.items))
        self.total = self.cumulative[-1] if self.cumulative else 0.0
        if self.total <= 0:
            raise ValueError("weights must not all be zero")

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect_right(self.cumulative, rng.random() * self.total)]


def _pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[int(rng.random() * len(items))]


@dataclass(frozen=True, slots=True)
class RisingQuestions:
    """Questions on one sub-topic our accounts never talk about (moving an eSIM to a new phone),
    rising from ``start``: before it, ``before`` of the questions about our brand are on it; from it,
    the share ramps linearly to ``peak`` over ``ramp_hours`` (the editorial radar's demo case)."""

    start: datetime
    ramp_hours: float = 6.0
    before: float = 0.03
    peak: float = 0.45

    def share_at(self, timestamp: float) -> float:
        elapsed = timestamp - self.start.timestamp()
        if elapsed <= 0:
            return self.before
        progress = min(1.0, elapsed / (self.ramp_hours * 3600.0))
        return self.before + (self.peak - self.before) * progress


class Engine:
    def __init__(
        self,
        *,
        profile: CompanyProfile,
        scenario: Scenario,
        seed: int,
        rate_per_min: float,
        timeline: Timeline,
        origin: datetime,
        delay_scale: float = 1.0,
        diurnal: bool = False,
        geotag_share: float = 0.2,
        rising: RisingQuestions | None = None,
    ) -> None:
        if rate_per_min < 0:
            raise ValueError("rate_per_min must not be negative")
        self.profile = profile
        self.scenario = scenario
        self.seed = seed
        self.rate_per_min = rate_per_min
        self.timeline = timeline
        self.origin = origin
        self.origin_ts = origin.timestamp()
        self.delay_scale = delay_scale
        self.diurnal = diurnal
        self.geotag_share = geotag_share
        self.rising = rising
        self._rising_product = _find_product(profile.company, "", "mobile")
        self.people = PersonPool(profile, seed)
        self.writer = Writer(profile)
        # Blocks short enough for phase changes to show, long enough to keep per-block costs low.
        self.block_s = min(60.0, max(0.25, timeline.min_phase_seconds() / 20))
        self._seed_key = mix64(seed & ((1 << 64) - 1))
        self._id_key = mix64(self._seed_key ^ hash_text(origin.isoformat()))
        self._heap: list[tuple[float, int, Draft]] = []
        self._next_block = 0
        self._skip_until = -math.inf
        self._slot_block = 0
        self._slot_counter = 0
        self._order = 0
        self._recent_outage: deque[Draft] = deque(maxlen=64)
        self._country_by_code = {country.code: country for country in profile.countries}
        self._country_codes = _Choice({country.code: country.weight for country in profile.countries})
        self._langs = {country.code: _Choice(dict(country.languages)) for country in profile.countries}
        self._mixes = {id(phase): _Choice(dict(phase.mix)) for _, _, phase in timeline.spans}
        focus = ""
        if scenario.focus == "outage":
            focus = profile.outage.country
        elif scenario.focus == "event":
            focus = profile.event.country
        self._focus = self._country_by_code.get(focus)
        self._outage_country = self._country_by_code[profile.outage.country]
        self._outage_product = _find_product(profile.company, profile.outage.service, "internet")
        self._launch_product = Product(profile.launch.product, "internet", ("home",), profile.launch.hashtag)

    # -- the stream ---------------------------------------------------------------------------

    def seek(self, offset: float) -> None:
        """Start at ``offset`` seconds: blocks before it are never drawn, posts at or before it dropped."""
        self._next_block = max(0, int(offset // self.block_s))
        self._skip_until = offset
        self._heap.clear()

    def drain(self, limit: float, *, max_items: int | None = None) -> list[Draft]:
        """Every post with ``t <= limit`` not yet returned, in time order."""
        ready: list[Draft] = []
        heap = self._heap
        while max_items is None or len(ready) < max_items:
            frontier = self._next_block * self.block_s
            if heap and heap[0][0] <= limit and heap[0][0] < frontier:
                draft = heapq.heappop(heap)[2]
                if draft.t > self._skip_until:
                    ready.append(draft)
            elif frontier <= limit:
                self._draw_block(self._next_block)
                self._next_block += 1
            else:
                break
        return ready

    @property
    def next_time(self) -> float | None:
        """Time of the next post already drawn (``None`` when nothing is pending)."""
        return self._heap[0][0] if self._heap else None

    # -- drawing ------------------------------------------------------------------------------

    def _uniq(self) -> int:
        self._slot_counter += 1
        return mix64((self._id_key + (self._slot_block << 32) + self._slot_counter) & ((1 << 64) - 1))

    def _push(self, draft: Draft) -> None:
        self._order += 1
        heapq.heappush(self._heap, (draft.t, self._order, draft))

    def _rate_per_s(self, t: float) -> tuple[Phase, float]:
        phase, fraction = self.timeline.locate(t)
        rate = self.rate_per_min / 60.0 * phase.rate_at(fraction)
        if self.diurnal:
            hour = int(((self.origin_ts + t) / 3600.0 + 1.0) % 24)
            rate *= _DIURNAL[hour]
        return phase, rate

    def _draw_block(self, block: int) -> None:
        rng = random.Random(mix64(self._seed_key ^ (block * 0x9E3779B1)))
        self._slot_block = block
        self._slot_counter = 0
        start, end = block * self.block_s, (block + 1) * self.block_s
        for moment, beat, phase in self.timeline.beats_between(start, end):
            self._beat(rng, moment, beat, phase)
        phase, rate = self._rate_per_s(start + self.block_s / 2)
        if rate <= 0:
            return
        t = start
        while True:
            t += rng.expovariate(rate)
            if t >= end:
                break
            self._original(rng, t, phase)

    def _country_for(self, rng: random.Random, kind: str, phase: Phase) -> Country:
        if kind in ("outage", "outage_recovered"):
            return self._outage_country
        if self._focus is not None and rng.random() < phase.focus_share:
            return self._focus
        return self._country_by_code[self._country_codes.pick(rng)]

    def _brand_for(self, rng: random.Random, country: Country, phase: Phase) -> Brand:
        company = self.profile.company
        present = [brand for brand in self.profile.competitors if country.code in brand.countries]
        ours_here = country.code in company.countries
        if ours_here and (not present or rng.random() < phase.ours_share):
            return company
        return _pick(rng, present) if present else company

    def _mention(self, brand: Brand, platform: str, country: str) -> str:
        if platform in _NO_MENTION_PLATFORMS:
            return ""
        account = brand.account_for(platform, country)
        return f"@{account.handle}" if account else ""

    def _original(self, rng: random.Random, t: float, phase: Phase) -> None:
        kind: str = self._mixes[id(phase)].pick(rng)
        country = self._country_for(rng, kind, phase)
        lang: str = self._langs[country.code].pick(rng)
        city = _pick(rng, country.cities)
        company = self.profile.company
        if kind == "news":
            self._news(rng, t, phase, country, lang, city)
            return
        if kind == "brand_post":
            self._brand_post(rng, t, phase, country, city)
            return
        person = self.people.customer(rng, country)
        lang = person.lang
        rising = (
            kind == "question"
            and self.rising is not None
            and rng.random() < self.rising.share_at(self.origin_ts + t)
        )
        if rising:
            brand, product = company, self._rising_product
        elif kind in ("outage", "outage_recovered"):
            brand, product = company, self._outage_product
        elif kind in ("launch", "event"):
            brand = company
            product = self._launch_product if kind == "launch" else _pick(rng, company.products)
        else:
            brand = self._brand_for(rng, country, phase)
            product = _pick(rng, brand.products)
        ctx = Context(
            lang=lang,
            brand=brand,
            product=product,
            city=city,
            mention=self._mention(brand, person.platform, country.code),
        )
        if rising:
            text, label, links = self.writer.rising_question(rng, ctx)
        elif kind in ("complaint", "praise", "question"):
            text, label, links = self.writer.opinion(rng, ctx, kind)
        elif kind == "chatter":
            ctx.mention = ""
            text, label, links = self.writer.chatter(rng, ctx)
        elif kind == "launch":
            ctx.tag = f"#{self.profile.launch.hashtag}"
            label, group = self._split_sentiment(rng, phase, "launch")
            text, label, links = self.writer.scripted(rng, ctx, group, label)
        elif kind == "event":
            ctx.tag = f"#{self.profile.event.hashtag}"
            ctx.mention = ctx.mention if rng.random() < 0.3 else ""
            label, group = self._split_sentiment(rng, phase, "event")
            text, label, links = self.writer.scripted(rng, ctx, group, label)
        else:  # outage, outage_recovered
            tag = self.profile.outage.hashtags.get(lang, "")
            ctx.tag = f"#{tag}" if tag and rng.random() < 0.75 else ""
            label = "negative" if kind == "outage" else "positive"
            text, label, links = self.writer.scripted(rng, ctx, kind, label)
        draft = self._draft(rng, t, person, text, lang, country.code, kind, label, phase, links)
        if kind == "outage":
            self._recent_outage.append(draft)
        self._follow_ups(rng, draft, phase, brand, ctx.mention)

    def _split_sentiment(self, rng: random.Random, phase: Phase, prefix: str) -> tuple[str, str]:
        positive, neutral, _ = phase.sentiment
        roll = rng.random() * sum(phase.sentiment)
        if roll < positive:
            return "positive", f"{prefix}_pos"
        if roll < positive + neutral:
            return "neutral", f"{prefix}_neu"
        return "negative", f"{prefix}_neg"

    def _news(
        self, rng: random.Random, t: float, phase: Phase, country: Country, lang: str, city: str
    ) -> None:
        writers = [
            p for p in self.people.influencers if p.country == country.code and p.category != "elected"
        ]
        person = _pick(rng, writers) if writers and rng.random() < 0.7 else self.people.customer(rng, country)
        brand = _pick(rng, self.profile.brands)
        ctx = Context(
            lang=person.lang,
            brand=brand,
            product=_pick(rng, brand.products),
            city=city,
            mention=self._mention(brand, person.platform, country.code),
        )
        text, label, links = self.writer.news(rng, ctx)
        draft = self._draft(rng, t, person, text, person.lang, country.code, "news", label, phase, links)
        self._reposts(rng, draft, phase, country)

    def _brand_post(self, rng: random.Random, t: float, phase: Phase, country: Country, city: str) -> None:
        present = [b for b in self.profile.brands if country.code in b.countries] or [self.profile.company]
        brand = (
            self.profile.company
            if rng.random() < 0.5 and self.profile.company in present
            else _pick(rng, present)
        )
        accounts = [a for a in brand.accounts if a.country == country.code] or list(brand.accounts)
        if not accounts:
            return
        account = _pick(rng, accounts)
        lang: str = self._langs[country.code].pick(rng)
        person = self.people.brand_account(brand.key, account, lang)
        ctx = Context(lang=lang, brand=brand, product=_pick(rng, brand.products), city=city)
        text, label, links = self.writer.brand_post(rng, ctx)
        draft = self._draft(rng, t, person, text, lang, country.code, "brand_post", label, phase, links)
        self._content_effect(rng, draft, country)
        self._reposts(rng, draft, phase, country)

    def _content_effect(self, rng: random.Random, draft: Draft, country: Country) -> None:
        """A brand post's format and local hour move its engagement, as content-performance studies
        report: videos and images beat plain text and links, evenings beat nights."""
        roll = rng.random()
        draft.media = "video" if roll < 0.15 else "image" if roll < 0.5 else ""
        factor = {"video": 2.4, "image": 1.6}.get(draft.media, 0.7 if draft.links else 1.0)
        local_hour = ((self.origin_ts + draft.t) / 3600.0 + country.utc_offset_h) % 24
        factor *= 1.5 if 17 <= local_hour < 22 else 0.6 if local_hour < 7 else 1.0
        draft.likes = int(draft.likes * factor)
        draft.reposts = int(draft.reposts * factor)
        draft.replies = int(draft.replies * factor)
        if draft.views is not None:
            draft.views = int(draft.views * (0.8 + 0.4 * factor))

    def _draft(
        self,
        rng: random.Random,
        t: float,
        person: Person,
        text: str,
        lang: str,
        country: str,
        kind: str,
        label: str,
        phase: Phase,
        links: list[str],
        *,
        push: bool = True,
    ) -> Draft:
        post_id, url = post_address(person, self._uniq())
        heat = phase.heat if kind not in ("chatter", "brand_post") else 1.0
        rate = 0.02 if person.role != "customer" else 0.012
        likes = int((person.followers * rate * heat + 0.4) * rng.lognormvariate(-0.3, 0.9))
        draft = Draft(
            t=t,
            id=post_id,
            url=url,
            person=person,
            text=text,
            lang=lang,
            country=country,
            kind=kind,
            label=label,
            phase=phase.name,
            links=links,
            likes=likes,
            reposts=int(likes * rng.uniform(0.05, 0.35)),
            replies=int(likes * rng.uniform(0.02, 0.2)),
            views=int(person.followers * rng.uniform(0.2, 1.5) + likes * 25)
            if person.platform == "x"
            else None,
            geotagged=rng.random() < self.geotag_share,
        )
        if push:
            self._push(draft)
        return draft

    # -- what follows an original post ---------------------------------------------------------

    def _follow_ups(self, rng: random.Random, draft: Draft, phase: Phase, brand: Brand, mention: str) -> None:
        if mention:
            self._maybe_reply(rng, draft, phase, brand, mention)
        country = self._country_by_code[draft.country]
        self._reposts(rng, draft, phase, country)
        if draft.kind in ("complaint", "outage") and rng.random() < phase.duplicate_rate:
            for _ in range(1 + int(rng.expovariate(0.6))):
                copier = self.people.customer(rng, country, draft.person.platform)
                if copier is draft.person:
                    continue
                delay = rng.uniform(30, 1200) * self.delay_scale
                copy = self._draft(
                    rng,
                    draft.t + delay,
                    copier,
                    self.writer.near_copy(rng, draft.text, draft.lang),
                    draft.lang,
                    draft.country,
                    "copy",
                    draft.label,
                    phase,
                    list(draft.links),
                )
                if mention:
                    self._maybe_reply(rng, copy, phase, brand, mention)

    def _maybe_reply(
        self, rng: random.Random, inbound: Draft, phase: Phase, brand: Brand, mention: str
    ) -> None:
        account = brand.account_for(inbound.person.platform, inbound.country)
        if account is None or f"@{account.handle}" != mention or mention not in inbound.text:
            return
        care = brand.care_in(inbound.country)
        crisis = brand.ours and self._focus is not None and inbound.country == self._focus.code
        answer = (
            care.answer_rate * _ANSWER_FACTOR.get(inbound.kind, 0.3) * (phase.care_answer if crisis else 1.0)
        )
        if rng.random() >= answer:
            return
        delay = self._care_delay(rng, care, inbound, phase.care_delay if crisis else 1.0)
        group = _REPLY_GROUP.get(inbound.kind, "reply_complaint")
        if inbound.kind == "launch" and inbound.label == "positive":
            group = "reply_praise"
        brand_person = self.people.brand_account(brand.key, account, inbound.lang)
        text, links = self.writer.reply(
            rng,
            inbound.lang,
            group,
            inbound.person.first,
            inbound.person.handle,
            brand,
            prefix=inbound.person.platform in _PREFIX_PLATFORMS,
        )
        label = "positive" if group == "reply_praise" else "neutral"
        reply = self._draft(
            rng,
            inbound.t + delay,
            brand_person,
            text,
            inbound.lang,
            inbound.country,
            "brand_reply",
            label,
            phase,
            links,
            push=False,
        )
        reply.likes, reply.reposts = reply.likes // 20, 0
        reply.reply_to = inbound.id
        if inbound.person.platform == "reddit":
            reply.id, reply.url = post_address(brand_person, self._uniq(), comment=True)
        inbound.replies += 1
        self._push(reply)

    def _care_delay(self, rng: random.Random, care: CareProfile, inbound: Draft, factor: float) -> float:
        delay = max(20.0, care.median_delay_s * rng.lognormvariate(0.0, 0.9) * factor)
        country = self._country_by_code.get(inbound.country)
        # Opening hours only mean something when simulated time runs at wall-clock speed.
        if care.hours is not None and country is not None and self.delay_scale == 1.0:
            opens, closes = care.hours
            local_hour = ((self.origin_ts + inbound.t + delay) / 3600.0 + country.utc_offset_h) % 24
            if not opens <= local_hour < closes:
                delay += ((opens - local_hour) % 24) * 3600.0 + rng.expovariate(1 / 900)
        return delay * self.delay_scale

    def _reposts(
        self, rng: random.Random, draft: Draft, phase: Phase, country: Country, count: int | None = None
    ) -> None:
        platform = draft.person.platform
        if platform == "reddit":
            return
        if count is None:
            reach = 0.5 + math.log10(draft.person.followers + 10) / 4
            if rng.random() >= phase.repost_rate * reach:
                return
            count = 1 + int(rng.expovariate(0.8 if draft.person.role == "customer" else 0.2))
        for _ in range(count):
            sharer = self.people.customer(rng, country, platform)
            if sharer is draft.person:
                continue
            text = f"RT @{draft.person.handle}: {draft.text}" if platform == "x" else draft.text
            delay = rng.expovariate(1 / 480) * self.delay_scale
            repost = self._draft(
                rng,
                draft.t + delay,
                sharer,
                text,
                draft.lang,
                draft.country,
                "repost",
                draft.label,
                phase,
                list(draft.links),
                push=False,
            )
            repost.likes = repost.reposts = repost.replies = 0
            repost.repost_of = draft.id
            self._push(repost)
        draft.reposts = max(draft.reposts, count * 3)

    # -- scripted beats -----------------------------------------------------------------------

    def _beat(self, rng: random.Random, t: float, beat: Beat, phase: Phase) -> None:
        profile = self.profile
        company = profile.company
        burst = max(3, min(400, int(0.15 * self.rate_per_min * phase.rate_at(0.5))))
        if beat.kind in ("journalist_outage", "elected_outage"):
            category = "journalist" if beat.kind == "journalist_outage" else "elected"
            country = self._outage_country
            person = _top_influencer(self.people.influencers, category, country.code)
            if person is None:
                return
            ctx = Context(
                lang=person.lang,
                brand=company,
                product=self._outage_product,
                city=_pick(rng, country.cities),
                mention=self._mention(company, person.platform, country.code),
            )
            tag = profile.outage.hashtags.get(person.lang, "")
            ctx.tag = f"#{tag}" if tag else ""
            text, label, links = self.writer.scripted(rng, ctx, beat.kind, "negative", finish=False)
            if ctx.mention and ctx.mention not in text:
                text = f"{text} {ctx.mention}"
            draft = self._draft(
                rng, t, person, text, person.lang, country.code, beat.kind, label, phase, links
            )
            draft.likes = int(person.followers * 0.03 * phase.heat * rng.uniform(0.8, 1.3))
            quoted = [d for d in self._recent_outage if d.person.platform == person.platform and d.t < t]
            if quoted:
                draft.quote_of = quoted[-1].id
            # Their audience shares the post whatever the overall post rate (a low-rate demo too):
            # a floor that grows with followers keeps the amplification visible to the influence ranking.
            floor = 4 + person.followers // 20_000
            share = max(burst, floor) if category == "journalist" else max(burst // 3, floor // 3)
            self._reposts(rng, draft, phase, country, count=share)
            self._echo_replies(rng, draft, phase, country, share // 4)
            return
        if beat.kind == "brand_statement":
            country = self._outage_country
        elif beat.kind == "event_start":
            country = self._country_by_code.get(profile.event.country, self._outage_country)
        else:
            country = self._country_by_code.get("FR", self._outage_country)
        account = company.account_for("x", country.code) or (
            company.accounts[0] if company.accounts else None
        )
        if account is None:
            return
        lang: str = self._langs[country.code].pick(rng)
        person = self.people.brand_account(company.key, account, lang)
        if beat.kind == "brand_statement":
            tag = profile.outage.hashtags.get(lang, "")
            ctx = Context(
                lang=lang, brand=company, product=self._outage_product, city="", tag=f"#{tag}" if tag else ""
            )
            text, label, links = self.writer.scripted(rng, ctx, "brand_statement", "neutral", finish=False)
        elif beat.kind == "launch_announce":
            ctx = Context(
                lang=lang, brand=company, product=self._launch_product, city=_pick(rng, country.cities)
            )
            text, label, links = self.writer.brand_post(rng, ctx)
            text = f"{text} #{profile.launch.hashtag}"
        else:
            ctx = Context(
                lang=lang,
                brand=company,
                product=_pick(rng, company.products),
                city=profile.event.city or _pick(rng, country.cities),
                tag=f"#{profile.event.hashtag}",
            )
            text, label, links = self.writer.scripted(rng, ctx, "event_neu", "neutral", finish=False)
        draft = self._draft(rng, t, person, text, lang, country.code, beat.kind, label, phase, links)
        self._reposts(rng, draft, phase, country, count=burst // 2)

    def _echo_replies(
        self, rng: random.Random, parent: Draft, phase: Phase, country: Country, count: int
    ) -> None:
        """Customers answering an influencer's post with their own experience of the outage."""
        for _ in range(count):
            person = self.people.customer(rng, country, parent.person.platform)
            tag = self.profile.outage.hashtags.get(person.lang, "")
            ctx = Context(
                lang=person.lang,
                brand=self.profile.company,
                product=self._outage_product,
                city=_pick(rng, country.cities),
                tag=f"#{tag}" if tag and rng.random() < 0.5 else "",
            )
            text, label, links = self.writer.scripted(rng, ctx, "outage", "negative", finish=False)
            if person.platform in _PREFIX_PLATFORMS:
                text = f"@{parent.person.handle} {text}"
            delay = rng.expovariate(1 / 600) * self.delay_scale
            reply = self._draft(
                rng,
                parent.t + delay,
                person,
                text,
                person.lang,
                country.code,
                "outage",
                label,
                phase,
                links,
                push=False,
            )
            reply.reply_to = parent.id
            parent.replies += 1
            self._push(reply)


def _top_influencer(influencers: list[Person], category: str, country: str) -> Person | None:
    ranked = sorted((p for p in influencers if p.category == category), key=lambda p: -p.followers)
    local = [p for p in ranked if p.country == country]
    chosen = local or ranked
    return chosen[0] if chosen else None


def _find_product(brand: Brand, name: str, domain: str) -> Product:
    for product in brand.products:
        if product.name == name:
            return product
    for product in brand.products:
        if product.domain == domain:
            return product
    return brand.products[0]
