"""Which language a chat reads, and /language to choose it: driven through the fake Bot API.

A chat reads its /language choice, else its person's Telegram app language (``pt-BR`` falls
back to ``pt``, then to ``[delivery] language``), and the choice outlives a restart.
"""

from __future__ import annotations

import pytest

from bot.i18n.bidi import FSI, PDI
from tests.support.botapi import FakeBotAPI
from tests.support.telegram_app import OPERATOR, USER, StartBot

GROUP = -100500
ADMIN, MEMBER = 7001, 7002


async def test_a_russian_app_gets_russian_and_language_offers_every_language(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, "ru")

    answer = await bot.send(USER, "/language")

    assert answer.plain.startswith(
        "В этом чате я пишу на языке «Русский» — как в вашем приложении Telegram."
    )
    labels = [label for row in answer.buttons for label, _data in row]
    assert labels == [
        "English", "Русский", "Українська", "עברית", "العربية", "Azərbaycan", "Deutsch",
        "Español", "Автоматически (как в Telegram)",
    ]  # fmt: skip


async def test_a_button_switches_the_chat_and_its_menu(start_bot: StartBot) -> None:
    bot = await start_bot(menus=True)
    bot.api.set_user_language(USER, "ru")
    offer = await bot.send(USER, "/language")

    await bot.press(USER, offer.message_id, "lang:de")

    assert bot.api.messages(USER)[-1].plain == (
        "Erledigt: In diesem Chat schreibe ich jetzt auf Deutsch."
    )
    zone = await bot.send(USER, "/timezone")
    assert zone.plain == "Zeiten werden hier in UTC angezeigt. Ändern mit /timezone Europe/Berlin."
    menu = bot.api.commands(chat_id=USER)
    assert "/timezone" in {line.split()[0] for line in menu}


async def test_automatic_goes_back_to_the_app_language(start_bot: StartBot) -> None:
    bot = await start_bot(menus=True)
    bot.api.set_user_language(USER, "uk")
    await bot.send(USER, "/language es")

    back = await bot.send(USER, "/language auto")

    assert back.plain == "Готово: знову пишу мовою вашого застосунку Telegram (Українська)."
    assert bot.api.commands(chat_id=USER) == []  # the per-language menus apply again


async def test_the_choice_outlives_a_restart(start_bot: StartBot) -> None:
    bot = await start_bot()
    chosen = await bot.send(USER, "/language he")
    assert chosen.plain == "בוצע: מעכשיו אני כותב בצ׳אט הזה בעברית."
    await bot.stop()

    again = await start_bot()
    zone = await again.send(USER, "/timezone")

    assert zone.plain.startswith("השעות כאן מוצגות לפי")


async def test_an_app_language_the_bot_lacks_falls_back(start_bot: StartBot) -> None:
    bot = await start_bot(language="az")
    bot.api.set_user_language(USER, "pt-BR")  # neither pt-BR nor pt: the configured default
    bot.api.set_user_language(USER + 1, "uk-UA")  # its base language, uk

    default = await bot.send(USER, "/timezone")
    base = await bot.send(USER + 1, "/timezone")

    assert default.plain.startswith("Burada vaxt UTC qurşağı ilə göstərilir.")
    assert base.plain.startswith("Час тут показано в поясі UTC.")


async def test_unknown_language_lists_the_codes(start_bot: StartBot) -> None:
    bot = await start_bot()

    answer = await bot.send(USER, "/language klingon")

    assert answer.plain == (
        "I do not speak klingon. Choose one of: en, ru, uk, he, ar, az, de, es."
    )
    assert (await bot.store.get_chat(USER)).language is None


async def test_in_groups_only_administrators_choose(start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.api.set_admins(GROUP, [ADMIN])
    group = {"user_id": MEMBER, "chat_type": "supergroup"}

    refused = await bot.send(GROUP, "/language ru", **group)
    assert refused.plain == (
        "Only this group's administrators can change the language I write in here."
    )

    done = await bot.send(GROUP, "/language ru", user_id=ADMIN, chat_type="supergroup")
    assert done.plain == "Готово: теперь в этом чате я пишу на языке «Русский»."
    bot.api.set_user_language(MEMBER, "de")  # a member's app does not change the group's
    zone = await bot.send(GROUP, "/timezone", user_id=ADMIN, chat_type="supergroup")
    assert zone.plain.startswith("Время здесь показывается в поясе UTC.")


async def test_menus_and_descriptions_are_published_per_language(
    start_bot: StartBot, botapi: FakeBotAPI
) -> None:
    await start_bot(menus=True)

    assert botapi.description("he") == (
        "אני עוקב אחרי ערוצי חדשות ושולח לך כתבות חדשות על הנושאים שבחרת, כל כתבה פעם אחת "
        "ועם תקציר קצר. נושא נכתב ככלל: Israel + Azerbaijan, (Iran | Armenia) -football, "
        f'{FSI}"Eli Cohen"{PDI}. יש ללחוץ על התחלה, ואז {FSI}/subscribe{PDI} והנושא שלך.'
    )  # the quoted phrase and the command each isolated, kept in their order
    assert botapi.description("ru", short=True) == "Новости по вашим темам из выбранных вами лент."
    assert botapi.description(short=True).startswith("News alerts")
    for code in ("", "ru", "he", "az"):
        public = {line.split()[0] for line in botapi.commands(code)}
        operator = {line.split()[0] for line in botapi.commands(code, chat_id=OPERATOR)}
        assert "/status" not in public and {"/language", "/addfeed", "/export"} <= public
        assert {"/addfeed", "/removefeed", "/status"} <= operator


@pytest.mark.parametrize(
    ("language", "refusal"),
    [
        ("ru", "Менять язык, на котором я пишу в этой группе, могут только её администраторы."),
        ("he", "רק מנהלי הקבוצה יכולים לשנות את השפה שבה אני כותב כאן."),
    ],
)
async def test_a_member_is_refused_the_language_in_the_groups_language(
    start_bot: StartBot, language: str, refusal: str
) -> None:
    """The refusal names what was refused (the language, not "what it follows"), in the
    group's language, for the command and for a button alike."""
    bot = await start_bot()
    bot.api.set_admins(GROUP, [ADMIN])
    offer = await bot.send(GROUP, f"/language {language}", user_id=ADMIN, chat_type="supergroup")
    group = {"user_id": MEMBER, "chat_type": "supergroup"}

    refused = await bot.send(GROUP, "/language en", **group)
    popup = await bot.press(GROUP, offer.message_id, "lang:en", user_id=MEMBER)

    assert refused.plain == refusal
    assert popup == refusal
    assert (await bot.store.get_chat(GROUP)).language == language
