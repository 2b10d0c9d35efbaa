"""Hub settings: ``VEILLE_*`` environment variables, an optional ``veille.toml``, and defaults.

Nothing is read at import: call :func:`load_settings`. Precedence, highest first: explicit
arguments (command-line options), environment, the ``[hub]`` table of the TOML file, defaults.

Every key is declared here. ``veille.toml`` is checked strictly, since a typo there would otherwise
be dropped without a word (``prot = 9000`` leaving the port at 8000): an unknown key of ``[hub]``
or an unknown top-level table is an error naming the key and the file. The environment is read
leniently: other programs' ``VEILLE_…`` variables are not ours to refuse.

The sections other modules own are carried typed but raw (``sources``, ``topics``, ``simulator``):
their owners validate them when the hub is built (``SourceManager.load_tables``,
``topics_from_document``), with messages naming the table and the field.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from veille.errors import Invalid

__all__ = [
    "DEFAULT_DATA_DIR",
    "LOGO_MAX_BYTES",
    "LOGO_TYPES",
    "TOML_TABLES",
    "HubTable",
    "Settings",
    "SettingsError",
    "load_settings",
]

DEFAULT_DATA_DIR = Path("veille-data")

# The organisation's logo (brand_logo): the kinds of image a page may show, and the largest file.
LOGO_TYPES = {
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
LOGO_MAX_BYTES = 1024 * 1024

# The top-level tables a veille.toml may hold, and who reads each.
TOML_TABLES: dict[str, str] = {
    "hub": "these settings",
    "sources": "platform sources ([[sources]], docs/connectors.md)",
    "topics": "topics ([[topics]], docs/topics.md)",
    "simulator": "the simulator's company profile ([simulator.profile], docs/simulator.md)",
}


class SettingsError(Invalid):
    """A setting is refused; the message names the key and where it came from (file or variable)."""


class HubTable(BaseModel):
    """The ``[hub]`` table of ``veille.toml``: every key the hub reads, typed; any other is an error."""

    model_config = ConfigDict(extra="forbid")

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = Field(
        default=None, description="postgresql://… for PostgreSQL; default: SQLite in the data folder"
    )
    admin_token: SecretStr | None = Field(default=None, description="seeds an API token for scripted use")
    bus: Literal["memory", "nats"] = "memory"
    nats_url: str = "nats://127.0.0.1:4222"
    # With bus = "nats": the JetStream stream and subject prefix (one pair per deployment), the
    # durable consumer every worker pulls posts from, and how long a worker may hold a batch
    # before JetStream gives it to another (issue 15).
    nats_stream: str = "VEILLE"
    nats_subject_prefix: str = "veille"
    work_consumer: str = "workers"
    work_ack_wait_s: float = Field(default=30.0, gt=0)
    # "off": serve the API and screens only; posts pushed go to the work stream (bus = "nats").
    pipeline: Literal["on", "off"] = "on"
    # How often a running hub rereads the topics table for changes made by another process or the CLI.
    topics_poll_s: float = Field(default=5.0, gt=0)
    # With bus = "nats": each [[sources]] source runs in the one process holding its lease, an entry
    # of this JetStream key-value bucket ("": <nats_stream>_source_leases) that expires
    # source_lease_ttl_s after its last renewal; the holder renews it every source_lease_renew_s
    # (at most half the TTL). A killed holder's sources move to another process after the TTL.
    source_lease_bucket: str = ""
    source_lease_ttl_s: float = Field(default=15.0, ge=1.0)
    source_lease_renew_s: float = Field(default=5.0, gt=0)
    # How often a running hub rereads alert rules and saved sources for changes made elsewhere
    # (the CLI without a bus, another process): the fallback of the config.changed notices.
    config_poll_s: float = Field(default=5.0, gt=0)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535, description="0: any free port")
    # Push API limits: a body over max_body_bytes is refused with 413, as is a batch over max_batch_items.
    max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1)
    max_batch_items: int = Field(default=10_000, ge=1)
    # Outbound requests (connectors, feeds): non-public addresses are refused; these networks are
    # reachable all the same (development, the test suite's fakes on 127.0.0.1). docs/deployment.md.
    outbound_allow: list[str] = Field(default_factory=list)
    # `veille demo`: serve the fake write platform our demo accounts answer through (/demo/platform).
    demo_platform: bool = False
    # A response body from a platform or a feed is abandoned past this size (streamed, never read whole).
    max_response_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    # Pipeline: batches waiting between sources and the writer (backpressure beyond this).
    queue_batches: int = Field(default=16, ge=1)
    # Pipeline: 1 runs the stages (enrichment, topics) in a child process, on the machine's other
    # core, while this process validates, writes and serves; 0 runs them in a thread of this process.
    prepare_processes: int = Field(default=1, ge=0, le=1)
    # Store maintenance (docs/deployment.md "PostgreSQL at scale"): minute rollup rows older than
    # this many days are deleted every maintenance_every_s (the hour and day rows keep the
    # history; the minutes at old ranges' edges are read from the posts). 0: kept forever. Give
    # every process of a deployment the same value (the readers skip what the pruning removes).
    minute_rollup_days: int = Field(default=0, ge=0)
    maintenance_every_s: float = Field(default=3600.0, gt=0)
    session_days: int = Field(default=14, ge=1)
    # Access security (issue 14, item 5; docs/teams.md "Access security"). Sign-ins: this many wrong
    # passwords for one user name within the window lock the name for login_lockout_s, doubled at
    # each further lock-out up to login_lockout_max_s; each client address gets a bucket of
    # login_address_burst attempts refilled at login_address_per_minute. Counted per process.
    login_failures: int = Field(default=5, ge=1)
    login_failure_window_s: float = Field(default=900.0, gt=0)
    login_lockout_s: float = Field(default=60.0, gt=0)
    login_lockout_max_s: float = Field(default=3600.0, gt=0)
    login_address_per_minute: float = Field(default=30.0, gt=0)
    login_address_burst: int = Field(default=10, ge=1)
    # A browser session unused this long ends (0: only session_days ends it).
    session_idle_minutes: int = Field(default=120, ge=0)
    # The hub is reached through HTTPS (a TLS proxy in front): session cookies are Secure and every
    # response carries Strict-Transport-Security.
    behind_tls: bool = False
    # Single sign-on with OpenID Connect (docs/security.md), next to local accounts: on when an
    # issuer and a client id are set. The client secret comes from VEILLE_OIDC_CLIENT_SECRET.
    oidc_issuer: str | None = Field(default=None, description="the identity provider's issuer URL")
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = Field(default=None, description="set VEILLE_OIDC_CLIENT_SECRET")
    oidc_scopes: list[str] = Field(default_factory=lambda: ["openid", "profile", "email"])
    # The ID token claim holding the user's groups, and the one naming the user.
    oidc_groups_claim: str = "groups"
    oidc_username_claim: str = "preferred_username"
    # Group → teams the user joins; group → role (the highest of the user's groups wins). A user
    # none of whose groups is mapped is refused, unless oidc_default_role gives them one.
    oidc_group_teams: dict[str, list[str]] = Field(default_factory=dict)
    oidc_group_roles: dict[str, Literal["admin", "analyst", "viewer"]] = Field(default_factory=dict)
    oidc_default_role: Literal["admin", "analyst", "viewer"] | None = None
    # The login button's words after "Log in with" (default: "single sign-on").
    oidc_label: str | None = None
    # Live stream (GET /api/v1/stream): clients per principal (429 beyond) and in all (503 beyond),
    # and how long one write to a client may wait before the hub drops that client.
    stream_clients_per_principal: int = Field(default=100, ge=1)
    stream_clients_max: int = Field(default=1000, ge=1)
    stream_send_timeout_s: float = Field(default=30.0, gt=0)
    # A running source that keeps no post this long raises a ``silent`` alert (a table of
    # [[sources]] may set its own ``silent_after_s``).
    source_silent_after_s: float = Field(default=900.0, gt=0)
    languages: list[str] = Field(
        default_factory=lambda: [
            *("en", "fr", "de", "es", "it", "pt", "ar", "hi"),  # the UMSAB languages, with shipped models
            *("nl", "pl", "ro", "tr", "sw", "ru", "el", "ja", "zh"),
        ]
    )
    # Labelled base data of the sentiment models (the folder holding umsab/<language>/): retraining
    # with analysts' corrections needs it; never shipped (licences), so it is a setting.
    sentiment_data: Path | None = None
    # Alerts (issue 13): the language notifications are written in, and the hub's address as people
    # reach it (the crisis-room link of a notification; default http://host:port).
    organisation_language: Literal["en", "fr"] = "en"
    public_url: str | None = None
    # The organisation's look on every page and wall (docs/walls.md "Organisation colours and logo"):
    # its name (the logo's text alternative), two colours (#rrggbb) that replace the accent colours,
    # and a logo file (PNG, SVG, WebP or JPEG, at most 1 MiB) shown on the walls and in the header.
    organisation_name: str | None = Field(default=None, max_length=120)
    brand_colour: str | None = None
    brand_colour_2: str | None = None
    brand_logo: Path | None = None

    @field_validator("brand_colour", "brand_colour_2")
    @classmethod
    def _colour_is_rrggbb(cls, colour: str | None) -> str | None:
        if colour is not None and not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
            raise ValueError(f"{colour!r} is not a colour written #rrggbb (e.g. #e4002b)")
        return colour

    @field_validator("source_lease_renew_s")
    @classmethod
    def _renewal_fits_the_ttl(cls, renew: float, info: ValidationInfo) -> float:
        ttl = info.data.get("source_lease_ttl_s")
        if isinstance(ttl, int | float) and renew * 2 > ttl:
            raise ValueError(f"must be at most half of source_lease_ttl_s ({ttl:g} s)")
        return renew

    @field_validator("source_lease_bucket")
    @classmethod
    def _bucket_is_a_nats_name(cls, bucket: str) -> str:
        if bucket and not re.fullmatch(r"[A-Za-z0-9_-]+", bucket):
            raise ValueError(f"{bucket!r}: use only letters, digits, '-' and '_'")
        return bucket

    @property
    def lease_bucket(self) -> str:
        """The source leases' key-value bucket (``source_lease_bucket`` or ``<nats_stream>_source_leases``)."""
        return self.source_lease_bucket or f"{self.nats_stream}_source_leases"

    @field_validator("brand_logo")
    @classmethod
    def _logo_is_a_small_image(cls, path: Path | None) -> Path | None:
        if path is None:
            return None
        if path.suffix.lower() not in LOGO_TYPES:
            raise ValueError(f"{path}: not an image the pages can show (use {', '.join(LOGO_TYPES)})")
        if not path.is_file():
            raise ValueError(f"{path}: no such file")
        if path.stat().st_size > LOGO_MAX_BYTES:
            raise ValueError(f"{path}: larger than 1 MiB")
        return path


class Settings(HubTable, BaseSettings):
    """What the hub runs with: the ``[hub]`` keys (overridable by ``VEILLE_<KEY>``) and the sections."""

    model_config = SettingsConfigDict(env_prefix="VEILLE_", extra="ignore", populate_by_name=True)

    config_file: Path | None = None
    # Sections of veille.toml owned by other modules (see the module docstring).
    sources: list[dict[str, Any]] = Field(default_factory=list, description="[[sources]] tables")
    topics: list[dict[str, Any]] = Field(default_factory=list, description="[[topics]] tables")
    simulator: dict[str, Any] = Field(default_factory=dict, description="[simulator] table")

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL in SQLAlchemy form (psycopg 3 driver for PostgreSQL)."""
        if not self.database_url:
            return f"sqlite:///{(self.data_dir / 'veille.sqlite3').resolve()}"
        url = self.database_url
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url.removeprefix(prefix)
        return url

    @property
    def is_postgres(self) -> bool:
        return self.sqlalchemy_url.startswith("postgresql")


def load_settings(
    *, data_dir: Path | None = None, config_file: Path | None = None, **overrides: Any
) -> Settings:
    """Build settings from environment + TOML + explicit overrides (``None`` overrides are ignored).

    Raises :class:`SettingsError` (a ``ValueError``) naming the key and its origin, or
    ``FileNotFoundError`` for a missing config file.
    """
    try:
        env_settings = Settings()
    except ValidationError as error:
        raise _settings_error(error, lambda key: f"environment: VEILLE_{key.upper()}") from None
    path = config_file or env_settings.config_file
    values: dict[str, Any] = {}
    if path is not None:
        values = read_config_file(path)
    values.update(env_settings.model_dump(exclude_unset=True))
    values.update({key: value for key, value in overrides.items() if value is not None})
    if data_dir is not None:
        values["data_dir"] = data_dir
    if path is not None:
        values["config_file"] = path
    try:
        return Settings.model_validate(values)
    except ValidationError as error:
        raise _settings_error(error, lambda key: key) from None


def read_config_file(path: Path) -> dict[str, Any]:
    """The settings a ``veille.toml`` holds (its ``[hub]`` keys and its sections), checked strictly."""
    if not path.is_file():
        raise FileNotFoundError(f"config file not found: {path}")
    with path.open("rb") as handle:
        try:
            document = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise SettingsError(f"{path}: not valid TOML: {error}") from None
    for key, value in document.items():
        if key in TOML_TABLES:
            continue
        known = ", ".join(TOML_TABLES)
        if key in HubTable.model_fields:  # `port = 9000` written above any table
            raise SettingsError(f"{path}: {key}: belongs in the [hub] table", field=key)
        if isinstance(value, dict):
            raise SettingsError(f"{path}: [{key}]: unknown table (known tables: {known})", field=key)
        raise SettingsError(f"{path}: {key}: unknown key (known tables: {known})", field=key)
    hub = document.get("hub", {})
    if not isinstance(hub, dict):
        raise SettingsError(f"{path}: hub: expected a [hub] table", field="hub")
    try:
        table = HubTable.model_validate(hub)
    except ValidationError as error:
        raise _settings_error(error, lambda key: f"{path}: [hub] {key}") from None
    values: dict[str, Any] = table.model_dump(include=set(hub))
    for section, expected in (("sources", list), ("topics", list), ("simulator", dict)):
        if section not in document:
            continue
        value = document[section]
        items = value if isinstance(value, list) else [value]
        if not isinstance(value, expected) or not all(isinstance(item, dict) for item in items):
            shape = (
                f"[[{section}]] tables (an array of tables)" if expected is list else f"a [{section}] table"
            )
            raise SettingsError(f"{path}: {section}: expected {shape}", field=section)
        values[section] = value
    return values


def _settings_error(error: ValidationError, where: Callable[[str], str]) -> SettingsError:
    """One line for the first problem: ``<where key>: <what is wrong>`` (with a close key suggested)."""
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "settings"
    if first["type"] == "extra_forbidden":
        close = difflib.get_close_matches(str(first["loc"][0]), list(HubTable.model_fields), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        message = f"unknown key{hint}"
    else:
        message = first["msg"]
        if first["type"] == "literal_error" or first["type"].endswith("_parsing"):
            message += f", got {first['input']!r}"
    extra = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return SettingsError(f"{where(key)}: {message}{extra}", field=key)
