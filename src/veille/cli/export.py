"""``veille export KIND``: any analytics result as a CSV, JSON or Parquet file.

It reads the store directly (no running hub needed) with the same filters as the API.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from veille.cli._options import ConfigOption, DataOption, ListOption, err, fail, listed, opened_store
from veille.settings import DEFAULT_DATA_DIR

__all__ = ["EXPORT_KINDS", "app"]

app = typer.Typer(help="Export an analytics result as CSV, JSON or Parquet.", no_args_is_help=True)

EXPORT_KINDS: tuple[str, ...] = (
    "volume",
    "sentiment",
    "share-of-voice",
    "top-posts",
    "top-hashtags",
    "top-links",
    "top-domains",
)


def _export_command(kind: str) -> None:
    def export_command(
        from_: Annotated[
            str, typer.Option("--from", help="ISO date or date-time, inclusive (in --tz without offset).")
        ],
        to: Annotated[str, typer.Option("--to", help="ISO date or date-time, exclusive.")],
        data: DataOption = DEFAULT_DATA_DIR,
        config: ConfigOption = None,
        interval: Annotated[str, typer.Option(help="minute, hour, day or week.")] = "day",
        tz: Annotated[str, typer.Option(help="IANA time zone of the buckets.")] = "UTC",
        topic: ListOption = None,
        country: ListOption = None,
        lang: ListOption = None,
        source: ListOption = None,
        sentiment: ListOption = None,
        include_duplicates: Annotated[
            bool, typer.Option("--include-duplicates/--no-duplicates", help="Count near-duplicates too.")
        ] = True,
        group_by: Annotated[
            str | None, typer.Option(help="volume, sentiment: topic, country, lang, …")
        ] = None,
        per_country: Annotated[
            bool, typer.Option(help="share-of-voice: shares within each country.")
        ] = False,
        by: Annotated[str, typer.Option(help="top-posts: engagement or reach.")] = "engagement",
        limit: Annotated[int, typer.Option(help="top-*: how many rows.")] = 20,
        export_format: Annotated[
            str | None,
            typer.Option("--format", help="csv, json or parquet (default: from --out's suffix, else json)."),
        ] = None,
        out: Annotated[
            Path | None, typer.Option("--out", help="File to write (default: standard output).")
        ] = None,
    ) -> None:
        """Export one analytics result, e.g. ``veille export volume --from 2026-11-01 --to 2026-12-01 --out v.csv``."""
        from veille.analytics import sentiment as sentiment_module
        from veille.analytics import top, voice
        from veille.analytics import volume as volume_module
        from veille.analytics.care import parse_moment
        from veille.analytics.exports import FORMATS, export_bytes
        from veille.analytics.filters import AnalyticsFilter, zone_named
        from veille.analytics.scope import Scope

        if kind not in EXPORT_KINDS:
            raise fail(f"kind: {kind!r} is not one of {', '.join(EXPORT_KINDS)}")
        chosen = export_format or (
            out.suffix.lstrip(".").lower() if out is not None and out.suffix else "json"
        )
        if chosen not in FORMATS:
            raise fail(f"format: {chosen!r} is not one of {', '.join(FORMATS)}")
        try:
            zone = zone_named(tz)
            filters = AnalyticsFilter.of(
                start=parse_moment("from", from_, zone),
                end=parse_moment("to", to, zone),
                interval=interval,
                tz=tz,
                topics=listed(topic),
                countries=listed(country),
                languages=listed(lang),
                sources=listed(source),
                sentiments=listed(sentiment),
                include_duplicates=include_duplicates,
            )
            # The command line reads the whole store, as an administrator would.
            scope = Scope()
            with opened_store(data, config) as store:
                if kind == "volume":
                    result = volume_module.volume(store, filters=filters, scope=scope, group_by=group_by)
                elif kind == "sentiment":
                    result = sentiment_module.sentiment(
                        store, filters=filters, scope=scope, group_by=group_by
                    )
                elif kind == "share-of-voice":
                    result = voice.share_of_voice(
                        store, filters=filters, scope=scope, per_country=per_country
                    )
                elif kind == "top-posts":
                    if by not in ("engagement", "reach"):
                        raise ValueError(f"by: {by!r} is not one of engagement, reach")
                    result = top.top_posts(store, filters=filters, scope=scope, by=by, limit=limit)  # type: ignore[arg-type]
                else:
                    compute = {
                        "top-hashtags": top.top_hashtags,
                        "top-links": top.top_links,
                        "top-domains": top.top_domains,
                    }
                    result = compute[kind](store, filters=filters, scope=scope, limit=limit)
        except ValueError as error:
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

    export_command.__doc__ = f"Export {kind} (same filters as /api/v1/analytics/{kind})."
    app.command(kind)(export_command)


for _kind in EXPORT_KINDS:
    _export_command(_kind)
