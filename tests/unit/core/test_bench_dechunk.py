"""The live benchmark's stream clients decode HTTP/1.1 chunked bodies however the bytes are cut."""

from __future__ import annotations

import random

import pytest

from veille.benchmarks.live_clients import Dechunker


def _chunked(parts: list[bytes], *, extension: bool = False) -> bytes:
    out = b""
    for part in parts:
        out += b"%x%s\r\n%s\r\n" % (len(part), b";name=value" if extension else b"", part)
    return out + b"0\r\n\r\n"


EVENTS = [
    b'event: post\nid: %d\ndata: {"id":"bench:r:%d:1765161234.123456","text":"\\r\\n 0\\r\\n"}\n\n' % (n, n)
    for n in range(40)
]


@pytest.mark.parametrize("seed", range(20))
def test_any_cut_of_the_bytes_gives_the_body_back(seed: int) -> None:
    rng = random.Random(seed)
    parts = [b"".join(EVENTS[i : i + 3]) for i in range(0, len(EVENTS), 3)] + [b"x" * 300]
    wire = _chunked(parts, extension=seed % 2 == 1)
    decoder = Dechunker()
    body = b""
    position = 0
    while position < len(wire):
        step = rng.choice([1, 2, 3, 7, 64, 1000])
        body += decoder.feed(wire[position : position + step])
        position += step
    assert body == b"".join(parts)
    assert decoder.ended


def test_upper_case_hex_sizes_and_one_big_read() -> None:
    data = b"a" * 0xAB
    decoder = Dechunker()
    assert decoder.feed(b"AB\r\n" + data + b"\r\n") == data
    assert not decoder.ended
    assert decoder.feed(b"0\r\n\r\n") == b""
    assert decoder.ended


def test_a_malformed_size_or_missing_crlf_is_an_error() -> None:
    with pytest.raises(ValueError, match="bad chunk size"):
        Dechunker().feed(b"zz\r\nabc\r\n")
    with pytest.raises(ValueError, match="not followed by CRLF"):
        Dechunker().feed(b"3\r\nabcXY")
