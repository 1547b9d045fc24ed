"""Following topics from a private chat: what the person reads back for each command."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.article import Article
from bot.i18n.bidi import FSI, PDI
from tests.support.telegram_app import USER, StartBot, add_articles


async def test_subscribe_shows_normalized_rule_and_recent_matches(start_bot: StartBot) -> None:
    bot = await start_bot()
    await add_articles(bot.store, "Israel and Azerbaijan sign deal", "Azerbaijan votes", "Israel")

    answer = await bot.send(USER, "/subscribe   israel AND  Azerbaijan")

    assert answer.plain == (
        "Following #1: israel + Azerbaijan\n"
        "It would have matched 1 stored article in the last 7 days.\n"
        "israel also matches Израиль, Ізраїль, ישראל and 3 more.\n"
        "Azerbaijan also matches Азербайджан, אזרבייג׳ן, أذربيجان and 6 more."
    )
    [sub] = await bot.store.list_subscriptions(USER)
    assert (sub.rule, sub.thread_id) == ("israel + Azerbaijan", None)


async def test_bad_rule_points_at_the_error_with_a_hint(start_bot: StartBot) -> None:
    bot = await start_bot()

    answer = await bot.send(USER, "/sub Israel + <Azerbaijan> +")

    lines = answer.plain.splitlines()
    assert lines[0].startswith("That rule does not work: ")
    assert lines[1] == "Israel + <Azerbaijan> +"
    assert "quote phrases" in lines[2]
    assert "\nIsrael + &lt;Azerbaijan&gt; <u><b>+</b></u>\n" in answer.text  # the spot marked
    assert await bot.store.list_subscriptions(USER) == []


async def test_duplicate_names_the_existing_topic(start_bot: StartBot) -> None:
    bot = await start_bot()
    await bot.send(USER, "/subscribe Netanyahu")
    await bot.send(USER, "/add Israel + Azerbaijan")

    answer = await bot.send(USER, "/subscribe azerbaijan & ISRAEL")

    assert answer.plain == "You already follow this topic as #2: Israel + Azerbaijan"
    assert len(await bot.store.list_subscriptions(USER)) == 2


async def test_limit_per_chat_is_explained(start_bot: StartBot) -> None:
    bot = await start_bot(max_per_chat=1)
    await bot.send(USER, "/subscribe Baku")

    answer = await bot.send(USER, "/subscribe Tbilisi")

    assert answer.plain.startswith("This chat already follows 1 topic, the most allowed.")
    assert "/unsubscribe N" in answer.plain


async def test_subscribe_alone_takes_the_next_message_as_the_rule(start_bot: StartBot) -> None:
    bot = await start_bot()

    question = await bot.send(USER, "/subscribe")
    answer = await bot.send(USER, 'Azerbaijan -football "Eli Cohen"')

    assert "Send the rule as your next message" in question.plain
    assert answer.plain.startswith('Following #1: Azerbaijan + "Eli Cohen" -football')


async def test_another_command_ends_the_question(start_bot: StartBot) -> None:
    bot = await start_bot()
    await bot.send(USER, "/subscribe")
    await bot.send(USER, "/list")

    answer = await bot.send(USER, "Azerbaijan")

    assert "send <code>/subscribe</code>" in answer.text
    assert await bot.store.list_subscriptions(USER) == []


async def test_cancel_ends_the_question(start_bot: StartBot) -> None:
    bot = await start_bot()
    await bot.send(USER, "/subscribe")

    assert (await bot.send(USER, "/cancel")).plain == "OK, nothing changed."
    await bot.send(USER, "Azerbaijan")
    assert await bot.store.list_subscriptions(USER) == []


async def test_list_shows_numbers_states_and_alert_counts(start_bot: StartBot) -> None:
    bot = await start_bot()
    await bot.send(USER, "/subscribe Israel + Azerbaijan")
    await bot.send(USER, '/subscribe "Tom <3 Jerry"')
    await bot.send(USER, "/pause 2")

    answer = await bot.send(USER, "/list")

    assert answer.plain.splitlines() == [
        "Topics followed here",
        "1. Israel + Azerbaijan — active, 0 alerts",
        '2. "Tom <3 Jerry" — paused, 0 alerts',
    ]


async def test_list_without_topics_suggests_one(start_bot: StartBot) -> None:
    bot = await start_bot()

    assert "/subscribe Israel + Azerbaijan" in (await bot.send(USER, "/list")).plain


async def test_unsubscribe_by_number_or_by_rule(start_bot: StartBot) -> None:
    bot = await start_bot()
    await bot.send(USER, "/subscribe Israel + Azerbaijan")
    await bot.send(USER, "/subscribe Baku")

    by_rule = await bot.send(USER, "/unsub azerbaijan israel")
    by_number = await bot.send(USER, "/remove 2")
    missing = await bot.send(USER, "/unsubscribe 3")

    assert by_rule.plain == "Stopped following #1: Israel + Azerbaijan"
    assert by_number.plain == "Stopped following #2: Baku", "numbers do not shift"
    assert missing.plain == "There is no topic #3; /list shows 0 topics."
    assert await bot.store.list_subscriptions(USER) == []


async def test_pause_and_resume_one_or_all(start_bot: StartBot) -> None:
    bot = await start_bot()
    await bot.send(USER, "/subscribe Israel")
    await bot.send(USER, "/subscribe Baku")

    assert (await bot.send(USER, "/pause")).plain == "Paused all 2 topics of this chat."
    assert (await bot.send(USER, "/resume 2")).plain == "Resumed #2: Baku"

    states = [sub.paused for sub in await bot.store.list_subscriptions(USER)]
    assert states == [True, False]


async def test_start_after_a_block_resumes_only_what_the_block_paused(start_bot: StartBot) -> None:
    bot = await start_bot()
    await bot.send(USER, "/subscribe Israel")
    await bot.send(USER, "/subscribe Baku")
    await bot.send(USER, "/pause 2")
    await bot.store.set_chat_active(USER, False)  # what a 403 "bot was blocked" does

    await bot.send(USER, "/start")

    states = [sub.paused for sub in await bot.store.list_subscriptions(USER)]
    assert states == [False, True]
    assert (await bot.store.get_chat(USER)).active


async def test_preview_lists_recent_matches_without_subscribing(start_bot: StartBot) -> None:
    bot = await start_bot()
    titles = [f"Azerbaijan story {n}" for n in range(7)] + ["Unrelated & <odd> title"]
    await add_articles(bot.store, *titles)

    answer = await bot.send(USER, "/preview azerbaijan")

    lines = answer.plain.splitlines()
    assert lines[0] == "Latest articles matching azerbaijan:"
    assert [line.split(" — ")[0] for line in lines[1:]] == [
        "1. Azerbaijan story 6",
        "2. Azerbaijan story 5",
        "3. Azerbaijan story 4",
        "4. Azerbaijan story 3",
        "5. Azerbaijan story 2",
    ]
    assert re.fullmatch(
        r"Example News, \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC", lines[1].split(" — ")[1]
    )
    assert '<a href="https://news.example.org/6?a=1&amp;b=2">Azerbaijan story 6</a>' in answer.text
    assert await bot.store.list_subscriptions(USER) == []


async def test_preview_without_matches_says_so(start_bot: StartBot) -> None:
    bot = await start_bot()

    answer = await bot.send(USER, "/preview Tbilisi")

    assert answer.plain.startswith("No stored article of the last 7 days matches Tbilisi.")


async def test_subscribe_and_preview_look_back_over_the_same_week(start_bot: StartBot) -> None:
    bot = await start_bot()
    feed = await bot.store.add_feed("https://news.example.org/feed.xml", name="Example News")
    for age in (2, 10):
        seen = datetime.now(UTC) - timedelta(days=age)
        article = Article(
            id=f"a{age}",
            feed_url=feed.url,
            url=f"https://news.example.org/{age}",
            title=f"Baku talks, {age} days ago",
            text="",
            published=seen,
            source="Example News",
        )
        await bot.store.add_articles(feed.id, [article], seen_at=seen)

    preview = await bot.send(USER, "/preview Baku")
    followed = await bot.send(USER, "/subscribe Baku")
    helped = await bot.send(USER, "/help")

    assert [line.split(" — ")[0] for line in preview.plain.splitlines()] == [
        "Latest articles matching Baku:",
        "1. Baku talks, 2 days ago",
    ]
    assert followed.plain.splitlines()[1] == (
        "It would have matched 1 stored article in the last 7 days."
    )
    assert "articles of the last 7 days a rule would have sent" in helped.plain


async def test_timezone_rejects_unknown_names_and_stores_good_ones(start_bot: StartBot) -> None:
    bot = await start_bot()

    bad = await bot.send(USER, "/timezone Mars/Olympus")
    good = await bot.send(USER, "/timezone Asia/Baku")

    assert bad.plain.startswith("I do not know the time zone Mars/Olympus.")
    assert "Europe/Berlin" in bad.plain
    assert good.plain == "Times here are now shown in Asia/Baku."
    assert (await bot.store.get_chat(USER)).timezone == "Asia/Baku"


async def test_timezone_names_are_taken_in_any_case_and_stored_as_tzdata_spells_them(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()

    utc = await bot.send(USER, "/timezone utc")
    assert utc.plain == "Times here are now shown in UTC."
    assert (await bot.store.get_chat(USER)).timezone == "UTC"

    berlin = await bot.send(USER, "/timezone EUROPE/berlin")
    assert berlin.plain == "Times here are now shown in Europe/Berlin."
    assert (await bot.store.get_chat(USER)).timezone == "Europe/Berlin"


async def test_start_after_a_block_resumes_alerts(start_bot: StartBot) -> None:
    bot = await start_bot()
    await bot.send(USER, "/subscribe Israel")
    await bot.store.set_chat_active(USER, False)

    answer = await bot.send(USER, "/start")

    assert answer.plain.startswith("Welcome back!")
    assert (await bot.store.get_chat(USER)).active
    assert [sub.paused for sub in await bot.store.list_subscriptions(USER)] == [False]


async def test_help_explains_the_rule_language(start_bot: StartBot) -> None:
    bot = await start_bot()

    answer = await bot.send(USER, "/help")

    assert "/subscribe rule" in answer.plain
    assert "Azerbaijan -football — leave out articles with a word" in answer.plain


@pytest.mark.parametrize(
    ("language", "followed", "now_daily"),
    [
        (
            "ru",
            "Вы уже следите за этой темой: #1: Iran",
            "; теперь она приходит ежедневно в 09:00, следующий дайджест ",
        ),
        (
            "he",
            f"כבר יש מעקב אחרי הנושא הזה: {FSI}#1: Iran{PDI}",
            "; מעכשיו הוא מגיע כל יום ב־09:00, התקציר הבא ",
        ),
    ],
)
async def test_a_frequency_on_a_followed_topic_changes_it_and_says_so(
    start_bot: StartBot, language: str, followed: str, now_daily: str
) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, language)
    await bot.send(USER, "/subscribe Iran")

    changed = await bot.send(USER, "/subscribe Iran @daily 09:00")
    again = await bot.send(USER, "/subscribe iran @daily 09:00")
    plain = await bot.send(USER, "/subscribe Iran")
    listed = await bot.send(USER, "/list")

    assert changed.plain.startswith(followed + now_daily)
    assert again.plain == followed, "the frequency it already has: nothing to change"
    assert plain.plain == followed, "no frequency given: the topic keeps its own"
    assert "09:00" in listed.plain.splitlines()[1]
    [sub] = await bot.store.list_subscriptions(USER)
    assert sub.frequency == "daily 09:00"


@dataclass(frozen=True)
class Hinted:
    language: str
    places: str
    football: str
    again: str
    native: str
    hint: str
    same: str


RUSSIAN_HINTS = Hinted(
    language="ru",
    places="Иран + Армения",
    football="Иран | Армения -футбол",
    again="Израиль -футбол",
    native="Израиль + Азербайджан",
    hint="Большинство статей, которые читает бот, написаны не на том языке, что футбол: "
    "на всех языках совпадают только названия мест, остальные слова — только как написаны.",
    same="Вы уже следите за темой с тем же смыслом: #4: Israel + Azerbaijan. "
    "/unsubscribe 5 удалит эту новую.",
)
HEBREW_HINTS = Hinted(
    language="he",
    places="איראן + ארמניה",
    football="איראן | ארמניה -כדורגל",
    again="ישראל -כדורגל",
    native="ישראל + אזרבייג׳ן",
    hint=f"רוב הכתבות שהבוט קורא כתובות בשפה אחרת מזו של {FSI}כדורגל{PDI}: רק שמות של מקומות "
    "מתאימים בכל השפות, ומילים אחרות רק כפי שנכתבו.",
    same=f"כבר יש מעקב אחרי נושא עם אותה משמעות: {FSI}#4: Israel + Azerbaijan{PDI}. "
    f"הפקודה {FSI}/unsubscribe 5{PDI} מסירה את החדש.",
)


@pytest.mark.parametrize("hinted", [RUSSIAN_HINTS, HEBREW_HINTS], ids=lambda h: h.language)
async def test_following_says_once_what_crosses_languages_and_what_is_followed_already(
    start_bot: StartBot, hinted: Hinted
) -> None:
    """Over English feeds, a rule's words in the app's language find only articles with those
    very words (place names find every language's): said once per chat. A topic naming the
    same places in another language as one followed is pointed at."""
    bot = await start_bot()
    bot.api.set_user_language(USER, hinted.language)
    await add_articles(
        bot.store, "Armenia beats Iran at football", "Iran and Armenia talk trade", "Weather"
    )

    places = await bot.send(USER, f"/subscribe {hinted.places}")
    football = await bot.send(USER, f"/subscribe {hinted.football}")
    again = await bot.send(USER, f"/subscribe {hinted.again}")
    english = await bot.send(USER, "/subscribe Israel + Azerbaijan")
    native = await bot.send(USER, f"/subscribe {hinted.native}")

    assert hinted.hint not in places.plain, "place names cross languages"
    assert hinted.hint in football.plain.splitlines()
    assert hinted.hint.split(":")[0] not in again.plain, "once per chat"
    assert hinted.same.split(":")[0] not in english.plain
    assert native.plain.splitlines()[-1] == hinted.same
