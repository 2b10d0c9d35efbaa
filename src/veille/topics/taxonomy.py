"""Topic taxonomies as data: ``[[topics]]`` tables of veille.toml, and the demo's shipped taxonomy.

The demo taxonomy is written for the simulator's fictional operator, *Nova Telecom*, and its three
competitors (``veille.sources.simulator.profile``): the customer essentials (home, work,
entertainment, well-being, family, payment; under them connected objects, mobile payment, data
protection), the brand and its products, the competitors, sensitive matters (outages, data
breaches, billing, churn) and two events. Queries hold French and English words first, then the
Spanish and German ones the simulator also writes.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from veille.settings import Settings
from veille.store.sql import SqlStore, open_store
from veille.topics import repository
from veille.topics.live import LiveTopics
from veille.topics.models import TopicSpec
from veille.topics.service import LoadResult, load_topics, validation_message

__all__ = [
    "DEMO_TAXONOMY",
    "apply_configured_topics",
    "demo_taxonomy",
    "ensure_demo_taxonomy",
    "install_demo_taxonomy",
    "load_live_topics",
    "read_topics_file",
    "topics_from_document",
]


def topics_from_document(document: Mapping[str, Any], *, origin: str = "veille.toml") -> list[TopicSpec]:
    """The ``[[topics]]`` array of tables of a parsed TOML document (empty when there is none)."""
    tables = document.get("topics", [])
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        raise ValueError(f"{origin}: topics must be an array of tables ([[topics]])")
    specs: list[TopicSpec] = []
    for index, table in enumerate(tables):
        name = table.get("name", "?")
        try:
            specs.append(TopicSpec.model_validate(table))
        except ValidationError as error:
            raise ValueError(validation_message(error, f"{origin}: topics[{index}] ({name}): ")) from None
    return specs


def read_topics_file(path: Path) -> list[TopicSpec]:
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: not valid TOML: {error}") from None
    specs = topics_from_document(document, origin=str(path))
    if not specs:
        raise ValueError(f"{path}: no [[topics]] tables")
    return specs


def apply_configured_topics(
    store: SqlStore, settings: Settings, live: LiveTopics | None = None
) -> LoadResult:
    """Create or update the ``[[topics]]`` of the settings' veille.toml (others are left alone)."""
    origin = str(settings.config_file or "veille.toml")
    specs = topics_from_document({"topics": settings.topics}, origin=origin)
    if not specs:
        return LoadResult()
    try:
        return load_topics(store=store, specs=specs, live=live)
    except ValueError as error:
        raise ValueError(f"{origin}: {error}") from None


def load_live_topics(store: SqlStore, settings: Settings) -> LiveTopics:
    """The hub's live topics: the ``[[topics]]`` of veille.toml applied, then every stored topic."""
    apply_configured_topics(store, settings)
    return LiveTopics.of(repository.list_topics(store))


def ensure_demo_taxonomy(store: SqlStore, live: LiveTopics | None = None) -> LoadResult | None:
    """Load the demo taxonomy into a store that has no topics yet (a demo's first run)."""
    if repository.count_topics(store):
        return None
    return load_topics(store=store, specs=demo_taxonomy(), live=live)


def install_demo_taxonomy(settings: Settings) -> int:
    """``veille demo``: load the demo taxonomy when the store has no topics; how many were created."""
    store = open_store(settings.sqlalchemy_url)
    try:
        result = ensure_demo_taxonomy(store)
    finally:
        store.close()
    return len(result.created) if result is not None else 0


def demo_taxonomy() -> list[TopicSpec]:
    return [TopicSpec.model_validate(table) for table in DEMO_TAXONOMY]


def _any(*terms: str) -> str:
    return " OR ".join(terms)


_MARKETING, _COMMS, _CARE, _SECURITY = "Marketing", "Communication", "Customer care", "Security"

DEMO_TAXONOMY: list[dict[str, Any]] = [
    # -- customer essentials ------------------------------------------------------------------
    {
        "name": "essentials",
        "label": "Essentiels clients · Customer essentials",
        "kind": "theme",
        "colour": "#1f6feb",
        "owner_team": _MARKETING,
        "description": "Ce qui compte pour les clients au quotidien. What matters to customers every day.",
        "query": _any(
            "topic:home",
            "topic:work",
            "topic:entertainment",
            "topic:well_being",
            "topic:family",
            "topic:payment",
            "topic:data_protection",
        ),
    },
    {
        "name": "home",
        "label": "Maison · Home",
        "kind": "theme",
        "parent": "essentials",
        "colour": "#2da44e",
        "owner_team": _MARKETING,
        "description": "Internet à la maison : box, fibre, wifi. Internet at home: router, fibre, wifi.",
        "query": _any(
            "box",
            '"box internet"',
            "fibre",
            "wifi",
            '"wi fi"',
            "internet",
            "maison",
            "débit",
            "router",
            "broadband",
            "fiber",
            "home",
            "fibra",
            "casa",
            "Glasfaser",
            "WLAN",
            "Zuhause",
            "#fibre",
            "#wifi",
            "#maison",
            "#home",
            "#broadband",
            "topic:connected_objects",
        ),
    },
    {
        "name": "connected_objects",
        "label": "Objets connectés · Connected objects",
        "kind": "theme",
        "parent": "home",
        "colour": "#3fb950",
        "owner_team": _MARKETING,
        "description": "Maison connectée, caméras, alarmes, capteurs. Smart home, cameras, alarms, sensors.",
        "query": _any(
            '"objet* connecté*"',
            '"maison* connectée*"',
            "domotique",
            "caméra*",
            "alarme*",
            "capteur*",
            '"smart home"',
            '"connected device*"',
            "alarm*",
            "sensor*",
            "IoT",
            "domótica",
            "cámara*",
            '"casa inteligente"',
            "Kamera*",
            "vernetzt*",
            "#iot",
            "#smarthome",
            "#domotique",
            "#maisonconnectee",
        ),
    },
    {
        "name": "work",
        "label": "Travail · Work",
        "kind": "theme",
        "parent": "essentials",
        "colour": "#8250df",
        "owner_team": _MARKETING,
        "description": "Télétravail, visio, bureau. Remote work, video calls, office.",
        "query": _any(
            "télétravail*",
            "visio*",
            "bureau",
            "pro",
            "réunion*",
            '"remote work*"',
            '"working from home"',
            '"video call*"',
            "office",
            "business",
            "meeting*",
            "teletrabaj*",
            "videollamada*",
            "oficina",
            "Homeoffice",
            "Videocall*",
            "Büro",
            "#teletravail",
            "#remotework",
            "#wfh",
            "#teletrabajo",
            "#homeoffice",
        ),
    },
    {
        "name": "entertainment",
        "label": "Divertissement · Entertainment",
        "kind": "theme",
        "parent": "essentials",
        "colour": "#bf3989",
        "owner_team": _MARKETING,
        "description": "Séries, films, matchs, concerts, streaming, TV.",
        "query": _any(
            "série",
            "séries",
            "film",
            "films",
            "match",
            "concert*",
            "streaming",
            "TV",
            "replay",
            "chaîne*",
            "4K",
            "movie*",
            "película*",
            "partido",
            "concierto*",
            "Spiel",
            "Konzert*",
            "#streaming",
            "#series",
            "#concert",
            "#football",
        ),
    },
    {
        "name": "well_being",
        "label": "Bien-être · Well-being",
        "kind": "theme",
        "parent": "essentials",
        "colour": "#1a7f37",
        "owner_team": _MARKETING,
        "description": "Santé, sommeil, sport, montres connectées. Health, sleep, fitness, smartwatches.",
        "query": _any(
            "santé",
            "sommeil",
            "sport",
            '"montre* connectée*"',
            "téléassistance",
            "health",
            "sleep",
            "fitness",
            "smartwatch*",
            "salud",
            "sueño",
            "deporte",
            '"reloj* inteligente*"',
            "Gesundheit",
            "Schlaf",
            "#sante",
            "#bienetre",
            "#wellbeing",
            "#fitness",
        ),
    },
    {
        "name": "family",
        "label": "Famille · Family",
        "kind": "theme",
        "parent": "essentials",
        "colour": "#d29922",
        "owner_team": _MARKETING,
        "description": "Enfants, contrôle parental, famille. Kids, parental control, family.",
        "query": _any(
            "enfant*",
            '"contrôle parental"',
            "famille",
            "ado",
            "ados",
            "kids",
            '"parental control*"',
            "family",
            "teenager*",
            "niños",
            '"control parental"',
            "familia",
            "Kinder",
            "Kindersicherung",
            "Familie",
            "#famille",
            "#parents",
            "#family",
        ),
    },
    {
        "name": "payment",
        "label": "Paiement · Payment",
        "kind": "theme",
        "parent": "essentials",
        "colour": "#0969da",
        "owner_team": _MARKETING,
        "description": "Payer, envoyer de l'argent. Paying and sending money.",
        "query": _any(
            "paiement*",
            "virement*",
            '"transfert* d argent"',
            "portefeuille",
            "payer",
            "payment*",
            "transfer*",
            "wallet",
            "contactless",
            "pago*",
            "transferencia*",
            "monedero",
            "Zahlung*",
            "Überweisung*",
            "#fintech",
            "topic:mobile_payment",
        ),
    },
    {
        "name": "mobile_payment",
        "label": "Paiement mobile · Mobile payment",
        "kind": "theme",
        "parent": "payment",
        "colour": "#54aeff",
        "owner_team": _MARKETING,
        "description": "Paiement et transfert d'argent par téléphone. Mobile payment and mobile money.",
        "query": _any(
            '"paiement* mobile*"',
            '"mobile money"',
            '"payer avec le téléphone"',
            '"mobile payment*"',
            '"pay* by phone"',
            '"pago* móvil*"',
            '"mobiles Bezahlen"',
            "NovaPay",
            "OrbisWallet",
            '"sirocco money"',
            "#mobilemoney",
            "#paiementmobile",
            "#mobilepayment",
            "#pagomovil",
            "#mobilesbezahlen",
            "#novapay",
        ),
    },
    {
        "name": "data_protection",
        "label": "Protection des données · Data protection",
        "kind": "theme",
        "parent": "essentials",
        "colour": "#6e7781",
        "owner_team": _SECURITY,
        "description": "Données personnelles, RGPD, vie privée, sécurité des comptes. Personal data, GDPR, privacy.",
        "query": _any(
            '"données personnelles"',
            '"protection des données"',
            "RGPD",
            '"vie privée"',
            '"double authentification"',
            "cybersécurité",
            '"personal data"',
            '"data protection"',
            "GDPR",
            "privacy",
            '"two factor"',
            "2FA",
            '"datos personales"',
            "privacidad",
            "Datenschutz",
            "DSGVO",
            "Privatsphäre",
            '"Zwei Faktor*"',
            "#rgpd",
            "#gdpr",
            "#privacy",
            "#datenschutz",
            "#donneespersonnelles",
            "#cybersecurite",
            "topic:data_breach",
        ),
    },
    # -- the company's brand and products -----------------------------------------------------
    {
        "name": "nova",
        "label": "Nova Telecom",
        "kind": "brand",
        "colour": "#fb8500",
        "owner_team": _COMMS,
        "description": "La marque, ses produits, ses comptes et son site. The brand, its products, accounts and site.",
        "query": _any(
            '"nova telecom"',
            "novatelecom*",
            "novacare",
            "#nova*",
            "@novatelecom*",
            "@novacare",
            "author:novatelecom*",
            "author:novacare",
            "site:nova-telecom.example",
            "topic:novabox",
            "topic:nova_mobile",
            "topic:novapay",
            "topic:nova_tv",
            "topic:nova_home_secure",
            "topic:nova_cloud",
        ),
    },
    {
        "name": "novabox",
        "label": "NovaBox",
        "kind": "product",
        "parent": "nova",
        "colour": "#ffb703",
        "owner_team": _MARKETING,
        "query": _any("novabox*", '"nova box"', "#novabox*"),
    },
    {
        "name": "nova_mobile",
        "label": "Nova Mobile",
        "kind": "product",
        "parent": "nova",
        "colour": "#ffb703",
        "owner_team": _MARKETING,
        "query": _any('"nova mobile"', "novamobile", "#novamobile"),
    },
    {
        "name": "novapay",
        "label": "NovaPay",
        "kind": "product",
        "parent": "nova",
        "colour": "#ffb703",
        "owner_team": _MARKETING,
        "query": _any("novapay", '"nova pay"', "#novapay"),
    },
    {
        "name": "nova_tv",
        "label": "Nova TV+",
        "kind": "product",
        "parent": "nova",
        "colour": "#ffb703",
        "owner_team": _MARKETING,
        "query": _any('"nova tv"', "novatv", "#novatv"),
    },
    {
        "name": "nova_home_secure",
        "label": "Nova Home Secure",
        "kind": "product",
        "parent": "nova",
        "colour": "#ffb703",
        "owner_team": _MARKETING,
        "query": _any('"nova home"', "novahome", "#novahome"),
    },
    {
        "name": "nova_cloud",
        "label": "Nova Cloud",
        "kind": "product",
        "parent": "nova",
        "colour": "#ffb703",
        "owner_team": _MARKETING,
        "query": _any('"nova cloud"', "novacloud", "#novacloud"),
    },
    # -- competitors --------------------------------------------------------------------------
    {
        "name": "helix",
        "label": "Helix Telecom",
        "kind": "competitor",
        "colour": "#cf222e",
        "owner_team": _MARKETING,
        "description": "Concurrent : HelixBox, Helix 5G, Helix Watch.",
        "query": _any(
            '"helix telecom"',
            "{Helix}",
            "helixtelecom*",
            "helixbox",
            "helix5g",
            "#helix*",
            "@helixtelecom*",
            "author:helixtelecom*",
            "site:helix-telecom.example",
        ),
    },
    {
        "name": "orbis",
        "label": "Orbis Mobile",
        "kind": "competitor",
        "colour": "#a40e26",
        "owner_team": _MARKETING,
        "description": "Concurrent : Orbis Fibre, Orbis Smart, OrbisWallet.",
        "query": _any(
            '"orbis mobile"',
            "{Orbis}",
            "orbismobile*",
            "orbisfibre",
            "orbiswallet",
            "#orbis*",
            "@orbismobile*",
            "author:orbismobile*",
            "site:orbis-mobile.example",
        ),
    },
    {
        "name": "sirocco",
        "label": "Sirocco Télécom",
        "kind": "competitor",
        "colour": "#e16f24",
        "owner_team": _MARKETING,
        "description": "Concurrent : Sirocco Box, Sirocco Mobile, Sirocco Money.",
        "query": _any(
            '"sirocco telecom"',
            "{Sirocco}",
            "siroccotelecom*",
            "siroccobox",
            "siroccomoney",
            "#sirocco*",
            "@siroccotelecom*",
            "author:siroccotelecom*",
            "site:sirocco-telecom.example",
        ),
    },
    # -- sensitive matters --------------------------------------------------------------------
    {
        "name": "outage",
        "label": "Pannes · Outages",
        "kind": "sensitive",
        "colour": "#d1242f",
        "owner_team": _CARE,
        "description": "Pannes et coupures de réseau ou d'internet. Network and internet outages.",
        "query": _any(
            "panne*",
            "coupure*",
            '"plus de réseau"',
            '"plus d internet"',
            '"pas d internet"',
            '"aucun réseau"',
            "outage*",
            '"no signal"',
            '"no internet"',
            '"no network"',
            "(down NEAR/3 (internet OR network OR broadband OR service OR again))",
            "caída*",
            '"sin conexión"',
            '"sin internet"',
            "Störung*",
            "Ausfall",
            '"kein Netz"',
            '"kein Internet"',
            "Funkloch",
            "#panne*",
            "#outage",
            "#down",
            "#caida*",
            "#stoerung",
            "#novadown",
            "#novastoerung",
        ),
    },
    {
        "name": "data_breach",
        "label": "Fuites et piratages · Breaches and hacks",
        "kind": "sensitive",
        "parent": "data_protection",
        "colour": "#82071e",
        "owner_team": _SECURITY,
        "description": "Fuites de données, comptes piratés, hameçonnage. Data leaks, hacked accounts, phishing.",
        "query": _any(
            '"fuite* de données"',
            "(fuite* AND (données OR client* OR compte*))",
            "piratage",
            "piraté*",
            "phishing",
            "hameçonnage",
            "arnaque*",
            '"data breach*"',
            "breach*",
            "leak*",
            "hacked",
            "scam*",
            "filtración*",
            "Datenleck*",
            "#databreach",
        ),
    },
    {
        "name": "billing",
        "label": "Facturation · Billing",
        "kind": "sensitive",
        "colour": "#bc4c00",
        "owner_team": _CARE,
        "description": "Factures, frais, prélèvements contestés. Bills, fees and disputed charges.",
        "query": _any(
            "facture*",
            '"hors forfait"',
            "(débité* NEAR/3 fois)",
            '"frais prélevés"',
            "(hausse* NEAR/3 tarif*)",
            "bill",
            "billed",
            "overcharg*",
            '"charged twice"',
            '"roaming fees"',
            '"price rise*"',
            "factura*",
            "Rechnung*",
        ),
    },
    {
        "name": "churn",
        "label": "Résiliations · Churn",
        "kind": "sensitive",
        "colour": "#953800",
        "owner_team": _CARE,
        "description": "Clients qui parlent de partir. Customers talking about leaving.",
        "query": _any(
            "résilier",
            "résiliation",
            '"changer d opérateur"',
            '"changé d opérateur"',
            '"cancel* my contract"',
            '"switch* provider*"',
            '"switched provider"',
            '"leaving for"',
            '"cambiar de operador"',
            "kündigen",
            '"Anbieter gewechselt"',
            "Internetanbieter",
            "Kündigung",
        ),
    },
    # -- events -------------------------------------------------------------------------------
    {
        "name": "nova_music_live",
        "label": "Nova Music Live",
        "kind": "event",
        "colour": "#6639ba",
        "owner_team": _COMMS,
        "description": "Le festival sponsorisé par Nova à Paris. The Paris music festival Nova sponsors.",
        "query": _any('"nova music live"', "#novamusiclive"),
    },
    {
        "name": "novabox8_launch",
        "label": "Lancement NovaBox 8 · NovaBox 8 launch",
        "kind": "event",
        "parent": "novabox",
        "colour": "#8250df",
        "owner_team": _COMMS,
        "description": "Le lancement de la NovaBox 8. The launch of the NovaBox 8.",
        "query": _any('"novabox 8"', "novabox8", "#novabox8"),
    },
]
