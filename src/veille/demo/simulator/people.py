"""Simulated people and platforms: customers drawn from a per-country pool, influencers and brand
accounts from the profile, and the shape of ids and URLs on each platform.

A customer is a pure function of (seed, country, index, platform), so the same seed always gives
the same people, and a customer who writes twice is the same author with the same handle.
"""

from __future__ import annotations

import base64
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from veille.demo.simulator import phrases
from veille.demo.simulator.profile import CompanyProfile, Country, Influencer, SimulatedAccount
from veille.text import fold

__all__ = ["PLATFORMS", "Person", "PersonPool", "mix64", "post_address"]

T = TypeVar("T")
PLATFORMS = ("x", "bluesky", "mastodon", "reddit", "facebook")
_MASK64 = (1 << 64) - 1
_B32 = "234567abcdefghijklmnopqrstuvwxyz"  # the base32-sortable alphabet of Bluesky record keys
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_MASTODON_INSTANCES = {
    "fr": ("piaille.fr", "mamot.fr", "framapiaf.org", "mastodon.social"),
    "en": ("mastodon.social", "mastodon.online", "mstdn.social"),
    "es": ("mastodon.social", "mastodon.world"),
    "de": ("chaos.social", "norden.social", "mastodon.social"),
}
_SUBREDDITS = {
    "FR": "france",
    "BE": "belgium",
    "SN": "senegal",
    "CI": "ivorycoast",
    "GB": "unitedkingdom",
    "US": "technology",
    "ES": "spain",
    "DE": "de",
    "CH": "switzerland",
}


def mix64(value: int) -> int:
    """SplitMix64 finaliser: a bijection of 64-bit integers, so distinct slots give distinct ids."""
    value = (value + 0x9E3779B97F4A7C15) & _MASK64
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
    return value ^ (value >> 31)


_TO_SORTABLE = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", _B32)


def _record_key(number: int) -> str:
    """13 characters of Bluesky's base32-sortable alphabet, one-to-one with the 64-bit number."""
    return base64.b32encode(number.to_bytes(8, "big")).decode()[:13].translate(_TO_SORTABLE)


def _encode(number: int, alphabet: str, width: int) -> str:
    base = len(alphabet)
    chars = []
    for _ in range(width):
        number, digit = divmod(number, base)
        chars.append(alphabet[digit])
    return "".join(reversed(chars))


@dataclass(slots=True)
class Person:
    handle: str
    name: str
    first: str
    platform: str
    user_id: str
    followers: int
    country: str
    lang: str
    role: str  # customer, influencer, brand
    category: str = "other"  # journalist, blogger, elected, media, brand, other
    verified: bool = False
    location: str | None = None
    bio: str | None = None
    brand_key: str = ""
    instance: str = ""  # Mastodon instance
    author: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.author = {
            "id": self.user_id,
            "handle": self.handle,
            "name": self.name,
            "followers": self.followers,
            "verified": self.verified,
            "location": self.location,
            "bio": self.bio,
        }


def post_address(person: Person, uniq: int, *, comment: bool = False) -> tuple[str, str]:
    """``(id, url)`` of a post by ``person`` with the 64-bit unique number ``uniq``, as the platform writes it."""
    platform = person.platform
    if platform == "x":
        return f"x:{uniq}", f"https://x.com/{person.handle}/status/{uniq}"
    if platform == "bluesky":
        rkey = _record_key(uniq)
        return (
            f"bluesky:at://{person.user_id}/app.bsky.feed.post/{rkey}",
            f"https://bsky.app/profile/{person.handle}/post/{rkey}",
        )
    if platform == "mastodon":
        return f"mastodon:{person.instance}/{uniq}", f"https://{person.instance}/@{person.handle}/{uniq}"
    if platform == "reddit":
        code = _encode(uniq, _B36, 13).lstrip("0") or "0"
        sub = _SUBREDDITS.get(person.country, "technology")
        if comment:
            return f"reddit:t1_{code}", f"https://www.reddit.com/r/{sub}/comments/{code}/"
        return f"reddit:t3_{code}", f"https://www.reddit.com/r/{sub}/comments/{code}/"
    return f"{platform}:{person.user_id}_{uniq}", f"https://www.facebook.com/{person.handle}/posts/{uniq}"


class _Bits:
    """A small deterministic generator (SplitMix64): cheaper to start than ``random.Random``."""

    __slots__ = ("state",)

    def __init__(self, seed: int) -> None:
        self.state = seed & _MASK64

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & _MASK64
        return mix64(self.state)

    def random(self) -> float:
        return (self.next() >> 11) / 9007199254740992.0

    def below(self, n: int) -> int:
        return self.next() % n

    def pick(self, items: Sequence[T]) -> T:
        return items[self.next() % len(items)]

    def normal(self) -> float:
        return math.sqrt(-2.0 * math.log(1.0 - self.random())) * math.cos(2.0 * math.pi * self.random())

    def weighted(self, weights: Mapping[str, float]) -> str:
        roll = self.random() * sum(weights.values())
        last = ""
        for key, weight in weights.items():
            last = key
            roll -= weight
            if roll < 0:
                return key
        return last


def _user_id(platform: str, bits: _Bits) -> str:
    if platform == "bluesky":
        return "did:plc:" + _record_key(bits.next())[:12] + _record_key(bits.next())[:12]
    if platform == "reddit":
        return "t2_" + _encode(bits.next(), _B36, 8)
    return str(10**9 + bits.below(10**18 - 10**9))


class PersonPool:
    """Customers per country (a Zipf-like draw: a few people write often), influencers, brand accounts."""

    def __init__(self, profile: CompanyProfile, seed: int, *, pool_per_weight: int = 2500) -> None:
        self.profile = profile
        self.seed = seed
        self.pool_per_weight = pool_per_weight
        self._customers: dict[tuple[str, int, str], Person] = {}
        self._brands: dict[tuple[str, str], Person] = {}
        self._countries = {country.code: country for country in profile.countries}
        self.influencers = [self._influencer(item) for item in profile.influencers]

    def pool_size(self, country: Country) -> int:
        return max(50, int(self.pool_per_weight * country.weight))

    def customer(self, rng: random.Random, country: Country, platform: str = "") -> Person:
        """A customer of ``country``: frequent writers come back (index skewed towards 0)."""
        index = int(self.pool_size(country) * rng.random() ** 2.2)
        key = (country.code, index, platform)
        person = self._customers.get(key)
        if person is None:
            person = self._make_customer(country, index, platform)
            self._customers[key] = person
        return person

    def _make_customer(self, country: Country, index: int, platform: str) -> Person:
        bits = _Bits(mix64(self.seed * 1_000_003 + index) ^ hash_text(country.code + platform))
        lang = bits.weighted(country.languages)
        firsts, lasts = phrases.names(country.code, lang)
        first, last = bits.pick(firsts), bits.pick(lasts)
        platform = platform or bits.weighted(country.platforms)
        handle = _customer_handle(bits, first, last, platform)
        followers = int(min(250_000, math.exp(5.0 + 1.3 * bits.normal())))
        style = bits.random()
        name = f"{first} {last}" if style < 0.6 else (first if style < 0.8 else f"{first} {last[0]}.")
        bio = bits.pick(phrases.bios(lang)) if bits.random() < 0.45 else None
        return Person(
            handle=handle,
            name=name,
            first=first,
            platform=platform,
            user_id=_user_id(platform, bits),
            followers=followers,
            country=country.code,
            lang=lang,
            role="customer",
            verified=bits.random() < 0.01,
            location=_location(bits, country),
            bio=bio,
            instance=bits.pick(_MASTODON_INSTANCES.get(lang, _MASTODON_INSTANCES["en"])),
        )

    def brand_account(self, brand_key: str, account: SimulatedAccount, lang: str) -> Person:
        key = (account.platform, account.handle)
        person = self._brands.get(key)
        if person is None:
            brand = self.profile.brand(brand_key)
            rng = _Bits(hash_text(f"{self.seed}:{account.platform}:{account.handle}"))
            country = self._countries.get(account.country)
            person = Person(
                handle=account.handle,
                name=account.name or brand.name,
                first=brand.name,
                platform=account.platform,
                user_id=_user_id(account.platform, rng),
                followers=account.followers,
                country=account.country,
                lang=lang,
                role="brand",
                category="brand",
                verified=True,
                location=country.name if country else None,
                bio=f"{brand.name} · {brand.website}",
                brand_key=brand_key,
                instance="mastodon.social",
            )
            self._brands[key] = person
        return person

    def _influencer(self, item: Influencer) -> Person:
        rng = _Bits(hash_text(f"{self.seed}:influencer:{item.handle}"))
        return Person(
            handle=item.handle,
            name=item.name,
            first=item.name.split(" ")[0],
            platform=item.platform,
            user_id=_user_id(item.platform, rng),
            followers=item.followers,
            country=item.country,
            lang=item.lang,
            role="influencer",
            category=item.category,
            verified=item.verified,
            location=item.location or None,
            bio=item.bio,
            instance=rng.pick(_MASTODON_INSTANCES.get(item.lang, _MASTODON_INSTANCES["en"])),
        )


def hash_text(text: str) -> int:
    """A stable 64-bit hash of a string (``hash()`` is salted per process)."""
    value = 0xCBF29CE484222325
    for byte in text.encode():
        value = ((value ^ byte) * 0x100000001B3) & _MASK64
    return value


def _ascii(word: str) -> str:
    return "".join(ch for ch in fold(word) if ch.isalnum())


def _customer_handle(rng: _Bits, first: str, last: str, platform: str) -> str:
    f, la = _ascii(first), _ascii(last)
    style = rng.below(6)
    if style == 0:
        stem = f"{f}{la}"
    elif style == 1:
        stem = f"{f}_{la}{10 + rng.below(89)}"
    elif style == 2:
        stem = f"{f}.{la[:1]}" if platform in ("bluesky", "facebook") else f"{f}_{la[:1]}"
    elif style == 3:
        stem = f"{f[:1]}{la}{70 + rng.below(30)}"
    elif style == 4:
        stem = f"{la}{f[:1]}_{1 + rng.below(998)}"
    else:
        stem = f"{f}{1000 + rng.below(8999)}"
    if platform == "bluesky":
        return f"{stem}.bsky.social"
    if platform == "facebook":
        return f"{stem}.{1 + rng.below(98)}"
    return stem[:15] if platform == "x" else stem


def _location(rng: _Bits, country: Country) -> str | None:
    """What people type in the location field: a city, city and country, a time zone, a flag or nothing."""
    roll = rng.random()
    city = rng.pick(country.cities)
    if roll < 0.42:
        return None
    if roll < 0.62:
        return city
    if roll < 0.75:
        return f"{city}, {country.name}"
    if roll < 0.8:
        return country.name
    if roll < 0.84:
        return country.tz
    if roll < 0.88:
        return f"{city} {country.flag}".strip()
    if roll < 0.91:
        sign = "+" if country.utc_offset_h >= 0 else "-"
        return f"UTC{sign}{abs(int(country.utc_offset_h))}"
    if roll < 0.95:
        return f"{city} | {rng.pick(('Paris', 'London', 'Montréal', 'Dakar'))}"
    return rng.pick(("Quelque part", "Earth 🌍", "Ici et ailleurs", "🏠", "Somewhere over the rainbow"))
