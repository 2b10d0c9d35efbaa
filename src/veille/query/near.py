"""``NEAR`` evaluated on whole posts at once, with bit sets: bounded work whatever the post.

An operand is read as, for each length in tokens its occurrences can have, the bit set of the
token positions where such an occurrence starts. ``x NEAR/n y`` then holds where some occurrence of
``x`` of length ``a`` starts at ``p`` and one of ``y`` of length ``b`` starts at ``p + a + g`` (``y``
after ``x``, ``g`` tokens between, ``0 <= g <= n``), or the mirror (unless ordered): for each
``(a, b, g)`` one shift and one AND of two integers. The occurrences of a ``NEAR`` used as an operand
(``(x NEAR/0f y) NEAR/0f z``, Brandwatch's nesting) are the spans from the first token of the earlier
match to the last of the later one, again as bit sets by length.

The work is ``lengths(x) × lengths(y) × (n + 1)`` big-integer operations of ``tokens / 64`` machine
words each, and :func:`veille.query.syntax.estimate_cost` bounds that product at parse time. Listing
pairs instead grows with the product of the occurrence counts, which a post repeating one word
thousands of times makes quadratic, and cubic once nested.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from veille.query.ast import Near, Node, Or, Tag, Words
from veille.query.leaves import leaf_occurrences
from veille.query.view import PostView, Span

__all__ = ["near_spans", "near_test"]


@dataclass(slots=True)
class _Operand:
    """Occurrences of an operand: length -> bit set of first positions, and their text spans."""

    bits: dict[int, int]
    spans: dict[tuple[int, int], list[Span]] = field(default_factory=dict)


def _bits_from_positions(positions: dict[int, list[int]], size: int) -> dict[int, int]:
    """Bit sets from lists of positions, built through a byte array (one pass, no quadratic ORs)."""
    bits: dict[int, int] = {}
    for length, firsts in positions.items():
        buffer = bytearray(size // 8 + 1)
        for first in firsts:
            buffer[first >> 3] |= 1 << (first & 7)
        bits[length] = int.from_bytes(buffer, "little")
    return bits


def _leaf_operand(node: Words | Tag | Or, view: PostView) -> _Operand:
    by_length: dict[int, list[int]] = {}
    spans: dict[tuple[int, int], list[Span]] = {}
    for first, last, span in leaf_occurrences(node, view):
        if first < 0:
            continue  # a hashtag or mention without a token (#__) takes no part in a NEAR
        length = last - first + 1
        by_length.setdefault(length, []).append(first)
        spans.setdefault((first, length), []).append(span)
    return _Operand(_bits_from_positions(by_length, len(view.folded)), spans)


def _operand(node: Node, view: PostView) -> _Operand:
    if isinstance(node, Near):
        return _Operand(_hulls(node, view))
    assert isinstance(node, Words | Tag | Or)  # the parser allows only these and NEAR as operands
    return _leaf_operand(node, view)


def _combinations(node: Near, left: _Operand, right: _Operand) -> Iterator[tuple[int, int, bool, int, int]]:
    """Each way an occurrence of one side can stand before one of the other within the distance:
    (left length, right length, left before right, gap, bit set of the earlier match's firsts)."""
    for left_length, left_bits in left.bits.items():
        for right_length, right_bits in right.bits.items():
            for gap in range(node.distance + 1):
                after = left_bits & (right_bits >> (left_length + gap))
                if after:
                    yield left_length, right_length, True, gap, after
                if not node.ordered:
                    before = right_bits & (left_bits >> (right_length + gap))
                    if before:
                        yield left_length, right_length, False, gap, before


def _hulls(node: Near, view: PostView) -> dict[int, int]:
    """Occurrences of a NEAR used as an operand: from the earlier match's first token to the later's last."""
    hulls: dict[int, int] = {}
    left, right = _operand(node.left, view), _operand(node.right, view)
    for left_length, right_length, _, gap, firsts in _combinations(node, left, right):
        length = left_length + gap + right_length
        hulls[length] = hulls.get(length, 0) | firsts
    return hulls


def near_test(node: Near, view: PostView) -> bool:
    """Does the post hold the two operands close enough?"""
    left = _operand(node.left, view)
    if not left.bits:
        return False
    right = _operand(node.right, view)
    return any(True for _ in _combinations(node, left, right))


def _set_bits(bits: int) -> list[int]:
    found = []
    while bits:
        lowest = bits & -bits
        found.append(lowest.bit_length() - 1)
        bits ^= lowest
    return found


def _spans(node: Near, view: PostView, wanted: dict[int, int] | None) -> list[Span]:
    """Spans of the leaves of the pairs that satisfy ``node``; with ``wanted`` (length -> firsts), only
    of the pairs whose hull is one of those (a nested NEAR, restricted to the hulls the outer one used)."""
    left, right = _operand(node.left, view), _operand(node.right, view)
    used_left: dict[int, int] = {}
    used_right: dict[int, int] = {}
    for left_length, right_length, left_first, gap, firsts in _combinations(node, left, right):
        if wanted is not None:
            firsts &= wanted.get(left_length + gap + right_length, 0)
            if not firsts:
                continue
        if left_first:
            used_left[left_length] = used_left.get(left_length, 0) | firsts
            shifted = firsts << (left_length + gap)
            used_right[right_length] = used_right.get(right_length, 0) | shifted
        else:
            used_right[right_length] = used_right.get(right_length, 0) | firsts
            shifted = firsts << (right_length + gap)
            used_left[left_length] = used_left.get(left_length, 0) | shifted
    return _operand_spans(node.left, left, used_left, view) + _operand_spans(
        node.right, right, used_right, view
    )


def _operand_spans(node: Node, operand: _Operand, used: dict[int, int], view: PostView) -> list[Span]:
    if not used:
        return []
    if isinstance(node, Near):
        return _spans(node, view, used)
    return [
        span
        for length, bits in used.items()
        for first in _set_bits(bits)
        for span in operand.spans.get((first, length), ())
    ]


def near_spans(node: Near, view: PostView) -> list[Span] | None:
    """The spans that made ``node`` match (every satisfying pair's leaves), None when it does not."""
    if not near_test(node, view):
        return None
    return _spans(node, view, None)
