"""topic-alert rule engine: a query language for topics, its parser, matcher and index.

The package is pure Python with no I/O. ``compile`` turns what a person typed into a
:class:`Rule`; a :class:`Document` is an article tokenized once for any number of rules; a
:class:`RuleIndex` finds which of many rules match a document without trying them all.
The folding and word splitting rules use (:func:`fold`, :func:`tokenize` and the rest) are
exported too, so that whatever else compares words (summaries, story copies) agrees with them.
See ``docs/rules.md`` for the language.
"""

from __future__ import annotations

from rules.aliases import Aliases, Name
from rules.cleaning import CleanText, remove_invisible
from rules.document import Document
from rules.errors import RuleSyntaxError
from rules.folding import Token, fold, fold_text, folded_words, raw_words, tokenize
from rules.index import RuleIndex
from rules.matcher import Hit, Rule
from rules.search_query import Unsearchable, search_query
from rules.syntax import MAX_LENGTH

__all__ = [
    "MAX_LENGTH",
    "Aliases",
    "CleanText",
    "Document",
    "Hit",
    "Name",
    "Rule",
    "RuleIndex",
    "RuleSyntaxError",
    "Token",
    "Unsearchable",
    "compile",
    "fold",
    "fold_text",
    "folded_words",
    "raw_words",
    "remove_invisible",
    "search_query",
    "tokenize",
]


def compile(text: str, aliases: Aliases | None = None, inline: Aliases | None = None) -> Rule:
    """Parse a rule; raises :class:`RuleSyntaxError` saying what to fix and where.

    With ``aliases``, a term naming one of its groups (a country in every configured
    language, say) matches all the group's names and their forms; ``=term`` opts out.
    ``inline`` is a small table (one chat's own aliases) expanded in the rule itself, so that
    rules with different ones can share an index; the canonical form ignores both.

    The text is parsed as given; callers that take rules from people first pass it through
    :func:`remove_invisible` (zero-width and bidi characters, BOM, NUL) and say what it removed.
    """
    return Rule(text, aliases, inline)
