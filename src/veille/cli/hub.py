"""Running the hub: ``demo``, ``serve``, ``worker`` and ``migrate``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from veille.cli._options import (
    ConfigOption,
    DataOption,
    HostOption,
    PortOption,
    err,
    fail,
    settings_from_options,
)
from veille.demo.live import JETSTREAM_URL
from veille.settings import DEFAULT_DATA_DIR, Settings

if TYPE_CHECKING:
    from veille.hub import Hub

__all__ = ["app"]

app = typer.Typer()


@app.command()
def serve(
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
    port: PortOption = None,
    host: HostOption = None,
    pipeline: Annotated[
        str | None,
        typer.Option(
            "--pipeline",
            help="on: this process also stores posts; off: API and screens only, posts pushed go to "
            "the work stream for `veille worker` (needs VEILLE_BUS=nats) [default: on].",
        ),
    ] = None,
) -> None:
    """Serve the hub (API, live stream, walls) without the simulator; logs its address and how to
    log in. One hub per data folder. Stops cleanly on SIGINT/SIGTERM (queued posts are stored)."""
    from veille.cli.running import claim_hub, run_hub

    if pipeline is not None and pipeline not in ("on", "off"):
        raise fail(f"--pipeline: expected 'on' or 'off', got {pipeline!r}")
    extra = {"pipeline": pipeline} if pipeline is not None else {}
    settings = settings_from_options(data, config, port=port, host=host, **extra)
    claim = claim_hub(settings)
    _run_checked(run_hub, settings, sources=[], claim=claim, describe=_how_to_log_in(settings))


def _how_to_log_in(settings: Settings) -> Callable[[Hub, str], list[str]]:
    """``serve`` has no demo admin: say where the hub answers and who can log in, or how to add someone."""

    def describe(hub: Hub, url: str) -> list[str]:
        data = "" if settings.data_dir == DEFAULT_DATA_DIR else f" --data {settings.data_dir}"
        users = hub.access.user_count()
        lines = [f"wall {url}/wall, API docs {url}/docs"]
        if users:
            lines.append(f"log in at {url}/login ({users} user(s); add one: veille user add NAME{data})")
        else:
            lines.append(f"no user can log in yet: create one with `veille user add NAME{data}`")
        if settings.admin_token is not None:
            lines.append("API: send the token of VEILLE_ADMIN_TOKEN (Authorization: Bearer TOKEN)")
        return lines

    return describe


def _run_checked(run: Any, settings: Settings, **kwargs: Any) -> None:
    """Run the hub; a bad [[sources]] table is reported as one line naming the table and field."""
    from veille.sources.manager import SourceConfigError

    try:
        run(settings, **kwargs)
    except SourceConfigError as error:
        raise fail(f"{error}") from None


@app.command()
def demo(
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
    port: PortOption = None,
    host: HostOption = None,
    scenario: Annotated[str, typer.Option(help="Simulator scenario (see `veille simulate scenarios`).")] = (
        "quiet_day"
    ),
    rate: Annotated[float, typer.Option(help="Simulated posts per minute.")] = 90.0,
    seed: Annotated[int, typer.Option(help="Simulator seed: the same seed gives the same posts.")] = 1,
    speed: Annotated[
        float,
        typer.Option(help="Run the scenario K times faster (its phases shrink; the rate stays).", min=0.01),
    ] = 1.0,
    history_days: Annotated[
        float,
        typer.Option(
            "--history-days",
            help="Days of ordinary days fed first, so that dashboards and alert baselines have a past (0: none).",
            min=0,
        ),
    ] = 2.0,
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="Follow Bluesky's public Jetstream (real posts, no account) instead of the simulator.",
        ),
    ] = False,
    live_endpoint: Annotated[
        str, typer.Option(envvar="VEILLE_LIVE_ENDPOINT", help="Jetstream URL followed by --live.")
    ] = JETSTREAM_URL,
) -> None:
    """Run the hub with the scenario simulator feeding it; prints the URL, user and password."""
    from veille.cli.running import claim_hub, run_hub
    from veille.demo.live import demo_sources, live_demo_table, with_source_tables
    from veille.demo.seed import seed_demo
    from veille.store import open_store

    settings = settings_from_options(data, config, port=port, host=host)
    claim = claim_hub(settings)  # before anything is written or printed
    if live:
        settings = with_source_tables(settings, [live_demo_table(live_endpoint)])
        sources = []
    else:
        try:
            sources = demo_sources(
                scenario=scenario, rate=rate, seed=seed, speed=speed, history_days=history_days
            )
        except ValueError as error:
            raise fail(str(error)) from None
    inbox_base = None
    if not live and settings.port:
        # Our accounts answer through the fake platform this hub serves itself (veille.demo.inbox):
        # the hub must be allowed to send its replies to its own loopback address.
        inbox_base = f"http://127.0.0.1:{settings.port}"
        settings = settings.model_copy(
            update={"demo_platform": True, "outbound_allow": [*settings.outbound_allow, "127.0.0.1/32"]}
        )
    # The admin, the taxonomy and the accounts on one store, opened once before the hub opens it.
    store = open_store(settings.sqlalchemy_url)
    try:
        seeded = seed_demo(store, data_dir=settings.data_dir, accounts=not live)
        answering = 0
        if inbox_base is not None:
            from veille.demo.inbox import ensure_demo_inbox
            from veille.security.secrets import SecretBox

            answering = ensure_demo_inbox(
                store=store, base_url=inbox_base, secrets=SecretBox.for_data_dir(settings.data_dir)
            )
    finally:
        store.close()
    if seeded.topics:
        err.print(f"  Topics:   demo taxonomy loaded ({len(seeded.topics)} topics; see `veille topics list`)")
    if seeded.accounts:
        err.print(f"  Accounts: {seeded.accounts} brand accounts registered (see `veille report care`)")
    if live:
        err.print(f"[bold]Veille demo[/bold] — live: Bluesky Jetstream at {live_endpoint}", markup=True)
        err.print("  Connection problems are logged here and shown at /api/v1/sources.")
    else:
        err.print(
            f"[bold]Veille demo[/bold] — scenario [cyan]{scenario}[/cyan], {rate:g} posts/min, seed {seed}"
            + (f", {speed:g}× faster" if speed != 1 else "")
            + (f", after {history_days:g} days of history" if history_days else "")
        )
        err.print(f"  Alerts:   http://{settings.host}:{settings.port}/alerts")
        if answering:
            err.print(
                f"  Inbox:    http://{settings.host}:{settings.port}/inbox "
                f"({answering} accounts answer through the demo platform)"
            )
    err.print(f"  Wall:     http://{settings.host}:{settings.port}/wall")
    err.print(f"  API docs: http://{settings.host}:{settings.port}/docs")
    err.print(f"  User:     {seeded.username}")
    err.print(f"  Password: {seeded.password}")
    _run_checked(run_hub, settings, sources=sources, claim=claim)


@app.command()
def worker(data: DataOption = DEFAULT_DATA_DIR, config: ConfigOption = None) -> None:
    """Run the sources of the config (its sources tables) and the pipeline, without the web server (scale-out with
    PostgreSQL and VEILLE_BUS=nats: see docs/deployment.md). Stops cleanly on SIGINT/SIGTERM."""
    import logging

    from veille.cli.running import claim_hub, run_worker

    settings = settings_from_options(data, config)
    claim = claim_hub(settings, listen=False)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _run_checked(run_worker, settings, claim=claim)


@app.command()
def migrate(data: DataOption = DEFAULT_DATA_DIR, config: ConfigOption = None) -> None:
    """Create or upgrade the store's schema (also done by every command that opens the store)."""
    from veille.store import open_store

    settings = settings_from_options(data, config)
    store = open_store(settings.sqlalchemy_url)
    store.close()
    err.print(f"store is up to date ({store.dialect})")
