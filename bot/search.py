"""Searching the stored articles with a rule: /search in the bot and ``topic-alert search``.

The rule decides, exactly as it does for alerts (same language, same folding): FTS5 only
narrows the candidates. It looks in ``article_words``, the articles' words as the rule engine
folds them (migration v6), so a word of a rule and the same word in an article are the same
token there too, in any script. :func:`fts_query` turns the rule into an FTS5 query that
every article the rule matches satisfies, or None when it cannot promise that (then every
article of the window is a candidate). Candidates come latest stored first in batches, and
the rule is tried on each until a page is full, so the cost of a page grows with its
position, not with the number of matches.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import rules
from bot.i18n import _, isolate
from bot.matching import document
from bot.store import AsyncStore, StoredArticle
from bot.summary.extractive import matched_line
from rules.nodes import And, Node, Not, Or, Term

PAGE_SIZE = 5
"""Matches a /search page shows."""
FIRST_BATCH = 2 * (PAGE_SIZE + 1)
"""Candidates fetched first: a word that all candidates match needs no more for a page."""
MAX_BATCH = 1000
"""Each further fetch takes four times as many candidates, up to this many."""
MAX_CHECKED = 50_000
"""Candidates one page may try; past that the search stops and says so (a rule no word of
which FTS5 can look up, over a large store)."""

_SINCE_RE = re.compile(r"(\d+)([A-Za-z]+)")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
MAX_SINCE_DAYS = 36_500


class SinceError(ValueError):
    """A ``since`` that is not a number of hours, days or weeks; ``str`` says what to type,
    in the language current where it is raised (a chat's in /search, English in the CLI)."""


def looks_like_since(word: str) -> bool:
    """Whether the last word of a /search is meant as its ``since`` (digits, then letters)."""
    return _SINCE_RE.fullmatch(word) is not None and word.isascii()


def parse_since(text: str) -> timedelta:
    """``24h``, ``7d``, ``2w`` as a duration; SinceError for anything else (``7x``, ``0d``)."""
    found = _SINCE_RE.fullmatch(text.strip())
    unit = _UNITS.get(found.group(2).lower()) if found else None
    if found is None or unit is None or not text.isascii():
        raise SinceError(
            _("{span} is not a time span: write hours, days or weeks, like 24h, 7d or 2w").format(
                span=isolate(repr(text))
            )
        )
    amount = int(found.group(1))
    span = amount * unit
    if amount == 0 or span > timedelta(days=MAX_SINCE_DAYS):
        raise SinceError(
            _("{span} is out of range: from 1h to {most}d").format(
                span=isolate(repr(text)), most=MAX_SINCE_DAYS
            )
        )
    return span


def fts_query(node: Node, aliases: rules.Aliases | None = None) -> str | None:
    """An FTS5 query every article ``node`` matches satisfies; None when there is none.

    A term that names a place (its ``group``, expanded with ``aliases``) stands for any form
    of any of its names, so it looks for each of them.

    ``article_words`` holds each field's words in the rules' order, so a phrase is an FTS5
    phrase and a prefix an FTS5 prefix. A term without a field looks in title and text, as
    in rules. NOT never narrows (what an article lacks is not looked up), nor a word with
    ASCII punctuation in it, which the ``ascii`` tokenizer would split (compatibility forms
    such as ``⑴`` fold to ``(1)``).
    """
    match node:
        case Term(words=words, prefix=prefix, field=field, group=group):
            column = field or "{title text}"
            spellings = [words] if group is None or aliases is None else aliases.forms(group)
            if not spellings or not all(all(map(_one_token, w)) for w in spellings):
                return None
            star = "*" if prefix else ""
            return " OR ".join(f'{column} : "{" ".join(w)}"{star}' for w in spellings)
        case Not():
            return None
        case And(children):
            narrowed = [q for child in children if (q := fts_query(child, aliases)) is not None]
            return " AND ".join(f"({q})" for q in narrowed) if narrowed else None
        case Or(children):
            branches = [fts_query(child, aliases) for child in children]
            if any(q is None for q in branches):
                return None
            return " OR ".join(f"({q})" for q in branches)
    raise TypeError(f"not a rule node: {node!r}")


def _one_token(word: str) -> bool:
    return all(char.isalnum() or not char.isascii() for char in word)


@dataclass(frozen=True)
class Match:
    """A found article and where the rule matched it."""

    stored: StoredArticle
    hits: list[rules.Hit]

    @property
    def matched(self) -> str:
        """``Matched: Israel, Azerbaijan (title)``, as alerts show it."""
        return matched_line(self.hits)


@dataclass(frozen=True)
class Found:
    matches: list[Match]
    more: bool
    """Whether a match follows the last one returned (so a Next button has a page to show)."""
    stopped: bool
    """The search gave up after :data:`MAX_CHECKED` candidates; there may be more matches."""


async def find(
    store: AsyncStore,
    rule: rules.Rule,
    *,
    since: datetime | None,
    up_to: int,
    reader: int | None,
    skip: int = 0,
    count: int = PAGE_SIZE,
) -> Found:
    """Matches of ``rule`` among articles stored up to id ``up_to`` and seen since ``since``,
    latest stored first, leaving out the first ``skip``; with ``reader``, only from the feeds
    that chat may read (shared ones and its own: no chat searches what another brought).

    Rule matching runs on a worker thread, as for /preview: the event loop serves every chat.
    """
    query = fts_query(rule.match_node, rule.aliases)
    wanted = skip + count + 1
    matches: list[Match] = []
    before, checked, size = up_to + 1, 0, FIRST_BATCH + skip
    while len(matches) < wanted:
        if checked >= MAX_CHECKED:
            return Found(matches[skip : skip + count], False, True)
        batch = await store.search_candidates(
            query, since=since, before=before, limit=size, reader=reader
        )
        if not batch:
            break
        size = min(size * 4, MAX_BATCH)
        checked += len(batch)
        before = batch[-1].rowid
        matches += await asyncio.to_thread(_matching, rule, batch)
    return Found(matches[skip : skip + count], len(matches) > skip + count, False)


def _matching(rule: rules.Rule, candidates: list[StoredArticle]) -> list[Match]:
    found = []
    for stored in candidates:
        hits = rule.explain(document(stored.article, [rule]))
        if hits is not None:
            found.append(Match(stored, hits))
    return found
