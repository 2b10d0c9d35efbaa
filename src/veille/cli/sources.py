"""``veille sources``: a source's dead letters (``failed``) and their replay after a fix (``replay-failed``).

A dead letter is a platform item a source read but could not turn into a post; the hub keeps it
with its raw payload and the reason. Once the connector's mapping is fixed (a new release),
``veille sources replay-failed NAME`` maps the stored payloads again with the current code, runs
what now maps through the hub's stages, stores it and removes its letters; what is still refused
stays, with one more attempt. The source is found in veille.toml's ``[[sources]]`` or among those
added through the API.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from veille.cli._options import ConfigOption, DataOption, err, fail, settings_from_options
from veille.settings import DEFAULT_DATA_DIR

__all__ = ["app"]

app = typer.Typer(help="Platform sources: dead letters and their replay.", no_args_is_help=True)

NameArgument = Annotated[str, typer.Argument(help="Source name (its [[sources]] name).")]


@app.command("failed")
def failed_command(
    name: NameArgument,
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Show at most this many.")] = 50,
) -> None:
    """List the source's dead letters (oldest first): id, attempts, first failure, reason."""
    from veille.store import open_store
    from veille.store.dead_letters import count_dead_letters, list_dead_letters

    settings = settings_from_options(data, config)
    store = open_store(settings.sqlalchemy_url)
    try:
        with store.engine.connect() as connection:
            total = count_dead_letters(connection, name).get(name, 0)
            letters = list_dead_letters(connection, name, limit=limit)
    finally:
        store.close()
    for letter in letters:
        when = datetime.fromtimestamp(letter.first_failed_us / 1_000_000, UTC).strftime("%Y-%m-%d %H:%M:%S")
        sys.stdout.write(f"{letter.id}\t{letter.attempts}\t{when}Z\t{letter.reason}\n")
    err.print(f"{total} dead letter(s) for source {name!r}", markup=False, highlight=False)


@app.command("replay-failed")
def replay_failed_command(
    name: NameArgument,
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
) -> None:
    """Map the source's dead letters again with the current connector code; store what now maps.

    Items still refused stay (one more attempt) and are listed on stderr; the last stdout line is
    {"source", "tried", "stored", "not_posts", "filtered", "still_failing"}."""
    import asyncio

    from veille.accounts.brand_stage import registry_keys
    from veille.bus.memory import MemoryBus
    from veille.hub import default_stages
    from veille.pipeline import Pipeline
    from veille.security import OutboundPolicy, SecretBox
    from veille.sources.dead_letters import replay_dead_letters
    from veille.sources.manager import (
        LiveTopicsHooks,
        SourceConfigError,
        SourceManager,
        SourceNotFoundError,
    )
    from veille.store import open_store
    from veille.topics import load_live_topics

    settings = settings_from_options(data, config)
    store = open_store(settings.sqlalchemy_url)
    try:
        topics = load_live_topics(store, settings)
        stages = default_stages(settings, topics=topics, brand_accounts=registry_keys(store))
        # The hub's own way to build a source (filters and topics included), without running it.
        manager = SourceManager(
            pipeline=Pipeline(store=store, bus=MemoryBus(), stages=stages),
            store=store,
            topics=LiveTopicsHooks(topics),
            outbound=OutboundPolicy.build(
                allow=settings.outbound_allow, max_response_bytes=settings.max_response_bytes
            ),
            secrets=SecretBox.for_data_dir(settings.data_dir),
        )
        try:
            manager.load_tables(settings.sources)
            manager.load_saved()
            connector = manager.get(name).connector
        except SourceNotFoundError:
            raise fail(
                f"source {name!r}: no such source in veille.toml nor among those added through the API; "
                "its dead letters can only be mapped by the connector that read them"
            ) from None
        except SourceConfigError as error:
            raise fail(str(error)) from None
        try:
            with err.status(f"replaying the dead letters of {name}…"):
                report = replay_dead_letters(store, connector, stages)
        finally:
            asyncio.run(connector.http.aclose())
    finally:
        store.close()
    for letter_id, reason in sorted(report.still_failing.items()):
        err.print(f"dead letter {letter_id}: {reason}", markup=False, highlight=False)
    sys.stdout.write(json.dumps(report.to_json_dict()) + "\n")
