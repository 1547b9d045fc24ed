"""Translated alerts (``[translate]``): an article in another language than the chat's shows
its title and summary in the chat's, from a LibreTranslate server or an OpenAI-compatible
model, made once per article and language (``alerts``) by one of the ``backends``."""

from bot.translation.alerts import AlertTranslator
from bot.translation.backends import (
    LibreTranslate,
    ModelTranslator,
    TranslationError,
    Translator,
    translator_from_config,
)

__all__ = [
    "AlertTranslator",
    "LibreTranslate",
    "ModelTranslator",
    "TranslationError",
    "Translator",
    "translator_from_config",
]
