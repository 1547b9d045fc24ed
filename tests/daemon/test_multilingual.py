"""The daemon end to end across languages: ``Israel + Azerbaijan`` alerts on a Russian, a
Hebrew and an Azerbaijani feed, and each alert's "Matched:" line names the alias that matched."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pytest_httpserver import HTTPServer

from tests.support.botapi import FakeBotAPI
from tests.support.daemon_env import CHAT, Feed, daemon_config
from tests.support.waiting import until

RUSSIAN = (
    "Израиль и Азербайджан подписали соглашение о газе",
    "https://ru.example.org/news/1",
    "Президент Израиля прибыл в Баку. Переговоры с Азербайджаном о поставках газа продлятся "
    "два дня, сообщили в правительстве.",
)
HEBREW = (
    "נשיא המדינה נחת באזרבייג׳ן",
    "https://he.example.org/news/1",
    "ישראל ואזרבייג׳ן יחתמו השבוע על הסכם גז. המשלחת תבקר בבאקו ותחזור ביום חמישי.",
)
AZERBAIJANI = (
    "Azərbaycanın prezidenti İsraillə qaz sazişini müzakirə etdi",
    "https://az.example.org/xeber/1",
    "Danışıqlar Bakıda iki gün davam edəcək.",
)
NEGATIVE = (
    "Израильский стартап открыл офис",
    "https://ru.example.org/news/2",
    "Азербайджанский инвестор вложил деньги в израильскую компанию.",
)


async def test_each_language_alerts_once_and_says_which_name_matched(
    botapi: FakeBotAPI, httpserver: HTTPServer, tmp_path: Path, running
) -> None:
    russian, hebrew = Feed(httpserver, "/ru.xml"), Feed(httpserver, "/he.xml")
    azerbaijani = Feed(httpserver, "/az.xml")
    await running(daemon_config(tmp_path / "bot.db", botapi, russian, hebrew, azerbaijani))

    botapi.user_sends(CHAT, "/subscribe Israel + Azerbaijan")
    [reply] = await asyncio.to_thread(botapi.wait_for_messages, CHAT, 1)
    assert "Azerbaijan also matches Азербайджан, אזרבייג׳ן, أذربيجان and 6 more." in reply.plain
    await until(lambda: russian.polls >= 2 and hebrew.polls >= 2, "quiet polls of both feeds")

    russian.publish(*NEGATIVE)
    russian.publish(*RUSSIAN)
    hebrew.publish(*HEBREW)
    azerbaijani.publish(*AZERBAIJANI)
    messages = await asyncio.to_thread(botapi.wait_for_messages, CHAT, 4)
    polls = russian.polls, hebrew.polls
    await until(lambda: russian.polls >= polls[0] + 2 and hebrew.polls >= polls[1] + 2, "polls")

    alerts = {m.plain.splitlines()[0]: m.plain for m in botapi.messages(CHAT)[1:]}
    assert set(alerts) == {RUSSIAN[0], HEBREW[0], AZERBAIJANI[0]}, "one each, none for adjectives"
    assert "Matched: Israel (Израиль), Azerbaijan (Азербайджан) (title, text)" in alerts[RUSSIAN[0]]
    assert "Azerbaijan (אזרבייג׳ן) (title, text)" in alerts[HEBREW[0]]
    assert "Israel (ישראל) (text)" in alerts[HEBREW[0]]
    assert "Matched: Azerbaijan (Azərbaycan), Israel (İsrail) (title)" in alerts[AZERBAIJANI[0]]
    assert len(messages) == 4
