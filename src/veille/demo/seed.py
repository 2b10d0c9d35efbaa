"""What ``veille demo`` puts in a store before the hub starts: an admin, the topic taxonomy, the accounts,
the dashboards.

:func:`seed_demo` does it all on one store that the caller opened once. Each part is created only
when it is missing (no topics yet, an empty accounts registry, an admin whose saved password no
longer works), so a second run changes nothing and a user's own topics or accounts are never mixed
with the demo's.

The data is the demo's: the taxonomy is ``veille/demo/data/taxonomy.toml`` (``[[topics]]`` tables,
read with the same code as a veille.toml), the accounts are the simulated brands' official accounts
of the company profile (``profile.toml``), the dashboards are ``dashboards.toml`` (the dashboards
API's bodies: an overview, a competitor benchmark, a country monitor, customer care).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from veille.access import UserAccess
from veille.accounts.models import AccountSpec, BusinessHours
from veille.accounts.service import import_accounts, list_accounts
from veille.dashboards import DashboardError, DashboardSpec, create_dashboard, list_dashboards
from veille.demo.datafiles import read_toml
from veille.demo.simulator.profile import CompanyProfile, default_profile
from veille.store.sql import SqlStore
from veille.topics import repository as topics_repository
from veille.topics.live import LiveTopics
from veille.topics.models import TopicSpec
from veille.topics.service import LoadResult, load_topics
from veille.topics.taxonomy import topics_from_document

__all__ = [
    "CREDENTIALS_FILE",
    "DEMO_USER",
    "DemoSeed",
    "demo_accounts",
    "demo_dashboards",
    "demo_taxonomy",
    "ensure_demo_accounts",
    "ensure_demo_admin",
    "ensure_demo_dashboards",
    "ensure_demo_taxonomy",
    "ensure_demo_walls",
    "seed_demo",
]

DEMO_USER = "admin"
# In the data folder, mode 600: every `veille demo` run prints the login it holds.
CREDENTIALS_FILE = "demo-credentials.txt"
TAXONOMY_FILE = "taxonomy.toml"
DASHBOARDS_FILE = "dashboards.toml"
WALLS_FILE = "walls.toml"


@dataclass(frozen=True, slots=True)
class DemoSeed:
    """What :func:`seed_demo` found or created."""

    username: str
    password: str
    topics: tuple[str, ...] = ()  # the topics created; none when the store already had topics
    accounts: int = 0  # brand accounts registered; 0 when the registry already had some
    dashboards: tuple[str, ...] = ()  # the dashboards created; none when the store already had some
    alert_rules: int = 0  # alert rules created; 0 when the store already had some


def seed_demo(
    store: SqlStore, *, data_dir: Path, live_topics: LiveTopics | None = None, accounts: bool = True
) -> DemoSeed:
    """The demo admin, then the taxonomy, (``accounts``) the brand accounts and the dashboards where missing."""
    username, password = ensure_demo_admin(store, data_dir=data_dir)
    loaded = ensure_demo_taxonomy(store, live_topics)
    registered = ensure_demo_accounts(store=store) if accounts else 0
    dashboards = ensure_demo_dashboards(store, owner=username)
    ensure_demo_walls(store, owner=username)
    rules = ensure_demo_alerts(store=store) if accounts else 0
    return DemoSeed(
        username=username,
        password=password,
        topics=tuple(loaded.created) if loaded is not None else (),
        accounts=registered,
        dashboards=tuple(dashboards),
        alert_rules=rules,
    )


def ensure_demo_alerts(*, store: SqlStore) -> int:
    """The demo's alert rules (``alerts.json``) and the profile's journalists, elected representatives
    and media as curated influencers, in a store that has none of them; the rules created."""
    import json

    from veille.alerts import RuleSpec
    from veille.alerts.service import create_rule, list_rules
    from veille.demo.datafiles import data_file
    from veille.demo.simulator import default_profile
    from veille.influencers import InfluencerSpec, import_influencers, list_influencers

    if not list_influencers(store=store):
        curated = [
            InfluencerSpec(
                platform=item.platform, handle=item.handle, category=item.category, country=item.country
            )
            for item in default_profile().influencers
            if item.category in ("journalist", "elected", "media")
        ]
        import_influencers(store=store, specs=curated)
    if list_rules(store=store):
        return 0
    from veille.topics.service import list_topics

    known = {topic.name for topic in list_topics(store=store)}
    specs = [
        RuleSpec.model_validate(table)
        for table in json.loads(data_file("alerts.json").read_text(encoding="utf-8"))
    ]
    # A store with its own topics keeps them: only the rules on the demo topics it has are added.
    created = [
        create_rule(store=store, spec=spec) for spec in specs if spec.topic is None or spec.topic in known
    ]
    return len(created)


def ensure_demo_admin(store: SqlStore, *, data_dir: Path) -> tuple[str, str]:
    """The demo's admin and its password, kept in ``data_dir`` so that every demo run can print it.

    Created on the first run; when the saved password no longer works (the store was replaced, the
    password changed), a new one is set and saved.
    """
    access = UserAccess(store)
    credentials = Path(data_dir) / CREDENTIALS_FILE
    if credentials.is_file():
        username, _, password = credentials.read_text().strip().partition(":")
        if access.check_password(username, password):
            return username, password
    password = secrets.token_urlsafe(12)
    if access.user_exists(DEMO_USER):
        access.set_password(DEMO_USER, password)
    else:
        access.add_user(DEMO_USER, password, admin=True)
    credentials.parent.mkdir(parents=True, exist_ok=True)
    credentials.write_text(f"{DEMO_USER}:{password}\n")
    os.chmod(credentials, 0o600)
    return DEMO_USER, password


def demo_taxonomy() -> list[TopicSpec]:
    """The demo's topics, from ``veille/demo/data/taxonomy.toml`` (read at each call: it is rare)."""
    return topics_from_document(read_toml(TAXONOMY_FILE), origin=f"veille/demo/data/{TAXONOMY_FILE}")


def ensure_demo_taxonomy(store: SqlStore, live: LiveTopics | None = None) -> LoadResult | None:
    """Load the demo taxonomy into a store that has no topics yet (a demo's first run), else None."""
    if topics_repository.count_topics(store):
        return None
    return load_topics(store=store, specs=demo_taxonomy(), live=live)


def demo_accounts(profile: CompanyProfile | None = None) -> list[AccountSpec]:
    """The profile's brand accounts (Nova Telecom and its competitors) with each country's care hours.

    Global accounts (no country) answer around the clock; the simulator's opening hours apply every
    day of the week, so the demo's business hours list all seven days.
    """
    chosen = profile or default_profile()
    zones = {country.code: country.tz for country in chosen.countries}
    specs: list[AccountSpec] = []
    for brand in chosen.brands:
        for account in brand.accounts:
            country = account.country or None
            hours = None
            care_hours = brand.care_in(country).hours if country else None
            if country and care_hours is not None and country in zones:
                opens, closes = care_hours
                hours = BusinessHours(
                    timezone=zones[country],
                    days=("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
                    start=f"{opens:02d}:00",
                    end=f"{closes:02d}:00" if closes < 24 else "24:00",
                )
            specs.append(
                AccountSpec(
                    platform=account.platform,
                    handle=account.handle,
                    brand=brand.name,
                    country=country,
                    ours=brand.ours,
                    business_hours=hours,
                )
            )
    return specs


def demo_dashboards() -> list[DashboardSpec]:
    """The demo's dashboards (overview, competitor benchmark, country monitor, customer care), from
    ``veille/demo/data/dashboards.toml``: each table is the dashboards API's body."""
    document = read_toml(DASHBOARDS_FILE)
    specs = []
    for index, table in enumerate(document.get("dashboards", [])):
        try:
            specs.append(DashboardSpec.model_validate(table))
        except ValueError as error:
            raise ValueError(f"veille/demo/data/{DASHBOARDS_FILE}: dashboards[{index}]: {error}") from None
    return specs


def ensure_demo_dashboards(store: SqlStore, *, owner: str) -> list[str]:
    """Create the demo's dashboards, owned by ``owner``, in a store that has none; the names of those
    created. A dashboard naming a topic the store lacks (a user's own taxonomy instead of the demo's)
    is left out rather than created half working."""
    if list_dashboards(store=store):
        return []
    created = []
    for spec in demo_dashboards():
        try:
            created.append(create_dashboard(store=store, spec=spec, owner=owner).name)
        except DashboardError:
            continue
    return created


def ensure_demo_walls(store: SqlStore, *, owner: str) -> list[str]:
    """Create the demo's walls (``walls.toml``: the supervision room's 3 × 2 video wall and a
    moderated public wall), owned by ``owner``, in a store that has none; the names of those created.
    A wall naming a topic the store lacks is left out, as for the dashboards."""
    from veille.errors import Invalid
    from veille.walls import service as walls
    from veille.walls.models import WallSpec

    if walls.list_walls(store=store):
        return []
    created = []
    for index, table in enumerate(read_toml(WALLS_FILE).get("walls", [])):
        try:
            spec = WallSpec.model_validate(table)
        except ValueError as error:
            raise ValueError(f"veille/demo/data/{WALLS_FILE}: walls[{index}]: {error}") from None
        try:
            created.append(walls.create_wall(store=store, spec=spec, owner=owner).name)
        except Invalid:
            continue
    return created


def ensure_demo_accounts(*, store: SqlStore) -> int:
    """Register the demo's accounts when the registry is empty; how many were registered."""
    if list_accounts(store=store):
        return 0
    return import_accounts(store=store, specs=demo_accounts()).created
