"""Every bad input gets a specific answer, never "Something went wrong" and never silence."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram import texts
from tests.support.telegram_app import OPERATOR, USER, Bot, StartBot

GROUP = -4003
ADMIN = 701


async def send_alert(bot: Bot, chat_id: int, sub_id: int) -> int:
    """An alert with its buttons, as delivery sends it; returns its message id."""
    buttons = [InlineKeyboardButton("🔕 Mute", callback_data=f"mute:{sub_id}")]
    message = await bot.application.bot.send_message(
        chat_id, "Talks in Baku", reply_markup=InlineKeyboardMarkup([buttons])
    )
    return message.message_id


@pytest.mark.parametrize(
    ("command", "reply"),
    [
        (
            "/subscribe " + "Baku " * 819 + "a",
            "That rule is 4,096 characters long; the most is 500. It begins: "
            "Baku Baku Baku Baku Baku Baku Baku Baku Baku Baku Baku Baku…",
        ),
        (
            "/preview " + "x" * 4000,
            f"That rule is 4,000 characters long; the most is 500. It begins: {'x' * 59}…",
        ),
        (
            "/timezone " + "Europe/" * 571 + "Ber",
            "That is 4,000 characters long; the most is 64. It begins: "
            "Europe/Europe/Europe/Europe/Europe/Europe/Europe/Europe/Eur…",
        ),
        ("/unsubscribe ²", "You do not follow ²; /list shows your topics and numbers."),
        ("/unsubscribe ٣", "You do not follow ٣; /list shows your topics and numbers."),
        ("/pause ²", "You do not follow ²; /list shows your topics and numbers."),
        (
            "/resume 123456789012345678901234567890",
            "There is no topic #123456789012345678901234567890; /list shows 1 topic.",
        ),
    ],
    ids=["long-rule", "long-preview", "long-timezone", "superscript", "arabic-digit", "pause",
         "30-digits"],
)  # fmt: skip
async def test_unusable_arguments_are_refused_with_the_reason(
    start_bot: StartBot, command: str, reply: str
) -> None:
    bot = await start_bot()
    await bot.send(USER, "/subscribe Baku")

    answer = await bot.send(USER, command)

    assert answer.plain == reply
    assert [sub.rule for sub in await bot.store.list_subscriptions(USER)] == ["Baku"]


async def test_a_long_address_for_addfeed_is_refused_with_the_limit(start_bot: StartBot) -> None:
    bot = await start_bot()

    answer = await bot.send(OPERATOR, "/addfeed https://example.org/" + "a" * 3000)

    assert answer.plain.startswith("That is 3,020 characters long; the most is 2,048.")


async def test_removefeed_takes_ascii_numbers_only(start_bot: StartBot) -> None:
    bot = await start_bot()
    await bot.store.add_feed("https://a.example.org/rss", name="A")

    answers = [(await bot.send(OPERATOR, f"/removefeed {n}")).plain for n in ("²", "1" * 30)]

    assert answers == ["Give a number from /feeds, 1 to 1."] * 2
    assert len(await bot.store.list_feeds()) == 1


@pytest.mark.parametrize("data", ["evil", "mute:123456789012345678901234567890", "mute:²",
                                  "unsub:-1", "mute:0", "undo:", ":5"])  # fmt: skip
async def test_a_button_the_bot_never_made_is_answered(start_bot: StartBot, data: str) -> None:
    bot = await start_bot()
    await bot.send(USER, "/subscribe Baku")
    [sub] = await bot.store.list_subscriptions(USER)
    alert = await send_alert(bot, USER, sub.id)

    answer = await bot.press(USER, alert, data)

    assert answer == texts.BUTTON_NO_LONGER_VALID
    assert not (await bot.store.list_subscriptions(USER))[0].paused


@pytest.mark.parametrize(
    ("command", "reply"),
    [
        ("/subscibe Israel", "Unknown command — see /help. Did you mean /subscribe?"),
        ("/lsit", "Unknown command — see /help. Did you mean /list?"),
        ("/unsubscrbe 1", "Unknown command — see /help. Did you mean /unsubscribe?"),
        ("/foo", "Unknown command — see /help."),
        ("/xyzzy@topic_alert_test_bot", "Unknown command — see /help."),
        ("/addfed https://example.org/", "Unknown command — see /help. Did you mean /addfeed?"),
    ],
)
async def test_unknown_commands_in_private_suggest_the_closest(
    start_bot: StartBot, command: str, reply: str
) -> None:
    bot = await start_bot()

    assert (await bot.send(USER, command)).plain == reply


async def test_operators_get_their_own_commands_suggested(start_bot: StartBot) -> None:
    bot = await start_bot()

    answer = await bot.send(OPERATOR, "/statu")

    assert answer.plain == "Unknown command — see /help. Did you mean /status?"


async def test_in_groups_only_unknown_commands_addressed_to_the_bot_are_answered(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    bot.api.set_admins(GROUP, [ADMIN])
    group = {"chat_type": "group", "user_id": ADMIN}
    bot.api.user_sends(GROUP, "/foo", **group)  # may be another bot's command
    bot.api.user_sends(GROUP, "/subscibe@some_other_bot Baku", **group)

    answer = await bot.send(GROUP, "/subscibe@topic_alert_test_bot Baku", **group)

    assert answer.plain == "Unknown command — see /help. Did you mean /subscribe?"
    assert len(bot.api.messages(GROUP)) == 1


async def test_invisible_characters_are_removed_from_a_rule_and_the_reply_says_so(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()

    answer = await bot.send(USER, "/subscribe \ufeffIsr\u200bael + \u202eBaku\x00")
    preview = await bot.send(USER, "/preview Isr\u00adael")

    assert answer.plain.splitlines() == [
        "Following #1: Israel + Baku",
        "It would have matched 0 stored articles in the last 7 days.",
        "Israel also matches Израиль, Ізраїль, ישראל and 3 more.",
        "Removed 4 invisible characters (U+FEFF ZERO WIDTH NO-BREAK SPACE, "
        "U+200B ZERO WIDTH SPACE, U+202E RIGHT-TO-LEFT OVERRIDE, …) from the rule.",
    ]
    [sub] = await bot.store.list_subscriptions(USER)
    assert sub.rule == "Israel + Baku"
    assert preview.plain.endswith(
        "Removed 1 invisible character (U+00AD SOFT HYPHEN) from the rule."
    )
    assert (await bot.send(USER, "/unsubscribe Isr\u200bael + Baku")).plain.startswith(
        "Stopped following #1"
    )


async def test_a_joiner_inside_a_persian_word_is_spelling_and_stays(start_bot: StartBot) -> None:
    bot = await start_bot()

    answer = await bot.send(USER, "/subscribe می\u200cخواهم")

    assert answer.plain.splitlines()[0] == "Following #1: می\u200cخواهم"
    assert "invisible" not in answer.plain
