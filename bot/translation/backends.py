"""The translators an alert can be translated by: a LibreTranslate-compatible server, or a model
behind an OpenAI-compatible chat completions API (the one summaries can use).

Both take a few texts in one request and give them back translated in the same order, or raise
:class:`TranslationError`; what a failure means for an alert (it goes out untranslated) is
decided by the caller, :class:`bot.translation.alerts.AlertTranslator`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from typing import Protocol

import httpx

from bot.chat_model import ChatModel, ModelError
from bot.config import Config


class TranslationError(Exception):
    """The translator gave no usable translation; the message says why, for the log."""


class Translator(Protocol):
    """Translates ``texts`` from ``source`` to ``target`` (language codes: "ru", "en")."""

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]: ...


class LibreTranslate:
    """``POST {endpoint}/translate`` of a LibreTranslate server (self-hosted or a mirror): ``q``
    a list of texts, answered by ``translatedText``, the list translated."""

    def __init__(
        self,
        endpoint: str,
        api_key: str | None,
        *,
        timeout: float,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.url = endpoint.rstrip("/") + "/translate"
        self._api_key = api_key
        self._timeout = timeout
        self._client = client

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        payload: dict[str, object] = {
            "q": list(texts),
            "source": source,
            "target": target,
            "format": "text",
        }
        if self._api_key:
            payload["api_key"] = self._api_key
        try:
            response = await self._post(payload)
            response.raise_for_status()
            translated = response.json()["translatedText"]
        except httpx.HTTPError as exc:
            raise TranslationError(f"LibreTranslate request failed: {exc!r}") from exc
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            shape = f"LibreTranslate answered in an unexpected shape: {exc!r}"
            raise TranslationError(shape) from exc
        return _same_count(translated, texts, "LibreTranslate")

    async def _post(self, payload: dict[str, object]) -> httpx.Response:
        if self._client is not None:
            return await self._client.post(self.url, json=payload, timeout=self._timeout)
        async with httpx.AsyncClient(timeout=self._timeout) as client:
            return await client.post(self.url, json=payload)


PROMPT = (
    "You translate news for readers. Translate each string of the JSON array the user sends "
    "from {source} to {target}. Answer with a JSON array of the translations only, in the same "
    "order, nothing else."
)
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


class ModelTranslator:
    """A chat-completions model asked to translate a JSON array of texts into another."""

    def __init__(self, model: ChatModel) -> None:
        self.model = model

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        system = PROMPT.format(source=source, target=target)
        try:
            answer = await self.model.complete(system, json.dumps(list(texts), ensure_ascii=False))
        except ModelError as exc:
            raise TranslationError(f"translation model: {exc}") from exc
        try:
            translated = json.loads(_FENCE.sub("", answer.strip()))
        except json.JSONDecodeError as exc:
            raise TranslationError(f"translation model answered no JSON array: {exc}") from exc
        return _same_count(translated, texts, "translation model")


def _same_count(translated: object, texts: Sequence[str], who: str) -> list[str]:
    """``translated`` as a list of strings, one for each of ``texts``, or TranslationError."""
    if not isinstance(translated, list) or not all(isinstance(t, str) for t in translated):
        raise TranslationError(f"{who} answered {type(translated).__name__}, not a list of texts")
    if len(translated) != len(texts):
        raise TranslationError(f"{who} gave {len(translated)} translations for {len(texts)} texts")
    return translated


def translator_from_config(config: Config) -> Translator | None:
    """The translator ``[translate]`` names, or None when translation is off.

    Its key comes from the environment variable the config names, never from the file; a
    model's endpoint, name and key default to ``[summary]``'s.
    """
    translate = config.translate
    if translate.backend == "libretranslate":
        api_key = os.environ.get(translate.api_key_env)
        return LibreTranslate(translate.endpoint, api_key, timeout=translate.timeout)
    if translate.backend == "openai":
        # The summaries' model, unless [translate] names an endpoint of its own: then its key.
        key_env = translate.api_key_env if translate.endpoint else config.summary.api_key_env
        model = ChatModel(
            translate.endpoint or config.summary.base_url,
            translate.model or config.summary.model,
            os.environ.get(key_env),
            timeout=translate.timeout,
        )
        return ModelTranslator(model)
    return None
