from __future__ import annotations

from tests.unit.enrich.conftest import make_post
from veille.enrich.dedupe import DedupeStage, NearDuplicateIndex, normalise_for_dedupe, shingles

CAMPAIGN = "Stop the new tax on bread, sign the petition before Friday"


def test_normalisation_drops_what_varies_between_copies() -> None:
    assert normalise_for_dedupe("RT @bob: Été à PARIS https://t.co/x @alice") == ["ete", "a", "paris"]
    assert shingles(["a", "b", "c"], 2) == ["a b", "b c"]
    assert shingles(["a"], 2) == ["a"]


def test_clusters_point_at_the_first_post() -> None:
    posts = [
        make_post(1, CAMPAIGN + " https://petition.example/1"),
        make_post(2, "RT @someone: " + CAMPAIGN),
        make_post(3, "stop the NEW tax on bread!!! sign the petition before friday @mp"),
        make_post(4, "A completely different post about the weather in Lyon this weekend"),
        make_post(5, CAMPAIGN + " please share"),
    ]
    DedupeStage().process(posts)
    assert [post.duplicate_of for post in posts] == [None, "test:1", "test:1", None, "test:1"]


def test_clusters_span_batches_and_short_texts_never_cluster() -> None:
    stage = DedupeStage()
    first = stage.process([make_post(1, CAMPAIGN), make_post(2, "thank you"), make_post(3, "thank you")])
    second = stage.process([make_post(4, CAMPAIGN + "!"), make_post(5, "thank you")])
    assert [p.duplicate_of for p in first + second] == [None, None, None, "test:1", None]


def test_reposts_point_at_the_root_of_their_original() -> None:
    stage = DedupeStage()
    posts = [
        make_post(1, CAMPAIGN),
        make_post(2, CAMPAIGN + " yes"),  # near-duplicate of 1
        make_post(3, "ok", repost_of="test:2"),  # repost of a duplicate: root is 1
        make_post(4, "ok", repost_of="test:99"),  # original never seen
    ]
    stage.process(posts)
    assert [p.duplicate_of for p in posts] == [None, "test:1", "test:1", "test:99"]


def test_redelivered_post_keeps_its_answer() -> None:
    stage = DedupeStage()
    stage.process([make_post(1, CAMPAIGN)])
    again = stage.process([make_post(1, CAMPAIGN)])
    assert again[0].duplicate_of is None


def test_window_bounds_memory() -> None:
    stage = DedupeStage(window=3)
    words = [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "zeta",
        "eta",
        "theta",
        "iota",
        "kappa",
        "lambda",
        "mu",
    ]
    texts = [" ".join(words[i:] + words[:i]) + f" unique{i} marker{i} token{i}" for i in range(10)]
    stage.process([make_post(i, text) for i, text in enumerate(texts)])
    assert len(stage.index) == 3
    # The first text is out of the window: an exact copy of it is no longer recognised.
    copy = stage.process([make_post(100, texts[0])])
    assert copy[0].duplicate_of is None


def test_index_threshold_separates_similar_from_different() -> None:
    index = NearDuplicateIndex(threshold=0.6)
    base, near, far = index.signatures(
        [
            "the quick brown fox jumps over the lazy dog near the river bank today",
            "the quick brown fox jumps over the lazy dog near the river bank tonight",
            "completely unrelated words about cooking pasta with tomatoes and basil",
        ]
    )
    assert base is not None and near is not None and far is not None
    index.add("x:1", "x:1", 1, base)
    match = index.match(near)
    assert match is not None and match.post_id == "x:1"
    assert index.match(far) is None


def test_shingles_are_hashed_from_the_normalised_words() -> None:
    # The bytes hashed (split by a byte table for ASCII text) are the normalised words, encoded.
    import random

    from veille.enrich.dedupe import _encoded_words

    generator = random.Random(5)
    pieces = [
        "RT @bob: ",
        "Hello",
        "WORLD",
        "_x_",
        "42",
        " ",
        "\t",
        "\x1f",
        ",",
        "é",
        "Été",
        "@ann",
        "http://a.b/c",
    ]
    pieces += ["www.x.y", "ß", "İ", "😀", "a-b", "x@y.z", "\u00a0", "mt @Z "]
    for _ in range(5000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 12)))
        assert _encoded_words(text) == [word.encode() for word in normalise_for_dedupe(text)], text
