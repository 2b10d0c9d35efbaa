"""The simulated company: brands, accounts, products, countries, influencers, as plain data.

The default profile is a fictional telecom operator, *Nova Telecom*, with three fictional
competitors. Everything the simulator writes about (names, products, hashtags, handles, cities) comes
from here, so the demo's topic taxonomy can be written against the same data
(:func:`default_profile`, :data:`TAXONOMY`, :meth:`CompanyProfile.brand_terms`).

A profile can be loaded from a dict or a TOML table (:meth:`CompanyProfile.from_dict`,
:func:`load_profile`); top-level keys given replace the default's, the others are kept.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

__all__ = [
    "TAXONOMY",
    "Brand",
    "BrandAccount",
    "CareProfile",
    "CompanyProfile",
    "Country",
    "EventSpec",
    "Influencer",
    "LaunchSpec",
    "OutageSpec",
    "Product",
    "default_profile",
    "load_profile",
]

InfluencerCategory = Literal["journalist", "blogger", "elected", "media"]

# The customer essentials and the sensitive matters the hub watches, with the words and hashtags
# people use for them in each language: the demo's topic taxonomy is written against this.
TAXONOMY: dict[str, dict[str, Any]] = {
    "home": {
        "label": {"fr": "Maison", "en": "Home", "es": "Hogar", "de": "Zuhause"},
        "keywords": {
            "fr": ["box", "fibre", "wifi", "internet", "maison"],
            "en": ["router", "broadband", "fibre", "wifi", "home"],
            "es": ["router", "fibra", "wifi", "internet", "casa"],
            "de": ["Router", "Glasfaser", "WLAN", "Internet", "Zuhause"],
        },
        "hashtags": ["fibre", "wifi", "maison", "home", "broadband"],
    },
    "work": {
        "label": {"fr": "Travail", "en": "Work", "es": "Trabajo", "de": "Arbeit"},
        "keywords": {
            "fr": ["télétravail", "visio", "bureau", "pro"],
            "en": ["remote work", "video call", "office", "business"],
            "es": ["teletrabajo", "videollamada", "oficina"],
            "de": ["Homeoffice", "Videocall", "Büro"],
        },
        "hashtags": ["teletravail", "remotework", "teletrabajo", "homeoffice"],
    },
    "entertainment": {
        "label": {"fr": "Divertissement", "en": "Entertainment", "es": "Ocio", "de": "Unterhaltung"},
        "keywords": {
            "fr": ["série", "film", "match", "concert", "streaming", "TV"],
            "en": ["series", "film", "match", "concert", "streaming", "TV"],
            "es": ["serie", "película", "partido", "concierto", "streaming"],
            "de": ["Serie", "Film", "Spiel", "Konzert", "Streaming"],
        },
        "hashtags": ["streaming", "series", "concert", "football"],
    },
    "well_being": {
        "label": {"fr": "Bien-être", "en": "Well-being", "es": "Bienestar", "de": "Wohlbefinden"},
        "keywords": {
            "fr": ["santé", "sommeil", "sport", "montre connectée"],
            "en": ["health", "sleep", "fitness", "smartwatch"],
            "es": ["salud", "sueño", "deporte", "reloj inteligente"],
            "de": ["Gesundheit", "Schlaf", "Sport", "Smartwatch"],
        },
        "hashtags": ["sante", "bienetre", "wellbeing", "fitness"],
    },
    "family": {
        "label": {"fr": "Famille", "en": "Family", "es": "Familia", "de": "Familie"},
        "keywords": {
            "fr": ["enfants", "contrôle parental", "famille", "ado"],
            "en": ["kids", "parental control", "family", "teenager"],
            "es": ["niños", "control parental", "familia"],
            "de": ["Kinder", "Kindersicherung", "Familie"],
        },
        "hashtags": ["famille", "parents", "family"],
    },
    "payment": {
        "label": {"fr": "Paiement", "en": "Payment", "es": "Pago", "de": "Bezahlen"},
        "keywords": {
            "fr": ["paiement", "virement", "transfert d'argent", "portefeuille"],
            "en": ["payment", "transfer", "wallet", "contactless"],
            "es": ["pago", "transferencia", "monedero"],
            "de": ["Zahlung", "Überweisung", "Wallet"],
        },
        "hashtags": ["paiementmobile", "mobilepayment", "fintech"],
    },
    "connected_objects": {
        "label": {
            "fr": "Objets connectés",
            "en": "Connected objects",
            "es": "Objetos conectados",
            "de": "Vernetzte Geräte",
        },
        "keywords": {
            "fr": ["objet connecté", "domotique", "caméra", "maison connectée"],
            "en": ["smart home", "connected device", "camera", "IoT"],
            "es": ["domótica", "cámara", "casa inteligente"],
            "de": ["Smart Home", "Kamera", "vernetzt"],
        },
        "hashtags": ["iot", "smarthome", "domotique"],
    },
    "mobile_payment": {
        "label": {
            "fr": "Paiement mobile",
            "en": "Mobile payment",
            "es": "Pago móvil",
            "de": "Mobiles Bezahlen",
        },
        "keywords": {
            "fr": ["paiement mobile", "mobile money", "NovaPay"],
            "en": ["mobile payment", "mobile money", "NovaPay"],
            "es": ["pago móvil", "NovaPay"],
            "de": ["mobiles Bezahlen", "NovaPay"],
        },
        "hashtags": ["mobilemoney", "paiementmobile", "NovaPay"],
    },
    "data_protection": {
        "label": {
            "fr": "Protection des données",
            "en": "Data protection",
            "es": "Protección de datos",
            "de": "Datenschutz",
        },
        "keywords": {
            "fr": ["données personnelles", "RGPD", "vie privée", "piratage", "fuite"],
            "en": ["personal data", "GDPR", "privacy", "breach", "leak"],
            "es": ["datos personales", "RGPD", "privacidad", "filtración"],
            "de": ["Datenschutz", "DSGVO", "Privatsphäre", "Datenleck"],
        },
        "hashtags": ["RGPD", "GDPR", "privacy", "datenschutz"],
    },
    "outage": {
        "label": {"fr": "Pannes", "en": "Outages", "es": "Caídas", "de": "Störungen"},
        "keywords": {
            "fr": ["panne", "coupure", "plus de réseau", "plus d'internet"],
            "en": ["outage", "down", "no signal", "no internet"],
            "es": ["caída", "sin conexión", "sin internet"],
            "de": ["Störung", "Ausfall", "kein Netz", "kein Internet"],
        },
        "hashtags": ["panne", "outage", "down", "caida", "stoerung"],
    },
}


@dataclass(frozen=True, slots=True)
class Product:
    """A product; ``domain`` picks the vocabulary people use about it."""

    name: str
    domain: Literal["internet", "mobile", "tv", "payment", "smart_home", "security"]
    essentials: tuple[str, ...] = ()
    hashtag: str = ""


@dataclass(frozen=True, slots=True)
class BrandAccount:
    """An official account: on which platform, for which country (``""``: the global account)."""

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
    # Local opening hours [start, end) of the care team; ``None``: answered around the clock.
    hours: tuple[int, int] | None = (8, 20)


@dataclass(frozen=True, slots=True)
class Brand:
    key: str
    name: str
    ours: bool
    website: str
    products: tuple[Product, ...]
    hashtags: tuple[str, ...] = ()
    accounts: tuple[BrandAccount, ...] = ()
    countries: tuple[str, ...] = ()
    care: Mapping[str, CareProfile] = field(default_factory=dict)
    default_care: CareProfile = CareProfile()

    def care_in(self, country: str) -> CareProfile:
        return self.care.get(country, self.default_care)

    def account_for(self, platform: str, country: str) -> BrandAccount | None:
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
        if not isinstance(data, Mapping):
            raise ValueError("simulator profile: expected a table of profile fields")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"simulator profile: unknown field(s) {', '.join(unknown)}")
        start = base if base is not None else default_profile()
        replacements: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            try:
                replacements[f.name] = TypeAdapter(_FIELD_TYPES[f.name]).validate_python(data[f.name])
            except ValidationError as error:
                problems = "; ".join(
                    f"{'.'.join(str(part) for part in (f.name, *item['loc']))}: {item['msg']}"
                    for item in error.errors()
                )
                raise ValueError(f"simulator profile: {problems}") from None
        profile = replace(start, **replacements)
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


def _accounts(
    base: str, countries: tuple[str, ...], platforms: tuple[str, ...], followers: int
) -> tuple[BrandAccount, ...]:
    """Per-country care accounts on the given platforms plus one global account on each platform."""
    made: list[BrandAccount] = []
    for platform in platforms:
        made.append(BrandAccount(platform, _handle(base, "", platform), "", base, followers * 3))
        for code in countries:
            made.append(
                BrandAccount(platform, _handle(base, code, platform), code, f"{base} {code}", followers)
            )
    return tuple(made)


def _handle(base: str, country: str, platform: str) -> str:
    compact = base.replace(" ", "")
    if platform == "bluesky":
        stem = compact.lower() + (f"-{country.lower()}" if country else "")
        return f"{stem}.bsky.social"
    if platform == "mastodon":
        return compact.lower() + (f"_{country.lower()}" if country else "")
    return compact + (f"_{country}" if country else "")


_NOVA_COUNTRIES = ("FR", "BE", "ES", "SN", "CI", "GB", "DE")


def default_profile() -> CompanyProfile:
    """Nova Telecom (fictional), its three fictional competitors, nine countries, 20 influencers."""
    nova = Brand(
        key="nova",
        name="Nova Telecom",
        ours=True,
        website="nova-telecom.example",
        products=(
            Product("NovaBox", "internet", ("home", "work", "entertainment"), "NovaBox"),
            Product("Nova Mobile", "mobile", ("work", "family"), "NovaMobile"),
            Product("NovaPay", "payment", ("payment", "mobile_payment"), "NovaPay"),
            Product("Nova TV+", "tv", ("entertainment", "family"), "NovaTV"),
            Product(
                "Nova Home Secure", "smart_home", ("home", "well_being", "connected_objects"), "NovaHome"
            ),
            Product("Nova Cloud", "security", ("data_protection", "work"), "NovaCloud"),
        ),
        hashtags=("NovaTelecom", "Nova"),
        accounts=(
            *_accounts("NovaTelecom", _NOVA_COUNTRIES, ("x", "bluesky", "mastodon", "facebook"), 40_000),
            BrandAccount("x", "NovaCare", "", "Nova Telecom Care", 95_000),
        ),
        countries=_NOVA_COUNTRIES,
        care={
            "FR": CareProfile(0.9, 600, None),
            "BE": CareProfile(0.85, 900, (8, 21)),
            "ES": CareProfile(0.8, 1500, (8, 22)),
            "SN": CareProfile(0.85, 1200, (8, 21)),
            "CI": CareProfile(0.75, 2400, (8, 20)),
            "GB": CareProfile(0.85, 900, (8, 20)),
            "DE": CareProfile(0.8, 1800, (8, 18)),
        },
        default_care=CareProfile(0.5, 5400, (9, 18)),
    )
    helix = Brand(
        key="helix",
        name="Helix Telecom",
        ours=False,
        website="helix-telecom.example",
        products=(
            Product("HelixBox", "internet", ("home", "entertainment"), "HelixBox"),
            Product("Helix 5G", "mobile", ("work",), "Helix5G"),
            Product("Helix Watch", "smart_home", ("well_being", "connected_objects"), ""),
        ),
        hashtags=("Helix", "HelixTelecom"),
        accounts=_accounts("HelixTelecom", ("FR", "BE", "ES", "DE"), ("x", "bluesky", "facebook"), 30_000),
        countries=("FR", "BE", "ES", "DE"),
        care={
            "FR": CareProfile(0.75, 2700, (9, 19)),
            "BE": CareProfile(0.6, 5400, (9, 18)),
            "ES": CareProfile(0.45, 10_800, (9, 18)),
            "DE": CareProfile(0.8, 1500, (8, 20)),
        },
        default_care=CareProfile(0.3, 14_400, (9, 17)),
    )
    orbis = Brand(
        key="orbis",
        name="Orbis Mobile",
        ours=False,
        website="orbis-mobile.example",
        products=(
            Product("Orbis Fibre", "internet", ("home", "work"), "OrbisFibre"),
            Product("Orbis Smart", "mobile", ("family",), ""),
            Product("OrbisWallet", "payment", ("payment", "mobile_payment"), "OrbisWallet"),
        ),
        hashtags=("Orbis", "OrbisMobile"),
        accounts=_accounts("OrbisMobile", ("FR", "GB", "DE", "ES"), ("x", "bluesky", "mastodon"), 25_000),
        countries=("FR", "GB", "DE", "ES"),
        care={
            "FR": CareProfile(0.7, 1800, (9, 20)),
            "GB": CareProfile(0.9, 700, None),
            "DE": CareProfile(0.55, 7200, (9, 17)),
            "ES": CareProfile(0.65, 3600, (9, 19)),
        },
        default_care=CareProfile(0.4, 7200, (9, 17)),
    )
    sirocco = Brand(
        key="sirocco",
        name="Sirocco Télécom",
        ours=False,
        website="sirocco-telecom.example",
        products=(
            Product("Sirocco Box", "internet", ("home",), "SiroccoBox"),
            Product("Sirocco Mobile", "mobile", ("family", "work"), ""),
            Product("Sirocco Money", "payment", ("payment", "mobile_payment"), "SiroccoMoney"),
        ),
        hashtags=("Sirocco", "SiroccoTelecom"),
        accounts=_accounts("SiroccoTelecom", ("SN", "CI", "FR", "BE"), ("x", "facebook"), 35_000),
        countries=("SN", "CI", "FR", "BE"),
        care={
            "SN": CareProfile(0.55, 9000, (8, 18)),
            "CI": CareProfile(0.5, 10_800, (8, 18)),
            "FR": CareProfile(0.7, 2400, (9, 19)),
            "BE": CareProfile(0.6, 3600, (9, 18)),
        },
        default_care=CareProfile(0.35, 14_400, (9, 17)),
    )
    west_africa = {"x": 0.3, "facebook": 0.45, "bluesky": 0.1, "mastodon": 0.05, "reddit": 0.1}
    countries = (
        Country(
            "FR",
            "France",
            {"fr": 0.97, "en": 0.03},
            (
                "Paris",
                "Lyon",
                "Marseille",
                "Toulouse",
                "Lille",
                "Bordeaux",
                "Nantes",
                "Strasbourg",
                "Rennes",
                "Nice",
                "Montpellier",
                "Grenoble",
            ),
            1,
            "Europe/Paris",
            "🇫🇷",
            4.0,
            {"x": 0.35, "bluesky": 0.25, "mastodon": 0.18, "reddit": 0.1, "facebook": 0.12},
        ),
        Country(
            "BE",
            "Belgique",
            {"fr": 0.8, "en": 0.2},
            ("Bruxelles", "Liège", "Namur", "Charleroi", "Mons", "Louvain-la-Neuve"),
            1,
            "Europe/Brussels",
            "🇧🇪",
            1.0,
        ),
        Country(
            "SN",
            "Sénégal",
            {"fr": 0.92, "en": 0.08},
            ("Dakar", "Thiès", "Saint-Louis", "Ziguinchor", "Touba", "Rufisque", "Mbour"),
            0,
            "Africa/Dakar",
            "🇸🇳",
            1.5,
            west_africa,
        ),
        Country(
            "CI",
            "Côte d'Ivoire",
            {"fr": 0.95, "en": 0.05},
            ("Abidjan", "Bouaké", "Yamoussoukro", "San-Pédro", "Korhogo"),
            0,
            "Africa/Abidjan",
            "🇨🇮",
            1.0,
            west_africa,
        ),
        Country(
            "GB",
            "United Kingdom",
            {"en": 1.0},
            ("London", "Manchester", "Birmingham", "Leeds", "Glasgow", "Bristol", "Edinburgh", "Cardiff"),
            0,
            "Europe/London",
            "🇬🇧",
            2.0,
            {"x": 0.4, "bluesky": 0.25, "mastodon": 0.1, "reddit": 0.15, "facebook": 0.1},
        ),
        Country(
            "US",
            "United States",
            {"en": 0.9, "es": 0.1},
            ("New York", "Chicago", "Austin", "Seattle", "Miami", "Boston"),
            -5,
            "America/New_York",
            "🇺🇸",
            0.7,
            {"x": 0.4, "bluesky": 0.25, "mastodon": 0.05, "reddit": 0.25, "facebook": 0.05},
        ),
        Country(
            "ES",
            "España",
            {"es": 0.95, "en": 0.05},
            ("Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao", "Málaga", "Zaragoza"),
            1,
            "Europe/Madrid",
            "🇪🇸",
            2.0,
        ),
        Country(
            "DE",
            "Deutschland",
            {"de": 0.95, "en": 0.05},
            ("Berlin", "München", "Hamburg", "Köln", "Frankfurt am Main", "Leipzig", "Stuttgart"),
            1,
            "Europe/Berlin",
            "🇩🇪",
            2.0,
            {"x": 0.3, "bluesky": 0.25, "mastodon": 0.3, "reddit": 0.1, "facebook": 0.05},
        ),
        Country(
            "CH",
            "Suisse",
            {"fr": 0.5, "de": 0.5},
            ("Genève", "Lausanne", "Zürich", "Bern", "Basel"),
            1,
            "Europe/Zurich",
            "🇨🇭",
            0.5,
        ),
    )
    influencers = (
        Influencer(
            "clairemorel_tech",
            "Claire Morel",
            "x",
            "journalist",
            "FR",
            "fr",
            182_000,
            "Journaliste tech au Quotidien Numérique. Télécoms, données perso, vie privée. DM ouverts.",
            "Paris, France",
        ),
        Influencer(
            "julienbgeek",
            "Julien Bertrand",
            "x",
            "blogger",
            "FR",
            "fr",
            45_300,
            "Blogueur high-tech 📱 Tests de box, forfaits et gadgets. Avis 100 % indépendants.",
            "Lyon",
        ),
        Influencer(
            "sophie-lambert.bsky.social",
            "Sophie Lambert",
            "bluesky",
            "elected",
            "FR",
            "fr",
            31_200,
            "Députée. Numérique, aménagement du territoire, fracture numérique.",
            "Toulouse, Occitanie",
        ),
        Influencer(
            "thomasgarnier",
            "Thomas Garnier",
            "mastodon",
            "journalist",
            "FR",
            "fr",
            23_400,
            "Journaliste indépendant. Enquêtes sur les opérateurs et la cybersécurité.",
            "Nantes",
        ),
        Influencer(
            "marcdumont_rb",
            "Marc Dumont",
            "x",
            "journalist",
            "BE",
            "fr",
            38_700,
            "Journaliste à Radio Bruxelles Info. Économie et consommation.",
            "Bruxelles, Belgique",
        ),
        Influencer(
            "aminatadiallo",
            "Aminata Diallo",
            "x",
            "journalist",
            "SN",
            "fr",
            95_600,
            "Journaliste à Dakar Numérique. Tech, mobile money et société.",
            "Dakar, Sénégal",
        ),
        Influencer(
            "moussa.ndiaye.tech",
            "Moussa Ndiaye",
            "facebook",
            "blogger",
            "SN",
            "fr",
            38_100,
            "Blogueur tech 🇸🇳 | Mobile money, startups, bons plans forfaits",
            "Dakar",
        ),
        Influencer(
            "ibrahimasarr_depute",
            "Ibrahima Sarr",
            "x",
            "elected",
            "SN",
            "fr",
            22_400,
            "Député à l'Assemblée nationale. Accès au numérique pour tous.",
            "Thiès",
        ),
        Influencer(
            "koffiyao_ci",
            "Koffi Yao",
            "x",
            "blogger",
            "CI",
            "fr",
            27_900,
            "Blogueur, passionné de fintech et de mobile money. Abidjan 🇨🇮",
            "Abidjan",
        ),
        Influencer(
            "hannahclarke",
            "Hannah Clarke",
            "x",
            "journalist",
            "GB",
            "en",
            240_000,
            "Technology correspondent at The Daily Circuit. Telecoms, privacy, consumer rights.",
            "London, UK",
        ),
        Influencer(
            "tomfletcher.bsky.social",
            "Tom Fletcher",
            "bluesky",
            "blogger",
            "GB",
            "en",
            52_400,
            "I review broadband, phones and smart home kit so you don't have to.",
            "Manchester",
        ),
        Influencer(
            "rachelokafor_mp",
            "Rachel Okafor MP",
            "x",
            "elected",
            "GB",
            "en",
            41_300,
            "Member of Parliament. Digital inclusion, rural connectivity.",
            "Leeds",
        ),
        Influencer(
            "mikereynolds",
            "Mike Reynolds",
            "x",
            "journalist",
            "US",
            "en",
            310_000,
            "Tech reporter covering telecom, networks and the business of the internet.",
            "New York, NY",
        ),
        Influencer(
            "luciafdez",
            "Lucía Fernández",
            "x",
            "journalist",
            "ES",
            "es",
            120_500,
            "Periodista de tecnología en Diario Digital. Telecos, privacidad y consumo.",
            "Madrid",
        ),
        Influencer(
            "javiruiz.bsky.social",
            "Javier Ruiz",
            "bluesky",
            "blogger",
            "ES",
            "es",
            48_200,
            "Bloguero tecnológico. Analizo tarifas, routers y móviles.",
            "Valencia, España",
        ),
        Influencer(
            "carmenortega_dip",
            "Carmen Ortega",
            "x",
            "elected",
            "ES",
            "es",
            26_800,
            "Diputada. Transformación digital y derechos de los consumidores.",
            "Sevilla",
        ),
        Influencer(
            "jonasbecker",
            "Jonas Becker",
            "mastodon",
            "journalist",
            "DE",
            "de",
            88_300,
            "Technikjournalist bei Netzwelt Heute. Telekommunikation und Datenschutz.",
            "Berlin",
        ),
        Influencer(
            "lenahoffmann",
            "Lena Hoffmann",
            "x",
            "blogger",
            "DE",
            "de",
            33_100,
            "Bloggerin. Smart Home, Gadgets und ehrliche Tarifvergleiche.",
            "Hamburg, Deutschland",
        ),
        Influencer(
            "markusweber_mdb",
            "Markus Weber MdB",
            "x",
            "elected",
            "DE",
            "de",
            29_000,
            "Mitglied des Bundestages. Digitalpolitik und Breitbandausbau.",
            "München",
        ),
        Influencer(
            "quotidien_num",
            "Le Quotidien Numérique",
            "x",
            "media",
            "FR",
            "fr",
            410_000,
            "L'actualité du numérique, des télécoms et de la tech, chaque jour.",
            "Paris",
        ),
    )
    return CompanyProfile(
        company=nova,
        competitors=(helix, orbis, sirocco),
        countries=countries,
        influencers=influencers,
        launch=LaunchSpec(product="NovaBox 8", hashtag="NovaBox8", brand="nova"),
        event=EventSpec(name="Nova Music Live", hashtag="NovaMusicLive", city="Paris", country="FR"),
        outage=OutageSpec(
            country="FR",
            service="NovaBox",
            hashtags={"fr": "PanneNova", "en": "NovaDown", "es": "CaidaNova", "de": "NovaStoerung"},
        ),
        news_sites={
            "fr": ("quotidien-numerique.example", "tech-hebdo.example", "dakar-numerique.example"),
            "en": ("dailycircuit.example", "broadband-watch.example"),
            "es": ("diariodigital.example", "telecos-hoy.example"),
            "de": ("netzwelt-heute.example", "tarif-check.example"),
        },
    )
