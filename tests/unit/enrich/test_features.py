from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import HashingVectorizer

from veille.enrich.sentiment.features import CharNgramColumns, WordNgramColumns, char_wb_ngrams, word_ngrams

TEXTS = [
    "@user Great flight, thanks!! http",
    "lool looool   the  the the",
    "Ça marche pas, VRAIMENT pas 😡😡",
    "a",
    "",
    "   ",
    "x y z ab abc abcd abcde abcdef",
    "tab\tseparated\nnew line",
    "broken \ud83d surrogate",
]


def _reference(analyzer: str, ngrams: tuple[int, int], bits: int, texts: list[str]) -> np.ndarray:
    vectorizer = HashingVectorizer(
        analyzer=analyzer, ngram_range=ngrams, n_features=1 << bits, alternate_sign=False, norm=None
    )
    return vectorizer.transform(texts).toarray()


@pytest.mark.parametrize("ngrams", [(2, 5), (1, 3), (3, 3)])
def test_char_ngram_counts_match_scikit_learn(ngrams: tuple[int, int]) -> None:
    bits = 12
    texts = [text for text in TEXTS if "\ud83d" not in text]  # scikit-learn cannot encode those
    expected = _reference("char_wb", ngrams, bits, texts)
    # Keep every other column a model "knows": unknown columns must be dropped, known ones counted.
    columns = np.arange(0, 1 << bits, 2, dtype=np.int64)
    featurizer = CharNgramColumns(columns, ngrams, bits)
    for _ in range(2):  # cold, then from the cache
        counts = featurizer.matrix(texts).toarray()
        np.testing.assert_array_equal(counts, expected[:, columns])


@pytest.mark.parametrize("ngrams", [(1, 2), (1, 1), (2, 3)])
def test_word_ngram_counts_match_scikit_learn(ngrams: tuple[int, int]) -> None:
    bits = 12
    texts = [text for text in TEXTS if "\ud83d" not in text]
    expected = _reference("word", ngrams, bits, texts)
    columns = np.arange(1, 1 << bits, 3, dtype=np.int64)
    featurizer = WordNgramColumns(columns, ngrams, bits)
    for _ in range(2):
        np.testing.assert_array_equal(featurizer.matrix(texts).toarray(), expected[:, columns])


def test_ngram_lists() -> None:
    assert char_wb_ngrams("ab", 2, 5) == [" a", "ab", "b ", " ab", "ab ", " ab "]
    assert char_wb_ngrams("a", 2, 5) == [" a", "a ", " a "]
    assert word_ngrams("Hello big World a", 1, 2) == ["hello", "big", "world", "hello big", "big world"]


def test_lone_surrogates_do_not_fail_a_batch() -> None:
    featurizer = CharNgramColumns(np.arange(1 << 10, dtype=np.int64), (2, 3), 10)
    counts = featurizer.matrix(TEXTS)
    assert counts.shape == (len(TEXTS), 1 << 10)
    assert counts[TEXTS.index("broken \ud83d surrogate")].sum() > 0


def test_cache_resets_keep_counts_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tiny caches force every reset path; the counts must not change.
    import veille.enrich.sentiment.features as features

    monkeypatch.setattr(features, "_CACHE_LIMIT", 3)
    bits = 12
    texts = [text for text in TEXTS if "\ud83d" not in text]
    columns = np.arange(0, 1 << bits, 2, dtype=np.int64)
    words = WordNgramColumns(columns, (1, 2), bits)
    chars = CharNgramColumns(columns, (2, 5), bits)
    for _ in range(3):
        for start in range(len(texts)):
            batch = texts[start : start + 3]
            np.testing.assert_array_equal(
                words.matrix(batch).toarray(), _reference("word", (1, 2), bits, batch)[:, columns]
            )
            np.testing.assert_array_equal(
                chars.matrix(batch).toarray(), _reference("char_wb", (2, 5), bits, batch)[:, columns]
            )


def test_set_bits_without_numpy_bitwise_count(monkeypatch: pytest.MonkeyPatch) -> None:
    # NumPy before 2.0 has no bitwise_count: the byte-table count must agree with it.
    from veille.enrich.sentiment import features

    words = np.random.default_rng(3).integers(0, 2**63, size=1000, dtype=np.uint64) << np.uint64(1)
    words[:3] = [0, 1, np.iinfo(np.uint64).max]
    expected = [bin(int(word)).count("1") for word in words]
    np.testing.assert_array_equal(features._set_bits(words), expected)
    if hasattr(np, "bitwise_count"):
        monkeypatch.delattr(np, "bitwise_count")
    np.testing.assert_array_equal(features._set_bits(words), expected)
