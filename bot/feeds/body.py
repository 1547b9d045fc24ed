"""Reading a response body with a hard cap on the DECOMPRESSED size.

httpx's own decoders inflate each network chunk in one go, so a 64 KiB chunk of a gzip bomb
can become 64 MiB before any size check runs. Here the raw bytes are inflated with
``max_length`` in small steps, so memory stays near the cap whatever the compression ratio.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import AsyncIterator

logger = logging.getLogger(__name__)

# What we can inflate ourselves; sent as Accept-Encoding so servers pick nothing else.
ACCEPT_ENCODING = "gzip, deflate"
_STEP = 256 * 1024


class BodyTooLarge(Exception):
    """The decoded body passed the limit; the fetcher turns it into ResponseTooLarge."""


class UnsupportedEncoding(Exception):
    """The server used a Content-Encoding we did not ask for and cannot decode."""


class _Inflater:
    """Incremental gzip/deflate decoder that never produces more than asked for at a time."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._zlib = zlib.decompressobj(_wbits(encoding))
        self._started = False

    def feed(self, data: bytes, budget: int) -> bytes:
        """Inflate ``data``; raises BodyTooLarge as soon as output would pass ``budget``.

        Loops until zlib has neither input left nor a full output step (a full step may
        mean more output is pending inside zlib), so nothing is held back at the end.
        """
        out = bytearray()
        while True:
            step = min(budget - len(out) + 1, _STEP)
            chunk = self._decompress(data, step)
            out += chunk
            if len(out) > budget:
                raise BodyTooLarge
            data = self._zlib.unconsumed_tail
            if not data and (len(chunk) < step or self._zlib.eof):
                return bytes(out)

    def _decompress(self, data: bytes, max_length: int) -> bytes:
        try:
            chunk = self._zlib.decompress(data, max_length)
        except zlib.error:
            # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
            if self._encoding != "deflate" or self._started:
                raise
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            chunk = self._zlib.decompress(data, max_length)
        self._started = True
        return chunk


def _wbits(encoding: str) -> int:
    return zlib.MAX_WBITS | 16 if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS


async def read_limited(
    raw_chunks: AsyncIterator[bytes], content_encoding: str | None, max_bytes: int
) -> bytes:
    """The decoded body of ``raw_chunks`` (as sent on the wire), at most ``max_bytes`` long.

    Raises BodyTooLarge past the limit, zlib.error on corrupt compressed data and
    UnsupportedEncoding for an encoding other than identity, gzip or deflate.
    """
    encoding = (content_encoding or "identity").strip().lower()
    if encoding in ("", "identity"):
        inflater = None
    elif encoding in ("gzip", "x-gzip", "deflate"):
        inflater = _Inflater(encoding)
    else:
        raise UnsupportedEncoding(encoding)
    body = bytearray()
    async for raw in raw_chunks:
        budget = max_bytes - len(body)
        chunk = inflater.feed(raw, budget) if inflater else raw
        if len(chunk) > budget:
            raise BodyTooLarge
        body += chunk
    return bytes(body)
