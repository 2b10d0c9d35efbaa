from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from veille.enrich.sentiment.counts import count_matrix


@pytest.mark.parametrize(("height", "width"), [(1, 1), (7, 300), (500, 57_607), (70_000, 100_000)])
def test_counts_are_scipys_summed_coo(height: int, width: int) -> None:
    # (70,000 x 100,000 needs 64-bit keys.)
    generator = np.random.default_rng(height)
    rows = generator.integers(0, height, size=5000)
    columns = generator.integers(0, width, size=5000)
    expected = sp.csr_matrix((np.ones(5000, dtype=np.float32), (rows, columns)), shape=(height, width))
    expected.sum_duplicates()
    got = count_matrix(rows, columns, height, width)
    assert got.dtype == np.float32 and got.shape == (height, width)
    np.testing.assert_array_equal(got.indptr, expected.indptr)
    np.testing.assert_array_equal(got.indices, expected.indices)
    np.testing.assert_array_equal(got.data, expected.data)


def test_no_pairs() -> None:
    empty = np.zeros(0, dtype=np.int64)
    assert count_matrix(empty, empty, 3, 10).nnz == 0
    assert count_matrix(empty, empty, 0, 10).shape == (0, 10)
