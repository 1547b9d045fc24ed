"""A rule written as a news-search query: words, phrases, OR and ``-word``, as search engines
(Google News, Bing News) read them.

A search feed (``bot.news_search``) brings a topic the articles a search engine finds for it;
the rule still decides which of them alert. So the query must find *at least* what the rule
matches: an AND is words side by side, an OR is ``OR`` between (bracketed) alternatives, a
phrase is quoted and an exclusion is ``-word`` (``-(a | b)`` as ``-a -b``). A term naming a
place stands for every name of it; the search gets one, the name in the reader's language
that ``name_in`` gives (``Израиль`` for a Russian chat), else the term as typed.

What a search engine cannot express raises :class:`Unsearchable` with a :class:`Reason`:
fields (``title:``, ``source:``), ``lang:``, prefixes (``Azer*``) and exclusions of a
combination (``-(Iran + Iraq)``). Pure: no I/O, the names come from the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum

from rules.matcher import Rule
from rules.nodes import LANGUAGE_MARK, And, Node, Not, Or, Term

NameIn = Callable[[str], str | None]
"""An alias group's key → its name in the reader's language, or None when it has none."""
_QUOTES = '"“”„«»'


class Reason(StrEnum):
    """Why a rule cannot be written as a search query."""

    FIELD = "field"
    """A term limited to ``title:``, ``text:`` or ``source:``."""
    LANGUAGE = "language"
    """A ``lang:`` term: the search's language is chosen apart from the query."""
    PREFIX = "prefix"
    """``Azer*``: search engines match whole words."""
    EXCLUDED_COMBINATION = "excluded_combination"
    """``-(Iran + Iraq)``: only single terms (or alternatives of them) can be excluded."""


class Unsearchable(ValueError):
    """The rule has a part no search query can say: ``reason``, and the term (as the rule
    shows it) that has it."""

    def __init__(self, reason: Reason, term: str) -> None:
        super().__init__(f"{term}: {reason}")
        self.reason = reason
        self.term = term


def search_query(rule: Rule, name_in: NameIn = lambda group: None) -> str:
    """``rule`` as a search query; raises :class:`Unsearchable` when it cannot be one."""
    return _written(rule.node, name_in)


def _written(node: Node, name_in: NameIn) -> str:
    match node:
        case Term():
            return _term(node, name_in)
        case Not(child):
            return " ".join(f"-{part}" for part in _excluded(child, name_in))
        case And(children):
            return " ".join(_ordered(_bracketed(child, name_in, Or) for child in children))
        case Or(children):
            return " OR ".join(_ordered(_bracketed(child, name_in, And) for child in children))
    raise TypeError(f"not a rule node: {node!r}")


def _ordered(parts: Iterable[str]) -> list[str]:
    """Operands in one order whatever the author's (exclusions last), so that topics meaning
    the same search share it: ``Israel + Azerbaijan`` and ``azerbaijan & israel`` alike."""
    return sorted(parts, key=lambda part: (part.startswith("-"), part.casefold()))


def _bracketed(node: Node, name_in: NameIn, kind: type[And] | type[Or]) -> str:
    text = _written(node, name_in)
    return f"({text})" if isinstance(node, kind) else text


def _excluded(node: Node, name_in: NameIn) -> list[str]:
    """The terms to write ``-`` before: a term, or each of an OR of terms (``-(a | b)`` is
    ``-a -b``)."""
    match node:
        case Term():
            return [_term(node, name_in)]
        case Or(children):
            return [part for child in children for part in _excluded(child, name_in)]
    raise Unsearchable(Reason.EXCLUDED_COMBINATION, node.display())


def _term(term: Term, name_in: NameIn) -> str:
    if term.words[0].startswith(LANGUAGE_MARK):
        raise Unsearchable(Reason.LANGUAGE, term.display())
    if term.field is not None:
        raise Unsearchable(Reason.FIELD, term.display())
    if term.prefix:
        raise Unsearchable(Reason.PREFIX, term.display())
    named = name_in(term.group) if term.group is not None else None
    text = " ".join("".join(c for c in (named or term.label) if c not in _QUOTES).split())
    if not text:
        text = " ".join(term.spelled or term.words)
    return f'"{text}"' if term.quoted or " " in text else text
