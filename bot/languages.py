"""The language of an article, for ``lang:`` terms: what its entry or feed declares, else a
guess from its words by a small offline classifier (py3langid), if it is sure enough.

Detection costs 50-400 µs an article, several times tokenizing it, so the matcher asks only
while some active rule has a ``lang:`` term (``rules.Rule.languages``).
"""

from __future__ import annotations

import logging
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from bot.article import Article
from bot.language_tags import primary_subtag

logger = logging.getLogger(__name__)

CONFIDENCE = 0.5
"""Least probability (py3langid's normalized one) for a guess to count; below it the language
is unknown: ``lang:ru`` does not match and ``-lang:ru`` does not exclude. A headline alone
often falls short ("Israel and Azerbaijan sign deal" scores 0.08), a paragraph rarely does."""
SAMPLE = 2000
"""Characters of title and text the guess reads: enough for a sure guess, bounded cost."""


@cache
def _identifier() -> LanguageIdentifier:
    """The model, loaded on first use (some 0.7 s): most deployments never write ``lang:``."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> str | None:
    """The language of ``text`` when the classifier is at least :data:`CONFIDENCE` sure."""
    if not text.strip():
        return None
    code, probability = _identifier().classify(text[:SAMPLE])
    return str(code) if probability >= CONFIDENCE else None


def article_language(article: Article) -> str | None:
    """The declared language of the entry or its feed, else a sure guess, else None."""
    return primary_subtag(article.language) or detect(f"{article.title}\n{article.text}")
