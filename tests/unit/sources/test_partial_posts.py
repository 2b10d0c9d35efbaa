"""A platform item is never dropped for one bad optional value; feed dates in other languages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from veille.sources.connectors import post_from_dict
from veille.sources.connectors.feed_dates import parse_feed_date

ITEM = {
    "id": "x:1",
    "source": "x",
    "created_at": "2024-01-01T00:00:00Z",
    "text": "hello",
    "author": {"handle": "alice"},
}


def test_bad_optional_values_are_left_out_and_named() -> None:
    post = post_from_dict(
        {
            **ITEM,
            "lang": "french",
            "author": {"handle": "alice", "followers": -3, "name": "Alice"},
            "links": ["https://ok.example", 5, None],
            "metrics": {"likes": -1, "reposts": 2},
            "reply_to": "not-an-id",
            "country": "FRA",
        }
    )
    assert (post.lang, post.author.followers, post.reply_to, post.country) == (None, None, None, None)
    assert post.author.name == "Alice" and post.metrics.reposts == 2 and post.metrics.likes is None
    assert post.links == ["https://ok.example"]
    unfilled = post.extra["unfilled"]
    for field in ("lang", "author.followers", "metrics.likes", "reply_to", "links", "country"):
        assert field in unfilled, field
    reasons = post.extra["unfilled_reasons"]
    assert "'french'" in reasons["lang"] and "-3" in reasons["author.followers"]
    assert "'FRA'" in reasons["country"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"created_at": "yesterday"}, "created_at"),
        ({"text": " "}, "text"),
        ({"author": {"handle": ""}}, "author.handle"),
    ],
)
def test_a_bad_required_value_still_refuses_the_item(change: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field}:"):
        post_from_dict({**ITEM, **change})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Qua, 06 Set 2023 10:00:00 -0300", datetime(2023, 9, 6, 13, 0, tzinfo=UTC)),  # Portuguese
        ("Sáb, 02 Dez 2023 08:15:00 +0000", datetime(2023, 12, 2, 8, 15, tzinfo=UTC)),
        ("06 de setembro de 2023 10:00:00 -0300", datetime(2023, 9, 6, 13, 0, tzinfo=UTC)),
        ("mié, 06 dic 2023 10:00:00 +0100", datetime(2023, 12, 6, 9, 0, tzinfo=UTC)),  # Spanish
        ("mer., 06 sept. 2023 10:00:00 +0200", datetime(2023, 9, 6, 8, 0, tzinfo=UTC)),  # French
        ("ven., 12 août 2022 11:00 +0200", datetime(2022, 8, 12, 9, 0, tzinfo=UTC)),
        ("Mi, 06 Okt 2023 10:00:00 +0200", datetime(2023, 10, 6, 8, 0, tzinfo=UTC)),  # German
        ("mer, 06 ott 2023 10:00:00 +0200", datetime(2023, 10, 6, 8, 0, tzinfo=UTC)),  # Italian
        ("wo, 06 mrt 2024 10:00:00 +0100", datetime(2024, 3, 6, 9, 0, tzinfo=UTC)),  # Dutch
        ("Thu, 01 Jan 2004 19:48:21 GMT", datetime(2004, 1, 1, 19, 48, 21, tzinfo=UTC)),
        ("2023-09-06T10:00:00-03:00", datetime(2023, 9, 6, 13, 0, tzinfo=UTC)),
        ("06 Sep 2023 10:00:00", datetime(2023, 9, 6, 10, 0, tzinfo=UTC)),  # no zone: UTC
    ],
)
def test_feed_dates_in_other_languages(text: str, expected: datetime) -> None:
    assert parse_feed_date(text) == expected


@pytest.mark.parametrize("text", [None, "", "  ", "quarta-feira passada", "32 Foo 2023"])
def test_unreadable_feed_dates_are_none(text: str | None) -> None:
    assert parse_feed_date(text) is None
