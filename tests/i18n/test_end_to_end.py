"""A Hebrew, a Russian and an Azerbaijani user, each from /start to their first alert, in their
own language: the welcome, a rule with a typo (error, the rule with the spot marked, hint), the
confirmation, /list and the alert's chrome and buttons. Rules and the article stay as written;
dates follow CLDR.

The expected texts are written out here, as each user reads them, so a catalog that lost a
translation or a code path that forgot the chat's language fails this test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from bot.i18n.bidi import FSI, PDI, RLM
from tests.support.telegram_app import USER, StartBot, alerts, publish

TYPO = "Israel + (Azerbaijan"
RULE = "Israel + Azerbaijan"
QUOTED_BRACKET = '"("'


def iso(text: str) -> str:
    return f"{FSI}{text}{PDI}"


@dataclass(frozen=True)
class Expected:
    language: str
    welcome: str
    error: str
    hint: str
    confirmation: str
    listed: str
    date: str
    """A pattern: the article's date line, today's date in the language's CLDR format."""
    matched: str
    topic: str
    buttons: tuple[str, str]
    mark: str = ""
    """What opens the line of the rule with its spot marked (a RIGHT-TO-LEFT MARK in Hebrew)."""


HEBREW = Expected(
    language="he",
    welcome="שלום! ספרו לי על נושא, ואשלח כתבות חדשות עליו ברגע שהן מתפרסמות.",
    error=f"הכלל הזה לא עובד: הסוגר {iso(QUOTED_BRACKET)} שנפתח במיקום 10 לא נסגר",
    hint="מחברים מילים עם + (כולן), | (אחת מהן) ו־- (להוציא); ביטויים שמים במירכאות. "
    f"פרטים ב־{iso('/help')}.",
    confirmation=f"במעקב: {iso('#1: ' + RULE)}",
    listed=f"1. {iso(RULE)} — פעיל, התראה אחת",
    date=rf"{iso('Example News')} · \d{{1,2}} ב\w+׳? \d{{4}}, \d\d:\d\d UTC",
    matched=f"התאמה: {iso('Israel')}, {iso('Azerbaijan')} (כותרת, טקסט)",
    topic=f"נושא: {iso(RULE)}",
    buttons=("🔕 השתקה", "✖ ביטול מינוי"),
    mark=RLM,
)
RUSSIAN = Expected(
    language="ru",
    welcome="Привет! Назовите тему, и я буду присылать новые статьи о ней, как только они "
    "появятся.",
    error='Это правило не работает: скобка "(", открытая на позиции 10, не закрыта',
    hint="Слова соединяются через + (все), | (любое) и - (исключить); фразы берите в кавычки. "
    "Подробнее — /help.",
    confirmation=f"Слежу за темой #1: {RULE}",
    listed=f"1. {RULE} — активна, 1 уведомление",
    date=r"Example News · \d{1,2} \w+\.? \d{4}\sг\., \d\d:\d\d UTC",  # \s: CLDR's narrow space
    matched="Совпадение: Israel, Azerbaijan (заголовок, текст)",
    topic=f"Тема: {RULE}",
    buttons=("🔕 Заглушить", "✖ Отписаться"),
)
AZERBAIJANI = Expected(
    language="az",
    welcome="Salam! Mənə bir mövzu deyin, onun haqqında yeni məqalələri çıxan kimi göndərəcəyəm.",
    error='Bu qayda işləmir: 10 mövqeyində açılan "(" bağlanmayıb',
    hint="Sözlər + (hamısı), | (hər hansı) və - (çıxar) ilə birləşir; ifadələri dırnağa alın. "
    "Ətraflı: /help.",
    confirmation=f"İzlənilir: #1: {RULE}",
    listed=f"1. {RULE} — aktiv, 1 bildiriş",
    date=r"Example News · \d{1,2} \w+ \d{4} \d\d:\d\d UTC",
    matched="Uyğunluq: Israel, Azerbaijan (başlıq, mətn)",
    topic=f"Mövzu: {RULE}",
    buttons=("🔕 Səssizə al", "✖ Abunəlikdən çıx"),
)


@pytest.mark.parametrize("expected", [HEBREW, RUSSIAN, AZERBAIJANI], ids=lambda e: e.language)
async def test_from_start_to_the_first_alert_in_the_users_language(
    start_bot: StartBot, expected: Expected
) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, expected.language)

    welcome = await bot.send(USER, "/start")
    assert welcome.plain.splitlines()[0] == expected.welcome
    assert f"<code>{RULE}</code>" in welcome.text  # the example rule stays as written

    typo = await bot.send(USER, f"/subscribe {TYPO}")
    error, line, hint = typo.plain.splitlines()
    assert (error, hint) == (expected.error, expected.hint)
    assert line == expected.mark + (iso(TYPO) if expected.mark else TYPO)
    marked = "Israel + <u><b>(</b></u>Azerbaijan"
    assert f"\n{expected.mark}{iso(marked) if expected.mark else marked}\n" in typo.text

    confirmation = await bot.send(USER, f"/subscribe {RULE}")
    assert confirmation.plain.splitlines()[0] == expected.confirmation

    await publish(
        bot,
        "Israel and Azerbaijan sign a water deal",
        "Israel and Azerbaijan signed a deal on water technology in Baku on Tuesday.",
    )
    [alert] = alerts(bot)
    title, date, _blank, summary, _gap, matched, topic = alert.plain.splitlines()
    assert title == "Israel and Azerbaijan sign a water deal"
    assert re.fullmatch(expected.date, date), date
    assert summary.startswith("Israel and Azerbaijan signed a deal")  # never translated
    assert (matched, topic) == (expected.matched, expected.topic)
    assert [label for label, _data in alert.buttons[0]] == list(expected.buttons)

    listing = await bot.send(USER, "/list")
    assert listing.plain.splitlines()[1] == expected.listed
