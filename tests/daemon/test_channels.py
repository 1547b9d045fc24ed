"""When Telegram refuses the daemon's post to a linked channel (the bot lost its right to post
while no update said so), the channel pauses and its linker is told once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pytest_httpserver import HTTPServer

from tests.support.botapi import FakeBotAPI
from tests.support.daemon_env import CHAT, Feed, daemon_config
from tests.support.waiting import until

CHANNEL = -1001777000111
PAUSED = "⚠️ I can no longer post in the channel @baku_news"


async def test_a_channel_that_refuses_a_post_is_paused_and_its_linker_told_once(
    botapi: FakeBotAPI, httpserver: HTTPServer, tmp_path: Path, running
) -> None:
    news = Feed(httpserver, "/news.xml")
    botapi.add_channel(CHANNEL, title="Baku News", username="baku_news", admins=[CHAT])
    await running(daemon_config(tmp_path / "bot.db", botapi, news))
    for command in ("/channel @baku_news", "/subscribe Azerbaijan"):
        before = len(botapi.messages(CHAT))
        botapi.user_sends(CHAT, command)
        await asyncio.to_thread(botapi.wait_for_messages, CHAT, before + 1)

    # The bot loses its right to post, and no update says so (it was not running then).
    botapi.add_channel(CHANNEL, title="Baku News", username="baku_news", bot_can_post=False)
    news.publish("Azerbaijan builds a bridge", "https://example.org/bridge", "Over the Kura.")
    news.publish("Azerbaijan signs a treaty", "https://example.org/treaty", "With Georgia.")
    await until(
        lambda: any(m.plain.startswith(PAUSED) for m in botapi.messages(CHAT)), "the linker told"
    )
    polls = news.polls
    await until(lambda: news.polls >= polls + 2, "two more polls")

    assert botapi.messages(CHANNEL) == []
    assert sum(m.plain.startswith(PAUSED) for m in botapi.messages(CHAT)) == 1
