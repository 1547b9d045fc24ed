"""The fake Bot API must answer python-telegram-bot the way Telegram does, or tests built on it
would pass against behaviour the real service never shows."""

from __future__ import annotations

import asyncio
import warnings

import pytest
from telegram import Bot, ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from tests.support.botapi import FakeBotAPI

CHAT = 42


async def test_get_me_and_send_message_over_http(bot: Bot, botapi: FakeBotAPI) -> None:
    me = await bot.get_me()
    first = await bot.send_message(CHAT, "<b>Hello</b> &amp; welcome", parse_mode=ParseMode.HTML)
    second = await bot.send_message(CHAT, "plain", message_thread_id=7)

    assert me.username == botapi.bot_username
    assert (first.message_id, second.message_id) == (1, 2)
    assert first.text == "Hello & welcome"
    [shown, threaded] = botapi.wait_for_messages(CHAT, 2)
    assert shown.text == "<b>Hello</b> &amp; welcome"
    assert shown.plain == "Hello & welcome"
    assert threaded.thread_id == 7


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<b>unclosed",
        "<b><i>crossed</b></i>",
        "Tom & Jerry",
        "&nbsp;",
        "</b>",
    ],
)
async def test_invalid_html_is_rejected(bot: Bot, botapi: FakeBotAPI, text: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(CHAT, text, parse_mode=ParseMode.HTML)
    assert botapi.messages(CHAT) == []


async def test_length_counts_visible_utf16_units(bot: Bot, botapi: FakeBotAPI) -> None:
    markup_heavy = "<b>" + "x" * 4096 + "</b>"
    await bot.send_message(CHAT, markup_heavy, parse_mode=ParseMode.HTML)

    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(CHAT, "😀" * 2049)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(CHAT, "<b> </b>", parse_mode=ParseMode.HTML)
    assert len(botapi.messages(CHAT)) == 1


async def test_oversized_callback_data_is_rejected(bot: Bot) -> None:
    button = InlineKeyboardButton("Mute", callback_data="m" * 65)
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "hi", reply_markup=InlineKeyboardMarkup([[button]]))


async def test_injected_429_raises_retry_after_with_its_value(bot: Bot, botapi: FakeBotAPI):
    botapi.inject("sendMessage", retry_after=3)

    with pytest.raises(RetryAfter) as caught, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 deprecates int retry_after
        await bot.send_message(CHAT, "first")
    await bot.send_message(CHAT, "second")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert caught.value.retry_after in (3, 3.0) or caught.value.retry_after.seconds == 3
    assert [m.text for m in botapi.messages(CHAT)] == ["second"]
    assert len(botapi.calls("sendMessage")) == 2
    first, second = botapi.arrivals("sendMessage")  # the rejected send arrived too
    assert first <= second


async def test_injected_403_and_migration_raise_their_errors(bot: Bot, botapi: FakeBotAPI):
    botapi.inject("sendMessage", status=403, chat_id=CHAT)
    botapi.inject("sendMessage", migrate_to_chat_id=-1001234, chat_id=-5)

    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await bot.send_message(CHAT, "hi")
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(-5, "hi")
    assert migrated.value.new_chat_id == -1001234


async def test_long_poll_returns_a_user_command(botapi: FakeBotAPI) -> None:
    request = HTTPXRequest(read_timeout=10)
    async with Bot(botapi.token, base_url=botapi.base_url, get_updates_request=request) as bot:
        assert await bot.get_updates(timeout=0) == ()
        update_id = botapi.user_sends(CHAT, f"/subscribe@{botapi.bot_username} Israel")
        [update] = await bot.get_updates(timeout=5)
        assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()

    assert update.update_id == update_id
    assert update.message.text == f"/subscribe@{botapi.bot_username} Israel"
    assert update.message.parse_entities() == {
        update.message.entities[0]: f"/subscribe@{botapi.bot_username}"
    }


async def test_edit_and_callback_press(bot: Bot, botapi: FakeBotAPI) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Mute", callback_data="mute:1")]])
    sent = await bot.send_message(CHAT, "alert", reply_markup=markup)
    botapi.user_presses(CHAT, sent.message_id, "mute:1")
    [update] = await bot.get_updates()
    await bot.answer_callback_query(update.callback_query.id, text="Muted")
    await bot.edit_message_text("alert (muted)", chat_id=CHAT, message_id=sent.message_id)

    assert update.callback_query.data == "mute:1"
    [message] = botapi.messages(CHAT)
    assert message.text == "alert (muted)"
    assert message.edits == ["alert (muted)"]
    assert botapi.calls("answerCallbackQuery")[0]["text"] == "Muted"


async def test_admins_and_commands(bot: Bot, botapi: FakeBotAPI) -> None:
    botapi.set_admins(-100, [7])
    await bot.set_my_commands([("subscribe", "Watch a topic")])

    assert (await bot.get_chat_member(-100, 7)).status == "administrator"
    assert (await bot.get_chat_member(-100, 8)).status == "member"
    assert [a.user.id for a in await bot.get_chat_administrators(-100)] == [7]
    assert [c.command for c in await bot.get_my_commands()] == ["subscribe"]
    assert (await bot.get_chat(-100)).type == "group"


async def test_application_polling_dispatches_commands(botapi: FakeBotAPI) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_chat.send_message(f"hello {' '.join(context.args)}")

    app = ApplicationBuilder().token(botapi.token).base_url(botapi.base_url).build()
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        botapi.user_sends(-100, f"/start@{botapi.bot_username} group", chat_type="group")
        botapi.user_sends(CHAT, "/start you")
        group = await asyncio.to_thread(botapi.wait_for_messages, -100, 1)
        private = await asyncio.to_thread(botapi.wait_for_messages, CHAT, 1)
        await app.updater.stop()
        await app.stop()

    assert [m.text for m in group + private] == ["hello group", "hello you"]


async def test_force_reply_is_recorded_but_not_echoed(bot: Bot, botapi: FakeBotAPI) -> None:
    sent = await bot.send_message(-100, "Which topic?", reply_markup=ForceReply(selective=True))

    assert sent.reply_markup is None
    assert botapi.messages(-100)[0].reply_markup == {"force_reply": True, "selective": True}


async def test_a_channel_is_found_by_name_and_refuses_posts_from_a_bot_that_may_not_post(
    bot: Bot, botapi: FakeBotAPI
) -> None:
    channel = -1001777000111
    botapi.add_channel(channel, title="Baku News", username="baku_news", admins=[7])

    found = await bot.get_chat("@baku_news")
    owner = await bot.get_chat_member(channel, 7)
    reader = await bot.get_chat_member(channel, 8)
    me = await bot.get_chat_member(channel, botapi.bot_id)
    await bot.send_message(channel, "posted")
    botapi.add_channel(channel, title="Baku News", username="baku_news", bot_can_post=False)

    assert (found.id, found.type, found.title) == (channel, "channel", "Baku News")
    assert (owner.status, reader.status) == ("administrator", "member")
    assert (me.status, me.can_post_messages) == ("administrator", True)
    with pytest.raises(Forbidden, match="not a member of the channel"):
        await bot.send_message(channel, "refused")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.get_chat("@nobody")
    botapi.add_channel(channel, title="Baku News", bot_status="left")
    with pytest.raises(BadRequest, match=r"(?i)member list is inaccessible"):
        await bot.get_chat_member(channel, 7)
    assert [m.plain for m in botapi.messages(channel)] == ["posted"]


async def test_channel_updates_arrive_as_telegram_sends_them(bot: Bot, botapi: FakeBotAPI) -> None:
    channel = -1001777000111
    botapi.add_channel(channel, title="Desk", admins=[7])

    botapi.channel_posts(channel, "/subscribe Baku")
    botapi.user_forwards(CHAT, channel, "a post")
    botapi.bot_rights_changed(channel, by_user=7, status="kicked")
    post, forward, change = await bot.get_updates()

    assert post.channel_post.text == "/subscribe Baku"
    assert post.effective_user is None
    assert forward.message.forward_origin.chat.id == channel
    assert change.my_chat_member.old_chat_member.status == "administrator"
    assert change.my_chat_member.new_chat_member.status == "kicked"
    assert (await bot.get_chat_member(channel, botapi.bot_id)).status == "kicked"
