"""Posts as export lines: JSON Lines (the canonical post record, one per line) or CSV (flat columns).

Both are generators over an iterable of posts, so an export of millions of posts streams from the
store to the file or the HTTP answer without ever holding them all.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from veille.model import Post

__all__ = ["CSV_COLUMNS", "csv_lines", "jsonl_lines"]

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "created_at",
    "source",
    "url",
    "author_handle",
    "author_name",
    "author_followers",
    "text",
    "lang",
    "country",
    "sentiment",
    "sentiment_score",
    "topics",
    "likes",
    "reposts",
    "replies",
    "views",
    "duplicate_of",
)


def jsonl_lines(posts: Iterable[Post]) -> Iterator[str]:
    for post in posts:
        yield json.dumps(post.to_json_dict(), ensure_ascii=False, separators=(",", ":")) + "\n"


def _row(post: Post) -> list[object]:
    document = post.to_json_dict()
    author = document.get("author") or {}
    metrics = document.get("metrics") or {}
    sentiment = document.get("sentiment") or {}
    return [
        document["id"],
        document["created_at"],
        document["source"],
        document.get("url") or "",
        author.get("handle") or "",
        author.get("name") or "",
        author.get("followers") if author.get("followers") is not None else "",
        document["text"],
        document.get("lang") or "",
        document.get("country") or "",
        sentiment.get("label") or "",
        sentiment.get("score") if sentiment.get("score") is not None else "",
        ";".join(match["name"] for match in document.get("topics") or []),
        metrics.get("likes", ""),
        metrics.get("reposts", ""),
        metrics.get("replies", ""),
        metrics.get("views", ""),
        document.get("duplicate_of") or "",
    ]


def _formula_safe(value: object) -> object:
    # A cell starting with = + - @ is a formula to a spreadsheet: post text is untrusted.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_lines(posts: Iterable[Post]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    for post in posts:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_formula_safe(value) for value in _row(post)])
        yield buffer.getvalue()
