"""``veille topics``: list, add, remove and load topics, and backfill one over stored history.

These commands work on the store directly. A hub running in another process picks their changes
up when it restarts; changes made through the API apply to a running hub at once.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from veille.cli._options import ConfigOption, DataOption, fail, opened_store, settings_from_options
from veille.clock import parse_rfc3339
from veille.settings import DEFAULT_DATA_DIR

__all__ = ["app"]

app = typer.Typer(help="Topics: the saved queries of the taxonomy.", no_args_is_help=True)
_HEADER = ("name", "kind", "label", "query")
_GAP = 2  # spaces between two columns of the list
_NARROWEST = 8  # a label or query column is never narrower
_WIDEST_QUERY = 60
err = Console(stderr=True, soft_wrap=True)


@app.command("list")
def list_command(
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind (theme, brand, competitor…).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List the topics, as a tree (sub-topics under their parent)."""
    from veille.topics import service

    with opened_store(data, config) as store:
        topics = service.list_topics(store=store, kind=kind)
    if as_json:
        for topic in topics:
            sys.stdout.write(json.dumps(topic.to_json_dict(), ensure_ascii=False) + "\n")
        return
    if not topics:
        err.print("no topics (add one with `veille topics add`, or `veille topics load veille.toml`)")
        return
    by_parent: dict[str | None, list[str]] = {}
    named = {topic.name: topic for topic in topics}
    for topic in topics:
        parent = topic.parent if topic.parent in named else None
        by_parent.setdefault(parent, []).append(topic.name)
    rows: list[tuple[str, str, str, str]] = []

    def add_rows(parent: str | None, depth: int) -> None:
        for name in by_parent.get(parent, []):
            topic = named[name]
            shown = "  " * depth + name + ("" if topic.enabled else " (disabled)")
            rows.append((shown, topic.kind, topic.label or "", topic.query))
            add_rows(name, depth + 1)

    add_rows(None, 0)
    # Names and kinds are never cut (they are what commands take); the label and the query share
    # what the terminal has left, a third and two thirds, each cut with an ellipsis (rich would
    # otherwise shrink every column alike, names down to a few letters, and drop the kind).
    widths = [max(len(row[index]) for row in [_HEADER, *rows]) for index in range(4)]
    out = Console(soft_wrap=True)  # now: the width (COLUMNS, the terminal) is read when built
    left = out.width - widths[0] - widths[1] - 3 * _GAP
    label_width = min(widths[2], max(_NARROWEST, left // 3))
    query_width = min(widths[3], _WIDEST_QUERY, max(_NARROWEST, left - label_width))
    table = Table(box=None, pad_edge=False)
    for name, width in zip(_HEADER, (widths[0], widths[1], label_width, query_width), strict=True):
        table.add_column(name, no_wrap=True, overflow="ellipsis", width=width)
    for row in rows:
        table.add_row(*row)
    out.print(table, markup=False, highlight=False)


@app.command("add")
def add_command(
    name: Annotated[str, typer.Argument(help="Topic name: lower-case letters, digits, '_' or '-'.")],
    query: Annotated[str, typer.Option("--query", "-q", help="The topic's query (docs/query-language.md).")],
    kind: Annotated[
        str, typer.Option("--kind", "-k", help="theme, brand, competitor, product, sensitive, event.")
    ],
    parent: Annotated[str | None, typer.Option(help="Parent topic.")] = None,
    label: Annotated[str | None, typer.Option(help="Name shown in the UI.")] = None,
    colour: Annotated[str | None, typer.Option(help="#rrggbb.")] = None,
    owner_team: Annotated[str | None, typer.Option(help="Team in charge.")] = None,
    description: Annotated[str | None, typer.Option(help="What the topic is about.")] = None,
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
) -> None:
    """Add a topic (exit 2 with the reason, e.g. the query's column, when it is refused)."""
    from veille.topics import TopicError, TopicSpec, service
    from veille.topics.service import validation_message

    try:
        spec = TopicSpec(
            name=name,
            query=query,
            kind=kind,  # validated by the model
            parent=parent,
            label=label,
            colour=colour,
            owner_team=owner_team,
            description=description,
        )
    except ValidationError as error:
        raise fail(validation_message(error)) from None
    with opened_store(data, config) as store:
        try:
            service.create_topic(store=store, spec=spec)
        except TopicError as error:
            raise fail(str(error)) from None
    _announce(data, config, name)
    err.print(f"topic {name} added; `veille topics backfill {name}` runs it over stored posts", markup=False)


@app.command("remove")
def remove_command(
    name: Annotated[str, typer.Argument(help="The topic to delete (with its stored matches).")],
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
) -> None:
    """Delete a topic; refused while it has sub-topics or another topic's query refers to it."""
    from veille.topics import TopicError, service

    with opened_store(data, config) as store:
        try:
            service.delete_topic(store=store, name=name)
        except TopicError as error:
            raise fail(str(error)) from None
    _announce(data, config, name)
    err.print(f"topic {name} removed", markup=False)


@app.command("load")
def load_command(
    file: Annotated[Path | None, typer.Argument(help="A TOML file with [[topics]] tables.")] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Load the shipped demo taxonomy instead.")] = False,
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
) -> None:
    """Create or update the topics of a file (all or nothing); topics it does not name are kept."""
    from veille.demo.seed import demo_taxonomy
    from veille.topics import TopicError, load_topics, read_topics_file

    if (file is None) == (not demo):
        raise fail("give a TOML file or --demo (not both)")
    try:
        specs = demo_taxonomy() if demo else read_topics_file(file)  # type: ignore[arg-type]
    except ValueError as error:
        raise fail(str(error)) from None
    with opened_store(data, config) as store:
        try:
            result = load_topics(store=store, specs=specs)
        except TopicError as error:
            raise fail(f"{file or 'demo taxonomy'}: {error}") from None
    if result.created or result.updated:
        _announce(data, config, "*")  # one notice: the running processes reread every topic
    summary = {
        "created": len(result.created),
        "updated": len(result.updated),
        "unchanged": len(result.unchanged),
    }
    sys.stdout.write(json.dumps(summary) + "\n")


@app.command("backfill")
def backfill_command(
    name: Annotated[str, typer.Argument(help="The topic to run over stored posts.")],
    since: Annotated[str | None, typer.Option(help="RFC 3339: only posts created from then on.")] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000, help="Posts per transaction.")] = 500,
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
) -> None:
    """Match one topic against the stored posts and store the result (safe to interrupt and rerun).
    The last stdout line is {"scanned": N, "matched": M, "gained": G, "lost": L}."""
    from veille.topics import BackfillProgress, backfill_topic

    try:
        since_time = parse_rfc3339(since) if since else None
    except ValueError as error:
        raise fail(f"since: {error}") from None
    columns = (
        TextColumn("[bold]backfill[/bold] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("posts · {task.fields[matched]} matched"),
        TimeRemainingColumn(),
    )
    with opened_store(data, config) as store, Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task(name, total=None, matched=0)

        def show(state: BackfillProgress) -> None:
            progress.update(task, total=state.total, completed=state.scanned, matched=state.matched)

        try:
            result = backfill_topic(
                store=store, name=name, since=since_time, batch_size=batch_size, progress=show
            )
        except ValueError as error:  # TopicError, or a stored query gone bad
            raise fail(str(error)) from None
    summary = {
        "scanned": result.scanned,
        "matched": result.matched,
        "gained": result.gained,
        "lost": result.lost,
    }
    sys.stdout.write(json.dumps(summary) + "\n")


def _announce(data: Path, config: Path | None, name: str) -> None:
    """With VEILLE_BUS=nats, running processes rebuild their topics now (else at their next poll)."""
    from veille.config_changes import announce_from_command

    announce_from_command(settings_from_options(data, config), kind="topic", id=name)
