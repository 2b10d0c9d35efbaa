"""What every command shares: the data and config options, ``fail``, opening the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from veille.settings import Settings, load_settings

if TYPE_CHECKING:
    from veille.store.sql import SqlStore

__all__ = [
    "ConfigOption",
    "DataOption",
    "HostOption",
    "ListOption",
    "PortOption",
    "err",
    "fail",
    "listed",
    "opened_store",
    "reported_errors",
    "settings_from_options",
]

err = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` (verbatim, never as markup) and return the exit to raise."""
    err.print(f"error: {message}", markup=False, highlight=False)
    return typer.Exit(code)


DataOption = Annotated[
    Path,
    typer.Option("--data", envvar="VEILLE_DATA_DIR", help="Data folder (SQLite store, models, credentials)."),
]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", envvar="VEILLE_CONFIG_FILE", help="veille.toml to load.")
]
# None: the [hub] table's or VEILLE_PORT/VEILLE_HOST's value, else 8000 on 127.0.0.1.
PortOption = Annotated[int | None, typer.Option("--port", help="HTTP port [default: 8000].")]
HostOption = Annotated[
    str | None, typer.Option("--host", help="Interface to listen on [default: 127.0.0.1].")
]
ListOption = Annotated[list[str] | None, typer.Option(help="Repeat or comma-separate.")]


def listed(values: list[str] | None) -> list[str] | None:
    """Repeated options and comma-separated lists both work; absent means no filter."""
    if values is None:
        return None
    return [part.strip() for item in values for part in item.split(",") if part.strip()]


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn a domain error (:class:`veille.errors.VeilleError`) into ``error: …`` and exit 2."""
    from veille.errors import VeilleError

    try:
        yield
    except VeilleError as error:
        raise fail(f"{error}") from None


@contextmanager
def opened_store(data: Path, config: Path | None = None) -> Iterator[SqlStore]:
    """The store of the ``--data``/``--config`` options, migrated, closed afterwards."""
    from veille.store import open_store

    settings = settings_from_options(data, config)
    store = open_store(settings.sqlalchemy_url)
    store.minute_rollup_days = settings.minute_rollup_days  # the analytics skip pruned minutes
    try:
        yield store
    finally:
        store.close()


def settings_from_options(data: Path, config: Path | None = None, **overrides: Any) -> Settings:
    try:
        return load_settings(data_dir=data, config_file=config, **overrides)
    except (OSError, ValueError) as error:
        raise fail(f"{error}") from None
