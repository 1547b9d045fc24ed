"""Optional model-written summaries through an OpenAI-compatible chat completions API.

Off unless configured (``[summary] provider = "openai"``): only then does article text leave
the machine. Works with hosted APIs and local servers (Ollama, llama.cpp server, vLLM). Any
failure, a slow answer or a spent hourly budget yields None, and the caller falls back to the
extractive summary, so an alert is never held up by the model.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import httpx

from bot.chat_model import ChatModel, HourlyBudget, ModelError

if TYPE_CHECKING:
    from bot.config import SummaryConfig

from bot.summary.extractive import (
    DEFAULT_MAX_CHARS,
    HitLike,
    Summary,
    summarize,
    written_summary,
)

logger = logging.getLogger(__name__)

PROMPT = (
    "Summarize the news article below in two short, neutral sentences. State only facts "
    "from the article, with no opinion and no preamble."
)
_MAX_INPUT_CHARS = 6000
"""Enough for the story's substance; keeps requests small for local models."""


class LLMSummarizer:
    """Summaries from one chat-completions model, with a timeout and an hourly call budget."""

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
        self._model = ChatModel(base_url, model, api_key, timeout=timeout, client=client)
        self._budget = HourlyBudget(hourly_budget, clock=clock)

    async def summarize(self, title: str, text: str) -> str | None:
        """The model's summary, or None (and a log line saying why) when there is none."""
        if not self._budget.spend():
            logger.warning("summary model budget of %d calls/hour spent", self._budget.limit)
            return None
        try:
            content = await self._model.complete(PROMPT, f"{title}\n\n{text[:_MAX_INPUT_CHARS]}")
        except ModelError as exc:
            logger.warning("summary model: %s", exc)
            return None
        return " ".join(content.split())


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
    return written_summary(written, hits, title=title, text=text)


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
