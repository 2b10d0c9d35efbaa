"""A fake Hacker News Search API (Algolia): ``/api/v1/search_by_date`` of the reference (§5.2, §5.3).

Parses ``tags`` (comma = AND, parentheses = OR), ``numericFilters`` on ``created_at_i``/``points``/
``num_comments``, ``query`` (every word must appear), ``page``/``hitsPerPage``; answers the documented
envelope. Scriptable: queued failures (429, 5xx, 403, a body that is not JSON), raw hits (malformed,
duplicated), out-of-order serving.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes import FailureQueue, LocalServer, failure_response

__all__ = ["FakeHackerNews", "comment_hit", "story_hit"]

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "=": operator.eq,
}
_FILTER_RE = re.compile(r"^\s*(created_at_i|points|num_comments)\s*(>=|<=|>|<|=)\s*(-?\d+(?:\.\d+)?)\s*$")


def story_hit(object_id: int, created_at_i: int, *, title: str = "A story", **extra: Any) -> dict[str, Any]:
    hit: dict[str, Any] = {
        "created_at": "",
        "title": title,
        "url": "https://example.org/story",
        "author": "pg",
        "points": 57,
        "story_text": None,
        "comment_text": None,
        "_tags": ["story", "author_pg", f"story_{object_id}"],
        "num_comments": 2,
        "objectID": str(object_id),
        "created_at_i": created_at_i,
        "_highlightResult": {"title": {"value": title, "matchLevel": "none", "matchedWords": []}},
    }
    hit.update(extra)
    return hit


def comment_hit(
    object_id: int, created_at_i: int, *, text: str = "<p>A comment</p>", parent_id: int = 1, **extra: Any
) -> dict[str, Any]:
    hit: dict[str, Any] = {
        "created_at": "",
        "author": "dang",
        "comment_text": text,
        "story_id": 1,
        "story_title": "Y Combinator",
        "story_url": "https://ycombinator.com",
        "parent_id": parent_id,
        "points": None,
        "_tags": ["comment", "author_dang", "story_1"],
        "objectID": str(object_id),
        "created_at_i": created_at_i,
    }
    hit.update(extra)
    return hit


@dataclass
class FakeHackerNews:
    hits: list[Any] = field(default_factory=list)
    in_order: bool = True
    failures: FailureQueue = field(default_factory=FailureQueue)
    requests: list[dict[str, str]] = field(default_factory=list)

    def _matches(self, hit: Any, tags: str, filters: str, query: str) -> bool:
        if not isinstance(hit, dict):
            return True  # malformed hits are served to every query: the connector must cope
        hit_tags = set(hit.get("_tags") or [])
        for group in _split_tags(tags):
            if not hit_tags & group:
                return False
        for condition in filter(None, filters.split(",")):
            match = _FILTER_RE.match(condition)
            if not match:
                raise ValueError(condition)
            value = hit.get(match.group(1))
            if not isinstance(value, int | float) or not _OPS[match.group(2)](value, float(match.group(3))):
                return False
        haystack = " ".join(
            str(hit.get(key) or "") for key in ("title", "story_text", "comment_text", "url", "author")
        ).lower()
        return all(word in haystack for word in query.lower().split())

    async def _search(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.requests.append(params)
        failure = self.failures.pop()
        if failure is not None:
            return failure_response(failure)
        try:
            page = int(params.get("page", "0"))
            per_page = max(1, min(1000, int(params.get("hitsPerPage", "20"))))
            selected = [
                hit
                for hit in self.hits
                if self._matches(
                    hit, params.get("tags", ""), params.get("numericFilters", ""), params.get("query", "")
                )
            ]
        except ValueError as error:
            return JSONResponse({"message": f"invalid parameter: {error}", "status": 400}, status_code=400)
        if self.in_order:
            selected.sort(
                key=lambda hit: hit.get("created_at_i", 0) if isinstance(hit, dict) else 0, reverse=True
            )
        pages = max(1, -(-len(selected) // per_page))
        body = {
            "hits": selected[page * per_page : (page + 1) * per_page],
            "page": page,
            "nbHits": len(selected),
            "nbPages": pages,
            "hitsPerPage": per_page,
            "processingTimeMS": 1,
            "query": params.get("query", ""),
            "params": str(request.url.query),
        }
        return JSONResponse(body)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/api/v1/search_by_date", self._search)])

    def serve(self) -> LocalServer:
        return LocalServer(self.app())


def _split_tags(tags: str) -> list[set[str]]:
    """``author_pg,(story,poll)`` -> ``[{author_pg}, {story, poll}]`` (AND of OR-groups)."""
    groups: list[set[str]] = []
    depth_group: set[str] | None = None
    for token in re.findall(r"\(|\)|[^,()]+", tags):
        if token == "(":
            depth_group = set()
        elif token == ")":
            if depth_group:
                groups.append(depth_group)
            depth_group = None
        elif depth_group is not None:
            depth_group.add(token.strip())
        elif token.strip():
            groups.append({token.strip()})
    return groups
