"""Fixtures of the daemon tests: ``serve`` on the test's own event loop, stopped when it ends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.config import Config
from bot.daemon import serve
from tests.support.botapi import FakeBotAPI


@pytest.fixture
async def running(botapi: FakeBotAPI, tmp_path: Path) -> AsyncIterator[Callable]:
    """``await start(config)`` runs the daemon until the test ends (or ``stop()`` is awaited)."""
    tasks: list[tuple[asyncio.Event, asyncio.Task]] = []

    async def start(config: Config) -> Callable:
        stop = asyncio.Event()
        task = asyncio.create_task(serve(config, botapi.token, stop=stop))
        tasks.append((stop, task))

        async def halt() -> None:
            stop.set()
            await asyncio.wait_for(task, 30)

        return halt

    yield start
    for stop, task in tasks:
        stop.set()
        await asyncio.wait_for(task, 30)
