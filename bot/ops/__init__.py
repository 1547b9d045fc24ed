"""What the operator of a running bot sees: counters, metrics, health, summaries, notices."""

from bot.ops.activity import Activity, TelegramAnswer

__all__ = ["Activity", "TelegramAnswer"]
