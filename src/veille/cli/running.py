"""Running the hub in this process: its claim on the data folder and the port, uvicorn around the
app (``serve``, ``demo``) or the pipeline alone (``worker``), and a stop on SIGINT/SIGTERM that
loses nothing.

The order of a start: lock the data folder (a second hub on it: exit 2 naming the PID), bind the
port (taken: exit 2 suggesting ``--port``), build the hub, then print where it serves. The order
of a stop, on the first SIGINT or SIGTERM: uvicorn stops accepting connections and lets the
requests in flight finish (a push answered 200 is stored), then the hub stops its sources, drains
the pipeline's queue into the store and closes; the process exits 0 with no traceback.

The demo's own sources and admin are :mod:`veille.demo`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from veille.cli._options import fail
from veille.contracts import Source
from veille.process import (
    DataFolderLock,
    DataFolderLocked,
    PortUnavailable,
    freeze_long_lived_objects,
    listening_socket,
    lock_data_folder,
)
from veille.settings import Settings

if TYPE_CHECKING:
    from veille.hub import Hub

__all__ = [
    "HubClaim",
    "claim_hub",
    "freeze_long_lived_objects",
    "run_hub",
    "run_worker",
]

log = logging.getLogger("veille.worker")

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# How long a stop waits for open HTTP connections (a live stream a client keeps open) before
# cancelling them and stopping the hub anyway.
GRACEFUL_SHUTDOWN_S = 30


# -- the claim: data folder and port -----------------------------------------------------------


@dataclass
class HubClaim:
    """What a hub process holds before it builds anything: the data folder's lock, its socket.

    From the claim on, SIGINT/SIGTERM are noted in ``stop_requests`` rather than acted on, until
    the server's or the event loop's own handlers take over (and replay them): a hub half built
    (models loading, the schema migrating) is not cut short, and it stops instead of serving.
    """

    lock: DataFolderLock
    socket: socket.socket | None = None
    stop_requests: list[int] = field(default_factory=list)
    _previous_handlers: dict[int, Any] = field(default_factory=dict)

    def note_stop_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in STOP_SIGNALS:
            self._previous_handlers[signum] = signal.signal(signum, self._note)

    def _note(self, signum: int, _frame: object) -> None:
        self.stop_requests.append(signum)

    def release(self) -> None:
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)
        self._previous_handlers.clear()
        if self.socket is not None:
            self.socket.close()
            self.socket = None
        self.lock.release()


def claim_hub(settings: Settings, *, listen: bool = True) -> HubClaim:
    """Lock the data folder, then (``listen``) bind the port; either taken: ``error: …``, exit 2.

    Called by ``serve``, ``demo`` and ``worker`` before they write or print anything. With
    PostgreSQL too, the data folder is what is locked: one hub per folder.
    """
    try:
        lock = lock_data_folder(settings.data_dir)
    except DataFolderLocked as error:
        raise fail(f"{error}") from None
    claim = HubClaim(lock)
    if listen:
        try:
            claim.socket = listening_socket(settings.host, settings.port)
        except PortUnavailable as error:
            lock.release()
            raise fail(f"{error}") from None
    claim.note_stop_signals()
    return claim


# -- serve and demo: uvicorn around the app ----------------------------------------------------


def run_hub(
    settings: Settings,
    *,
    sources: Sequence[Source],
    claim: HubClaim | None = None,
    describe: Callable[[Hub, str], Sequence[str]] | None = None,
) -> None:
    """Serve the hub until SIGINT or SIGTERM, then stop it cleanly (returns; the exit status is 0).

    ``describe(hub, url)`` gives the lines logged once the hub answers (``serve``'s how to log in).
    """
    claim = claim or claim_hub(settings)
    assert claim.socket is not None
    try:
        if claim.stop_requests:  # stopped while it got ready (the demo's set-up): build nothing
            return
        from veille.web.app import create_app  # about 2 s of imports, after the claim

        app = create_app(settings, sources=sources)
        hub: Hub = app.state.hub
        if claim.stop_requests:  # stopped while it was being built: nothing was started
            hub.store.close()
            return
        freeze_long_lived_objects()
        host, port = settings.host, claim.socket.getsockname()[1]
        url = f"http://{f'[{host}]' if ':' in host else host}:{port}"
        lines = [f"Veille serving {url} (Ctrl+C to stop)", *(describe(hub, url) if describe else ())]
        config = uvicorn.Config(
            app,
            log_config=_log_config(),
            log_level="info",
            access_log=False,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        )
        server = _HubServer(
            config, hub=hub, on_started=lambda: _log_lines(lines), received=claim.stop_requests
        )
        server.run(sockets=[claim.socket])
    finally:
        claim.release()


class _HubServer(uvicorn.Server):
    """uvicorn's server, with the hub's stop guaranteed and the signal not raised again."""

    def __init__(
        self, config: uvicorn.Config, *, hub: Hub, on_started: Callable[[], None], received: list[int]
    ) -> None:
        super().__init__(config)
        self.hub = hub
        self.on_started = on_started
        self.received = received  # signals that came before our handlers were in place

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn's own version raises the signal again once it has shut down, so that the default
        # handler ends the process: a KeyboardInterrupt traceback for Ctrl+C, death by SIGTERM.
        # The hub has stopped cleanly by then; the command returns and the status is 0.
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        originals = {signum: signal.signal(signum, self.handle_exit) for signum in STOP_SIGNALS}
        for signum in self.received:
            self.handle_exit(signum, None)
        try:
            yield
        finally:
            for signum, handler in originals.items():
                signal.signal(signum, handler)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and not self.should_exit:
            self.on_started()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets=sockets)
        # The app's lifespan shutdown stops the hub. A second Ctrl+C makes uvicorn skip it; run it
        # anyway: the writer must flush what was accepted, and the lifespan task must end rather
        # than be cancelled with a traceback when the loop closes.
        shutdown_done = getattr(self.lifespan, "shutdown_event", None)
        if shutdown_done is not None and not shutdown_done.is_set():
            await self.lifespan.shutdown()

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().serve(sockets=sockets)
        finally:
            await self.hub.stop()  # whatever happened above (a no-op once the lifespan stopped it)


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, with the hub's own loggers (``veille.*``) on the same stderr handler."""
    config = deepcopy(LOGGING_CONFIG)
    config["formatters"]["veille"] = {
        "()": "uvicorn.logging.DefaultFormatter",
        "fmt": "%(levelprefix)s %(name)s: %(message)s",
        "use_colors": None,
    }
    config["handlers"]["veille"] = {
        "formatter": "veille",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["veille"] = {"handlers": ["veille"], "level": "INFO", "propagate": False}
    return config


def _log_lines(lines: Sequence[str]) -> None:
    serving = logging.getLogger("veille.hub")
    for line in lines:
        serving.info("%s", line)


def run_worker(settings: Settings, *, sources: Sequence[Source] = (), claim: HubClaim | None = None) -> None:
    """Sources and the pipeline without the web server, until SIGINT or SIGTERM."""
    claim = claim or claim_hub(settings, listen=False)
    try:
        if claim.stop_requests:
            return
        from veille.hub import Hub

        hub = Hub.build(settings, sources=sources)
        if claim.stop_requests:
            hub.store.close()
            return
        freeze_long_lived_objects()
        asyncio.run(_work(hub, claim.stop_requests))
    finally:
        claim.release()


async def _work(hub: Hub, received: list[int]) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stopping.set)
    if received:
        stopping.set()
    try:
        await hub.start()
        manager = hub.source_manager
        if manager is not None and manager.leases is not None:
            names = manager.names()
            log.info(
                "worker %s: %d source(s) run by whichever process holds their lease: %s",
                manager.leases.owner,
                len(names),
                ", ".join(names) or "none",
            )
        else:
            running = [*hub.pipeline.running_sources]
            log.info("worker running %d source(s): %s", len(running), ", ".join(running) or "none")
        await stopping.wait()
        log.info("worker stopping: draining the queue into the store")
    finally:
        await hub.stop()
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
