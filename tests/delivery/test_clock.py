"""The sender tells the time by the process's clock, the one ``build(config, now=...)`` is given
(the demo's fixed date): a chat's daily digest and its quiet hours follow that clock alone. The
wall clock is left as it is (no time-machine), and is hours or years away from the moments the
test sets, so a stage still reading it would send at the wrong time and fail the test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram import Bot

from bot.clock import utcnow
from bot.config import Config, StorageConfig
from bot.delivery import OutboxSender, Pacer
from bot.store import Store
from bot.wiring import build
from tests.delivery.queued import CHAT, follow, publish
from tests.support.botapi import FakeBotAPI, hrefs
from tests.support.outbox_env import drain
from tests.support.set_clock import SetClock


@dataclass
class Process:
    clock: SetClock
    store: Store
    sender: OutboxSender


@pytest.fixture
async def process(bot: Bot, tmp_path: Path) -> AsyncIterator[Process]:
    """The process's parts as the daemon builds them, on a clock the test sets, unpaced."""
    clock = SetClock(utcnow())
    config = Config(storage=StorageConfig(path=str(tmp_path / "bot.db")))
    unpaced = Pacer(per_second=1000, per_chat_interval=0, per_group_minute=100_000)
    async with build(config, now=clock, pacer=unpaced) as services:
        services.store.sync.upsert_chat(CHAT)
        yield Process(clock, services.store.sync, services.sender(bot))


async def test_a_daily_digest_falls_due_when_the_process_clock_says(
    botapi: FakeBotAPI, process: Process
) -> None:
    due = (process.clock.moment + timedelta(hours=3)).replace(second=0, microsecond=0)
    daily = follow(process.store, "Azerbaijan", f"daily {due:%H:%M}")
    queued = publish(process.store, [daily], ["Azerbaijan signs a deal", "Baku hosts talks"])

    process.clock.moment = due - timedelta(minutes=1)
    await drain(process.sender)
    assert botapi.messages(CHAT) == []
    process.clock.moment = due
    await drain(process.sender)

    [digest] = botapi.messages(CHAT)
    heading = digest.plain.splitlines()[0]
    assert heading.startswith("Digest · ")
    assert heading.endswith(f"{due:%H:%M} UTC"), "on time, not sent late"
    assert sorted(hrefs(digest.text)) == sorted(queued)


async def test_quiet_hours_hold_an_alert_until_the_process_clock_reaches_their_end(
    botapi: FakeBotAPI, process: Process
) -> None:
    process.store.set_chat_quiet(CHAT, "22:00-07:00")
    realtime = follow(process.store, "Azerbaijan", None)
    process.clock.moment = datetime(2031, 3, 10, 22, 30, tzinfo=UTC)
    [held] = publish(process.store, [realtime], ["Azerbaijan at night"])

    await drain(process.sender)
    process.clock.moment = datetime(2031, 3, 11, 6, 59, tzinfo=UTC)
    await drain(process.sender)
    assert botapi.messages(CHAT) == []
    process.clock.moment = datetime(2031, 3, 11, 7, 0, tzinfo=UTC)
    await drain(process.sender)

    [digest] = botapi.messages(CHAT)
    assert digest.plain.splitlines()[0] == "Digest · 10 Mar 22:00 – 11 Mar 07:00 UTC"
    assert hrefs(digest.text) == [held]
    assert not digest.silent
