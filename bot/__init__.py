"""topic-alert: the bot side (config, feeds, storage, summaries, delivery, Telegram, CLI)."""

__version__ = "0.1.0"
