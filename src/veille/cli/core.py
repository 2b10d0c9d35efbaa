"""The hub's own commands: demo, serve, ingest, migrate, user, token, bench."""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from veille.settings import DEFAULT_DATA_DIR, Settings, load_settings

if TYPE_CHECKING:
    from veille.store.sql import SqlStore

__all__ = ["DataOption", "app", "opened_store", "settings_from_options"]

app = typer.Typer(
    name="veille",
    help="Veille: the public's voice, live. Listening, topics, analytics and walls.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
user_app = typer.Typer(help="Users who log in to the hub.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (Authorization: Bearer TOKEN).", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")

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
PortOption = Annotated[int, typer.Option("--port", help="HTTP port.")]
HostOption = Annotated[str, typer.Option("--host", help="Interface to listen on.")]


@contextmanager
def opened_store(data: Path, config: Path | None = None) -> Iterator[SqlStore]:
    """The store of the ``--data``/``--config`` options, migrated, closed afterwards."""
    from veille.store import open_store

    store = open_store(settings_from_options(data, config).sqlalchemy_url)
    try:
        yield store
    finally:
        store.close()


def settings_from_options(data: Path, config: Path | None = None, **overrides: Any) -> Settings:
    try:
        return load_settings(data_dir=data, config_file=config, **overrides)
    except (OSError, ValueError) as error:
        raise fail(f"{error}") from None


# -- running the hub -----------------------------------------------------------------------------
@app.command()
def serve(
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
    port: PortOption = 8000,
    host: HostOption = "127.0.0.1",
) -> None:
    """Serve the hub (API, live stream, walls) without the simulator."""
    from veille.cli.running import run_hub

    settings = settings_from_options(data, config, port=port, host=host)
    _run_checked(run_hub, settings, sources=[])


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
    port: PortOption = 8000,
    host: HostOption = "127.0.0.1",
    scenario: Annotated[str, typer.Option(help="Simulator scenario (see `veille simulate scenarios`).")] = (
        "quiet_day"
    ),
    rate: Annotated[float, typer.Option(help="Simulated posts per minute.")] = 90.0,
    seed: Annotated[int, typer.Option(help="Simulator seed: the same seed gives the same posts.")] = 1,
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="Follow Bluesky's public Jetstream (real posts, no account) instead of the simulator.",
        ),
    ] = False,
    live_endpoint: Annotated[
        str, typer.Option(envvar="VEILLE_LIVE_ENDPOINT", help="Jetstream URL followed by --live.")
    ] = "wss://jetstream2.us-east.bsky.network/subscribe",
) -> None:
    """Run the hub with the scenario simulator feeding it; prints the URL, user and password."""
    from veille.accounts.service import install_demo_accounts
    from veille.cli.running import demo_sources, ensure_demo_admin, run_hub
    from veille.sources.live_demo import live_demo_table, with_source_tables
    from veille.topics.taxonomy import install_demo_taxonomy

    settings = settings_from_options(data, config, port=port, host=host)
    if live:
        settings = with_source_tables(settings, [live_demo_table(live_endpoint)])
        sources = []
    else:
        sources = demo_sources(scenario=scenario, rate=rate, seed=seed)
    username, password = ensure_demo_admin(settings)
    if created_topics := install_demo_taxonomy(settings):
        err.print(f"  Topics:   demo taxonomy loaded ({created_topics} topics; see `veille topics list`)")
    if not live and (created_accounts := install_demo_accounts(settings)):
        err.print(f"  Accounts: {created_accounts} brand accounts registered (see `veille report care`)")
    if live:
        err.print(f"[bold]Veille demo[/bold] — live: Bluesky Jetstream at {live_endpoint}", markup=True)
        err.print("  Connection problems are logged here and shown at /api/v1/sources.")
    else:
        err.print(
            f"[bold]Veille demo[/bold] — scenario [cyan]{scenario}[/cyan], {rate:g} posts/min, seed {seed}"
        )
    err.print(f"  Wall:     http://{host}:{port}/wall")
    err.print(f"  API docs: http://{host}:{port}/docs")
    err.print(f"  User:     {username}")
    err.print(f"  Password: {password}")
    _run_checked(run_hub, settings, sources=sources)


@app.command()
def worker(data: DataOption = DEFAULT_DATA_DIR, config: ConfigOption = None) -> None:
    """Run the sources of the config (its sources tables) and the pipeline, without the web server (scale-out with
    PostgreSQL and VEILLE_BUS=nats: see docs/deployment.md). Stops cleanly on SIGINT/SIGTERM."""
    import logging

    from veille.cli.running import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = settings_from_options(data, config)
    run_worker(settings)


@app.command()
def migrate(data: DataOption = DEFAULT_DATA_DIR, config: ConfigOption = None) -> None:
    """Create or upgrade the store's schema (also done by every command that opens the store)."""
    from veille.store import open_store

    settings = settings_from_options(data, config)
    store = open_store(settings.sqlalchemy_url)
    store.close()
    err.print(f"store is up to date ({store.dialect})")


# -- ingest --------------------------------------------------------------------------------------
@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(help="JSONL file of posts (one JSON object per line).")],
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
    resume: Annotated[
        bool, typer.Option(help="Skip the lines a previous run of this file already stored.")
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000, help="Posts per write.")] = 1000,
) -> None:
    """Replay a JSONL file into the store. Rejected lines go to stderr; the last stdout line is
    {"accepted": N, "rejected": M}. Running it again stores nothing twice."""
    from veille.sources.replay import ingest_file

    settings = settings_from_options(data, config)
    if not file.is_file():
        raise fail(f"{file}: no such file")
    summary = ingest_file(settings, file, resume=resume, batch_size=batch_size, console=err)
    sys.stdout.write(json.dumps({"accepted": summary.accepted, "rejected": summary.rejected}) + "\n")


# -- users and tokens ----------------------------------------------------------------------------
@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument()],
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
    password: Annotated[
        str | None, typer.Option(envvar="VEILLE_NEW_PASSWORD", help="Default: asked for, or generated.")
    ] = None,
    admin: Annotated[bool, typer.Option(help="Administrator.")] = True,
) -> None:
    """Add a user who can log in (the first one is the bootstrap admin). Passwords are argon2-hashed."""
    from veille.access import AccessError, UserAccess
    from veille.store import open_store

    settings = settings_from_options(data, config)
    generated = password is None and not sys.stdin.isatty()
    if password is None:
        password = secrets.token_urlsafe(12) if generated else typer.prompt("Password", hide_input=True)
    store = open_store(settings.sqlalchemy_url)
    try:
        UserAccess(store).add_user(username, password, admin=admin)
    except AccessError as error:
        raise fail(f"{error}") from None
    finally:
        store.close()
    err.print(f"user {username.strip().lower()} added")
    if generated:
        sys.stdout.write(f"{password}\n")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="What the token is for (shown in logs).")],
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
) -> None:
    """Create an API token and print it once (only its hash is stored)."""
    from veille.access import UserAccess
    from veille.store import open_store

    settings = settings_from_options(data, config)
    store = open_store(settings.sqlalchemy_url)
    try:
        token = UserAccess(store).create_token(name)
    finally:
        store.close()
    sys.stdout.write(f"{token}\n")


# -- benchmarks ----------------------------------------------------------------------------------
@app.command()
def bench(
    name: Annotated[str | None, typer.Argument(help="One benchmark; all when omitted.")] = None,
    quick: Annotated[bool, typer.Option(help="A short run (under a minute each).")] = False,
    list_: Annotated[bool, typer.Option("--list", help="Name the benchmarks and stop.")] = False,
    results: Annotated[Path, typer.Option(help="Folder for the JSON results.")] = Path("bench/results"),
) -> None:
    """Run benchmarks; each prints its result as one JSON object on its last line."""
    from veille.benchmarks.runner import available, run_benchmark

    names = available()
    if list_:
        for bench_name, description in names.items():
            sys.stdout.write(f"{bench_name}\t{description}\n")
        return
    if name is not None and name not in names:
        raise fail(f"no benchmark {name!r}; known: {', '.join(names)}")
    for bench_name in [name] if name else list(names):
        result = run_benchmark(bench_name, quick=quick, results_dir=results)
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()
