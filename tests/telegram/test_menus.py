"""The bot's start: the command menus it publishes, and the welcome /start gets."""

from __future__ import annotations

from tests.support.telegram_app import OPERATOR, USER, StartBot


async def test_commands_are_published_and_start_welcomes(start_bot: StartBot) -> None:
    bot = await start_bot(menus=True)

    welcome = await bot.send(USER, "/start")

    public = bot.api.commands()
    assert [c.split()[0] for c in public][:3] == ["/subscribe", "/list", "/unsubscribe"]
    assert any(c.startswith("/addfeed") for c in public)  # chats bring feeds of their own
    assert not any(c.startswith("/status") for c in public)
    assert any(c.startswith("/status") for c in bot.api.commands(chat_id=OPERATOR))
    assert "/subscribe Israel + Azerbaijan" in welcome.plain
    assert (await bot.store.get_chat(USER)).active
