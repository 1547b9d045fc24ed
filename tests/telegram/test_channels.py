"""Channels: linked from a private chat with /channel, followed from there, posted to without
buttons, paused when the bot may no longer post and resumed when it may again, and unlinked
with /channel remove (paused once no one manages them)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from bot.config import DeliveryConfig
from bot.telegram.acting import RECHECK_AFTER
from bot.telegram.channel_state import tell_paused
from bot.telegram.fairuse import paced_by_caller
from tests.support.telegram_app import USER, Bot, StartBot, alerts, publish
from tests.support.waiting import until

CHANNEL = -1001777000111
OTHER = 2002
"""Another administrator of the channel."""
LINKED = "Now managing the channel @baku_news."
PAUSED = "⚠️ I can no longer post in the channel @baku_news"
RESUMED = "✅ I can post in the channel @baku_news again"
BACK_HERE = "Back to this chat: commands act on it again."


async def linked_bot(start_bot: StartBot, **options: object) -> Bot:
    """A bot whose USER administers @baku_news, linked and selected in USER's private chat."""
    bot = await start_bot(**options)
    bot.api.add_channel(CHANNEL, title="Baku News", username="baku_news", admins=[USER, OTHER])
    answer = await bot.send(USER, "/channel @baku_news")
    assert answer.plain.startswith(LINKED)
    return bot


def said(bot: Bot, chat_id: int, start: str) -> list[str]:
    """What the chat received that begins with ``start``."""
    return [m.plain for m in bot.api.messages(chat_id) if m.plain.startswith(start)]


async def handled(bot: Bot, update_id: int) -> None:
    """Wait until the bot has fetched update ``update_id`` and then answered a later command,
    so that what the update did (or did not do) is done."""
    await until(
        lambda: any(int(c.get("offset") or 0) > update_id for c in bot.api.calls("getUpdates")),
        f"update {update_id} fetched",
    )
    await bot.send(OTHER, "/whoami")


async def test_a_channel_is_linked_followed_and_posted_to_without_buttons(
    start_bot: StartBot,
) -> None:
    bot = await linked_bot(start_bot)

    followed = await bot.send(USER, "/subscribe Azerbaijan")
    listed = await bot.send(USER, "/list")
    await publish(bot, "Azerbaijan opens a new port on the Caspian")
    back = await bot.send(USER, "/channel off")
    own = await bot.send(USER, "/list")

    assert followed.plain.startswith("Channel @baku_news:\nFollowing #1: Azerbaijan")
    assert listed.plain.startswith("Channel @baku_news:\nTopics followed here\n1. Azerbaijan")
    [alert] = alerts(bot, CHANNEL)
    assert "Azerbaijan opens a new port" in alert.plain
    assert alert.buttons == []
    assert alerts(bot, USER) == []
    assert back.plain == "Back to this chat: commands act on it again."
    assert own.plain.startswith("You follow no topics yet")
    assert len(await bot.store.list_subscriptions(CHANNEL)) == 1
    assert (await bot.store.get_chat(CHANNEL)).type == "channel"


async def test_the_topic_commands_change_the_selected_channel(start_bot: StartBot) -> None:
    bot = await linked_bot(start_bot)
    await bot.send(USER, "/subscribe Baku")

    answers = [
        await bot.send(USER, text)
        for text in (
            "/timezone Asia/Baku",
            "/quiet 23:00-06:00",
            "/frequency 1 daily 08:00",
            "/language de",
            "/pause 1",
            "/resume",
            "/unsubscribe 1",
        )
    ]

    assert all(a.plain.startswith("Channel @baku_news:\n") for a in answers), answers
    assert answers[3].plain.endswith("Done: I now write to this chat in Deutsch.")
    assert answers[4].plain.endswith("Paused #1: Baku")
    assert answers[5].plain.endswith("Resumed 1 topic of this chat.")
    assert answers[6].plain.endswith("Stopped following #1: Baku")
    channel, private = await bot.store.get_chat(CHANNEL), await bot.store.get_chat(USER)
    assert (channel.timezone, channel.quiet, channel.language) == (
        "Asia/Baku",
        "23:00-06:00",
        "de",
    )
    assert (private.timezone, private.quiet, private.language) == (None, None, None)
    assert await bot.store.list_subscriptions(CHANNEL) == []


@pytest.mark.parametrize(
    ("channel", "refusal"),
    [
        (
            {"admins": [OTHER]},
            "You are not an administrator of @baku_news.",
        ),
        (
            {"bot_status": "left"},
            "I am not an administrator of @baku_news: add me to its administrators, allowed "
            "to post messages, then send this again.",
        ),
        (
            {"bot_can_post": False},
            "I am an administrator of @baku_news but may not post messages there: allow me "
            "to, then send this again.",
        ),
    ],
    ids=["person-not-admin", "bot-not-admin", "bot-cannot-post"],
)
async def test_linking_is_refused_with_the_reason(
    start_bot: StartBot, channel: dict, refusal: str
) -> None:
    bot = await start_bot()
    bot.api.add_channel(
        CHANNEL, title="Baku News", username="baku_news", **{"admins": [USER], **channel}
    )

    answer = await bot.send(USER, "/channel @baku_news")
    then = await bot.send(USER, "/subscribe Baku")

    assert answer.plain == refusal
    assert then.plain.startswith("Following #1: Baku")  # the private chat's own topic
    assert await bot.store.linked_channels(USER) == []


async def test_what_is_not_a_channel_is_not_linked(start_bot: StartBot) -> None:
    bot = await start_bot()

    unknown = await bot.send(USER, "/channel @nobody_here")
    group = await bot.send(USER, "/channel -4001")
    elsewhere = await bot.send(-4001, "/channel @baku_news", chat_type="group", user_id=USER)

    assert unknown.plain.startswith("I cannot find the channel @nobody_here.")
    assert group.plain == "-4001 is not a channel."
    assert elsewhere.plain.startswith("Manage channels from your private chat with me")


async def test_a_forwarded_post_links_a_private_channel(start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.api.add_channel(CHANNEL, title="Desk & Co", admins=[USER])

    bot.api.user_forwards(USER, CHANNEL, "Today's post")
    [answer] = await asyncio.to_thread(bot.api.wait_for_messages, USER, 1)
    listing = await bot.send(USER, "/channel")

    assert answer.plain.startswith("Now managing the channel Desk & Co.")
    assert listing.plain.splitlines()[:3] == [
        "Your channels",
        "Desk & Co — selected",
        "Commands act on the channel Desk & Co; /channel off switches back to this chat.",
    ]


async def test_the_bot_removed_pauses_the_channel_tells_once_and_readded_resumes(
    start_bot: StartBot,
) -> None:
    bot = await linked_bot(start_bot)
    await bot.send(USER, "/subscribe Azerbaijan")
    await publish(bot, "Azerbaijan and Georgia sign a rail deal", send=False)

    bot.api.bot_rights_changed(CHANNEL, by_user=OTHER, status="left")
    await until(lambda: said(bot, USER, PAUSED), "the linker told")
    await publish(bot, "Azerbaijan wins gold")  # a paused topic matches nothing
    again = bot.api.bot_rights_changed(CHANNEL, by_user=OTHER, status="kicked")
    await handled(bot, again)
    listed = await bot.send(USER, "/list")
    assert alerts(bot, CHANNEL) == []
    assert "1. Azerbaijan — paused" in listed.plain

    bot.api.bot_rights_changed(CHANNEL, by_user=OTHER, status="administrator", can_post=True)
    await until(lambda: said(bot, USER, RESUMED), "the linker told it is back")
    await publish(bot, "Azerbaijan hosts the next summit")

    assert len(said(bot, USER, PAUSED)) == 1
    assert len(said(bot, USER, RESUMED)) == 1
    assert [a.plain.splitlines()[0] for a in alerts(bot, CHANNEL)] == [
        "Azerbaijan and Georgia sign a rail deal",
        "Azerbaijan hosts the next summit",
    ]


async def test_linking_again_once_the_bot_may_post_resumes_the_channel(
    start_bot: StartBot,
) -> None:
    bot = await linked_bot(start_bot)
    await bot.send(USER, "/subscribe Azerbaijan")
    bot.api.bot_rights_changed(CHANNEL, by_user=OTHER, status="left")
    await until(lambda: said(bot, USER, PAUSED), "the linker told")
    listed = await bot.send(USER, "/list")  # the linker still manages a paused channel
    # Made an administrator again while the bot was not running: no update says so.
    bot.api.add_channel(CHANNEL, title="Baku News", username="baku_news", admins=[USER])

    await bot.send(USER, "/channel @baku_news")
    await until(lambda: said(bot, USER, RESUMED), "the linker told it is back")
    await publish(bot, "Azerbaijan hosts the next summit")

    assert "1. Azerbaijan — paused" in listed.plain
    assert len(alerts(bot, CHANNEL)) == 1
    assert (await bot.store.get_chat(CHANNEL)).active


async def test_a_refused_post_pauses_the_channel_and_tells_once(start_bot: StartBot) -> None:
    bot = await linked_bot(start_bot)
    await bot.send(USER, "/subscribe Azerbaijan")
    # The bot lost its right to post while it was not running: no update says so.
    bot.api.add_channel(CHANNEL, title="Baku News", username="baku_news", bot_can_post=False)
    told = partial(tell_paused, bot.application.bot, bot.store, DeliveryConfig())

    await publish(bot, "Azerbaijan wins the bid", chat_gone=told)
    await publish(bot, "Azerbaijan builds a bridge", chat_gone=told)

    assert len(said(bot, USER, PAUSED)) == 1
    assert alerts(bot, CHANNEL) == []
    [sub] = await bot.store.list_subscriptions(CHANNEL)
    assert sub.paused
    assert not (await bot.store.get_chat(CHANNEL)).active


async def test_a_channel_post_is_never_a_command(start_bot: StartBot) -> None:
    bot = await linked_bot(start_bot)

    post = bot.api.channel_posts(CHANNEL, "/subscribe Baku")
    await handled(bot, post)

    assert await bot.store.list_subscriptions(CHANNEL) == []
    assert bot.api.messages(CHANNEL) == []


async def test_an_administrator_no_more_is_switched_back(start_bot: StartBot) -> None:
    moment = [datetime.now(UTC)]
    bot = await linked_bot(start_bot, now=lambda: moment[0])
    bot.api.set_admins(CHANNEL, [OTHER])  # USER demoted since linking

    soon = await bot.send(USER, "/subscribe Baku")  # Telegram's word of a moment ago holds
    moment[0] += RECHECK_AFTER + timedelta(seconds=1)
    refused = await bot.send(USER, "/subscribe Ganja")
    own = await bot.send(USER, "/list")

    assert soon.plain.startswith("Channel @baku_news:\nFollowing #1: Baku")
    assert refused.plain == (
        "You are no longer an administrator of @baku_news, so I switched back to this chat. "
        "Send the command again to act on it here."
    )
    assert own.plain.startswith("You follow no topics yet")
    assert [sub.rule for sub in await bot.store.list_subscriptions(CHANNEL)] == ["Baku"]


async def test_channel_alone_lists_the_channels_and_selects_another(start_bot: StartBot) -> None:
    bot = await linked_bot(start_bot)
    desk = -1001777000222
    bot.api.add_channel(desk, title="Desk", username="desk_az", admins=[USER])
    await bot.send(USER, "/channel @desk_az")
    bot.api.bot_rights_changed(CHANNEL, by_user=OTHER, status="left")
    await until(lambda: said(bot, USER, PAUSED), "the linker told")

    listing = await bot.send(USER, "/channel")
    await bot.send(USER, "/channel off")
    own = await bot.send(USER, "/channel")

    assert listing.plain.splitlines() == [
        "Your channels",
        "@baku_news — paused: I may not post there",
        "@desk_az — selected",
        "Commands act on the channel @desk_az; /channel off switches back to this chat.",
        "/channel @name selects one.",
        "/channel remove @name stops managing one.",
    ]
    assert own.plain.splitlines()[3] == "Commands act on this chat."


async def test_the_last_manager_unlinking_pauses_the_channel_and_linking_again_resumes(
    start_bot: StartBot,
) -> None:
    bot = await linked_bot(start_bot)
    await bot.send(USER, "/subscribe Azerbaijan")
    await publish(bot, "Azerbaijan and Georgia sign a rail deal", send=False)

    removed = await bot.send(USER, "/channel remove @baku_news")
    await publish(bot, "Azerbaijan wins gold")
    listing = await bot.send(USER, "/channel")
    own = await bot.send(USER, "/list")

    assert removed.plain == (
        "You no longer manage the channel @baku_news, and no one else does: I paused its 1 "
        "topic and dropped the alerts waiting for it, so I post nothing more there. Link it "
        f"again with /channel to resume it.\n{BACK_HERE}"
    )
    assert alerts(bot, CHANNEL) == []
    assert listing.plain.startswith("You manage no channel here yet.")
    assert own.plain.startswith("You follow no topics yet")

    again = await bot.send(USER, "/channel @baku_news")
    await publish(bot, "Azerbaijan hosts the next summit")

    assert again.plain.endswith("Its 1 topic, paused when no one managed the channel, is on again.")
    assert [a.plain.splitlines()[0] for a in alerts(bot, CHANNEL)] == [
        "Azerbaijan hosts the next summit"
    ]


async def test_unlinking_leaves_a_channel_another_administrator_manages(
    start_bot: StartBot,
) -> None:
    bot = await linked_bot(start_bot)
    await bot.send(USER, "/subscribe Azerbaijan")
    await bot.send(OTHER, "/channel @baku_news")

    removed = await bot.send(USER, "/channel remove baku_news")
    await publish(bot, "Azerbaijan wins gold")
    bot.api.bot_rights_changed(CHANNEL, by_user=OTHER, status="left")
    await until(lambda: said(bot, OTHER, PAUSED), "the other administrator told")

    assert removed.plain == (
        "You no longer manage the channel @baku_news. Another administrator still manages it, "
        f"so its topics stay as they are.\n{BACK_HERE}"
    )
    assert len(alerts(bot, CHANNEL)) == 1
    assert said(bot, USER, PAUSED) == []  # no longer told: they do not manage it


async def test_channel_remove_finds_the_channel_by_its_title_or_says_what_is_missing(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    bot.api.add_channel(CHANNEL, title="Desk & Co", admins=[USER])
    bot.api.user_forwards(USER, CHANNEL, "Today's post")
    await asyncio.to_thread(bot.api.wait_for_messages, USER, 1)
    await bot.send(USER, "/channel off")

    unnamed = await bot.send(USER, "/channel remove")
    unknown = await bot.send(USER, "/channel remove @nobody_here")
    removed = await bot.send(USER, "/channel remove desk & co")

    assert unnamed.plain == "Name the channel to stop managing: /channel remove @name."
    assert unknown.plain == "You manage no channel @nobody_here here; /channel lists yours."
    assert removed.plain == "You no longer manage the channel Desk & Co; I post nothing there."
    assert await bot.store.channel_links(CHANNEL) == []


async def test_a_refused_post_seen_by_the_delivery_task_tells_the_linker_as_a_paced_reply(
    start_bot: StartBot,
) -> None:
    bot = await linked_bot(start_bot)
    await bot.send(USER, "/subscribe Azerbaijan")
    bot.api.add_channel(CHANNEL, title="Baku News", username="baku_news", bot_can_post=False)
    bot.api.inject("sendMessage", chat_id=USER, retry_after=1)  # the linker's chat is busy
    told = partial(tell_paused, bot.application.bot, bot.store, DeliveryConfig())

    # As the daemon runs its sender: in a task whose own sends are not paced again.
    delivery = publish(bot, "Azerbaijan wins the bid", chat_gone=told)
    await asyncio.create_task(delivery, context=paced_by_caller())

    assert len(said(bot, USER, PAUSED)) == 1  # waited as told, then sent


async def test_membership_changes_delivered_out_of_order_apply_in_the_order_made(
    start_bot: StartBot,
) -> None:
    bot = await linked_bot(start_bot)
    await bot.send(USER, "/subscribe Azerbaijan")
    removed_at = int(datetime.now(UTC).timestamp()) - 10

    # The bot removed, then made an administrator again 2 s later; the re-add arrives first.
    bot.api.bot_rights_changed(
        CHANNEL, by_user=OTHER, status="administrator", can_post=True, date=removed_at + 2
    )
    late = bot.api.bot_rights_changed(CHANNEL, by_user=OTHER, status="left", date=removed_at)
    await handled(bot, late)
    # Telegram's view is the latest change's: the bot may post.
    bot.api.add_channel(CHANNEL, title="Baku News", username="baku_news", admins=[USER, OTHER])
    await publish(bot, "Azerbaijan hosts the next summit")

    # Whichever handler starts first, the linker last hears what came last: it may post.
    assert len(said(bot, USER, PAUSED)) == len(said(bot, USER, RESUMED))
    assert (await bot.store.get_chat(CHANNEL)).active
    assert len(alerts(bot, CHANNEL)) == 1
