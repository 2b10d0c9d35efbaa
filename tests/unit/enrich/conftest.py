from __future__ import annotations

from typing import Any

import pytest

from veille.model import Post, parse_post


def make_post(number: int | str, text: str, **fields: Any) -> Post:
    author = {"handle": "someone", **fields.pop("author", {})}
    return parse_post(
        {
            "id": f"test:{number}",
            "source": "test",
            "created_at": "2024-03-01T10:00:00Z",
            "text": text,
            "author": author,
            **fields,
        }
    )


@pytest.fixture
def post_factory() -> Any:
    return make_post
