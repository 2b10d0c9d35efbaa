"""Helpers for the wiring tests: a veille.toml on disk, waiting on the live hub's API."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx

from veille.settings import Settings, load_settings

__all__ = ["settings_with_toml", "wait_for"]

T = TypeVar("T")


def settings_with_toml(tmp_path: Path, toml_text: str) -> Settings:
    """Settings loaded the way ``veille serve --config`` loads them."""
    config = tmp_path / "veille.toml"
    config.write_text(toml_text)
    return load_settings(data_dir=tmp_path / "veille-data", config_file=config)


def wait_for(check: Callable[[], T | None], *, timeout_s: float = 10.0, what: str = "condition") -> T:
    """Poll ``check`` until it returns something truthy (the test fails after ``timeout_s``)."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def source_view(api: httpx.Client, name: str) -> dict[str, Any]:
    listing = api.get("/api/v1/sources").json()
    return next(item for item in listing["items"] if item["name"] == name)
