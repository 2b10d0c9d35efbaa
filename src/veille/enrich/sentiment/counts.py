"""Count matrices from (row, column) pairs, as scipy builds them from COO, faster.

scipy's COO to CSR conversion sorts each row's (column, value) pairs one row at a time; here each
pair becomes one integer key, row in the high bits, and a single NumPy sort orders them all.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["count_matrix"]


def count_matrix(rows: np.ndarray, columns: np.ndarray, height: int, width: int) -> sp.csr_matrix:
    """(height, width) float32 CSR counts of the pairs: what ``csr_matrix((ones, (rows, columns)))``
    then ``sum_duplicates()`` give (columns sorted within each row, no explicit zeros)."""
    shift = max(width - 1, 1).bit_length()
    # 32-bit keys sort fastest; 64 bits when rows and columns need more.
    key_type = np.dtype(np.uint32 if shift + max(height - 1, 1).bit_length() <= 32 else np.uint64)
    shift_by = np.array(shift, dtype=key_type)
    keys = np.left_shift(rows.astype(key_type), shift_by) | columns.astype(key_type)
    keys.sort()
    first = np.ones(len(keys), dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    unique = keys[starts]
    # Row r starts at its first key, the first one not below r << shift.
    indptr = np.empty(height + 1, dtype=np.int64)
    indptr[:height] = np.searchsorted(unique, np.left_shift(np.arange(height, dtype=key_type), shift_by))
    indptr[height] = len(unique)
    ends = np.empty_like(starts)
    ends[:-1] = starts[1:]
    ends[-1:] = len(keys)
    counts = (ends - starts).astype(np.float32)
    indices = (unique & np.array((1 << shift) - 1, dtype=key_type)).astype(np.int32)
    return sp.csr_matrix((counts, indices, indptr), shape=(height, width))
