"""An article as ``check`` and ``search`` print it: a text block, or one JSON object a line."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from datetime import datetime

import rules
from bot.article import Article


def _matched(hits: Sequence[rules.Hit]) -> list[dict[str, str]]:
    """Each (term, field) once, in the order the rule engine reports them."""
    pairs = dict.fromkeys((hit.term, hit.field) for hit in hits)
    return [{"term": term, "field": field} for term, field in pairs]


def json_line(article: Article, hits: Sequence[rules.Hit], summary: str) -> str:
    record = {
        "title": article.title,
        "url": article.url,
        "source": article.source,
        "published": article.published.isoformat() if article.published else None,
        "matched": _matched(hits),
        "summary": summary,
    }
    return json.dumps(record, ensure_ascii=False)


def text_block(article: Article, hits: Sequence[rules.Hit], summary: str) -> str:
    why = ", ".join(f"{m['term']} [{m['field']}]" for m in _matched(hits))
    when = utc_time(article.published, missing="date unknown")
    lines = [article.title or "(untitled)", f"  {article.url or '(no link)'}"]
    lines += [f"  {article.source} · {when}", f"  matched: {why}"]
    lines += [f"  {line}" for line in textwrap.wrap(summary, 96)] + [""]
    return "\n".join(lines)


def utc_time(moment: datetime | None, *, missing: str = "-") -> str:
    """A moment as the commands print it, to the minute in UTC (``missing`` when unknown)."""
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else missing
