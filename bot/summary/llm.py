"""Optional model-written summaries through an OpenAI-compatible chat completions API.

Off unless configured (``[summary] provider = "openai"``): only then does article text leave
the machine. Works with hosted APIs and local servers (Ollama, llama.cpp server, vLLM). Any
failure, a slow answer or a spent hourly budget yields None, and the caller falls back to the
extractive summary, so an alert is never held up by the model.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from bot.config import SummaryConfig

from bot.summary.extractive import (
    DEFAULT_MAX_CHARS,
    HitLike,
    Summary,
    find_terms,
    matched_terms,
    summarize,
)

logger = logging.getLogger(__name__)

PROMPT = (
    "Summarize the news article below in two short, neutral sentences. State only facts "
    "from the article, with no opinion and no preamble."
)
_MAX_INPUT_CHARS = 6000
"""Enough for the story's substance; keeps requests small for local models."""
_HOUR = 3600.0


class LLMSummarizer:
    """A client for one chat-completions endpoint, with a timeout and an hourly call budget."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None,
        timeout: float = 10,
        hourly_budget: int = 60,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._model = model
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout = timeout
        self._budget = hourly_budget
        self._client = client
        self._clock = clock
        self._calls: deque[float] = deque()

    async def summarize(self, title: str, text: str) -> str | None:
        """The model's summary, or None (and a log line saying why) when there is none."""
        if not self._spend_budget():
            logger.warning("summary model budget of %d calls/hour spent", self._budget)
            return None
        try:
            response = await self._post(
                {
                    "model": self._model,
                    "temperature": 0,
                    "messages": [
                        {"role": "system", "content": PROMPT},
                        {"role": "user", "content": f"{title}\n\n{text[:_MAX_INPUT_CHARS]}"},
                    ],
                }
            )
            response.raise_for_status()
            content = response.json()["choices"][0]["message"]["content"]
        except httpx.HTTPError as exc:
            logger.warning("summary model request failed: %r", exc)
            return None
        except (json.JSONDecodeError, KeyError, IndexError, TypeError) as exc:
            logger.warning("summary model answered in an unexpected shape: %r", exc)
            return None
        summary = " ".join(str(content).split()) if content else ""
        if not summary:
            logger.warning("summary model returned an empty summary")
        return summary or None

    async def _post(self, payload: dict[str, object]) -> httpx.Response:
        if self._client is not None:
            return await self._client.post(
                self._url, json=payload, headers=self._headers, timeout=self._timeout
            )
        async with httpx.AsyncClient(timeout=self._timeout) as client:
            return await client.post(self._url, json=payload, headers=self._headers)

    def _spend_budget(self) -> bool:
        """Count one call against the last hour's budget; False when none is left."""
        now = self._clock()
        while self._calls and now - self._calls[0] >= _HOUR:
            self._calls.popleft()
        if len(self._calls) >= self._budget:
            return False
        self._calls.append(now)
        return True


async def summarize_article(
    title: str,
    text: str,
    hits: Sequence[HitLike] = (),
    *,
    llm: LLMSummarizer | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Summary:
    """The model's summary when one is configured and answers, else the extractive one.

    Matched terms are marked in either, so the alert looks the same whichever wrote it.
    """
    written = await llm.summarize(title, text) if llm is not None else None
    if written and len(written) > max_chars:
        logger.info("model summary longer than %d characters; using the extractive one", max_chars)
        written = None
    if not written:
        return summarize(title, text, hits, max_chars=max_chars)
    terms = matched_terms(hits, title=title, text=text)
    return Summary(text=written, highlights=find_terms(written, terms))


def llm_from_config(config: SummaryConfig) -> LLMSummarizer | None:
    """The model client ``[summary]`` asks for, or None for extractive summaries.

    Nothing is sent anywhere unless ``provider = "openai"`` is set; the key comes from the
    environment variable the config names, never from the file.
    """
    if config.provider != "openai":
        return None
    return LLMSummarizer(
        config.base_url,
        config.model,
        os.environ.get(config.api_key_env),
        timeout=config.timeout,
        hourly_budget=config.hourly_budget,
    )
