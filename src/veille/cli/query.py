"""``veille query``: try a query on posts and lint it, for analysts writing topics."""

from __future__ import annotations

import json
import sys

import typer

from veille.model import parse_post
from veille.query import QueryError, lint, parse_query
from veille.query.match import compile_tester, match, view_post

__all__ = ["app"]

app = typer.Typer(help="Try and check Veille queries (the query language of docs/query-language.md).")


def _refuse(error: QueryError) -> typer.Exit:
    typer.echo(f"error: {error}", err=True)
    return typer.Exit(code=2)


@app.command("match")
def match_command(
    query_text: str = typer.Argument(..., metavar="QUERY", help="the query, e.g. 'livebox AND panne'"),
    spans: bool = typer.Option(False, "--spans", help="print the highlighted spans after each id"),
) -> None:
    """Read JSONL posts on stdin and print the ids of those QUERY matches, one per line.

    Lines that are not valid posts are reported on stderr (with their line number) and skipped.
    A ``topic:`` reference cannot be resolved here and is an error.
    """
    try:
        query = parse_query(query_text)
        tester = compile_tester(query.root)
    except QueryError as error:
        raise _refuse(error) from None
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as error:
            typer.echo(f"line {number}: not JSON ({getattr(error, 'msg', error)})", err=True)
            continue
        try:
            post = parse_post(item)
        except ValueError as error:
            typer.echo(f"line {number}: {error}", err=True)
            continue
        view = view_post(post)
        if not tester(view):
            continue
        if spans:
            found = match(query, view)
            shown = " ".join(f"{start}-{end}" for start, end in (found.spans if found else ()))
            typer.echo(f"{post.id}\t{shown}")
        else:
            typer.echo(post.id)


@app.command("lint")
def lint_command(
    query_text: str = typer.Argument(..., metavar="QUERY", help="the query to check"),
) -> None:
    """Print warnings about QUERY (exit 0 even with warnings; exit 2 if it does not parse)."""
    try:
        warnings = lint(query_text)
    except QueryError as error:
        raise _refuse(error) from None
    for warning in warnings:
        typer.echo(str(warning))
    if not warnings:
        typer.echo("no warnings", err=True)
