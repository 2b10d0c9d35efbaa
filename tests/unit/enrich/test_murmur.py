from __future__ import annotations

import random

import numpy as np
import pytest
from sklearn.feature_extraction import FeatureHasher

from veille.enrich.sentiment.murmur import Utf8Text, hashed_columns


def _strings() -> list[str]:
    generator = random.Random(20240229)
    alphabet = "abcXYZ _-'.é ß漢😀\u0301اक"
    strings = [
        "".join(generator.choice(alphabet) for _ in range(generator.randint(1, 30))) for _ in range(3000)
    ]
    # Every byte length from 1 to 40 (all block and tail cases), and one long term.
    return strings + ["x" * length for length in range(1, 41)] + ["é" * 500]


@pytest.mark.parametrize("bits", [10, 22, 26])
def test_columns_match_scikit_learns_feature_hasher(bits: int) -> None:
    strings = _strings()
    hasher = FeatureHasher(1 << bits, input_type="string", alternate_sign=False)
    expected = hasher.transform([[string] for string in strings]).tocsr().indices
    text = Utf8Text(strings)
    starts, lengths = text.string_slices()
    np.testing.assert_array_equal(hashed_columns(text.blocks, starts, lengths, 1 << bits), expected)


def test_slices_inside_strings_hash_as_the_substrings() -> None:
    text = Utf8Text([" naïve ", " 漢字 "])
    # Characters 1-5 ("naïv") and 8-9 ("漢字") of the joined text, as byte slices.
    char_starts, char_ends = np.array([1, 8]), np.array([5, 10])
    starts = text.byte_offsets[char_starts]
    lengths = text.byte_offsets[char_ends] - starts
    hasher = FeatureHasher(1 << 20, input_type="string", alternate_sign=False)
    expected = hasher.transform([["naïv"], ["漢字"]]).tocsr().indices
    np.testing.assert_array_equal(hashed_columns(text.blocks, starts, lengths, 1 << 20), expected)


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(UnicodeEncodeError):
        Utf8Text(["broken \ud83d"])
