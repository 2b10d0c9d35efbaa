"""Turns a kind of post (complaint, praise, question, news...) into text in a language.

Each method returns ``(text, sentiment label, links)``. The label is the sentiment a human reader
would give the text; it is kept with the simulated post so enrichment quality can be checked.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from veille.demo.simulator import phrases
from veille.demo.simulator.phrases import EMOJIS
from veille.demo.simulator.profile import Brand, CompanyProfile, Product

__all__ = ["Context", "Writer"]

T = TypeVar("T")

_PAGES = ("offres", "aide", "actus", "support", "incident")


@dataclass(slots=True)
class Context:
    """What a post is about: the brand and product it targets, where, and how to address the brand."""

    lang: str
    brand: Brand
    product: Product
    city: str
    mention: str = ""  # "@handle" of the brand account, or "" when the platform has none
    tag: str = ""  # scenario hashtag with '#'


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


class Writer:
    def __init__(self, profile: CompanyProfile) -> None:
        self.profile = profile

    def _bank(self, lang: str) -> Mapping[str, Any]:
        return phrases.bank(lang)

    def _slots(self, rng: random.Random, ctx: Context, phrases: Mapping[str, Any]) -> _Slots:
        return _Slots(self, rng, ctx, phrases)

    def link(self, rng: random.Random, lang: str, brand: Brand | None = None) -> str:
        if brand is not None and rng.random() < 0.5:
            page = _pick(rng, _PAGES)
            return f"https://www.{brand.website}/{page}/{_between(rng, 1000, 99999)}"
        sites = self.profile.news_sites.get(lang) or ("news.example",)
        slug = _pick(
            rng, ("operateurs", "fibre", "5g", "paiement-mobile", "panne", "donnees", "box", "reseau")
        )
        return f"https://www.{_pick(rng, sites)}/{slug}-{_between(rng, 10_000, 999_999)}"

    def _finish(
        self,
        rng: random.Random,
        text: str,
        label: str,
        ctx: Context,
        *,
        emoji_p: float = 0.5,
        tag_p: float = 0.35,
        mention_p: float = 0.8,
    ) -> str:
        text = " ".join(text.split())
        if rng.random() < emoji_p:
            text = _join(text, "".join(_pick(rng, EMOJIS[label]) for _ in range(_between(rng, 1, 4))))
        if rng.random() < tag_p:
            tags = [ctx.product.hashtag, *ctx.brand.hashtags[:1]]
            tags += self._bank(ctx.lang)["essential_tags"].get(ctx.product.domain, ())
            picked = [tag for tag in tags if tag]
            if picked:
                first = _pick(rng, picked)
                second = _pick(rng, picked) if rng.random() < 0.4 else first
                text = _join(text, f"#{first}" if second == first else f"#{first} #{second}")
        if ctx.mention and rng.random() < mention_p:
            text = _join(ctx.mention, text) if rng.random() < 0.45 else _join(text, ctx.mention)
        elif ctx.brand.name not in text and ctx.product.name not in text:
            # Someone complaining without tagging still names who they talk about.
            text = (
                _join(text, f"#{ctx.product.hashtag or ctx.brand.hashtags[0]}")
                if rng.random() < 0.5
                else f"{ctx.product.name if rng.random() < 0.5 else ctx.brand.name}{' :' if ctx.lang == 'fr' else ':'} {text}"
            )
        return text

    def opinion(self, rng: random.Random, ctx: Context, kind: str) -> tuple[str, str, list[str]]:
        """A complaint, praise or question addressed to (or about) a brand."""
        bank = self._bank(ctx.lang)
        domain = ctx.product.domain
        slots = self._slots(rng, ctx, bank)
        if kind == "complaint":
            label = "negative"
            core = _pick(rng, bank["problems"][domain])
            form = rng.random()
            if form < 0.3:
                text = _join(_pick(rng, bank["open_neg"]), core + ".")
            elif form < 0.55:
                text = f"{_cap(core)}, {_pick(rng, bank['consequence'])}."
            elif form < 0.8:
                text = _join(
                    _pick(rng, bank["open_neg"]), f"{core}. {_cap(_pick(rng, bank['consequence']))}."
                )
            else:
                text = f"{{brand}}, {core}… {_pick(rng, bank['consequence'])}."
            text = _join(_cap(text), _pick(rng, bank["close_neg"]))
        elif kind == "praise":
            label = "positive"
            core = _pick(rng, bank["delights"][domain])
            form = rng.random()
            if form < 0.5:
                text = _join(_pick(rng, bank["open_pos"]), core + ".")
            elif form < 0.75:
                text = f"{{product}} : {core} !" if ctx.lang == "fr" else f"{{product}}: {core}!"
            else:
                text = f"{_cap(core)}."
            text = _join(_cap(text), _pick(rng, bank["close_pos"]))
        else:
            label = "neutral"
            text = _join(_pick(rng, bank["open_q"]), _pick(rng, bank["questions"][domain]))
            text = _join(_cap(text), _pick(rng, bank["close_q"]))
        text = self._finish(
            rng, text.format_map(slots), label, ctx, emoji_p=0.55 if label != "neutral" else 0.15
        )
        return text, label, []

    def rising_question(self, rng: random.Random, ctx: Context) -> tuple[str, str, list[str]]:
        """A question on the rising sub-topic (``questions_rising``), addressed to the brand."""
        bank = self._bank(ctx.lang)
        slots = self._slots(rng, ctx, bank)
        text = _join(_pick(rng, bank["open_q"]), _pick(rng, bank["questions_rising"]))
        text = _join(_cap(text), _pick(rng, bank["close_q"]))
        return self._finish(rng, text.format_map(slots), "neutral", ctx, emoji_p=0.15), "neutral", []

    def chatter(self, rng: random.Random, ctx: Context) -> tuple[str, str, list[str]]:
        bank = self._bank(ctx.lang)
        label = rng.choices(("negative", "positive", "neutral"), weights=(0.3, 0.3, 0.4))[0]
        text = _pick(rng, bank["chatter"][label])
        if rng.random() < 0.4:
            text = _join(text, _pick(rng, EMOJIS[label]))
        tags = bank["essential_tags"][ctx.product.domain]
        if rng.random() < 0.5:
            text = _join(text, f"#{_pick(rng, tags)}")
        return text, label, []

    def news(self, rng: random.Random, ctx: Context) -> tuple[str, str, list[str]]:
        bank = self._bank(ctx.lang)
        slots = self._slots(rng, ctx, bank)
        link = self.link(rng, ctx.lang)
        text = _join(_pick(rng, bank["news_lead"]), _pick(rng, bank["news"]).format_map(slots), link)
        if rng.random() < 0.3 and ctx.mention:
            text = _join(text, ctx.mention)
        return text, "neutral", [link]

    def brand_post(self, rng: random.Random, ctx: Context) -> tuple[str, str, list[str]]:
        bank = self._bank(ctx.lang)
        slots = self._slots(rng, ctx, bank)
        slots.own_site = True
        text = _pick(rng, bank["brand_post"]).format_map(slots)
        if rng.random() < 0.4 and ctx.product.hashtag:
            text = _join(text, f"#{ctx.product.hashtag}")
        return text, "positive", slots.links(text)

    def scripted(
        self, rng: random.Random, ctx: Context, group: str, label: str, *, finish: bool = True
    ) -> tuple[str, str, list[str]]:
        """Launch, event, outage, journalist, elected and statement texts: one group of the bank."""
        bank = self._bank(ctx.lang)
        slots = self._slots(rng, ctx, bank)
        text = " ".join(_pick(rng, bank[group]).format_map(slots).split())
        if finish:
            text = self._finish(rng, text, label, ctx, emoji_p=0.45, tag_p=0.1, mention_p=0.6)
        return text, label, slots.links(text)

    def reply(
        self,
        rng: random.Random,
        lang: str,
        group: str,
        first: str,
        to_handle: str,
        brand: Brand,
        *,
        prefix: bool,
    ) -> tuple[str, list[str]]:
        bank = self._bank(lang)
        link = f"https://www.{brand.website}/aide/{_between(rng, 100, 9999)}"
        text = (
            _pick(rng, bank[group])
            .format(first=first, sig=_pick(rng, bank["agents"]), link=link, brand=brand.name)
            .strip()
        )
        if prefix:
            text = f"@{to_handle} {text}"
        return text, _links_in(text, link)

    def near_copy(self, rng: random.Random, text: str, lang: str) -> str:
        """A copy-paste of ``text`` with the small edits people make (a prefix, an emoji, '!!')."""
        roll = rng.random()
        if roll < 0.35:
            return _join(_pick(rng, self._bank(lang)["copy_prefix"]), text)
        if roll < 0.6:
            return _join(text, _pick(rng, EMOJIS["negative"]))
        if roll < 0.8:
            return text.rstrip(".!") + " !!"
        return text


def _links_in(text: str, link: str) -> list[str]:
    return [link] if link in text else []


def _pick(rng: random.Random, items: Sequence[T]) -> T:
    # random.choice goes through _randbelow; one float draw is several times cheaper.
    return items[int(rng.random() * len(items))]


def _between(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low))


class _Slots(dict[str, Any]):
    """Template values, the costly ones (link, duration, counts) drawn only when a template asks."""

    def __init__(self, writer: Writer, rng: random.Random, ctx: Context, bank: Mapping[str, Any]) -> None:
        profile = writer.profile
        super().__init__(
            brand=ctx.brand.name,
            product=ctx.product.name,
            city=ctx.city,
            service=profile.outage.service,
            tag=ctx.tag,
            event=profile.event.name,
            launch=profile.launch.product,
            first="",
            sig="",
        )
        self.writer, self.rng, self.ctx, self.bank = writer, rng, ctx, bank
        self.own_site = False

    def __missing__(self, key: str) -> Any:
        rng = self.rng
        if key == "duration":
            value: Any = _pick(rng, self.bank["duration"])
        elif key == "count":
            value = _between(rng, 2, 40)
        elif key == "hour":
            value = f"{_between(rng, 9, 22)}h{_pick(rng, ('00', '30'))}"
        elif key == "link":
            brand = self.ctx.brand
            if self.own_site:
                value = f"https://www.{brand.website}/{_pick(rng, _PAGES)}/{_between(rng, 1000, 99999)}"
            else:
                value = self.writer.link(rng, self.ctx.lang, brand)
        else:
            raise KeyError(key)
        self[key] = value
        return value

    def links(self, text: str) -> list[str]:
        link = self.get("link")
        return [link] if link and link in text else []
