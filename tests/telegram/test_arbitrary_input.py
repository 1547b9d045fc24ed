"""Arbitrary text to every command, to plain messages and to the buttons, through the fake
Bot API: every input gets a non-empty, valid answer, and never "Something went wrong".

"Valid" is the fake's judgement: it refuses what Telegram refuses (bad HTML, text over 4,096
characters, empty text, a button answer over 200 characters), and a refused reply would end
in the error handler's "Something went wrong" or in no reply at all; both fail here.

The bot runs on the test's event loop; Hypothesis drives the examples from a worker thread
(it cannot run async examples itself), handing each exchange to the loop.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.feeds.addresses import IPAddress
from bot.feeds.fetcher import Fetcher, FetchLimits
from bot.feeds.parser import InlineParser
from bot.feeds.probe import probe_feed
from bot.telegram import texts
from bot.telegram.app import COMMAND_HANDLERS
from tests.support.telegram_app import OPERATOR, Bot, StartBot

COMMANDS = sorted(name for names in COMMAND_HANDLERS for name in names)
OPERATOR_COMMANDS = {name for name, _ in texts.ADMIN_COMMANDS}
FIRST_CHAT = 10_000
MESSAGE_TEXT = 4096
EXAMPLES = settings(
    max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)

arguments = st.one_of(
    st.text(max_size=200),
    st.text(min_size=3000, max_size=4000),
    st.from_regex(r"[0-9²٣５]{1,40}", fullmatch=True),
    st.builds("https://{}".format, st.text(max_size=80)),
)


async def nowhere_public(host: str, port: int) -> list[IPAddress]:
    """Every name resolves to an internal address: /addfeed is checked without any network."""
    return [ipaddress.ip_address("10.0.0.1")]


async def started(start_bot: StartBot) -> Bot:
    fetcher = Fetcher(FetchLimits(timeout=1), resolver=nowhere_public)
    validate = partial(probe_feed, fetcher, InlineParser())
    bot = await start_bot(validate_feed=validate, commands_per_minute=0)
    await bot.send(OPERATOR, "/subscribe Baku")
    return bot


async def run_examples(test: Callable[[], None]) -> None:
    """Run a Hypothesis test off the loop, so the bot on the loop answers meanwhile."""
    await asyncio.to_thread(test)


def on_loop(loop: asyncio.AbstractEventLoop, exchange: Coroutine[Any, Any, Any]) -> Any:
    """From the examples' thread: run ``exchange`` on the bot's loop and wait for it."""
    return asyncio.run_coroutine_threadsafe(exchange, loop).result(timeout=60)


def assert_answered(bot: Bot, chat_id: int, count_before: int) -> None:
    for message in bot.api.messages(chat_id)[count_before:]:
        assert message.plain.strip()
        assert texts.SOMETHING_WENT_WRONG not in message.plain


async def test_every_command_answers_whatever_follows_it(start_bot: StartBot) -> None:
    bot = await started(start_bot)
    loop = asyncio.get_running_loop()
    chats = itertools.count(FIRST_CHAT)

    @EXAMPLES
    @given(command=st.sampled_from(COMMANDS), argument=arguments)
    def one(command: str, argument: str) -> None:
        text = f"/{command} {argument}"[:MESSAGE_TEXT]
        chat = OPERATOR if command in OPERATOR_COMMANDS else next(chats)
        before = len(bot.api.messages(chat))
        on_loop(loop, bot.send(chat, text))  # fails when no reply comes
        assert_answered(bot, chat, before)

    await run_examples(one)


async def test_plain_text_and_unknown_commands_are_answered(start_bot: StartBot) -> None:
    bot = await started(start_bot)
    loop = asyncio.get_running_loop()
    chats = itertools.count(FIRST_CHAT)

    @EXAMPLES
    @given(text=st.one_of(st.text(min_size=1, max_size=500), st.builds("/{}".format, st.text())))
    def one(text: str) -> None:
        if not text.strip():
            return  # Telegram delivers no empty message
        chat = next(chats)
        on_loop(loop, bot.send(chat, text[:MESSAGE_TEXT]))
        assert_answered(bot, chat, 0)

    await run_examples(one)


async def test_every_button_press_is_answered(start_bot: StartBot) -> None:
    bot = await started(start_bot)
    [sub] = await bot.store.list_subscriptions(OPERATOR)
    button = InlineKeyboardButton("🔕 Mute", callback_data=f"mute:{sub.id}")
    alert = await bot.application.bot.send_message(
        OPERATOR, "Talks in Baku", reply_markup=InlineKeyboardMarkup([[button]])
    )
    fitting = st.text(min_size=1, max_size=64).filter(lambda data: len(data.encode()) <= 64)
    ours = st.builds("{}:{}".format, st.sampled_from(["mute", "undo", "unsub"]), st.integers())

    loop = asyncio.get_running_loop()

    @EXAMPLES
    @given(data=st.one_of(fitting, ours, st.just(f"mute:{sub.id}"), st.just(f"undo:{sub.id}")))
    def one(data: str) -> None:
        answer = on_loop(loop, bot.press(OPERATOR, alert.message_id, data))
        assert answer.strip()
        assert answer != texts.SOMETHING_WENT_WRONG

    await run_examples(one)
    assert_answered(bot, OPERATOR, 0)
