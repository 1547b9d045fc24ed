"""/help lists every command its reader has: the operators' own (/status, their shared
/addfeed) to the people in ``[access] admins`` only, a chat's own feeds to everyone unless
``[access] chat_feeds`` keeps feeds to the operators, and /cancel to everyone; in the reader's
language. Driven through the fake Bot API."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.telegram.app import COMMAND_HANDLERS
from tests.support.bidi_layout import unmarked
from tests.support.telegram_app import (
    OPERATOR,
    USER,
    StartBot,
)

README = Path(__file__).resolve().parents[2] / "README.md"
OPERATORS_ONLY = ("/status",)
FEED_COMMANDS = ("/addfeed", "/removefeed", "/export", "/import")
HEADINGS = {
    "en": "Commands for the operators of this bot",
    "ru": "Команды для операторов этого бота",
    "he": "פקודות למפעילי הבוט",
}
CANCEL = {
    "en": "/cancel — stop a /subscribe that is waiting for its rule",
    "ru": "/cancel — отменить /subscribe, который ждёт правило",
    "he": "/cancel — ביטול /subscribe שמחכה לכלל",
}


def commands(text: str) -> set[str]:
    """The commands a text names."""
    return set(re.findall(r"(?<!\w)/[a-z]+", text))


@pytest.mark.parametrize("language", ["en", "ru", "he"])
async def test_an_operators_help_adds_the_operators_commands(
    start_bot: StartBot, language: str
) -> None:
    bot = await start_bot()
    for person in (USER, OPERATOR):
        bot.api.set_user_language(person, language)

    user_help = await bot.help(USER)
    operator_help = await bot.help(OPERATOR)

    assert HEADINGS[language] not in user_help
    assert commands(user_help).isdisjoint(OPERATORS_ONLY)
    assert HEADINGS[language] in operator_help
    assert set(OPERATORS_ONLY) <= commands(operator_help)
    assert operator_help.startswith(user_help), "the same help, then the operators'"
    assert CANCEL[language] in unmarked(user_help).splitlines()
    assert set(FEED_COMMANDS) <= commands(user_help)


async def test_help_leaves_out_a_chats_own_feeds_when_only_operators_add_feeds(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(chat_feeds="admins")

    user_help = await bot.help(USER)
    operator_help = await bot.help(OPERATOR)

    assert commands(user_help).isdisjoint(FEED_COMMANDS)
    assert set(FEED_COMMANDS) <= commands(operator_help)


async def test_help_and_the_readme_name_every_command_the_bot_answers(
    start_bot: StartBot,
) -> None:
    """Every command the bot answers is on a line of an operator's /help and in the README's
    table (aliases included), but /start (Telegram's own Start button sends it) and /help in
    /help itself."""
    bot = await start_bot()
    names = {f"/{name}" for names in COMMAND_HANDLERS for name in names} - {"/start"}
    primary = {f"/{names[0]}" for names in COMMAND_HANDLERS} - {"/start", "/help"}
    table = [line for line in README.read_text().splitlines() if line.startswith("| `/")]

    listed = commands(await bot.help(OPERATOR))

    assert primary - listed == set()
    assert names - commands("\n".join(table)) == set()
