"""What the bot shows can be typed back: frequencies, time zones and quiet hours in the chat's
language, driven through the fake Bot API as a Russian and a Hebrew user would."""

from __future__ import annotations

import re

from tests.support.bidi_layout import unmarked
from tests.support.telegram_app import USER, StartBot


def listed_frequency(line: str) -> str:
    """The frequency a /list line shows: what follows the alerts count, up to the next digest."""
    match = re.search(r"\d+ [^,]+, (.+), [^,]+ \d{1,2} \S+ \d\d:\d\d \S+$", line)
    assert match, line
    return match[1]


async def test_a_russian_chat_sets_frequencies_in_its_words_and_types_back_what_list_shows(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, "ru")
    await bot.send(USER, "/subscribe Иран")
    await bot.send(USER, "/subscribe Армения")

    daily = await bot.send(USER, "/frequency 1 ежедневно 08:00")
    weekly = await bot.send(USER, "/frequency 2 еженедельно пятница 9:30")
    listed = (await bot.send(USER, "/list")).plain.splitlines()
    copied = await bot.send(USER, f"/frequency 1 {listed_frequency(listed[2])}")
    trailing = await bot.send(USER, "/subscribe Азербайджан @ежедневно 07:15")

    assert daily.plain.startswith("#1: Иран — ежедневно в 08:00, следующий дайджест ")
    assert weekly.plain.startswith("#2: Армения — еженедельно, пт в 09:30, следующий дайджест ")
    assert listed_frequency(listed[1]) == "ежедневно в 08:00"
    assert listed_frequency(listed[2]) == "еженедельно, пт в 09:30"
    assert copied.plain.startswith("#1: Иран — еженедельно, пт в 09:30, следующий дайджест ")
    assert trailing.plain.splitlines()[0] == "Слежу за темой #3: Азербайджан"
    assert trailing.plain.splitlines()[-1].startswith("Дайджестом: ежедневно в 07:15")
    stored = [(sub.rule, sub.frequency) for sub in await bot.store.list_subscriptions(USER)]
    assert stored == [
        ("Иран", "weekly Fri 09:30"),
        ("Армения", "weekly Fri 09:30"),
        ("Азербайджан", "daily 07:15"),
    ]


async def test_a_hebrew_chat_types_day_names_as_it_writes_them(start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, "he")
    await bot.send(USER, "/subscribe Iran")
    await bot.send(USER, "/subscribe Armenia")

    sunday = await bot.send(USER, "/frequency 1 weekly ראשון 08:00")
    monday = await bot.send(USER, "/frequency 2 כל שבוע, יום ב׳ ב־10:00")
    listed = unmarked((await bot.send(USER, "/list")).plain).splitlines()
    copied = await bot.send(USER, f"/frequency 2 {listed_frequency(listed[1])}")
    daily = await bot.send(USER, "/frequency 1 כל יום 7:45")

    assert unmarked(sunday.plain).startswith("#1: Iran — כל שבוע, יום א׳ ב־08:00, התקציר הבא ")
    assert unmarked(monday.plain).startswith("#2: Armenia — כל שבוע, יום ב׳ ב־10:00, התקציר הבא ")
    assert listed_frequency(listed[1]) == "כל שבוע, יום א׳ ב־08:00"
    assert unmarked(copied.plain).startswith("#2: Armenia — כל שבוע, יום א׳ ב־08:00, התקציר הבא ")
    assert unmarked(daily.plain).startswith("#1: Iran — כל יום ב־07:45, התקציר הבא ")
    stored = [sub.frequency for sub in await bot.store.list_subscriptions(USER)]
    assert stored == ["daily 07:45", "weekly Sun 08:00"]


async def test_a_russian_chat_names_its_zone_by_city_country_or_offset(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, "ru")

    moscow = await bot.send(USER, "/timezone Москва")
    berlin = await bot.send(USER, "/timezone berlin")
    offset = await bot.send(USER, "/timezone +3")
    shown = await bot.send(USER, "/timezone")
    quiet = await bot.send(USER, "/quiet 22-07")
    country = await bot.send(USER, "/timezone Россия")
    typo = await bot.send(USER, "/timezone Масква")

    assert moscow.plain == "Теперь время здесь показывается в поясе Europe/Moscow."
    assert berlin.plain == "Теперь время здесь показывается в поясе Europe/Berlin."
    assert offset.plain.splitlines() == [
        "Теперь время здесь показывается в поясе UTC+3.",
        "Это постоянное смещение: на летнее время оно не переходит. Чтобы время шло как в "
        "каком-то месте, пришлите название его города или страны.",
    ]
    assert shown.plain.startswith("Время здесь показывается в поясе UTC+3.")
    assert quiet.plain.startswith("Тихие часы 22:00-07:00 (UTC+3):")
    assert (await bot.store.get_chat(USER)).timezone == "Etc/GMT-3"
    choices = country.plain.splitlines()
    assert choices[0] == (
        "Россия — под это подходят несколько часовых поясов; пришлите один из них:"
    )
    assert "/timezone Europe/Moscow — Москва, UTC+3" in choices
    assert "/timezone Asia/Vladivostok — Владивосток, UTC+10" in choices
    assert typo.plain.splitlines()[:3] == [
        "Не знаю часового пояса Масква.",
        "Может, вы имели в виду:",
        "/timezone Москва",
    ]
    assert (await bot.store.get_chat(USER)).timezone == "Etc/GMT-3"  # neither changed it


async def test_a_hebrew_chat_names_its_zone_in_any_of_the_languages(start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, "he")

    israel = await bot.send(USER, "/timezone ישראל")
    quiet = await bot.send(USER, "/quiet 22:00–07:00")
    baku = await bot.send(USER, "/timezone Азербайджан")
    half = await bot.send(USER, "/timezone UTC+5:30")
    typo = await bot.send(USER, "/timezone ירושלם")

    assert unmarked(israel.plain) == "מעכשיו השעות כאן מוצגות לפי Asia/Jerusalem."
    assert unmarked(quiet.plain).startswith("שעות שקט 22:00-07:00 (Asia/Jerusalem):")
    assert unmarked(baku.plain) == "מעכשיו השעות כאן מוצגות לפי Asia/Baku."
    assert "/timezone Asia/Kolkata — קולקטה, UTC+5:30" in unmarked(half.plain).splitlines()
    assert unmarked(typo.plain).splitlines()[1:3] == ["אולי הכוונה לאחד מאלה:", "/timezone ירושלים"]
    assert (await bot.store.get_chat(USER)).timezone == "Asia/Baku"
