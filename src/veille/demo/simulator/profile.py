"""The simulated company: brands, accounts, products, countries, influencers, as plain data.

The default profile is a fictional telecom operator, *Nova Telecom*, with three fictional
competitors, shipped as ``veille/demo/data/profile.toml`` and read on first use
(:func:`default_profile`). Everything the simulator writes about (names, products, hashtags,
handles, cities) comes from here, so the demo's topic taxonomy can be written against the same data
(:meth:`CompanyProfile.brand_terms`, and the words of :func:`vocabulary`).

A profile can be loaded from a dict or a TOML table (:meth:`CompanyProfile.from_dict`,
:func:`load_profile`); top-level keys given replace the default's, the others are kept.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, TypeAdapter, ValidationError

from veille.demo.datafiles import read_toml

__all__ = [
    "Brand",
    "CareProfile",
    "CompanyProfile",
    "Country",
    "EventSpec",
    "Influencer",
    "LaunchSpec",
    "OutageSpec",
    "Product",
    "SimulatedAccount",
    "default_profile",
    "load_profile",
    "vocabulary",
]

InfluencerCategory = Literal["journalist", "blogger", "elected", "media"]
ALWAYS_OPEN = "always"


def _opening_hours(value: Any) -> Any:
    """TOML has no null: ``hours = "always"`` is a care team that answers around the clock."""
    if value is None or value == ALWAYS_OPEN:
        return None
    if isinstance(value, str):
        raise ValueError(f'expected [start, end] local hours or "{ALWAYS_OPEN}", got {value!r}')
    return value


@dataclass(frozen=True, slots=True)
class Product:
    """A product; ``domain`` picks the vocabulary people use about it."""

    name: str
    domain: Literal["internet", "mobile", "tv", "payment", "smart_home", "security"]
    essentials: tuple[str, ...] = ()
    hashtag: str = ""


@dataclass(frozen=True, slots=True)
class SimulatedAccount:
    """A brand's official account as the simulator plays it: who posts, with what audience.

    Not :class:`veille.accounts.BrandAccount`, the row of the accounts registry (id, brand name,
    business hours): this one belongs to a :class:`Brand` of the profile and carries what a
    simulated author needs (display name, followers). ``veille demo`` registers these accounts in
    the registry (:func:`veille.demo.seed.demo_accounts`). ``country`` ``""``: the global account.
    """

    platform: str
    handle: str
    country: str = ""
    name: str = ""
    followers: int = 10_000


@dataclass(frozen=True, slots=True)
class CareProfile:
    """How a brand answers the public in a country: share answered, typical delay, opening hours."""

    answer_rate: float = 0.7
    median_delay_s: float = 1800.0
    # Local opening hours [start, end) of the care team; ``None`` ("always" in TOML): around the clock.
    hours: Annotated[tuple[int, int] | None, BeforeValidator(_opening_hours)] = (8, 20)


@dataclass(frozen=True, slots=True)
class Brand:
    key: str
    name: str
    ours: bool
    website: str
    products: tuple[Product, ...]
    hashtags: tuple[str, ...] = ()
    accounts: tuple[SimulatedAccount, ...] = ()
    countries: tuple[str, ...] = ()
    care: Mapping[str, CareProfile] = field(default_factory=dict)
    default_care: CareProfile = CareProfile()

    def care_in(self, country: str) -> CareProfile:
        return self.care.get(country, self.default_care)

    def account_for(self, platform: str, country: str) -> SimulatedAccount | None:
        """The account that answers customers of ``country`` on ``platform`` (country first, then global)."""
        fallback = None
        for account in self.accounts:
            if account.platform != platform:
                continue
            if account.country == country:
                return account
            if account.country == "":
                fallback = account
        return fallback


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str
    languages: Mapping[str, float]
    cities: tuple[str, ...]
    utc_offset_h: float
    tz: str
    flag: str = ""
    # Share of the simulated traffic coming from this country (relative weight).
    weight: float = 1.0
    platforms: Mapping[str, float] = field(
        default_factory=lambda: {
            "x": 0.35,
            "bluesky": 0.25,
            "mastodon": 0.15,
            "reddit": 0.1,
            "facebook": 0.15,
        }
    )


@dataclass(frozen=True, slots=True)
class Influencer:
    handle: str
    name: str
    platform: str
    category: InfluencerCategory
    country: str
    lang: str
    followers: int
    bio: str
    location: str = ""
    verified: bool = True


@dataclass(frozen=True, slots=True)
class LaunchSpec:
    product: str
    hashtag: str
    brand: str = ""


@dataclass(frozen=True, slots=True)
class EventSpec:
    name: str
    hashtag: str
    city: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class OutageSpec:
    country: str
    service: str
    hashtags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CompanyProfile:
    company: Brand
    competitors: tuple[Brand, ...]
    countries: tuple[Country, ...]
    influencers: tuple[Influencer, ...]
    launch: LaunchSpec
    event: EventSpec
    outage: OutageSpec
    news_sites: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def brands(self) -> tuple[Brand, ...]:
        return (self.company, *self.competitors)

    def brand(self, key: str) -> Brand:
        for brand in self.brands:
            if brand.key == key:
                return brand
        raise KeyError(f"no brand {key!r} in the profile")

    def country(self, code: str) -> Country:
        for country in self.countries:
            if country.code == code:
                return country
        raise KeyError(f"no country {code!r} in the profile")

    def brand_terms(self) -> dict[str, dict[str, list[str]]]:
        """Per brand key: its names, products, hashtags and handles, for writing topic queries."""
        return {
            brand.key: {
                "names": [brand.name],
                "products": [product.name for product in brand.products],
                "hashtags": list(brand.hashtags) + [p.hashtag for p in brand.products if p.hashtag],
                "handles": sorted({account.handle for account in brand.accounts}),
            }
            for brand in self.brands
        }

    def brand_accounts(self) -> list[dict[str, Any]]:
        """Rows ``platform, handle, brand, country, ours`` (the accounts registry's CSV columns)."""
        return [
            {
                "platform": account.platform,
                "handle": account.handle,
                "brand": brand.name,
                "country": account.country,
                "ours": brand.ours,
            }
            for brand in self.brands
            for account in brand.accounts
        ]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, base: CompanyProfile | None = None) -> CompanyProfile:
        """A profile from plain data (a TOML table); given top-level keys replace ``base``'s."""
        start = base if base is not None else default_profile()
        profile = replace(start, **_validated(data))
        profile.check()
        return profile

    def check(self) -> None:
        """Cross-field rules: countries referenced exist, weights are usable, handles are unique."""
        codes = {country.code for country in self.countries}
        if not codes:
            raise ValueError("simulator profile: countries: at least one country is needed")
        for country in self.countries:
            if not country.languages or min(country.languages.values()) < 0:
                raise ValueError(f"simulator profile: countries.{country.code}.languages: need weights >= 0")
            if not country.cities:
                raise ValueError(f"simulator profile: countries.{country.code}.cities: must not be empty")
            if not country.platforms:
                raise ValueError(f"simulator profile: countries.{country.code}.platforms: must not be empty")
        for brand in self.brands:
            if not brand.products:
                raise ValueError(f"simulator profile: brand {brand.key}: products: must not be empty")
        for influencer in self.influencers:
            if influencer.country not in codes:
                raise ValueError(
                    f"simulator profile: influencers.{influencer.handle}.country: "
                    f"{influencer.country!r} is not one of the profile's countries"
                )
        if self.outage.country not in codes:
            raise ValueError(f"simulator profile: outage.country: {self.outage.country!r} is not a country")
        seen: set[tuple[str, str]] = set()
        for brand in self.brands:
            for account in brand.accounts:
                key = (account.platform, account.handle.lower())
                if key in seen:
                    raise ValueError(f"simulator profile: account {account.platform}:{account.handle} twice")
                seen.add(key)


_FIELD_TYPES: dict[str, Any] = {
    "company": Brand,
    "competitors": tuple[Brand, ...],
    "countries": tuple[Country, ...],
    "influencers": tuple[Influencer, ...],
    "launch": LaunchSpec,
    "event": EventSpec,
    "outage": OutageSpec,
    "news_sites": dict[str, tuple[str, ...]],
}


def _validated(data: Mapping[str, Any]) -> dict[str, Any]:
    """The top-level fields of ``data`` checked and typed; errors name the field's path."""
    if not isinstance(data, Mapping):
        raise ValueError("simulator profile: expected a table of profile fields")
    unknown = sorted(set(data) - set(_FIELD_TYPES))
    if unknown:
        raise ValueError(f"simulator profile: unknown field(s) {', '.join(unknown)}")
    validated: dict[str, Any] = {}
    for name, value in data.items():
        try:
            validated[name] = TypeAdapter(_FIELD_TYPES[name]).validate_python(value)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in (name, *item['loc']))}: {item['msg']}"
                for item in error.errors()
            )
            raise ValueError(f"simulator profile: {problems}") from None
    return validated


@cache
def default_profile() -> CompanyProfile:
    """Nova Telecom (fictional), its three fictional competitors, nine countries, 20 influencers.

    Read from ``veille/demo/data/profile.toml`` once, then shared: a profile is frozen; change one
    with :meth:`CompanyProfile.from_dict` or :func:`dataclasses.replace`, never in place.
    """
    data = read_toml("profile.toml")
    required = [
        f.name for f in fields(CompanyProfile) if f.default is MISSING and f.default_factory is MISSING
    ]
    missing = [name for name in required if name not in data]
    if missing:
        raise ValueError(f"veille/demo/data/profile.toml: missing {', '.join(missing)}")
    profile = CompanyProfile(**_validated(data))
    profile.check()
    return profile


def vocabulary() -> dict[str, dict[str, Any]]:
    """The customer essentials and sensitive matters with the words people use for them, per language.

    ``{"home": {"label": {lang: …}, "keywords": {lang: [...]}, "hashtags": [...]}, …}``, read from
    ``veille/demo/data/vocabulary.toml``. The simulator's phrase banks use these words; the demo's
    topics are written to catch them, and ``veille demo --live`` follows them on Bluesky.
    """
    return read_toml("vocabulary.toml")


def load_profile(path: str | Path, *, table: str | None = None) -> CompanyProfile:
    """Read a profile from a TOML file (the whole file, or ``table`` such as ``"simulator.profile"``)."""
    with Path(path).open("rb") as handle:
        document: Any = tomllib.load(handle)
    if table:
        for part in table.split("."):
            if not isinstance(document, dict) or part not in document:
                raise ValueError(f"{path}: no [{table}] table")
            document = document[part]
    return CompanyProfile.from_dict(document)
