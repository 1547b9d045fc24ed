"""The bounded body reader must return exactly the decoded body, or refuse it past the limit,
however the compressed bytes are split across network chunks."""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.feeds.body import BodyTooLarge, UnsupportedEncoding, read_limited

WBITS = {"gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS, "identity": None}


def encode(data: bytes, encoding: str) -> bytes:
    if WBITS[encoding] is None:
        return data
    compressor = zlib.compressobj(9, zlib.DEFLATED, WBITS[encoding])
    return compressor.compress(data) + compressor.flush()


async def split(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def read(raw: bytes, encoding: str, size: int, limit: int) -> bytes:
    return asyncio.run(read_limited(split(raw, size), encoding, limit))


@given(
    # Long runs compress hard, which is where inflating in bounded steps can go wrong.
    data=st.lists(st.tuples(st.binary(max_size=3), st.integers(1, 200_000)), max_size=4).map(
        lambda runs: b"".join(piece * count for piece, count in runs)
    ),
    encoding=st.sampled_from(sorted(WBITS)),
    size=st.integers(1, 5000),
    limit=st.integers(0, 500_000),
)
def test_returns_the_body_or_refuses_it_past_the_limit(
    data: bytes, encoding: str, size: int, limit: int
) -> None:
    raw = encode(data, encoding)
    if len(data) <= limit:
        assert read(raw, encoding, size, limit) == data
    else:
        with pytest.raises(BodyTooLarge):
            read(raw, encoding, size, limit)


def test_unknown_encoding_is_refused() -> None:
    with pytest.raises(UnsupportedEncoding):
        read(b"data", "br", 10, 100)
