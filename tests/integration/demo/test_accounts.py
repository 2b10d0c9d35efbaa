"""The demo's accounts over simulated history: care figures that show something (SQLite only)."""

from __future__ import annotations

from datetime import UTC, datetime

from veille.accounts import list_accounts
from veille.analytics.care import care_report
from veille.analytics.scope import Scope
from veille.demo.seed import demo_accounts, ensure_demo_accounts
from veille.demo.simulator.history import generate_history
from veille.settings import Settings
from veille.store.sql import open_store


def test_demo_accounts_give_meaningful_figures(settings: Settings) -> None:
    store = open_store(settings.sqlalchemy_url)
    try:
        assert ensure_demo_accounts(store=store) == len(demo_accounts()) > 20
        assert ensure_demo_accounts(store=store) == 0  # only into an empty registry
        start, end = datetime(2026, 10, 5, tzinfo=UTC), datetime(2026, 10, 12, tzinfo=UTC)
        store.upsert_posts(list(generate_history(start, end, count=6000, seed=5)))
        report = care_report(store=store, scope=Scope(), start=start, end=end, group_by="country")
        rows = {(row.group["brand"], row.group["country"]): row.current for row in report.rows}
        brands = {account.brand for account in list_accounts(store=store)}
        for brand in brands:
            assert sum(f.inbound for (b, _c), f in rows.items() if b == brand) > 0, brand
            assert sum(f.responded for (b, _c), f in rows.items() if b == brand) > 0, brand
        nova_fr, helix_es = rows[("Nova Telecom", "FR")], rows[("Helix Telecom", "ES")]
        assert nova_fr.median_s is not None and helix_es.median_s is not None
        assert nova_fr.median_s < helix_es.median_s  # the simulator's care profiles
    finally:
        store.close()
