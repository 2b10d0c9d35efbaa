"""``veille query``: try a query on posts, lint it, and convert queries written for other tools."""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from veille.cli._options import ConfigOption, DataOption, fail, opened_store
from veille.csv_rows import data_rows
from veille.model import parse_post
from veille.query import QueryError, lint, parse_query
from veille.query.importer import DIALECTS, ImportResult, import_query
from veille.query.match import compile_tester, match, view_post
from veille.settings import DEFAULT_DATA_DIR
from veille.text import fold

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


DialectOption = Annotated[
    str, typer.Option("--dialect", help="The tool the query is written for: " + ", ".join(DIALECTS) + ".")
]


@app.command("import")
def import_command(
    dialect: DialectOption,
    query_text: Annotated[
        str | None, typer.Argument(metavar="[QUERY]", help="A query as written for that tool.")
    ] = None,
    csv_file: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            help="A CSV file with 'name' and 'query' columns (and optional 'label', 'kind', 'parent', "
            "'description'): one topic is created per row.",
        ),
    ] = None,
    kind: Annotated[
        str, typer.Option("--kind", help="Kind of the topics created from --csv rows without one.")
    ] = "theme",
    approximate: Annotated[
        bool,
        typer.Option(
            "--approximate", help="With --csv, also create topics whose meaning could not be kept exactly."
        ),
    ] = False,
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
) -> None:
    """Write QUERY (written for another tool) in this query language.

    The equivalent query goes to stdout and a warning for each part with no exact equivalent to
    stderr. Exit 0 when the meaning is kept, 2 when it cannot be (a query that cannot be converted at
    all prints only the reason). With --csv, topics are created from the rows whose meaning is kept;
    the others are reported (line, name, reason) and a JSON summary is printed.
    """
    if dialect not in DIALECTS:
        raise fail(f"--dialect: expected one of {', '.join(DIALECTS)}, found {dialect!r}")
    if (query_text is None) == (csv_file is None):
        raise fail("give a QUERY or --csv FILE (not both)")
    if csv_file is not None:
        _import_csv(csv_file, dialect, kind=kind, approximate=approximate, data=data, config=config)
        return
    assert query_text is not None
    try:
        result = import_query(query_text, dialect)
    except QueryError as error:
        raise _refuse(error) from None
    typer.echo(result.query)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if not result.exact:
        raise typer.Exit(code=2)


_SLUG_RE = re.compile(r"[^a-z0-9]+")


def _slug(name: str) -> str:
    """A topic name from a query's name in the other tool ("Nike - Brand" → "nike-brand")."""
    return _SLUG_RE.sub("-", fold(name)).strip("-_")[:64].strip("-_")


def _read_rows(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    errors: list[str] = []
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise fail(f"{path}: {error.strerror or error}") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = [cell.strip().lower() for cell in next(reader)]
        except StopIteration:
            raise fail(f"{path}: empty file (expected a header with name and query)") from None
        missing = [column for column in ("name", "query") if column not in header]
        if missing:
            raise fail(f"{path}: line 1: the header has no {' and no '.join(missing)} column")
        rows = [
            {"line": line, **dict(zip(header, (cell.strip() for cell in cells), strict=True))}
            for line, cells in data_rows(reader, len(header), errors)
        ]
    return rows, errors


def _import_csv(
    path: Path, dialect: str, *, kind: str, approximate: bool, data: Path, config: Path | None
) -> None:
    from pydantic import ValidationError

    from veille.topics import TopicError, TopicSpec, list_topics, load_topics
    from veille.topics.service import validation_message

    rows, errors = _read_rows(path)
    skipped: list[dict[str, Any]] = [{"line": 0, "name": "", "reason": error} for error in errors]
    specs: list[TopicSpec] = []
    seen: set[str] = set()
    for row in rows:
        line, original = row["line"], row.get("name", "")
        name = _slug(original)
        where = f"line {line} ({original or 'no name'})"
        if not name or name in seen:
            reason = "name: empty" if not name else f"name: {name!r} given twice"
            skipped.append({"line": line, "name": original, "reason": reason})
            continue
        try:
            result: ImportResult = import_query(row.get("query", ""), dialect)
        except QueryError as error:
            skipped.append({"line": line, "name": name, "reason": f"query: {error}"})
            continue
        for warning in result.warnings:
            typer.echo(f"warning: {where}: {warning}", err=True)
        if not result.exact and not approximate:
            skipped.append(
                {"line": line, "name": name, "reason": "query: the meaning cannot be kept exactly"}
            )
            continue
        try:
            spec = TopicSpec(
                name=name,
                query=result.query,
                kind=row.get("kind") or kind,  # validated by the model
                label=row.get("label") or (original if original != name else None),
                parent=row.get("parent") or None,
                description=row.get("description") or None,
            )
        except ValidationError as error:
            skipped.append({"line": line, "name": name, "reason": validation_message(error)})
            continue
        seen.add(name)
        specs.append(spec)
    created: list[str] = []
    with opened_store(data, config) as store:
        existing = {topic.name for topic in list_topics(store=store)}
        for spec in [spec for spec in specs if spec.name in existing]:
            skipped.append(
                {"line": 0, "name": spec.name, "reason": "name: a topic of that name exists already"}
            )
        fresh = [spec for spec in specs if spec.name not in existing]
        if fresh:
            try:
                created = load_topics(store=store, specs=fresh).created
            except TopicError as error:
                raise fail(f"{path}: nothing created: {error}") from None
    for item in skipped:
        where = f"line {item['line']}: " if item["line"] else ""
        typer.echo(f"skipped: {where}{item['name']}: {item['reason']}", err=True)
    typer.echo(json.dumps({"created": created, "skipped": [item["name"] for item in skipped]}))
    if skipped:
        raise typer.Exit(code=2)
