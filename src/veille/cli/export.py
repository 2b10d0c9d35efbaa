"""``veille export KIND``: any analytics result as a CSV, JSON or Parquet file.

It reads the store directly (no running hub needed) with the same filters as the API. There is one
command per analysis of :data:`veille.analytics.registry.ANALYSES`, with that analysis's own
options (``--group-by``, ``--limit``…), so the command line and the API offer the same analyses.
"""

# No ``from __future__ import annotations``: the commands' signatures are built from the registry
# at import and typer reads their annotations as objects.

import contextlib
import inspect
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from veille.cli._options import ConfigOption, DataOption, ListOption, err, fail, listed, opened_store
from veille.settings import DEFAULT_DATA_DIR

__all__ = ["EXPORT_KINDS", "app"]

app = typer.Typer(help="Export an analytics result as CSV, JSON or Parquet.", no_args_is_help=True)


def _common_options(
    from_: Annotated[
        str, typer.Option("--from", help="ISO date or date-time, inclusive (in --tz without offset).")
    ],
    to: Annotated[str, typer.Option("--to", help="ISO date or date-time, exclusive.")],
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
    interval: Annotated[str, typer.Option(help="minute, hour, day, week or month.")] = "day",
    tz: Annotated[str, typer.Option(help="IANA time zone of the buckets.")] = "UTC",
    topic: ListOption = None,
    country: ListOption = None,
    lang: ListOption = None,
    source: ListOption = None,
    sentiment: ListOption = None,
    include_duplicates: Annotated[
        bool, typer.Option("--include-duplicates/--no-duplicates", help="Count near-duplicates too.")
    ] = True,
    export_format: Annotated[
        str | None,
        typer.Option("--format", help="csv, json or parquet (default: from --out's suffix, else json)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: standard output).")
    ] = None,
) -> None:
    """The options every export takes (their signature only: each command is built from it)."""


_COMMON = tuple(inspect.signature(_common_options).parameters.values())


def _option(param: Any) -> inspect.Parameter:
    """A registry parameter as ``--name`` (``--name/--no-name`` for a yes/no one)."""
    kind: Any = param.type | None if param.optional else param.type
    flag = "--" + param.name.replace("_", "-")
    names = (f"{flag}/--no-{flag[2:]}",) if param.type is bool else (flag,)
    return inspect.Parameter(
        param.name,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[
            kind, typer.Option(*names, help=f"{param.description[:1].upper()}{param.description[1:]}.")
        ],
        default=param.command_line_default,
    )


def _export(kind: str, common: dict[str, Any], options: dict[str, Any]) -> None:
    from veille.analytics.exports import FORMATS, export_bytes
    from veille.analytics.filters import AnalyticsFilter
    from veille.analytics.registry import ANALYSES
    from veille.analytics.scope import Scope
    from veille.clock import parse_moment, zone_named
    from veille.errors import Invalid

    out: Path | None = common["out"]
    chosen = common["export_format"] or (
        out.suffix.lstrip(".").lower() if out is not None and out.suffix else "json"
    )
    if chosen not in FORMATS:
        raise fail(f"format: {chosen!r} is not one of {', '.join(FORMATS)}")
    try:
        zone = zone_named(common["tz"])
        filters = AnalyticsFilter.of(
            start=parse_moment("from", common["from_"], zone),
            end=parse_moment("to", common["to"], zone),
            interval=common["interval"],
            tz=common["tz"],
            topics=listed(common["topic"]),
            countries=listed(common["country"]),
            languages=listed(common["lang"]),
            sources=listed(common["source"]),
            sentiments=listed(common["sentiment"]),
            include_duplicates=common["include_duplicates"],
        )
        with opened_store(common["data"], common["config"]) as store:
            # The command line reads the whole store, as an administrator would.
            result = ANALYSES[kind].compute(store, filters=filters, scope=Scope(), options=options)
    except Invalid as error:  # a refused option or filter, named
        raise fail(str(error)) from None
    payload = export_bytes(result, chosen)
    if out is None:
        if chosen == "parquet" and sys.stdout.isatty():
            raise fail("format: parquet is binary; give --out FILE")
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
        return
    out.write_bytes(payload)
    err.print(f"{kind}: {len(result.rows)} rows written to {out} ({chosen}, {len(payload)} bytes)")


def _add_export_command(kind: str, title: str, params: tuple[Any, ...]) -> None:
    own = [param.name for param in params]

    def export_command(**values: Any) -> None:
        options = {name: values.pop(name) for name in own}
        _export(kind, values, options)

    parameters = [*_COMMON, *(_option(param) for param in params)]
    export_command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]  # typer reads it
    export_command.__annotations__ = {parameter.name: parameter.annotation for parameter in parameters}
    export_command.__doc__ = (
        f"{title}\n\nThe figures of GET /api/v1/analytics/{kind}, e.g. "
        f"veille export {kind} --from 2026-11-01 --to 2026-12-01 --out {kind}.csv"
    )
    app.command(kind)(export_command)


def _register() -> tuple[str, ...]:
    from veille.analytics.registry import ANALYSES

    for analysis in ANALYSES.values():
        _add_export_command(analysis.name, analysis.title, analysis.params)
    return tuple(ANALYSES)


EXPORT_KINDS: tuple[str, ...] = _register()


@app.command("posts")
def export_posts(
    from_: Annotated[
        str, typer.Option("--from", help="ISO date or date-time, inclusive (in --tz without offset).")
    ],
    to: Annotated[str, typer.Option("--to", help="ISO date or date-time, exclusive.")],
    query: Annotated[
        str | None, typer.Option("--query", help="A query-language expression (docs/query-language.md).")
    ] = None,
    export_format: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
    tz: Annotated[str, typer.Option(help="IANA time zone of --from/--to without offset.")] = "UTC",
    topic: ListOption = None,
    country: ListOption = None,
    lang: ListOption = None,
    source: ListOption = None,
    sentiment: ListOption = None,
    include_duplicates: Annotated[
        bool, typer.Option("--include-duplicates/--no-duplicates", help="Near-duplicates too.")
    ] = True,
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: standard output).")
    ] = None,
) -> None:
    """Every post matching a query and the filters, newest first, as JSON Lines or CSV.

    The posts the explorer lists for the same search, streamed: nothing is held in memory, e.g.
    veille export posts --query 'novabox AND panne*' --from 2026-11-01 --to 2026-12-01 --format csv
    """
    from veille.analytics.known import check_countries, check_languages, check_sources, check_topics
    from veille.analytics.mentions import MentionFilter, iter_mentions
    from veille.analytics.post_rows import csv_lines, jsonl_lines
    from veille.analytics.scope import Scope
    from veille.clock import parse_moment, zone_named
    from veille.errors import Invalid
    from veille.topics import repository as topic_repository
    from veille.topics.evaluate import compile_query
    from veille.topics.live import LiveTopics

    if export_format not in ("jsonl", "csv"):
        raise fail(f"format: {export_format!r} is not one of jsonl, csv")
    written = 0
    try:
        zone = zone_named(tz)
        with opened_store(data, config) as store:
            topics, countries = listed(topic), listed(country)
            langs, sources, sentiments = listed(lang), listed(source), listed(sentiment)
            check_topics(store, topics)
            check_countries(countries)
            check_languages(langs)
            check_sources(store, sources)
            filters = MentionFilter(
                query=query or None,
                start=parse_moment("from", from_, zone),
                end=parse_moment("to", to, zone),
                topics=None if topics is None else frozenset(topics),
                countries=None if countries is None else frozenset(c.upper() for c in countries),
                languages=None if langs is None else frozenset(x.lower() for x in langs),
                sources=None if sources is None else frozenset(x.lower() for x in sources),
                sentiments=None if sentiments is None else frozenset(x.lower() for x in sentiments),
                include_duplicates=include_duplicates,
            )
            live = LiveTopics.of(topic_repository.list_topics(store))
            if filters.query:
                compile_query(live=live, text=filters.query)  # refused before a file is opened
            hits = iter_mentions(store=store, live=live, filters=filters, scope=Scope())
            posts = (hit.post for hit in hits)
            lines = jsonl_lines(posts) if export_format == "jsonl" else csv_lines(posts)
            with (
                open(out, "w", encoding="utf-8", newline="")
                if out is not None
                else contextlib.nullcontext(sys.stdout)
            ) as sink:
                for line in lines:
                    sink.write(line)
                    written += 1
    except Invalid as error:
        raise fail(str(error)) from None
    if out is not None:
        count = written - 1 if export_format == "csv" else written
        err.print(f"posts: {count} posts written to {out} ({export_format})")
