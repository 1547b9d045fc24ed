"""Webhook mode: Telegram posts updates to us; only requests with the secret token count."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from bot.config import Config, TelegramConfig
from bot.store import AsyncStore, Store
from bot.telegram import build_application, start_receiving, stop_receiving
from tests.support.botapi import FakeBotAPI
from tests.support.local_hosts import free_port

CHAT = 7001
SECRET = "s3cret-token"


def update(update_id: int, text: str) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": CHAT, "type": "private"},
            "from": {"id": CHAT, "is_bot": False, "first_name": "Alice"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


async def test_updates_arrive_by_webhook_with_the_secret(botapi: FakeBotAPI, tmp_path: Path):
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram-hook"
    telegram = TelegramConfig(
        base_url=botapi.base_url,
        webhook_url=hook,
        webhook_secret=SECRET,
        webhook_listen="127.0.0.1",
        webhook_port=port,
    )
    store = AsyncStore(Store.open(tmp_path / "bot.db"))
    application = build_application(
        token=botapi.token, base_url=botapi.base_url, store=store, config=Config(telegram=telegram)
    )
    await start_receiving(application, telegram)
    try:
        [registered] = botapi.calls("setWebhook")
        assert registered["url"] == hook
        assert registered["secret_token"] == SECRET

        async with httpx.AsyncClient() as client:
            forged = await client.post(hook, json=update(1, "/start"))
            assert forged.status_code == 403
            genuine = await client.post(
                hook,
                json=update(2, "/subscribe Israel + Azerbaijan"),
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            assert genuine.status_code == 200
        [reply] = await asyncio.to_thread(botapi.wait_for_messages, CHAT, 1)
        assert "Israel + Azerbaijan" in reply.plain
        await asyncio.sleep(0.3)
        assert len(botapi.messages(CHAT)) == 1, "the forged update must not be handled"
    finally:
        await stop_receiving(application)
        await store.aclose()
