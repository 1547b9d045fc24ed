"""/start, /help and /subscribe in the language of the person's Telegram app: the welcome, the
help and a rule's syntax error come translated, with rule examples and the rule as written."""

from __future__ import annotations

from bot.i18n.bidi import FSI, PDI, RLM
from tests.support.telegram_app import USER, StartBot, add_articles


async def test_a_russian_user_is_welcomed_and_helped_in_russian(start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, "ru")

    welcome = await bot.send(USER, "/start")
    help_text = await bot.send(USER, "/help")

    assert welcome.plain.startswith(
        "Привет! Назовите тему, и я буду присылать новые статьи о ней, как только они появятся.\n"
        "Попробуйте /subscribe Israel + Azerbaijan или загляните в /help."
    )
    assert "<b>Как написать правило темы</b>" in welcome.text
    assert "<code>Azerbaijan -football</code> — без статей с этим словом" in welcome.text
    assert help_text.plain.startswith(
        "Я читаю новостные ленты и присылаю статьи, подходящие под ваши темы.\n\nКоманды\n"
        "/subscribe правило — следить за темой (также /sub, /add)\n"
    )
    assert "/preview правило — статьи за последние 7 дней, которые прислало бы правило" in (
        help_text.plain
    )
    assert "AND, OR и NOT тоже работают." in help_text.plain


async def test_a_hebrew_user_sees_the_rule_error_in_hebrew_with_the_spot_marked(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, "he")
    rule = "Israel + (Azerbaijan"

    answer = await bot.send(USER, f"/subscribe {rule}")

    first, *_rest = answer.plain.splitlines()
    assert first == f'הכלל הזה לא עובד: הסוגר {FSI}"("{PDI} שנפתח במיקום 10 לא נסגר'
    # the rule as written, in its own direction, the bracket marked in a right-to-left line
    assert f"\n{RLM}{FSI}Israel + <u><b>(</b></u>Azerbaijan{PDI}\n" in answer.text
    assert "מחברים מילים עם + (כולן)" in answer.plain  # the hint
    assert await bot.store.list_subscriptions(USER) == []


async def test_a_german_confirmation_counts_in_german(start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, "de")
    await add_articles(bot.store, "Baku hosts the talks")

    answer = await bot.send(USER, "/subscribe Baku")

    assert answer.plain.splitlines()[:2] == [
        "Ich folge jetzt #1: Baku",
        "In den letzten 7 Tagen hätte sie auf 1 gespeicherten Artikel gepasst.",
    ]
