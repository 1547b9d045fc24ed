"""/whoami tells a person the ids an operator needs, and whether they operate the bot."""

from __future__ import annotations

from tests.support.telegram_app import OPERATOR, USER, StartBot

GROUP = -1001234567890


async def test_an_operator_is_told_their_id_and_that_they_operate_the_bot(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(menus=True)

    answer = await bot.send(OPERATOR, "/whoami")

    assert answer.plain.splitlines() == [
        f"Your Telegram user id: {OPERATOR}",
        "You are an operator of this bot: /status, /addfeed and /removefeed are yours, and I "
        "tell you in our private chat when something needs you.",
    ]
    assert f"<code>{OPERATOR}</code>" in answer.text  # a tap copies it
    assert any(line.startswith("/whoami ") for line in bot.api.commands())


async def test_someone_in_a_group_is_told_both_ids_and_how_to_become_an_operator(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()

    answer = await bot.send(GROUP, "/whoami", user_id=USER, chat_type="supergroup")

    assert answer.plain.splitlines() == [
        f"Your Telegram user id: {USER}",
        f"This chat's id: {GROUP}",
        "You are not an operator of this bot. Whoever runs it makes you one by adding your id "
        f"to [access] admins in its config file, e.g. admins = [{USER}], and restarting it.",
    ]
    assert f"<code>admins = [{USER}]</code>" in answer.text


async def test_whoami_answers_in_the_persons_language(start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, "de")

    answer = await bot.send(USER, "/whoami")

    assert answer.plain.splitlines() == [
        f"Deine Telegram-Nutzer-ID: {USER}",
        "Du betreibst diesen Bot nicht. Wer ihn betreibt, macht dich zum Betreiber, indem er "
        "deine ID in seiner Konfigurationsdatei unter [access] admins einträgt, z. B. "
        f"admins = [{USER}], und den Bot neu startet.",
    ]
