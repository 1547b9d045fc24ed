"""The buttons under an alert, pressed in the chat that received it."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode

from tests.support.botapi import SentMessage
from tests.support.telegram_app import USER, Bot, StartBot

GROUP = -4002
ADMIN, MEMBER = 601, 602

ALERT_BUTTONS = [("🔕 Mute", "mute:{id}"), ("✖ Unsubscribe", "unsub:{id}")]


async def send_alert(bot: Bot, chat_id: int, sub_id: int) -> int:
    """Post an alert with its buttons the way delivery does; returns its message id."""
    row = [InlineKeyboardButton(label, data.format(id=sub_id)) for label, data in ALERT_BUTTONS]
    message = await bot.application.bot.send_message(
        chat_id,
        "Baku &amp; Tel Aviv sign a deal",
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup([row]),
    )
    return message.message_id


def shown(bot: Bot, chat_id: int, message_id: int) -> SentMessage:
    return next(m for m in bot.api.messages(chat_id) if m.message_id == message_id)


async def test_mute_pauses_and_undo_restores_the_alert(start_bot: StartBot) -> None:
    bot = await start_bot()
    await bot.send(USER, "/subscribe Baku")
    [sub] = await bot.store.list_subscriptions(USER)
    alert = await send_alert(bot, USER, sub.id)
    original = shown(bot, USER, alert)

    muted_answer = await bot.press(USER, alert, f"mute:{sub.id}")
    muted = shown(bot, USER, alert)
    paused = (await bot.store.list_subscriptions(USER))[0].paused
    undo_answer = await bot.press(USER, alert, f"undo:{sub.id}")
    restored = shown(bot, USER, alert)

    assert muted_answer == "Paused"
    assert muted.plain == (
        "Baku & Tel Aviv sign a deal\n\n🔕 Paused. /resume 1 turns Baku back on."
    )
    assert muted.buttons == [[("↩ Undo", f"undo:{sub.id}")]]
    assert paused
    assert undo_answer == "Resumed"
    assert restored.plain == original.plain
    assert restored.buttons == original.buttons
    assert not (await bot.store.list_subscriptions(USER))[0].paused


async def test_unsubscribe_button_removes_the_topic(start_bot: StartBot) -> None:
    bot = await start_bot()
    await bot.send(USER, "/subscribe Baku")
    [sub] = await bot.store.list_subscriptions(USER)
    alert = await send_alert(bot, USER, sub.id)

    answer = await bot.press(USER, alert, f"unsub:{sub.id}")

    assert answer == "Unsubscribed"
    assert shown(bot, USER, alert).plain.endswith("🗑 Stopped following #1: Baku.")
    assert shown(bot, USER, alert).buttons == [[("↩ Undo", f"restore:{sub.id}")]]
    assert await bot.store.list_subscriptions(USER) == []


@pytest.mark.parametrize(
    ("language", "late"),
    [
        ("ru", "Отменить это уже нельзя; /subscribe снова подпишет на тему."),
        (
            "he",
            "כבר מאוחר מדי לבטל את זה; הפקודה \u2068/subscribe\u2069 תחזיר את המעקב אחרי הנושא.",
        ),
    ],
)
async def test_undo_after_unsubscribe_follows_the_topic_again_as_it_was(
    start_bot: StartBot, language: str, late: str
) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, language)
    await bot.send(USER, "/subscribe Israel")
    await bot.send(USER, "/subscribe Baku @daily 08:00")
    before = await bot.send(USER, "/list")
    [_, sub] = await bot.store.list_subscriptions(USER)
    alert = await send_alert(bot, USER, sub.id)
    original = shown(bot, USER, alert)

    await bot.press(USER, alert, f"unsub:{sub.id}")
    left = shown(bot, USER, alert)
    await bot.press(USER, alert, left.buttons[0][0][1])
    undone = shown(bot, USER, alert)
    after = await bot.send(USER, "/list")
    await bot.send(USER, "/unsubscribe 2")
    too_late = await bot.press(USER, alert, left.buttons[0][0][1])

    assert (undone.plain, undone.buttons) == (original.plain, original.buttons)
    assert after.plain == before.plain, "#2, its rule and its digest as they were"
    assert too_late == late, "removed by command: no Undo kept for it"


async def test_buttons_act_only_on_the_chats_own_topics(start_bot: StartBot) -> None:
    bot = await start_bot()
    other = USER + 1
    await bot.send(other, "/subscribe Baku", user_id=other)
    [foreign] = await bot.store.list_subscriptions(other)
    alert = await send_alert(bot, USER, foreign.id)

    answer = await bot.press(USER, alert, f"mute:{foreign.id}")

    assert answer == "This topic is no longer followed here."
    assert not (await bot.store.list_subscriptions(other))[0].paused
    assert shown(bot, USER, alert).edits == []


async def test_in_groups_only_admins_can_press(start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.api.set_admins(GROUP, [ADMIN])
    await bot.send(GROUP, "/subscribe Baku", user_id=ADMIN, chat_type="group")
    [sub] = await bot.store.list_subscriptions(GROUP)
    alert = await send_alert(bot, GROUP, sub.id)

    refused = await bot.press(GROUP, alert, f"mute:{sub.id}", user_id=MEMBER)
    accepted = await bot.press(GROUP, alert, f"mute:{sub.id}", user_id=ADMIN)

    assert refused == "Only this group's administrators can change what it follows."
    assert accepted == "Paused"
    assert (await bot.store.list_subscriptions(GROUP))[0].paused
