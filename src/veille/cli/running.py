"""Running the hub in this process: uvicorn around the app, or the worker without it."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Sequence

import uvicorn

from veille.contracts import Source
from veille.process import freeze_long_lived_objects
from veille.settings import Settings

__all__ = [
    "freeze_long_lived_objects",
    "run_hub",
    "run_worker",
]

log = logging.getLogger("veille.worker")


def run_hub(settings: Settings, *, sources: Sequence[Source]) -> None:
    from veille.web.app import create_app

    app = create_app(settings, sources=sources)
    freeze_long_lived_objects()
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", access_log=False)


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
