from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.posts import post_json
from veille.model import Post, parse_post, parse_posts, post_json_schema


def test_spec_example_round_trips() -> None:
    example = {
        "id": "bluesky:at://did:plc:abc/app.bsky.feed.post/3l6oveex3ii2l",
        "source": "bluesky",
        "url": "https://bsky.app/profile/alice.bsky.social/post/3l6oveex3ii2l",
        "created_at": "2026-11-28T09:12:44Z",
        "text": "Ma #Livebox est encore en panne @orange_fr",
        "lang": "fr",
        "author": {
            "id": "did:plc:abc",
            "handle": "alice.bsky.social",
            "name": "Alice",
            "followers": 1250,
            "verified": False,
            "location": "Lyon, France",
            "bio": "Journaliste tech",
        },
        "reply_to": None,
        "repost_of": None,
        "quote_of": None,
        "links": ["https://example.org/article"],
        "metrics": {"likes": 3, "reposts": 1, "replies": 0, "views": None},
        "country": None,
    }
    post = parse_post(example)
    data = post.to_json_dict()
    for key, value in example.items():
        assert data[key] == value, key
    assert Post.model_validate(data) == post


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"created_at": "yesterday"}, "created_at: not an RFC 3339 timestamp"),
        (
            {"created_at": "2026-11-01T10:00:00"},
            "created_at: not an RFC 3339 timestamp (no time-zone offset)",
        ),
        ({"created_at": 1700000000}, "created_at: not an RFC 3339 timestamp"),
        ({"text": ""}, "text: must not be empty"),
        ({"text": "   "}, "text: must not be blank"),
        ({"text": "x" * 100_001}, "text: longer than 100000 characters"),
        ({"id": "no-colon"}, "id: must have the form source:platform_id"),
        ({"source": "Bluesky"}, "source: must be a lower-case platform name"),
        ({"lang": "french"}, "lang: must be an ISO 639-1 code"),
        ({"country": "FRA"}, "country: must be an ISO 3166-1 alpha-2 code"),
        ({"reply_to": "42"}, "reply_to: must have the form source:platform_id"),
        ({"author": {"name": "x"}}, "author.handle: required field is missing"),
        (
            {"author": {"handle": "a", "followers": -1}},
            "author.followers: input should be greater than or equal to 0",
        ),
        ({"metrics": {"likes": -3}}, "metrics.likes: input should be greater than or equal to 0"),
    ],
)
def test_each_rule_names_its_field(change: dict[str, object], expected: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_post(post_json(1, **change))
    assert expected in str(caught.value)


def test_missing_required_fields_are_all_named() -> None:
    with pytest.raises(ValueError) as caught:
        parse_post({"text": "hello"})
    message = str(caught.value)
    for field in ("id", "source", "created_at", "author"):
        assert f"{field}: required field is missing" in message


def test_future_timestamps_are_refused_beyond_five_minutes() -> None:
    soon = datetime.now(UTC) + timedelta(minutes=4)
    later = datetime.now(UTC) + timedelta(minutes=6)
    assert parse_post(post_json(1, created_at=soon.isoformat())).created_at == soon
    with pytest.raises(ValueError, match="created_at: more than 5 minutes in the future"):
        parse_post(post_json(1, created_at=later.isoformat()))


def test_offsets_are_stored_in_utc_and_handles_lose_their_at() -> None:
    post = parse_post(post_json(1, created_at="2026-11-01T14:00:00+02:00", author={"handle": "@Bob"}))
    assert post.created_at == datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    assert post.to_json_dict()["created_at"] == "2026-11-01T12:00:00Z"
    assert post.author.handle == "Bob"


def test_unknown_fields_are_kept_and_enrichment_from_clients_is_ignored() -> None:
    post = parse_post(post_json(1, platform_score=9, sentiment={"label": "positive", "score": 1}))
    assert post.extra == {"platform_score": 9}
    assert post.sentiment is None
    again = Post.model_validate(post.to_json_dict())
    assert again.extra == {"platform_score": 9}


def test_a_batch_keeps_valid_neighbours_of_invalid_items() -> None:
    items = [post_json(0), {"id": "push:1"}, "not an object", post_json(3, created_at="nope"), post_json(4)]
    accepted, rejected = parse_posts(items)
    assert [post.id for post in accepted] == ["push:0", "push:4"]
    assert [reject.index for reject in rejected] == [1, 2, 3]
    assert rejected[2].message() == "item 3: created_at: not an RFC 3339 timestamp"
    assert rejected[1].message() == "item 2: not a JSON object"


def test_json_schema_describes_the_ingest_form() -> None:
    schema = post_json_schema()
    assert set(schema["required"]) >= {"id", "source", "created_at", "text", "author"}
    assert "sentiment" not in schema["properties"]


@pytest.mark.parametrize(
    ("sent", "lang", "tag"),
    [
        ("fr", "fr", None),
        ("FR", "fr", None),
        ("zh-CN", "zh", "zh-CN"),
        ("pt_BR", "pt", "pt_BR"),
        ("sr-Latn-RS", "sr", "sr-Latn-RS"),
        ("fra", "fr", "fra"),
        ("fre", "fr", "fre"),
        ("deu", "de", "deu"),
        ("cmn", "zh", "cmn"),  # a member of the zh macrolanguage
        ("in", "id", "in"),  # withdrawn from ISO 639-1, still sent by X
        ("iw", "he", "iw"),
        ("tl", "tl", None),  # stays Tagalog, not Filipino
        ("yue", None, "yue"),  # no ISO 639-1 code: lang unset, the tag kept
        ("ast", None, "ast"),
        ("qme", None, "qme"),
        ("und", "und", None),
    ],
)
def test_language_tags_become_their_iso_639_1_code_with_the_tag_kept(
    sent: str, lang: str | None, tag: str | None
) -> None:
    post = parse_post(post_json(1, lang=sent))
    assert post.lang == lang
    assert post.extra.get("lang_tag") == tag
    again = parse_post(post.to_json_dict())  # an export re-imported keeps both
    assert (again.lang, again.extra.get("lang_tag")) == (lang, tag)


@pytest.mark.parametrize("value", ["french", "fr!!", "en-", "12", "x"])
def test_a_value_that_is_no_language_tag_is_refused_naming_the_field(value: str) -> None:
    with pytest.raises(ValueError, match=r"^lang: must be an ISO 639-1 code or a language tag"):
        parse_post(post_json(1, lang=value))


def test_the_push_api_and_jsonl_use_the_same_rule() -> None:
    from veille.sources.push import validate_push_items

    body = "\n".join(json.dumps(post_json(n, lang=lang)) for n, lang in enumerate(["zh-TW", "french"]))
    items = validate_push_items(body.encode(), content_type="application/x-ndjson", max_items=10)
    [accepted] = items.accepted
    assert (accepted.lang, accepted.extra["lang_tag"]) == ("zh", "zh-TW")
    [refused] = items.rejected
    assert refused.index == 1 and refused.reason.startswith("lang:")


def test_nul_characters_are_removed_on_the_fast_path_and_in_nested_values() -> None:
    """Top-level strings skip the recursive walk only when they hold no NUL; nested ones are walked."""
    post = parse_post(
        post_json(1, text="pan\x00ne", author={"handle": "al\x00ice", "name": "A\x00"}, reply_to=None)
        | {"note": "x\x00y"}
    )
    assert (post.text, post.author.handle, post.author.name) == ("panne", "alice", "A")
    assert post.extra == {"note": "xy"}


def test_an_item_of_known_fields_only_is_not_modified_by_validation() -> None:
    item = post_json(2, lang="pt-BR")
    before = json.loads(json.dumps(item))
    post = parse_post(item)
    assert item == before  # the caller's dict is copied, never changed in place
    assert (post.lang, post.extra) == ("pt", {"lang_tag": "pt-BR"})


def test_prepared_topic_rows_hold_the_spans_as_compact_json() -> None:
    from veille.model import TopicMatch
    from veille.store.prepared import prepare_posts

    post = parse_post(post_json(3))
    post.topics = [TopicMatch(name="a", spans=[(0, 4), (12, 19)]), TopicMatch(name="b", spans=[])]
    rows = prepare_posts([post]).topic_rows
    assert [(topic, spans) for _, topic, _, spans in rows] == [("a", "[[0,4],[12,19]]"), ("b", "[]")]
    assert json.loads(rows[0][3]) == [[0, 4], [12, 19]]
