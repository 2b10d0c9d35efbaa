"""A curated influencer as a client gives it: normalised, refused naming the field (or line and column)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from veille.errors import validation_message
from veille.influencers import InfluencerError, InfluencerSpec, parse_influencers_csv


def test_a_spec_is_normalised() -> None:
    spec = InfluencerSpec.model_validate(
        {"platform": " X ", "handle": " @Claire ", "category": "Journalist", "country": "fr", "name": "  "}
    )
    assert spec == InfluencerSpec(
        platform="x", handle="Claire", category="journalist", country="FR", name=None
    )
    assert spec.key == ("x", "claire")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"platform": "x", "handle": "a", "category": "pundit"},
            "category: 'pundit' is not one of journalist",
        ),
        ({"platform": "X Y", "handle": "a", "category": "other"}, "platform: 'X Y' is not a platform name"),
        ({"platform": "x", "handle": "a b", "category": "other"}, "handle: 'a b' is not a handle"),
        (
            {"platform": "x", "handle": "a", "category": "other", "country": "France"},
            "country: 'France' is not",
        ),
        ({"platform": "x", "handle": "a", "category": "other", "name": "n" * 201}, "name: longer than 200"),
        ({"platform": "x", "handle": "a"}, "category: Field required"),
        (
            {"platform": "x", "handle": "a", "category": "other", "bio": "?"},
            "bio: Extra inputs are not permitted",
        ),
    ],
)
def test_a_bad_spec_names_the_field(body: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        InfluencerSpec.model_validate(body)
    assert validation_message(refused.value).startswith(message)


def test_csv_errors_name_line_and_column_and_nothing_is_returned() -> None:
    good = parse_influencers_csv("platform,handle,category\nx,@a,blogger\nbluesky,b.bsky.social,elected\n")
    assert [(spec.platform, spec.handle, spec.category) for spec in good] == [
        ("x", "a", "blogger"),
        ("bluesky", "b.bsky.social", "elected"),
    ]
    with pytest.raises(InfluencerError) as refused:
        parse_influencers_csv(
            "platform,handle,category,country\nx,a,pundit,\nx,b,blogger,France\nx,c,other,\nx,C,other,\n"
        )
    assert str(refused.value) == (
        "line 2, column category: 'pundit' is not one of journalist, blogger, elected, media, brand, other; "
        "line 3, column country: 'France' is not an ISO 3166 code such as FR; "
        "line 5, column handle: 'C' already given on line 4"
    )
    with pytest.raises(InfluencerError, match=r"line 1 \(header\)"):
        parse_influencers_csv("platform,handle\nx,a\n")
