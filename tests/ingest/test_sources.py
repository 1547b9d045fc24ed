"""Sources beyond RSS, end to end: a channel's preview and a page read with selectors, listed
in the config file, alert a topic in the chat (through the fake Bot API) as a feed does; a
channel post published while the bot was off is found after the restart by paging back; a
page whose selector stops matching is a failing feed with a reason a person can act on."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pytest_httpserver import HTTPServer
from telegram import Bot
from werkzeug import Request, Response

import rules
from bot.config import Config, FeedSpec
from bot.store import FeedRow, PollStatus
from bot.wiring import build
from tests.support.botapi import FakeBotAPI, hrefs
from tests.support.channel_preview import PAGE_SIZE, ChannelServer, news_page, post
from tests.support.outbox_env import drain

CHAT = 5150
RULE = "Israel + Azerbaijan"
CHANNEL = "https://t.me/s/caspian_wire"
NEWS = "Israel and Azerbaijan sign a water deal in Baku"


def with_feeds(config: Config, *feeds: FeedSpec) -> Config:
    return replace(config, feeds=list(feeds))


async def poll_and_deliver(config: Config, bot: Bot, *, first: bool = False) -> list[FeedRow]:
    """One start of the bot: its config's feeds synced, each polled once, alerts sent."""
    async with build(config) as services:
        store = services.store.sync
        store.sync_config_feeds(config.feeds)
        if first:
            store.add_subscription(CHAT, rules.compile(RULE))
        await services.pipeline.poll_all(store.list_feeds())
        await drain(services.sender(bot))
        return store.list_feeds()


async def test_a_channel_post_alerts_the_topic_and_links_to_the_post(
    botapi: FakeBotAPI, bot: Bot, httpserver: HTTPServer, db: Path
) -> None:
    channels = ChannelServer(httpserver)
    channels.publish("caspian_wire", "Caspian Wire", [post(1, "The port of Baku reopens")])
    config = with_feeds(
        channels.config(str(db), parse_workers=-1), FeedSpec(url="https://t.me/caspian_wire")
    )
    await poll_and_deliver(config, bot, first=True)  # a first poll's backlog alerts no one
    channels.publish("caspian_wire", "Caspian Wire", [post(1, "The port"), post(2, NEWS)])

    [feed] = await poll_and_deliver(config, bot)

    [alert] = botapi.messages(CHAT)
    assert NEWS in alert.plain
    assert "https://t.me/caspian_wire/2" in hrefs(alert.text)
    assert (feed.url, feed.kind, feed.title) == (CHANNEL, "telegram", "Caspian Wire")
    assert feed.fulltext_failures == 0  # a short post is whole: no page of it is fetched


async def test_a_post_published_while_the_bot_was_off_alerts_after_the_restart(
    botapi: FakeBotAPI, bot: Bot, httpserver: HTTPServer, db: Path
) -> None:
    channels = ChannelServer(httpserver)
    posts = [post(n, f"Port bulletin {n}") for n in range(1, 6)]
    channels.publish("caspian_wire", "Caspian Wire", posts)
    config = with_feeds(channels.config(str(db), parse_workers=-1), FeedSpec(url=CHANNEL))
    await poll_and_deliver(config, bot, first=True)
    # While the bot is off, the news and then a full page of other posts come out: the
    # latest page no longer shows it.
    later = [post(6, NEWS)] + [post(n, f"Port bulletin {n}") for n in range(7, 7 + PAGE_SIZE)]
    channels.publish("caspian_wire", "Caspian Wire", posts + later)

    await poll_and_deliver(config, bot)

    [alert] = botapi.messages(CHAT)
    assert "https://t.me/caspian_wire/6" in hrefs(alert.text)
    assert channels.requests[-2:] == ["/s/caspian_wire", "/s/caspian_wire?before=7"]


async def test_a_page_item_alerts_and_a_selector_that_stops_matching_is_reported(
    botapi: FakeBotAPI, bot: Bot, httpserver: HTTPServer, db: Path
) -> None:
    pages = {"/news": news_page([("/port", "The port of Baku reopens", "Ships return.")])}

    def serve(request: Request) -> Response:
        return Response(pages["/news"], content_type="text/html; charset=utf-8")

    httpserver.expect_request("/news").respond_with_handler(serve)
    spec = FeedSpec(url=httpserver.url_for("/news"), name="Courier", items="article.story")
    config = with_feeds(ChannelServer(httpserver).config(str(db), parse_workers=-1), spec)
    await poll_and_deliver(config, bot, first=True)
    pages["/news"] = news_page([("/deal", NEWS, "Talks ended in Baku."), ("/port", "Port", "")])

    await poll_and_deliver(config, bot)
    pages["/news"] = news_page([("/x", NEWS, "")], item_class="teaser")  # a new layout
    [feed] = await poll_and_deliver(config, bot)

    [alert] = botapi.messages(CHAT)
    assert NEWS in alert.plain
    assert httpserver.url_for("/deal") in hrefs(alert.text)
    assert (feed.kind, feed.last_status, feed.error_count) == ("page", PollStatus.ERROR, 1)
    assert feed.failure == "the selector matched nothing: the page changed? (article.story)"
