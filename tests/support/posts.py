"""Valid post JSON for tests, varied by index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = ["post_json"]

BASE_TIME = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def post_json(index: int, **overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": f"push:{index}",
        "source": "push",
        "created_at": (BASE_TIME + timedelta(seconds=index)).isoformat().replace("+00:00", "Z"),
        "text": f"Post number {index} about #Fibre with @nova_fr",
        "lang": "en",
        "author": {"handle": f"user{index % 7}", "name": f"User {index % 7}", "followers": 100 * index},
        "metrics": {"likes": index, "reposts": 0, "replies": 0, "views": None},
    }
    item.update(overrides)
    return item
