"""Translated alerts end to end: chats following a topic, a Russian article, a local fake
LibreTranslate (or OpenAI-compatible model), the real sender and renderer, and what the chats
read in the fake Bot API."""

from __future__ import annotations

import logging

import pytest
from pytest_httpserver import HTTPServer

from bot.chat_model import ChatModel
from bot.config import TranslateConfig
from bot.ops.activity import TranslationOutcome
from bot.ops.metrics import Metrics
from bot.translation import LibreTranslate, ModelTranslator
from tests.support.botapi import FakeBotAPI
from tests.support.telegram_app import USER, StartBot
from tests.support.translators import FakeLibreTranslate, FakeModelTranslator
from tests.translation.conftest import (
    BOUND,
    PHRASEBOOK,
    SHORT_BOUND,
    TEXT_RU,
    TITLE_EN,
    TITLE_RU,
    Desk,
    desk_for,
)

CHATS = range(5001, 5301)


def alert_of(botapi: FakeBotAPI, chat: int):
    [message] = botapi.messages(chat)
    return message


def assert_translated(message) -> None:
    """The alert a chat reading English gets for the Russian article, translated."""
    lines = message.plain.splitlines()
    assert lines[:2] == [TITLE_EN, TITLE_RU], "the translated title, the original below it"
    assert "The President of Israel flew to Baku." in message.plain
    assert "Translated from Russian" in lines
    assert f">{TITLE_EN}</a></b>" in message.text
    assert f"<i>{TITLE_RU}</i>" in message.text
    assert "<b>Israel</b>" in message.text, "the matched term stays bold in the translation"


def assert_untranslated(message) -> None:
    assert message.plain.splitlines()[0] == TITLE_RU
    assert TEXT_RU.split(".")[0] in message.plain
    assert "Translated from" not in message.plain


async def test_three_hundred_chats_reading_one_russian_article_cost_one_call(
    desk: Desk, botapi: FakeBotAPI, libretranslate: FakeLibreTranslate
) -> None:
    await desk.follow(CHATS)
    await desk.publish()

    await desk.deliver()

    assert libretranslate.calls == 1
    [request] = libretranslate.requests
    assert request["source"] == "ru" and request["target"] == "en"
    assert request["api_key"] == "lt-key" and request["format"] == "text"
    assert request["q"][0] == TITLE_RU
    for chat in CHATS:
        assert_translated(alert_of(botapi, chat))
    assert desk.counted(TranslationOutcome.TRANSLATED) == 1
    assert desk.counted(TranslationOutcome.CACHED) == len(CHATS) - 1
    assert desk.characters() == len(TITLE_RU) + len(request["q"][1])
    scraped = (await Metrics(desk.activity, desk.store).exposition()).decode()
    assert 'topic_alert_translations_total{outcome="translated"} 1.0' in scraped
    assert f'topic_alert_translations_total{{outcome="cached"}} {len(CHATS) - 1}.0' in scraped


async def test_a_translation_is_kept_for_the_next_alert_of_the_article(
    desk: Desk, botapi: FakeBotAPI, libretranslate: FakeLibreTranslate
) -> None:
    """A chat that follows the topic later still reads the stored translation: no new call."""
    await desk.follow([5001])
    await desk.publish()
    await desk.deliver()
    await desk.follow([5002])
    [sub] = [s for s in await desk.store.active_subscriptions() if s.chat_id == 5002]
    [row] = desk.store.sync.conn.execute("SELECT id FROM articles").fetchall()
    await desk.store.enqueue_alerts({(5002, row[0]): [sub.id]})

    await desk.deliver()

    assert libretranslate.calls == 1
    assert_translated(alert_of(botapi, 5002))


async def test_an_article_that_declares_no_language_is_translated_from_what_its_words_are(
    desk: Desk, botapi: FakeBotAPI, libretranslate: FakeLibreTranslate
) -> None:
    await desk.follow([5001])
    await desk.publish(language=None)

    await desk.deliver()

    assert libretranslate.requests[0]["source"] == "ru"
    assert_translated(alert_of(botapi, 5001))


async def test_an_article_in_the_chats_language_is_not_sent_to_the_translator(
    desk: Desk, botapi: FakeBotAPI, libretranslate: FakeLibreTranslate
) -> None:
    await desk.follow([5001])
    await desk.publish(
        "Israel and Azerbaijan sign deal", "Israel and Azerbaijan met.", language="en"
    )

    await desk.deliver()

    assert libretranslate.calls == 0
    assert alert_of(botapi, 5001).plain.splitlines()[0] == "Israel and Azerbaijan sign deal"


async def test_a_russian_chat_reads_an_english_article_in_russian(
    desk: Desk, botapi: FakeBotAPI, libretranslate: FakeLibreTranslate
) -> None:
    """The note names the article's language in the chat's, by CLDR's name."""
    await desk.follow([5001])
    await desk.store.set_chat_language(5001, "ru")
    libretranslate.phrasebook = {TITLE_EN: TITLE_RU}
    await desk.publish(TITLE_EN, "Israel and Azerbaijan met.", language="en")

    await desk.deliver()

    [request] = libretranslate.requests
    assert (request["source"], request["target"]) == ("en", "ru")
    lines = alert_of(botapi, 5001).plain.splitlines()
    assert lines[:2] == [TITLE_RU, TITLE_EN]
    assert "Перевод, язык оригинала: английский" in lines


@pytest.mark.parametrize("misbehave", ["slow", "failing"])
async def test_a_slow_or_failing_translator_leaves_the_alerts_untranslated_and_on_time(
    astore, bot, botapi: FakeBotAPI, libretranslate: FakeLibreTranslate, misbehave: str
) -> None:
    backend = LibreTranslate(libretranslate.endpoint, None, timeout=SHORT_BOUND)
    desk = desk_for(astore, bot, backend, timeout=SHORT_BOUND)
    if misbehave == "slow":
        libretranslate.slow()
    else:
        libretranslate.failing()
    chats = CHATS[:20]
    await desk.follow(chats)
    await desk.publish()

    await desk.deliver()

    for chat in chats:
        assert_untranslated(alert_of(botapi, chat))
    assert libretranslate.calls == 1, "the chats waited on one call, none asked again"
    outcome = TranslationOutcome.TIMEOUT if misbehave == "slow" else TranslationOutcome.FAILED
    assert desk.counted(outcome) >= 1
    assert desk.counted(TranslationOutcome.TRANSLATED) == 0
    untranslated = desk.counted(TranslationOutcome.TIMEOUT) + desk.counted(
        TranslationOutcome.FAILED
    )
    assert untranslated == len(chats)


async def test_a_translator_down_is_one_line_in_the_log_until_it_answers_again(
    desk: Desk, botapi: FakeBotAPI, libretranslate: FakeLibreTranslate, caplog
) -> None:
    await desk.follow([5001])
    libretranslate.failing()
    with caplog.at_level(logging.INFO, logger="bot.translation.alerts"):
        await desk.publish()
        await desk.deliver()
        await desk.publish()
        await desk.deliver()
        libretranslate.status = 200
        await desk.publish()
        await desk.deliver()

    first, second, third = botapi.messages(5001)
    assert_untranslated(first)
    assert_untranslated(second)
    assert_translated(third)
    told = [
        (r.levelname, r.getMessage()) for r in caplog.records if r.name == "bot.translation.alerts"
    ]
    assert [level for level, _ in told] == ["WARNING", "INFO"]
    assert "alerts go untranslated until the translator answers again" in told[0][1]
    assert told[1][1] == "the translator answers again"


async def test_over_the_hourly_budget_alerts_go_untranslated_and_it_is_logged_once(
    astore, bot, botapi: FakeBotAPI, libretranslate: FakeLibreTranslate, caplog
) -> None:
    backend = LibreTranslate(libretranslate.endpoint, None, timeout=BOUND)
    desk = desk_for(astore, bot, backend, hourly_chars=len(TITLE_RU) + len(TEXT_RU) + 10)
    await desk.follow([5001])
    await desk.publish()
    await desk.deliver()
    await desk.publish()
    await desk.publish()

    with caplog.at_level(logging.WARNING, logger="bot.translation.alerts"):
        await desk.deliver()

    first, second, third = botapi.messages(5001)
    assert_translated(first)
    assert_untranslated(second)
    assert_untranslated(third)
    assert libretranslate.calls == 1
    assert "api_key" not in libretranslate.requests[0], "no key configured, none sent"
    assert desk.counted(TranslationOutcome.OVER_BUDGET) == 2
    spent = [r for r in caplog.records if "translation budget" in r.getMessage()]
    assert len(spent) == 1


async def test_a_chat_that_turned_translation_off_reads_the_original(
    desk: Desk, botapi: FakeBotAPI, libretranslate: FakeLibreTranslate
) -> None:
    await desk.follow([5001, 5002])
    await desk.store.set_chat_translate(5002, False)
    await desk.publish()

    await desk.deliver()

    assert_translated(alert_of(botapi, 5001))
    assert_untranslated(alert_of(botapi, 5002))
    assert libretranslate.calls == 1


async def test_translate_off_sent_in_the_chat_brings_back_the_original(
    start_bot: StartBot, libretranslate: FakeLibreTranslate
) -> None:
    chat = await start_bot(translate=TranslateConfig(backend="libretranslate", endpoint="http://x"))
    backend = LibreTranslate(libretranslate.endpoint, None, timeout=BOUND)
    desk = desk_for(chat.store, chat.application.bot, backend)
    await desk.follow([USER])
    await chat.send(USER, "/translate off")

    await desk.publish()
    await desk.deliver()

    [alert] = [m for m in chat.api.messages(USER) if "vesti.example" in m.text]
    assert_untranslated(alert)
    assert libretranslate.calls == 0


async def test_a_burst_digest_lists_the_translated_titles(
    desk: Desk, botapi: FakeBotAPI, libretranslate: FakeLibreTranslate
) -> None:
    await desk.follow([5001])
    for n in range(11):  # past the digest threshold of 10
        await desk.publish(f"{TITLE_RU} {n}", TEXT_RU)

    await desk.deliver()

    [digest] = botapi.messages(5001)
    lines = digest.plain.splitlines()
    assert lines[0] == "11 new alerts"
    assert sorted(line.split(" — ")[0] for line in lines[1:]) == sorted(
        f"• {TITLE_EN} {n}" for n in range(11)
    )
    assert TITLE_RU not in digest.plain
    assert libretranslate.calls == 1, "the digest's titles are translated in one request"
    assert len(libretranslate.requests[0]["q"]) == 2 * 11


async def test_a_translators_markup_is_shown_as_text(
    astore, bot, botapi: FakeBotAPI, httpserver: HTTPServer
) -> None:
    """Text from a translator is no more trusted than a feed's: its tags arrive as text."""
    hostile = FakeLibreTranslate(httpserver, {TITLE_RU: '<a href="javascript:x">Click</a> & <b>'})
    desk = desk_for(astore, bot, LibreTranslate(hostile.endpoint, None, timeout=BOUND))
    await desk.follow([5001])
    await desk.publish()

    await desk.deliver()

    alert = alert_of(botapi, 5001)
    assert alert.plain.splitlines()[0] == '<a href="javascript:x">Click</a> & <b>'
    assert "javascript:" not in alert.text.replace('&lt;a href="javascript:x"&gt;', "")


async def test_an_openai_compatible_model_translates_too(
    astore, bot, botapi: FakeBotAPI, httpserver: HTTPServer
) -> None:
    model = FakeModelTranslator(httpserver, PHRASEBOOK)
    backend = ModelTranslator(ChatModel(model.base_url, "tiny-model", "sk-test", timeout=BOUND))
    desk = desk_for(astore, bot, backend)
    await desk.follow(CHATS[:30])
    await desk.publish()

    await desk.deliver()

    assert model.calls == 1
    assert model.requests[0]["model"] == "tiny-model"
    for chat in CHATS[:30]:
        assert_translated(alert_of(botapi, chat))
