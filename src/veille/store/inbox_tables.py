"""The community-management inbox's tables (migration 0065_inbox), on the store's one metadata.

- ``inbox_items``: the desk's state of one inbound post (the care-metrics definition: a post
  addressing one of our accounts): status, assignee (a person or a team), the lock (a lease with
  its holder and expiry), tags, the disposition given at closing, the last platform error met
  while answering it. A post without a row is ``new`` (or ``replied`` once our account answered).
- ``inbox_events``: what happened to an item, oldest first (assigned, locked, replied, closed…).
- ``saved_replies``: saved replies and holding statements, per language, with ``{variables}``.
- ``inbox_accounts``: per brand account of ours, its SLA and the write credentials of its platform
  (sealed by :class:`veille.security.secrets.SecretBox`, never shown again) and API endpoint.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, Index, Integer, String, Table, Text

from veille.store.schema import JsonDocument, metadata

__all__ = ["inbox_accounts", "inbox_events", "inbox_items", "saved_replies"]

inbox_items = Table(
    "inbox_items",
    metadata,
    Column("post_id", String, primary_key=True),
    Column("account_id", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("assignee", String(128)),
    Column("team", String(128)),
    Column("lock_holder", String(128)),
    Column("lock_until_us", BigInteger),
    Column("tags", JsonDocument, nullable=False),
    Column("disposition", String(32)),
    Column("reply_post_id", String),
    Column("last_error", Text),
    Column("updated_by", String(128), nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    Index("ix_inbox_items_status", "status"),
)

inbox_events = Table(
    "inbox_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("post_id", String, nullable=False),
    Column("at_us", BigInteger, nullable=False),
    Column("who", String(128), nullable=False),
    Column("action", String(32), nullable=False),
    Column("detail", JsonDocument, nullable=False),
    Index("ix_inbox_events_post", "post_id", "at_us"),
)

saved_replies = Table(
    "saved_replies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("created_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    Index("ix_saved_replies_lang", "lang", "name"),
)

inbox_accounts = Table(
    "inbox_accounts",
    metadata,
    Column("account_id", Integer, primary_key=True),
    Column("sla_s", Float, nullable=False),
    Column("endpoint", String(500)),
    Column("credentials", JsonDocument),
    Column("updated_by", String(128), nullable=False),
    Column("updated_us", BigInteger, nullable=False),
)
