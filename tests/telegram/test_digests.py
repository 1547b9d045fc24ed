"""Setting how often topics come and the chat's quiet hours, from the chat."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.support.telegram_app import USER, StartBot

NEXT = r"next digest \d{1,2} [A-Z][a-z]{2} \d\d:\d\d [A-Z+\-0-9]+"


async def test_a_trailing_frequency_on_subscribe_makes_a_digest_topic(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    await bot.send(USER, "/timezone Europe/Berlin")

    answer = await bot.send(USER, "/subscribe Azerbaijan @daily 08:00")
    listed = await bot.send(USER, "/list")

    assert answer.plain.splitlines()[0] == "Following #1: Azerbaijan"
    assert re.fullmatch(f"As a digest: daily 08:00, {NEXT}.", answer.plain.splitlines()[-1])
    assert re.fullmatch(
        f"1. Azerbaijan — active, 0 alerts, daily 08:00, {NEXT}", listed.plain.splitlines()[1]
    )
    [sub] = await bot.store.list_subscriptions(USER)
    assert (sub.rule, sub.frequency) == ("Azerbaijan", "daily 08:00")


async def test_a_quoted_at_word_stays_part_of_the_rule(start_bot: StartBot) -> None:
    bot = await start_bot()

    await bot.send(USER, '/subscribe Cron "@daily"')

    [sub] = await bot.store.list_subscriptions(USER)
    assert (sub.rule, sub.frequency) == ('Cron + "@daily"', None)


async def test_a_bad_frequency_is_refused_and_nothing_is_followed(start_bot: StartBot) -> None:
    bot = await start_bot()

    answer = await bot.send(USER, "/subscribe Azerbaijan @daily 25:00")

    assert "'25:00' is not a time of day" in answer.plain
    assert "daily HH:MM" in answer.plain
    assert await bot.store.list_subscriptions(USER) == []


async def test_frequency_shows_and_changes_how_often_a_topic_comes(start_bot: StartBot) -> None:
    bot = await start_bot()
    await bot.send(USER, "/subscribe Azerbaijan")

    shown = await bot.send(USER, "/frequency 1")
    weekly = await bot.send(USER, "/frequency 1 weekly fri 9:30")
    hourly = await bot.send(USER, "/frequency 1 @hourly")
    back = await bot.send(USER, "/frequency 1 realtime")
    wrong = await bot.send(USER, "/frequency 1 sometimes")
    missing = await bot.send(USER, "/frequency 7 daily")

    assert shown.plain.startswith("#1: Azerbaijan — as it happens.")
    assert re.fullmatch(f"#1: Azerbaijan — weekly Fri 09:30, {NEXT}.", weekly.plain)
    assert re.fullmatch(f"#1: Azerbaijan — hourly, {NEXT}.", hourly.plain)
    assert back.plain == "#1: Azerbaijan — as it happens."
    assert "'sometimes' is not a frequency" in wrong.plain
    assert "There is no topic #7" in missing.plain
    [sub] = await bot.store.list_subscriptions(USER)
    assert sub.frequency is None


async def test_the_next_digest_a_chat_is_told_of_follows_the_process_clock(
    start_bot: StartBot,
) -> None:
    """The wall clock is years away: only the clock the process was given names 11 March."""
    bot = await start_bot(now=lambda: datetime(2031, 3, 10, 9, 0, tzinfo=UTC))
    await bot.send(USER, "/subscribe Azerbaijan")

    changed = await bot.send(USER, "/frequency 1 daily 08:00")
    listed = await bot.send(USER, "/list")

    assert changed.plain == "#1: Azerbaijan — daily 08:00, next digest 11 Mar 08:00 UTC."
    assert listed.plain.splitlines()[1] == (
        "1. Azerbaijan — active, 0 alerts, daily 08:00, next digest 11 Mar 08:00 UTC"
    )


async def test_quiet_hours_are_set_shown_and_ended(start_bot: StartBot) -> None:
    bot = await start_bot()

    none = await bot.send(USER, "/quiet")
    held = await bot.send(USER, "/quiet 22:00-07:00")
    silent = await bot.send(USER, "/quiet 23:30 - 6:00 silent")
    shown = await bot.send(USER, "/quiet")
    await bot.send(USER, "/subscribe Baku")
    listed = await bot.send(USER, "/list")
    wrong = await bot.send(USER, "/quiet 22:00")
    off = await bot.send(USER, "/quiet off")
    listed_after = await bot.send(USER, "/list")

    assert none.plain.startswith("No quiet hours.")
    assert held.plain.startswith("Quiet hours 22:00-07:00 (UTC): alerts then wait")
    assert silent.plain.startswith("Quiet hours 23:30-06:00 silent (UTC): alerts then arrive")
    assert shown.plain.startswith("Quiet hours here: 23:30-06:00 silent (UTC).")
    assert "HH:MM-HH:MM" in wrong.plain
    assert off.plain.startswith("No quiet hours any more")
    assert (
        listed.plain.splitlines()[-1]
        == "Quiet hours: 23:30-06:00 silent (UTC); /quiet changes them."
    )
    assert "Quiet hours" not in listed_after.plain
    assert (await bot.store.get_chat(USER)).quiet == "off"


async def test_help_explains_digests_and_quiet_hours(start_bot: StartBot) -> None:
    bot = await start_bot(menus=True)

    answer = await bot.send(USER, "/help")

    assert "/frequency" in answer.plain and "/quiet" in answer.plain
    assert "/subscribe Azerbaijan @daily 08:00" in answer.plain
    menu = {c.split()[0] for c in bot.api.commands()}
    assert {"/frequency", "/quiet"} <= menu
