"""Fake feed servers (reference §5.1, checklist §5.3): RSS 2.0 and Atom documents at paths.

Serves ``ETag``/``Last-Modified`` and answers ``304`` when ``If-None-Match`` matches (or
``If-Modified-Since`` is not older than the last change); scripted redirects (301/302/307/308), ``410``
paths, gzip-encoded bodies, malformed XML, and queued failures (429/503 with ``Retry-After``, 5xx, 401).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from xml.sax.saxutils import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes import FailureQueue, LocalServer, failure_response

__all__ = ["FakeFeeds", "FeedDoc", "atom_feed", "rss_feed"]


def rss_feed(
    items: list[dict[str, Any]], *, title: str = "Sample Feed", language: str = "en", ttl: int | None = None
) -> str:
    """An RSS 2.0 document shaped like feedparser's sample (§5.1); item keys are element names."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n<channel>',
        f"  <title>{escape(title)}</title>\n  <link>http://example.org/</link>",
        "  <description>For documentation &lt;em&gt;only&lt;/em&gt;</description>",
        f"  <language>{language}</language>",
    ]
    if ttl is not None:
        parts.append(f"  <ttl>{ttl}</ttl>")
    for item in items:
        parts.append("  <item>")
        for name, value in item.items():
            if name == "enclosure":
                parts.append(f'    <enclosure url="{escape(value)}" length="1069871" type="audio/mpeg"/>')
            elif name == "guid_opaque":
                parts.append(f'    <guid isPermaLink="false">{escape(value)}</guid>')
            else:
                parts.append(f"    <{name}>{escape(str(value))}</{name}>")
        parts.append("  </item>")
    parts.append("</channel>\n</rss>\n")
    return "\n".join(parts)


def atom_feed(entries: list[dict[str, Any]], *, title: str = "Sample Feed", lang: str = "en") -> str:
    """An Atom 1.0 document shaped like feedparser's sample (§5.1)."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://example.org/" xml:lang="{lang}">',
        f'  <title type="text">{escape(title)}</title>',
        "  <id>tag:feedparser.org,2005-11-09:/docs/examples/atom10.xml</id>",
        "  <updated>2005-11-09T11:56:34Z</updated>",
    ]
    for entry in entries:
        parts.append("  <entry>")
        parts.append(f"    <title>{escape(entry['title'])}</title>")
        parts.append(f'    <link rel="alternate" href="{escape(entry["link"])}"/>')
        parts.append(f"    <id>{escape(entry['id'])}</id>")
        parts.append(f"    <published>{entry['published']}</published>")
        parts.append(f"    <updated>{entry.get('updated', entry['published'])}</updated>")
        if "author" in entry:
            parts.append(
                f"    <author><name>{escape(entry['author'])}</name><uri>http://diveintomark.org/</uri></author>"
            )
        if "content" in entry:
            parts.append(f'    <content type="html">{escape(entry["content"])}</content>')
        if "summary" in entry:
            parts.append(f'    <summary type="text">{escape(entry["summary"])}</summary>')
        parts.append("  </entry>")
    parts.append("</feed>\n")
    return "\n".join(parts)


@dataclass
class FeedDoc:
    body: str
    etag: str | None = '"6c132-941-ad7e3080"'
    last_modified: datetime | None = field(
        default_factory=lambda: datetime(2004, 6, 11, 23, 0, 34, tzinfo=UTC)
    )
    gzip: bool = False
    content_type: str = "application/rss+xml; charset=utf-8"


@dataclass
class FakeFeeds:
    docs: dict[str, FeedDoc] = field(default_factory=dict)  # path -> document
    redirects: dict[str, tuple[int, str]] = field(default_factory=dict)  # path -> (status, location)
    gone: set[str] = field(default_factory=set)
    failures: dict[str, FailureQueue] = field(default_factory=dict)  # path -> scripted failures
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def fail(self, path: str, *failures: Any) -> None:
        self.failures.setdefault(path, FailureQueue()).push(*failures)

    def update(self, path: str, body: str, etag: str) -> None:
        doc = self.docs[path]
        doc.body, doc.etag, doc.last_modified = body, etag, datetime.now(UTC).replace(microsecond=0)

    def requests_to(self, path: str) -> list[dict[str, str]]:
        return [headers for requested, headers in self.requests if requested == path]

    async def _serve(self, request: Request) -> Response:
        path = request.url.path
        self.requests.append((path, {key.lower(): value for key, value in request.headers.items()}))
        queue = self.failures.get(path)
        failure = queue.pop() if queue else None
        if failure is not None:
            return failure_response(failure)
        if path in self.redirects:
            status, location = self.redirects[path]
            return Response(status_code=status, headers={"Location": location})
        if path in self.gone:
            return Response("gone", status_code=410)
        doc = self.docs.get(path)
        if doc is None:
            return Response("not found", status_code=404)
        headers: dict[str, str] = {}
        if doc.etag:
            headers["ETag"] = doc.etag
        if doc.last_modified:
            headers["Last-Modified"] = format_datetime(doc.last_modified, usegmt=True)
        if _not_modified(request, doc):
            return Response(status_code=304, headers=headers)
        body = doc.body.encode()
        if doc.gzip:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        return Response(body, headers=headers, media_type=doc.content_type)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self._serve)])

    def serve(self) -> LocalServer:
        return LocalServer(self.app())


def _not_modified(request: Request, doc: FeedDoc) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:
        return doc.etag is not None and match == doc.etag
    since = request.headers.get("if-modified-since")
    if since and doc.last_modified:
        try:
            return parsedate_to_datetime(since) >= doc.last_modified
        except (TypeError, ValueError):
            return False
    return False
