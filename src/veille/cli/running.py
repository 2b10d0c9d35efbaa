"""Running the hub in this process: uvicorn around the app, demo sources and the demo admin."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import signal
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from veille.access import UserAccess
from veille.contracts import Source
from veille.process import freeze_long_lived_objects
from veille.settings import Settings
from veille.store import open_store

__all__ = [
    "DEMO_USER",
    "demo_sources",
    "ensure_demo_admin",
    "freeze_long_lived_objects",
    "run_hub",
    "run_worker",
]

log = logging.getLogger("veille.worker")

DEMO_USER = "admin"
CREDENTIALS_FILE = "demo-credentials.txt"


def run_hub(settings: Settings, *, sources: Sequence[Source]) -> None:
    from veille.web.app import create_app

    app = create_app(settings, sources=sources)
    freeze_long_lived_objects()
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", access_log=False)


def demo_sources(*, scenario: str, rate: float, seed: int) -> list[Source]:
    from veille.demo.simulator import SimulatorSource, scenario_names

    if scenario not in scenario_names():
        raise SystemExit(f"error: no scenario {scenario!r}; known: {', '.join(scenario_names())}")
    return [SimulatorSource(name="simulator", scenario=scenario, seed=seed, rate_per_min=rate)]


def ensure_demo_admin(settings: Settings) -> tuple[str, str]:
    """The demo's admin and its password, kept (mode 600) in the data folder so that every demo run
    can print it; created on the first run."""
    store = open_store(settings.sqlalchemy_url)
    try:
        access = UserAccess(store)
        credentials = Path(settings.data_dir) / CREDENTIALS_FILE
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
    finally:
        store.close()


def run_worker(settings: Settings, *, sources: Sequence[Source] = ()) -> None:
    """Sources and the pipeline without the web server, until SIGINT or SIGTERM."""
    asyncio.run(_work(settings, sources))


async def _work(settings: Settings, sources: Sequence[Source]) -> None:
    from veille.hub import Hub

    hub = Hub.build(settings, sources=sources)
    freeze_long_lived_objects()
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    await hub.start()
    running = [*hub.pipeline.running_sources]
    log.info("worker running %d source(s): %s", len(running), ", ".join(running) or "none")
    try:
        await stopping.wait()
    finally:
        await hub.stop()
