"""The chat interface: python-telegram-bot handlers, one per command, wired in ``app``."""

from bot.telegram.app import build_application
from bot.telegram.lifecycle import connect, start_receiving, stop_receiving

__all__ = ["build_application", "connect", "start_receiving", "stop_receiving"]
