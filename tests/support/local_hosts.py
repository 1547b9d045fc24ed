"""The local servers tests fetch from, allowed by name.

The fetcher refuses internal addresses (loopback included) unless allowed, so every test that
fetches from pytest-httpserver (``localhost``) or another loopback server says so explicitly,
with the same ``[fetch] allow_hosts`` an operator would write.
"""

from __future__ import annotations

import socket
from dataclasses import replace

from bot.config import FetchConfig
from bot.feeds.fetcher import Fetcher, FetchLimits
from bot.feeds.parser import InlineParser
from bot.feeds.probe import probe_feed

LOCAL_HOSTS = ("localhost", "127.0.0.1")
LOCAL_FETCH = FetchConfig(allow_hosts=list(LOCAL_HOSTS))
"""The ``[fetch]`` section of a test's Config."""
LOCAL_FETCH_TOML = '[fetch]\nallow_hosts = ["localhost", "127.0.0.1"]\n'
"""The same, for a test's config file."""


def local_limits(limits: FetchLimits | None = None) -> FetchLimits:
    """``limits`` (default: the defaults) with the local hosts allowed."""
    return replace(limits or FetchLimits(), allow_hosts=frozenset(LOCAL_HOSTS))


async def validate_locally(url: str) -> tuple[str, str | None]:
    """What the daemon wires in as /addfeed's check (one fetch with autodiscovery, then a
    parse), with the local hosts allowed."""
    async with Fetcher(local_limits()) as fetcher:
        return await probe_feed(fetcher, InlineParser(), url)


async def validate_as_deployed(url: str) -> tuple[str, str | None]:
    """/addfeed's check with the daemon's default fetcher: no internal address allowed."""
    async with Fetcher() as fetcher:
        return await probe_feed(fetcher, InlineParser(), url)


def free_port() -> int:
    """A loopback port nothing listens on now, for a server the test starts next."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
