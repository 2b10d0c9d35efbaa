"""Hub settings: ``VEILLE_*`` environment variables, an optional ``veille.toml``, and defaults.

Nothing is read at import: call :func:`load_settings`. Precedence, highest first: explicit
arguments (command-line options), environment, the ``[hub]`` table of the TOML file, defaults.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_DATA_DIR", "Settings", "load_settings"]

DEFAULT_DATA_DIR = Path("veille-data")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VEILLE_", extra="ignore", populate_by_name=True)

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = Field(
        default=None, description="postgresql://… for PostgreSQL; default: SQLite in the data folder"
    )
    admin_token: SecretStr | None = Field(default=None, description="seeds an API token for scripted use")
    bus: Literal["memory", "nats"] = "memory"
    nats_url: str = "nats://127.0.0.1:4222"
    host: str = "127.0.0.1"
    port: int = 8000
    config_file: Path | None = None
    # Push API limits: a body over max_body_bytes is refused with 413, as is a batch over max_batch_items.
    max_body_bytes: int = 16 * 1024 * 1024
    max_batch_items: int = 10_000
    # Pipeline: batches waiting between sources and the writer (backpressure beyond this).
    queue_batches: int = 16
    batch_max_posts: int = 500
    session_days: int = 14
    languages: list[str] = Field(
        default_factory=lambda: [
            *("en", "fr", "de", "es", "it", "pt", "ar", "hi"),  # the UMSAB languages, with shipped models
            *("nl", "pl", "ro", "tr", "sw", "ru", "el", "ja", "zh"),
        ]
    )
    # Labelled base data of the sentiment models (the folder holding umsab/<language>/): retraining
    # with analysts' corrections needs it; never shipped (licences), so it is a setting.
    sentiment_data: Path | None = None
    # The raw TOML document (sources, topics… are read from it by their own modules).
    toml: dict[str, Any] = Field(default_factory=dict, exclude=True)

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
    """Build settings from environment + TOML + explicit overrides (``None`` overrides are ignored)."""
    env_settings = Settings()
    path = config_file or env_settings.config_file
    document: dict[str, Any] = {}
    if path is not None:
        if not path.is_file():
            raise FileNotFoundError(f"config file not found: {path}")
        with path.open("rb") as handle:
            try:
                document = tomllib.load(handle)
            except tomllib.TOMLDecodeError as error:
                raise ValueError(f"{path}: not valid TOML: {error}") from None
    hub_table = document.get("hub", {})
    if not isinstance(hub_table, dict):
        raise ValueError(f"{path}: [hub] must be a table")
    explicit_env = env_settings.model_dump(exclude_unset=True)
    values: dict[str, Any] = {**hub_table, **explicit_env}
    values.update({key: value for key, value in overrides.items() if value is not None})
    if data_dir is not None:
        values["data_dir"] = data_dir
    if path is not None:
        values["config_file"] = path
    values["toml"] = document
    return Settings.model_validate(values)
