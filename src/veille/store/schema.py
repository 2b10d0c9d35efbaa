"""The tables, in SQLAlchemy Core, shared by the SQLite and PostgreSQL stores.

Timestamps are integer microseconds since the epoch (UTC): they sort, compare and bucket the same
way on both engines and make stable cursors. Alembic migrations (``migrations/``) create these
tables; this module is what queries are written against.

Every table of the store is on :data:`metadata`: those here, and the rollup counters that
:mod:`veille.store.rollups` declares beside the code that keeps them exact (the migration
environment imports both, so autogenerate always compares the whole schema).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

__all__ = [
    "account_request_comments",
    "account_requests",
    "alert_deliveries",
    "alert_events",
    "alert_rules",
    "alerts",
    "api_token_teams",
    "api_tokens",
    "audit_log",
    "brand_accounts",
    "checkpoints",
    "curated_influencers",
    "dashboards",
    "dead_letters",
    "editorial_brief_links",
    "editorial_briefs",
    "metadata",
    "post_addressees",
    "post_topics",
    "posts",
    "report_deliveries",
    "report_runs",
    "reports",
    "sentiment_corrections",
    "sessions",
    "source_configs",
    "team_members",
    "teams",
    "topics",
    "users",
    "wall_links",
    "wall_moderation",
    "wall_versions",
    "walls",
]

metadata = MetaData()

JsonDocument = JSON().with_variant(JSONB(), "postgresql")

posts = Table(
    "posts",
    metadata,
    Column("id", String, primary_key=True),
    # Monotonic write sequence: the live stream's event id (resume with Last-Event-ID).
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("source", String(64), nullable=False),
    Column("created_us", BigInteger, nullable=False),
    Column("ingested_us", BigInteger, nullable=False),
    Column("text", Text, nullable=False),
    # What full-text search indexes on both engines (veille.store.fulltext.searchable_text): the
    # folded words outside URLs, then the link words, marked.
    Column("search_text", Text, nullable=False),
    Column("lang", String(8)),
    Column("country", String(2)),
    Column("author_id", String),
    Column("author_handle", String, nullable=False),
    Column("author_name", String),
    Column("author_followers", BigInteger),
    Column("author_verified", Boolean, nullable=False, default=False),
    Column("url", Text),
    Column("reply_to", String),
    Column("repost_of", String),
    Column("quote_of", String),
    Column("sentiment_label", String(8)),
    Column("sentiment_score", Float),
    Column("duplicate_of", String),
    Column("is_brand_account", Boolean, nullable=False, default=False),
    Column("likes", BigInteger),
    Column("reposts", BigInteger),
    Column("replies", BigInteger),
    Column("views", BigInteger),
    # The whole canonical record (enrichment and unknown fields included).
    Column("doc", JsonDocument, nullable=False),
    Index("ix_posts_created", "created_us", "id"),
    Index("ix_posts_source_created", "source", "created_us"),
    Index("ix_posts_lang_created", "lang", "created_us"),
    Index("ix_posts_author_created", "author_handle", "created_us"),
    Index("ix_posts_reply_to", "reply_to"),
    # Covers the replies to given posts (care: first responses; the addressee index: late parents)
    # without reading the wide post rows (migration 0010_accounts).
    Index("ix_posts_reply_cover", "reply_to", "source", "author_handle", "created_us", "seq"),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("source", String, primary_key=True),
    Column("checkpoint", Text),
    Column("updated_us", BigInteger, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(128), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("created_us", BigInteger, nullable=False),
    # Preferences (migration 0054_dashboards): the UI language ("en", "fr") and IANA time zone;
    # null means "the browser's" (Accept-Language, the browser's zone).
    Column("language", String(16)),
    Column("time_zone", String(64)),
    # Rights (migration 0063_teams_roles): "admin", "analyst" or "viewer"; is_admin follows it.
    Column("role", String(16), nullable=False, server_default="analyst"),
    # Single sign-on (migration 0068_push_sources_sso): "<issuer> <subject>" of the OpenID Connect
    # identity; such a user has no usable password.
    Column("sso_subject", String(512)),
    Index("ix_users_sso_subject", "sso_subject", unique=True),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False),
    # SHA-256 of the token: tokens are long random strings, so a fast hash is safe and lets a lookup by hash.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer),
    Column("created_us", BigInteger, nullable=False),
    Column("last_used_us", BigInteger),
    # Never more than its creator's (migration 0063_teams_roles); a token without a user is the
    # operator's (VEILLE_ADMIN_TOKEN) and stays "admin".
    Column("role", String(16), nullable=False, server_default="admin"),
    # The sources it may write through the push API (migration 0068_push_sources_sso): null is
    # ``push`` only; ``["*"]`` every source (the operator's VEILLE_ADMIN_TOKEN).
    Column("push_sources", JsonDocument),
)

# Teams and their scopes (migration 0063_teams_roles): null lists mean "no restriction".
teams = Table(
    "teams",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("scope_topics", JsonDocument),
    Column("scope_countries", JsonDocument),
    Column("scope_sources", JsonDocument),
    Column("created_us", BigInteger, nullable=False),
)

team_members = Table(
    "team_members",
    metadata,
    Column("team_id", Integer, primary_key=True),
    Column("user_id", Integer, primary_key=True),
    Index("ix_team_members_user", "user_id"),
)

api_token_teams = Table(
    "api_token_teams",
    metadata,
    Column("token_id", Integer, primary_key=True),
    Column("team_id", Integer, primary_key=True),
)

# Every change to configuration, sharing, users, roles and tokens: who, when, what, before, after.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at_us", BigInteger, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(64), nullable=False),
    Column("object_kind", String(64), nullable=False),
    Column("object_id", String(200), nullable=False),
    Column("before", JsonDocument),
    Column("after", JsonDocument),
    Index("ix_audit_log_at", "at_us"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("expires_us", BigInteger, nullable=False),
    Column("last_seen_us", BigInteger),  # migration 0064: idle sessions end
)

# Topics (saved queries) and which stored posts each one matches (migration 0002).
topics = Table(
    "topics",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("label", String(200)),
    Column("query", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("parent", String(64)),
    Column("owner_team", String(128)),
    # Sharing (migration 0067, veille.sharing): who sees it and who created it.
    Column("visibility", String(16), nullable=False, server_default="organisation"),
    Column("created_by", String(128)),
    Column("colour", String(7)),
    Column("description", Text),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    Index("ix_topics_parent", "parent"),
)

post_topics = Table(
    "post_topics",
    metadata,
    Column("post_id", String, primary_key=True),
    Column("topic", String(64), primary_key=True),
    # The post's own time (not the match's), so a topic's posts over time read one index range.
    Column("created_us", BigInteger, nullable=False),
    # Highlight spans [[start, end], …] in the post text.
    Column("spans", JsonDocument, nullable=False),
    Index("ix_post_topics_topic_created", "topic", "created_us"),
)

# Whom each stored original post (not a repost) addresses: the handles it mentions
# (veille.text.extract_mentions) and the author of the post it replies to, folded, on the post's
# platform. The posts addressed to an account are then an index range instead of a text scan
# (migration 0010_accounts); veille.store.addressees writes it with the posts.
post_addressees = Table(
    "post_addressees",
    metadata,
    Column("post_id", String, primary_key=True),
    Column("handle", String(200), primary_key=True),
    Column("source", String(64), nullable=False),
    Column("created_us", BigInteger, nullable=False),
    Column("author_handle", String, nullable=False),
    Column("country", String(2)),
    Index("ix_post_addressees_handle_created", "handle", "created_us"),
)

# Official brand accounts, ours and competitors' (migration 0010_accounts). ``handle_key`` is the
# folded handle, what ``posts.author_handle`` holds, so a post's author is matched by equality.
brand_accounts = Table(
    "brand_accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("handle", String(200), nullable=False),
    Column("handle_key", String(200), nullable=False),
    Column("brand", String(128), nullable=False),
    Column("country", String(2)),
    Column("ours", Boolean, nullable=False, default=False),
    # Business hours: IANA time zone, days ("mon,tue,…"), local start and end ("09:00", "18:00").
    Column("hours_tz", String(64)),
    Column("hours_days", String(32)),
    Column("hours_start", String(5)),
    Column("hours_end", String(5)),
    # Sharing (migration 0067, veille.sharing): the owner team, who sees it, who created it.
    Column("owner_team", String(128)),
    Column("visibility", String(16), nullable=False, server_default="organisation"),
    Column("created_by", String(128)),
    Column("created_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    UniqueConstraint("platform", "handle_key", name="uq_brand_accounts_platform_handle"),
)

# Analysts' sentiment corrections, one per post (migration 0030_corrections): what a workspace's
# sentiment model is retrained on (veille.corrections).
sentiment_corrections = Table(
    "sentiment_corrections",
    metadata,
    Column("post_id", String, primary_key=True),
    Column("text", Text, nullable=False),
    Column("lang", String(8), nullable=False),
    Column("label", String(8), nullable=False),
    Column("user", String(200), nullable=False),
    Column("created_us", BigInteger, nullable=False),
    Index("ix_sentiment_corrections_lang_created", "lang", "created_us"),
)

# Sources added through the API (migration 0003_sources, veille.sources.saved). Sources declared in
# ``veille.toml`` are not stored: the file is their source of truth.
source_configs = Table(
    "source_configs",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("type", String(32), nullable=False),
    Column("config", JsonDocument, nullable=False),
    Column("enabled", Boolean, nullable=False),
    # Sharing (migration 0067, veille.sharing): the owner team, who sees it, who created it.
    Column("owner_team", String(128)),
    Column("visibility", String(16), nullable=False, server_default="organisation"),
    Column("created_by", String(128)),
    Column("created_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
)

# The curated list of influencers analysts maintain (migration 0040_influencers). ``handle_key`` is
# the folded handle without ``@``, what ``posts.author_handle`` holds.
curated_influencers = Table(
    "curated_influencers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("handle", String(200), nullable=False),
    Column("handle_key", String(200), nullable=False),
    Column("category", String(16), nullable=False),
    Column("country", String(2)),
    Column("name", String(200)),
    Column("created_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    UniqueConstraint("platform", "handle_key", name="uq_curated_influencers_platform_handle"),
)

# Platform items a source read but could not turn into a post (migration 0053_dead_letters): kept
# with their raw payload and the reason, written in the same transaction as the batch whose
# checkpoint passes them, and mapped again by ``veille sources replay-failed`` after a fix.
# ``payload_key`` (SHA-256 of the canonical JSON) makes an item refused twice one row, attempts 2.
dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(128), nullable=False),
    Column("payload_key", String(64), nullable=False),
    Column("payload", JsonDocument),
    Column("reason", Text, nullable=False),
    Column("first_failed_us", BigInteger, nullable=False),
    Column("last_attempt_us", BigInteger, nullable=False),
    Column("attempts", Integer, nullable=False),
    UniqueConstraint("source", "payload_key", name="uq_dead_letters_source_payload"),
)

# Analysts' dashboards (migration 0054_dashboards): the shared filters and the widgets with their
# grid places and options, as JSON documents the API validates (veille.dashboards.models). ``owner``
# is the creating user and ``visibility`` (private, team, organisation) is ready for sharing.
dashboards = Table(
    "dashboards",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("filters", JsonDocument, nullable=False),
    Column("widgets", JsonDocument, nullable=False),
    Column("owner", String(128), nullable=False),
    Column("visibility", String(16), nullable=False, default="organisation"),
    # Sharing (migration 0067): the owner team; ``created_by`` is ``owner``, kept for one rule.
    Column("owner_team", String(128)),
    Column("created_by", String(128)),
    Column("created_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    Index("ix_dashboards_name", "name"),
)


# Walls (issue 12): a canvas of screens with its filters, moderation and scenes as JSON documents;
# ``version`` grows at every save (the previous document is kept in ``wall_versions``). The scene
# playlist's clock is the server's: ``anchor_scene`` started at ``anchor_us``; ``hold`` stops it.
walls = Table(
    "walls",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("screens", JsonDocument, nullable=False),
    Column("filters", JsonDocument, nullable=False),
    Column("moderation", JsonDocument, nullable=False),
    Column("scenes", JsonDocument, nullable=False),
    Column("owner", String(128), nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("anchor_scene", Integer, nullable=False, default=0),
    Column("anchor_us", BigInteger, nullable=False),
    Column("hold", Boolean, nullable=False, default=False),
    # Sharing (migration 0067, veille.sharing): the owner team, who sees it, who created it.
    Column("owner_team", String(128)),
    Column("visibility", String(16), nullable=False, server_default="organisation"),
    Column("created_by", String(128)),
    Column("created_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    Index("ix_walls_name", "name"),
)

wall_versions = Table(
    "wall_versions",
    metadata,
    Column("wall_id", Integer, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("doc", JsonDocument, nullable=False),
    Column("saved_by", String(128), nullable=False),
    Column("saved_us", BigInteger, nullable=False),
)

# A moderator's decision on one post for one wall: approved, hidden or pinned (the last one wins).
wall_moderation = Table(
    "wall_moderation",
    metadata,
    Column("wall_id", Integer, primary_key=True),
    Column("post_id", String, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("decided_by", String(128), nullable=False),
    Column("decided_us", BigInteger, nullable=False),
    Index("ix_wall_moderation_decided", "wall_id", "decided_us"),
)

# Kiosk links: a token that shows one wall without a login. Only its SHA-256 is kept.
wall_links = Table(
    "wall_links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("wall_id", Integer, nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("hint", String(16), nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("created_us", BigInteger, nullable=False),
    Index("ix_wall_links_wall", "wall_id"),
)

# Alerts (migration 0059_alerts): rules as JSON specs (veille.alerts.models.RuleSpec), one row per
# incident with its latest figures and life, each incident's timeline and its deliveries (the
# Apprise URL is kept to retry; ``target`` is the URL masked, what is shown).
alert_rules = Table(
    "alert_rules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("spec", JsonDocument, nullable=False),
    # Sharing (migration 0067, veille.sharing): the owner team, who sees it, who created it.
    Column("owner_team", String(128)),
    Column("visibility", String(16), nullable=False, server_default="organisation"),
    Column("created_by", String(128)),
    Column("created_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule_id", Integer),
    Column("rule_name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("topic", String(64)),
    Column("severity", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("opened_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    Column("posts", Integer, nullable=False),
    Column("summary", Text, nullable=False),
    Column("figures", JsonDocument, nullable=False),
    Column("assignee", String(128)),
    Column("playbook", JsonDocument, nullable=False),
    Column("checked", JsonDocument, nullable=False),
    Column("window_s", Integer, nullable=False),
    Column("query", Text),
    Index("ix_alerts_status_opened", "status", "opened_us"),
    Index("ix_alerts_rule", "rule_id"),
)

alert_events = Table(
    "alert_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("at_us", BigInteger, nullable=False),
    Column("who", String(128), nullable=False),
    Column("action", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("data", JsonDocument, nullable=False),
    Index("ix_alert_events_alert", "alert_id", "at_us"),
)

alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("url", Text, nullable=False),
    Column("target", String(240), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("last_error", Text),
    Column("next_attempt_us", BigInteger),
    Column("delivered_us", BigInteger),
    Column("created_us", BigInteger, nullable=False),
    Index("ix_alert_deliveries_alert", "alert_id"),
    Index("ix_alert_deliveries_status_next", "status", "next_attempt_us"),
)

# Scheduled reports (migration 0069_reports): each report's spec as a JSON document
# (veille.reports.models.ReportSpec), its owner and when it runs next; each run (the printed PDF is
# kept with the run, so that a delivery retried later sends the same file) and each run's
# deliveries to one Apprise URL (``target`` is the URL masked, what is shown).
reports = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("owner", String(128), nullable=False),
    Column("owner_user_id", Integer),
    Column("enabled", Boolean, nullable=False),
    Column("spec", JsonDocument, nullable=False),
    Column("next_run_us", BigInteger),
    Column("last_run_us", BigInteger),
    Column("created_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    Index("ix_reports_next_run", "enabled", "next_run_us"),
)

report_runs = Table(
    "report_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    Column("trigger", String(16), nullable=False),
    Column("scheduled_us", BigInteger),
    Column("started_us", BigInteger, nullable=False),
    Column("finished_us", BigInteger),
    Column("status", String(16), nullable=False),
    Column("error", Text),
    Column("pdf", LargeBinary),
    Column("pdf_bytes", Integer),
    Index("ix_report_runs_report", "report_id", "started_us"),
)

report_deliveries = Table(
    "report_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    Column("run_id", Integer, ForeignKey("report_runs.id", ondelete="CASCADE"), nullable=False),
    Column("url", Text, nullable=False),
    Column("target", String(240), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("last_error", Text),
    Column("next_attempt_us", BigInteger),
    Column("delivered_us", BigInteger),
    Column("created_us", BigInteger, nullable=False),
    Index("ix_report_deliveries_run", "run_id"),
    Index("ix_report_deliveries_status_next", "status", "next_attempt_us"),
)

# Official-account governance (migration 0067, veille.governance): requests to open an official
# account, their review thread, and the brand account an approval made (``account_id``).
account_requests = Table(
    "account_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("handle", String(200), nullable=False),
    Column("country", String(2)),
    Column("audience", Text, nullable=False),
    Column("not_addressed", Text, nullable=False),
    Column("editorial_line", Text, nullable=False),
    Column("people", Integer, nullable=False),
    Column("hours_per_week", Float, nullable=False),
    Column("goal", Text, nullable=False),
    Column("kpis", JsonDocument, nullable=False),
    Column("brand", String(128), nullable=False),
    Column("owner_team", String(128)),
    Column("status", String(24), nullable=False),
    Column("requested_by", String(128), nullable=False),
    Column("account_id", Integer),
    Column("created_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    Index("ix_account_requests_status", "status", "created_us"),
)

account_request_comments = Table(
    "account_request_comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", Integer, ForeignKey("account_requests.id", ondelete="CASCADE"), nullable=False),
    Column("at_us", BigInteger, nullable=False),
    Column("author", String(128), nullable=False),
    Column("action", String(24), nullable=False),
    Column("text", Text, nullable=False),
    Index("ix_account_request_comments_request", "request_id", "at_us"),
)
# Editorial briefs (veille.editorial): a sub-topic of the radar turned into a content brief. ``doc``
# holds what was read when the brief was made (questions, audiences, influencers, best formats and
# hours); ``terms`` the sub-topic's key terms, which later question counts match on.
editorial_briefs = Table(
    "editorial_briefs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("topic", String(64), nullable=False),
    Column("subtopic", String(200), nullable=False),
    Column("title", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("notes", Text, nullable=False),
    Column("terms", JsonDocument, nullable=False),
    Column("doc", JsonDocument, nullable=False),
    Column("tz", String(64), nullable=False),
    Column("range_start_us", BigInteger, nullable=False),
    Column("range_end_us", BigInteger, nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("created_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    Index("ix_editorial_briefs_topic", "topic"),
)

# A piece of our content linked to a brief (by post id, or by a URL resolved to the stored post).
editorial_brief_links = Table(
    "editorial_brief_links",
    metadata,
    Column("brief_id", Integer, ForeignKey("editorial_briefs.id", ondelete="CASCADE"), primary_key=True),
    Column("post_id", String, primary_key=True),
    Column("linked_by", String(128), nullable=False),
    Column("linked_us", BigInteger, nullable=False),
)
