"""/alias end to end: a chat gives a term other names, its topics match them (the matcher
picks the change up like a new subscription), the alert says which name matched, and
removing the alias stops that."""

from __future__ import annotations

from bot.matching import SubscriptionMatcher
from tests.support.telegram_app import USER, StartBot, add_articles, alerts, publish


async def test_an_alias_applies_to_every_topic_and_is_named_in_the_alert(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    matcher = SubscriptionMatcher(bot.store)
    empty = await bot.send(USER, "/alias")
    await bot.send(USER, '/subscribe "Eli Cohen"')
    await publish(bot, "Фильм об Эли Коэне вышел в прокат", matcher=matcher)

    added = await bot.send(USER, "/alias Eli Cohen = אלי כהן, Эли Коэн")
    listed = await bot.send(USER, "/alias")
    await publish(bot, "Фильм об Эли Коэне вышел в прокат снова", matcher=matcher)
    await publish(bot, "סרט חדש על אלי כהן", matcher=matcher)
    confirmation = await bot.send(USER, '/subscribe "Eli Cohen" + Damascus')

    removed = await bot.send(USER, "/alias -eli cohen")
    await publish(bot, "Ещё один фильм об Эли Коэне", matcher=matcher)

    assert empty.plain.startswith("No aliases here.")
    assert added.plain == "Eli Cohen now also matches אלי כהן, Эли Коэн in every topic here."
    assert listed.plain.splitlines()[:2] == [
        "Other names in every topic here:",
        "Eli Cohen = אלי כהן, Эли Коэн",
    ]
    assert "Eli Cohen also matches אלי כהן, Эли Коэн." in confirmation.plain
    assert removed.plain == "eli cohen has no other names here any more."
    sent = alerts(bot)
    assert [m.plain.splitlines()[0] for m in sent] == [
        "Фильм об Эли Коэне вышел в прокат снова",
        "סרט חדש על אלי כהן",
    ]
    assert "Matched: Eli Cohen (Эли Коэн) (title)" in sent[0].plain
    assert "Matched: Eli Cohen (אלי כהן) (title)" in sent[1].plain


async def test_a_malformed_alias_says_how_to_write_one(start_bot: StartBot) -> None:
    bot = await start_bot()

    no_equals = await bot.send(USER, "/alias Eli Cohen")
    no_names = await bot.send(USER, "/alias Eli Cohen = , ")
    no_term = await bot.send(USER, "/alias = אלי כהן")

    assert no_equals.plain.startswith("Write the term, = and its other names")
    assert no_names.plain.startswith("Name at least one other spelling after =")
    assert no_term.plain.startswith("The term needs letters or digits")
    assert await bot.store.list_aliases(USER) == {}


async def test_preview_and_the_count_find_other_languages_and_the_chats_aliases(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    await add_articles(
        bot.store,
        "Израиль и Азербайджан подписали соглашение",
        "ישראל ואזרבייג׳ן חתמו על הסכם",
        "Израильский стартап открыл офис в Баку",
        "Эли Коэн: фильм вышел в прокат",
    )
    await bot.send(USER, "/alias Eli Cohen = Эли Коэн")

    preview = await bot.send(USER, "/preview Israel + Azerbaijan")
    literal = await bot.send(USER, "/preview =Israel + Azerbaijan")
    own = await bot.send(USER, '/subscribe "Eli Cohen"')

    assert "Израиль и Азербайджан подписали соглашение" in preview.plain
    assert "ישראל ואזרבייג׳ן חתמו על הסכם" in preview.plain
    assert "Израильский" not in preview.plain
    assert literal.plain.startswith("No stored article of the last 7 days matches")
    assert "It would have matched 1 stored article in the last 7 days." in own.plain


async def test_a_ukrainian_user_sets_and_lists_aliases_in_ukrainian(start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, "uk")

    empty = await bot.send(USER, "/alias")
    added = await bot.send(USER, "/alias Eli Cohen = אלי כהן, Эли Коэн")
    listed = await bot.send(USER, "/alias")
    no_term = await bot.send(USER, "/alias = אלי כהן")
    removed = await bot.send(USER, "/alias -eli cohen")

    assert empty.plain.startswith("Інших назв тут поки немає.")
    assert added.plain == "Тепер Eli Cohen в усіх темах тут знаходить і אלי כהן, Эли Коэн."
    assert listed.plain.splitlines() == [
        "Інші назви в усіх темах тут:",
        "Eli Cohen = אלי כהן, Эли Коэн",
        "Видалити можна командою /alias -ТЕРМІН.",
    ]
    assert no_term.plain.startswith("У терміні мають бути літери або цифри: /alias Eli Cohen")
    assert removed.plain == "У eli cohen тут більше немає інших назв."
