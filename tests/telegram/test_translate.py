"""/translate on | off through the fake Bot API: what the chat is told, and what it chose."""

from __future__ import annotations

from dataclasses import replace

from bot.config import TranslateConfig
from tests.support.telegram_app import USER, StartBot

LIBRETRANSLATE = TranslateConfig(backend="libretranslate", endpoint="http://127.0.0.1:5000")


async def test_translation_is_on_by_default_and_a_chat_turns_it_off_and_on(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(translate=LIBRETRANSLATE)

    asked = await bot.send(USER, "/translate")
    off = await bot.send(USER, "/translate off")
    stored_off = (await bot.store.get_chat(USER)).translate
    on = await bot.send(USER, "/translate ON")

    assert asked.plain.startswith("Articles written in another language are translated here")
    assert "into English" in asked.plain
    assert off.plain.startswith("Articles are shown here in the language they were written in.")
    assert stored_off is False
    assert on.plain == asked.plain
    assert (await bot.store.get_chat(USER)).translate is True


async def test_a_chat_reads_translate_in_its_language(start_bot: StartBot) -> None:
    bot = await start_bot(translate=LIBRETRANSLATE)
    bot.api.set_user_language(USER, "ru")

    answer = await bot.send(USER, "/translate")

    assert "язык перевода: русский" in answer.plain


async def test_the_default_can_be_off(start_bot: StartBot) -> None:
    bot = await start_bot(translate=replace(LIBRETRANSLATE, by_default=False))

    answer = await bot.send(USER, "/translate")

    assert answer.plain.startswith("Articles are shown here in the language they were written in.")


async def test_anything_but_on_or_off_is_answered_with_how_to_write_it(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(translate=LIBRETRANSLATE)

    answer = await bot.send(USER, "/translate please")

    assert "/translate on" in answer.plain and "/translate off" in answer.plain
    assert (await bot.store.get_chat(USER)) is None or (
        await bot.store.get_chat(USER)
    ).translate is None


async def test_without_a_translator_the_chat_is_told_so(start_bot: StartBot) -> None:
    bot = await start_bot()

    answer = await bot.send(USER, "/translate on")

    assert answer.plain == (
        "This bot has no translator set up: articles are shown in the language they were "
        "written in."
    )
    assert (await bot.store.get_chat(USER)).translate is None
