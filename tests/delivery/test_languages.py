"""Alerts and digests in the chat's language, read back from the fake Bot API.

A chat reads its /language choice, else its person's Telegram language (``language_code``),
else ``[delivery] language``: the chrome (the "Matched:" and topic lines, digest headings,
"Also:", buttons) and dates follow it; article text and rule text stay as they are, and in
Hebrew and Arabic each Latin run is isolated (U+2068 … U+2069) so it keeps its order.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.config import DeliveryConfig
from bot.store import AsyncStore
from tests.delivery.queued import (
    FIRST,
    STORY_CHAT,
    at,
    follow,
    follow_story,
    publish,
    store_article,
)
from tests.support.bidi_layout import unmarked
from tests.support.outbox_env import drain, fast_sender
from tests.support.telegram_app import USER, StartBot, alerts
from tests.support.telegram_app import publish as publish_to_bot

CHAT = 7001
FSI, PDI = "\u2068", "\u2069"
RUSSIAN_DATE = r"\d{1,2} [а-я]+\.? \d{4}\sг\., \d\d:\d\d UTC"


async def test_a_russian_chat_gets_its_alert_with_russian_chrome(start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, "ru")
    await bot.send(USER, "/subscribe Israel + Azerbaijan")

    await publish_to_bot(
        bot, "Herzog visits Azerbaijan", "Israel and Azerbaijan signed deals in Baku."
    )

    [alert] = alerts(bot)
    lines = alert.plain.splitlines()
    assert lines[0] == "Herzog visits Azerbaijan"
    assert re.fullmatch(f"Example News · {RUSSIAN_DATE}", lines[1])
    assert lines[-2:] == [
        "Совпадение: Azerbaijan (заголовок, текст), Israel (текст)",
        "Тема: Israel + Azerbaijan",
    ]
    assert [label for row in alert.buttons for label, _data in row] == [
        "🔕 Заглушить",
        "✖ Отписаться",
    ]


async def test_frequency_and_quiet_hours_answer_in_the_users_language(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, "ru")
    await bot.send(USER, "/subscribe Azerbaijan")

    daily = await bot.send(USER, "/frequency 1 daily 08:00")
    weekly = await bot.send(USER, "/frequency 1 weekly fri 9:30")
    wrong = await bot.send(USER, "/frequency 1 sometimes")
    quiet = await bot.send(USER, "/quiet 22:00-07:00 silent")
    shown = await bot.send(USER, "/quiet")

    next_digest = r"следующий дайджест \d{1,2} [а-я]+\.? \d\d:\d\d UTC"
    assert re.fullmatch(f"#1: Azerbaijan — ежедневно в 08:00, {next_digest}\\.", daily.plain)
    assert re.fullmatch(f"#1: Azerbaijan — еженедельно, пт в 09:30, {next_digest}\\.", weekly.plain)
    assert (
        "'sometimes' — не частота; используйте realtime, hourly, daily ЧЧ:ММ или weekly ДЕНЬ ЧЧ:ММ."
        in wrong.plain
    )
    assert quiet.plain == (
        "Тихие часы 22:00-07:00 (UTC): в это время уведомления приходят без звука."
    )
    assert shown.plain.startswith("Тихие часы здесь: 22:00-07:00, без звука (UTC).\n")
    [sub] = await bot.store.list_subscriptions(USER)
    assert sub.frequency == "weekly Fri 09:30", "stored as typed syntax, whatever the language"


async def test_a_hebrew_chat_gets_its_digest_in_hebrew_with_latin_runs_isolated(
    bot, botapi, astore: AsyncStore, clock
) -> None:
    store = astore.sync
    store.upsert_chat(CHAT, telegram_language="he")
    store.set_chat_timezone(CHAT, "Asia/Jerusalem")
    daily = follow(store, "Azerbaijan", "daily 08:00")
    sender = fast_sender(bot, astore)
    publish(store, [daily], ["Azerbaijan signs a deal"])  # 3 Dec, 14:00 in Jerusalem

    await at(clock, datetime(2026, 12, 4, 6, 0, tzinfo=UTC), sender)  # 08:00 in Jerusalem

    [digest] = botapi.messages(CHAT)
    assert digest.plain.splitlines() == [
        "תקציר · 3 בדצמ׳ 08:00 – 4 בדצמ׳ 08:00 IST",
        "#1 Azerbaijan",
        f"• {FSI}Azerbaijan signs a deal{PDI} — {FSI}Wire{PDI} · 3 בדצמ׳ 2026, 14:00 IST",
    ]


async def test_a_burst_digest_in_hebrew_counts_and_isolates_each_topic(
    bot, botapi, astore: AsyncStore, clock
) -> None:
    store = astore.sync
    store.upsert_chat(CHAT)
    store.set_chat_language(CHAT, "he")
    now = follow(store, "Azerbaijan", None)
    publish(store, [now], [f"Azerbaijan news {n}" for n in range(3)])

    await drain(fast_sender(bot, astore, digest_threshold=2))

    [digest] = botapi.messages(CHAT)
    lines = digest.plain.splitlines()
    assert lines[0] == "3 התראות חדשות"
    assert lines[1].startswith(f"• {FSI}Azerbaijan news 0{PDI} — {FSI}Azerbaijan{PDI} · ")


async def test_a_chat_without_a_language_reads_the_configured_one(
    bot, botapi, astore: AsyncStore, clock
) -> None:
    store = astore.sync
    store.upsert_chat(CHAT)
    now = follow(store, "Azerbaijan", None)
    publish(store, [now], ["Azerbaijan news"])

    await drain(fast_sender(bot, astore, delivery=DeliveryConfig(language="de")))

    [alert] = botapi.messages(CHAT)
    assert alert.plain.splitlines()[-2:] == [
        "Treffer: Azerbaijan (Titel, Text)",
        "Thema: Azerbaijan",
    ]
    assert "Wire · 03.12.2026, 12:00 UTC" in alert.plain


async def test_the_also_edit_of_a_russian_alert_is_in_russian(bot, botapi, astore) -> None:
    store = astore.sync
    store.upsert_chat(STORY_CHAT)
    store.set_chat_language(STORY_CHAT, "ru")
    sub = follow_story(store)
    first = store_article(store, "World Desk", FIRST)
    store.enqueue_alerts({(STORY_CHAT, first): [sub]})
    sender = fast_sender(bot, astore)
    await sender.deliver_pending()
    copy = store_article(store, "Wire Service", "https://wire.example/h")
    store.enqueue_alerts({(STORY_CHAT, copy): [sub]}, stories={copy: first})

    await drain(sender)

    [alert] = botapi.messages(STORY_CHAT)
    assert alert.plain.splitlines()[-1] == "Также: Wire Service"
    assert alert.plain.splitlines()[-2] == "Тема: Israel + Azerbaijan"


async def test_a_hebrew_chat_reads_the_placeholder_words_in_hebrew(start_bot: StartBot) -> None:
    """HH:MM, DAY, TERM and Area/City, which stand for what a person types, are written in
    Hebrew as the Russian chat reads ЧЧ:ММ, ДЕНЬ, ТЕРМИН (direction marks aside)."""
    bot = await start_bot()
    bot.api.set_user_language(USER, "he")
    await bot.send(USER, "/subscribe Azerbaijan")
    await bot.send(USER, "/alias Eli Cohen = אלי כהן")

    replies = {
        command: unmarked((await bot.send(USER, command)).plain)
        for command in (
            "/frequency 1 sometimes",
            "/subscribe Iran @daily 25:00",
            "/quiet soon",
            "/alias",
            "/help",
        )
    }

    assert "weekly יום שש:דד" in replies["/frequency 1 sometimes"]
    assert "weekly יום שש:דד" in replies["/subscribe Iran @daily 25:00"]
    assert "שש:דד-שש:דד" in replies["/quiet soon"]
    assert "/alias -מונח" in replies["/alias"]
    assert "/timezone אזור/עיר" in replies["/help"]
    english = [w for w in ("HH:MM", "DAY", "TERM", "Area/City") if w in "".join(replies.values())]
    assert english == []
