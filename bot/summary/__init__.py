"""Presentation: what an alert says about an article (its summary and "Matched:" line).

Pure functions over text, except :class:`LLMSummarizer` (only when a model is configured). No
Telegram, no database. Ingestion's text work (full text, story clustering) is ``bot.ingest``.
"""

from bot.summary.boilerplate import strip_boilerplate
from bot.summary.extractive import (
    HitLike,
    Summary,
    find_terms,
    matched_line,
    matched_terms,
    summarize,
    written_summary,
)
from bot.summary.llm import LLMSummarizer, llm_from_config, summarize_article
from bot.summary.sentences import sentence_spans, split_sentences

__all__ = [
    "HitLike",
    "LLMSummarizer",
    "Summary",
    "find_terms",
    "llm_from_config",
    "matched_line",
    "matched_terms",
    "sentence_spans",
    "split_sentences",
    "strip_boilerplate",
    "summarize",
    "summarize_article",
    "written_summary",
]
