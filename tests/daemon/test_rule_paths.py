"""One rule, six ways to run it, one answer: alerts, /preview, /search, inline mode,
``topic-alert check`` and ``topic-alert search`` find the same articles.

The daemon runs against the fake Bot API and two local feeds, one of them declaring
``<language>ru</language>``. Each rule is followed by a chat of its own that gave ``Herzog``
another name with /alias; the operator gives it the same name in ``[aliases]`` of the config
the CLI reads, since a command line belongs to no chat. The rules cover what differs between
paths when they compile or read articles each their own way: ``lang:`` (the article's
language, declared or detected), ``=`` (no other names), a place whose names cross languages,
and the chat's alias.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from bot.cli import main
from tests.support.botapi import FakeBotAPI, SentMessage
from tests.support.daemon_env import Feed, daemon_config
from tests.support.local_hosts import LOCAL_FETCH_TOML
from tests.support.waiting import until

STORY = "Talks on energy and security went on late into the night, officials said. " * 5
ISRAEL_EN = (
    "Israel and Azerbaijan sign a gas deal",
    "https://en.example.org/news/1",
    "Israeli President Isaac Herzog landed in Baku for talks. " + STORY,
)
WEATHER_EN = (
    "Rain all week in Oslo",
    "https://en.example.org/news/2",
    "Forecasters expect rain and wind along the coast until Sunday. " * 6,
)
ISRAEL_RU = (
    "Израиль и Азербайджан подписали соглашение о газе",
    "https://ru.example.org/news/1",
    "Президент Израиля прибыл в Баку. Переговоры о поставках газа продлятся два дня, "
    "сообщили в правительстве. " * 4,
)
HERZOG_RU = (
    "Герцог встретился с министрами",
    "https://ru.example.org/news/2",
    "Президент Израиля Ицхак Герцог провёл встречу с министрами в Иерусалиме. "
    "Обсуждались бюджет и реформы. " * 4,
)

ALIAS = ("Herzog", "Герцог")
EXPECTED = {
    "Israel lang:ru": {ISRAEL_RU[0], HERZOG_RU[0]},
    "=Israel": {ISRAEL_EN[0]},
    "Azerbaijan -lang:en": {ISRAEL_RU[0]},
    "Herzog": {ISRAEL_EN[0], HERZOG_RU[0]},
}
"""Each rule and what it finds: ``lang:ru`` the Russian feed's articles naming Israel in
Russian, ``=Israel`` the English word alone, Azerbaijan in any language but English, and
Herzog as written and as the chat's alias Герцог."""
CHATS = dict(zip(EXPECTED, range(5101, 5101 + len(EXPECTED)), strict=True))
"""A private chat per rule, so that its alerts are that rule's alone."""
PATHS = ("alerts", "/preview", "/search", "inline", "check", "search")
REPLIES = 2
"""What each chat got before any alert: the answers to /alias and /subscribe."""

_LISTED = re.compile(r"\d+\. (.+?) — ")


def listed(message: SentMessage) -> set[str]:
    """The titles a /preview or /search reply lists ("1. Title — Source, date")."""
    return {found.group(1) for line in message.plain.splitlines() if (found := _LISTED.match(line))}


async def test_every_path_finds_what_alerts_find(
    botapi: FakeBotAPI,
    httpserver: HTTPServer,
    tmp_path: Path,
    running,
    capsys: pytest.CaptureFixture[str],
) -> None:
    english, russian = Feed(httpserver, "/en.xml"), Feed(httpserver, "/ru.xml", language="ru")
    db = tmp_path / "bot.db"
    await running(daemon_config(db, botapi, english, russian))
    for rule, chat in CHATS.items():
        await _ask(botapi, chat, f"/alias {ALIAS[0]} = {ALIAS[1]}")
        await _ask(botapi, chat, f"/subscribe {rule}")
    await until(lambda: english.polls >= 2 and russian.polls >= 2, "quiet polls of both feeds")

    for feed, article in ((english, ISRAEL_EN), (english, WEATHER_EN)):
        feed.publish(*article)
    for article in (ISRAEL_RU, HERZOG_RU):
        russian.publish(*article)
    for rule, chat in CHATS.items():
        await asyncio.to_thread(botapi.wait_for_messages, chat, REPLIES + len(EXPECTED[rule]))
    polls = english.polls, russian.polls
    await until(lambda: english.polls >= polls[0] + 2 and russian.polls >= polls[1] + 2, "polls")

    config = tmp_path / "cli.toml"
    config.write_text(
        f'[storage]\npath = "{db}"\n{LOCAL_FETCH_TOML}[polling]\nparse_workers = -1\n'
        f'[aliases]\n{ALIAS[0]} = ["{ALIAS[1]}"]\n',
        encoding="utf-8",
    )
    found = {}
    for rule, chat in CHATS.items():
        alerted = {m.plain.splitlines()[0] for m in botapi.messages(chat)[REPLIES:]}
        found[rule] = {
            "alerts": alerted,
            "/preview": listed(await _ask(botapi, chat, f"/preview {rule}")),
            "/search": listed(await _ask(botapi, chat, f"/search {rule}")),
            "inline": await _inline(botapi, chat, rule),
            "check": await _cli(
                capsys, "check", rule, "--feed", english.url, "--feed", russian.url, config=config
            ),
            "search": await _cli(capsys, "search", rule, config=config),
        }
    assert found == {rule: dict.fromkeys(PATHS, titles) for rule, titles in EXPECTED.items()}


async def _ask(botapi: FakeBotAPI, chat: int, text: str) -> SentMessage:
    """Send ``text`` in the chat and return the one reply it gets."""
    before = len(botapi.messages(chat))
    botapi.user_sends(chat, text)
    return (await asyncio.to_thread(botapi.wait_for_messages, chat, before + 1))[before]


async def _inline(botapi: FakeBotAPI, user: int, rule: str) -> set[str]:
    """The titles inline mode offers ``user`` typing ``@bot RULE``."""
    answered = len(botapi.calls("answerInlineQuery"))
    botapi.user_inline_query(user, rule)
    await until(lambda: len(botapi.calls("answerInlineQuery")) > answered, "an inline answer")
    return {result["title"] for result in botapi.calls("answerInlineQuery")[answered]["results"]}


async def _cli(capsys: pytest.CaptureFixture[str], *args: str, config: Path) -> set[str]:
    """The titles ``topic-alert ARGS --json`` prints (run on a thread: it runs its own loop)."""
    capsys.readouterr()
    status = await asyncio.to_thread(main, [*args, "--json", "--config", str(config)])
    out = capsys.readouterr().out
    assert status == 0, out
    return {json.loads(line)["title"] for line in out.splitlines()}
