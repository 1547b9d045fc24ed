"""Lexer and parser: rule text → :mod:`rules.nodes` tree, or a :class:`RuleSyntaxError`.

Grammar (AND binds tighter than OR; juxtaposition is AND)::

    rule    := or_expr
    or_expr := and_expr ( ("|" | "," | "OR") and_expr )*
    and_expr:= unary ( ["+" | "&" | "AND"] unary )*
    unary   := ("-" | "!" | "NOT") unary | FIELD ":" unary | primary
    primary := ["="] (WORD | WORD* | '"' phrase '"' | "'" phrase "'") | "(" or_expr ")"

``=`` before a term keeps it literal: with an alias table (:mod:`rules.aliases`) a term that
names a group matches all the group's names, ``=Azerbaijan`` only its own words.

Words are matched literally after folding; there is no regular-expression syntax, so no rule
can make matching slow.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from rules.aliases import Aliases, marker
from rules.errors import N_, RuleSyntaxError
from rules.folding import words
from rules.nodes import (
    FIELDS,
    LANGUAGE,
    Node,
    Term,
    all_of,
    any_of,
    has_positive,
    language_word,
    negate,
)

MAX_LENGTH = 500
MAX_TERMS = 32
MAX_DEPTH = 16
"""Nesting limit for groups, NOTs and fields: keeps parsing and matching recursion shallow."""

_SINGLE_CHAR_OPERATORS = {"+": "AND", "&": "AND", "|": "OR", ",": "OR", "-": "NOT", "!": "NOT"}
_WORD_OPERATORS = ("AND", "OR", "NOT")
# Phones turn " into typographic quotes, so those open and close phrases too (»…« included).
# Every closing quote can also open, so the lexer has a branch for every character that ends
# a word.
_OPENING_QUOTES = '"“”„«»'
_CLOSING_QUOTES = '"“”«»'
_WORD_STOPS = frozenset("()+&|,!:") | frozenset(_OPENING_QUOTES + _CLOSING_QUOTES)
# Single quotes (and a phone's ‘…’) quote phrases too, but an apostrophe is also part of words
# (Israel's, O'Brien, '90s): so one opens a phrase only at the start of a term and only when a
# closing one ends a word further on; otherwise it is a character of the word.
_SINGLE_OPENING = "'‘"
_SINGLE_CLOSING = "'’"


class Kind(Enum):
    WORD = "word"
    PHRASE = "phrase"
    FIELD = "field"
    AND = "AND"
    OR = "OR"
    NOT = "NOT"
    OPEN = "("
    CLOSE = ")"
    END = "end"


@dataclass(frozen=True, slots=True)
class Lexeme:
    kind: Kind
    text: str
    """The characters as written (a phrase without its quotes, a field without its colon)."""
    position: int
    literal: bool = False
    """A phrase written right after ``=`` (a word keeps its ``=`` in :attr:`text`)."""


def lex(text: str) -> list[Lexeme]:
    """Split rule text into lexemes, ending with one of kind END."""
    lexemes: list[Lexeme] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            lexemes.append(Lexeme(Kind.OPEN if char == "(" else Kind.CLOSE, char, i))
            i += 1
        elif char in _SINGLE_CHAR_OPERATORS:
            lexemes.append(Lexeme(Kind(_SINGLE_CHAR_OPERATORS[char]), char, i))
            i += 1
        elif char == "=" and (close := _literal_phrase_end(text, i + 1)) >= 0:
            lexemes.append(Lexeme(Kind.PHRASE, text[i + 2 : close], i, literal=True))
            i = close + 1
        elif char in _SINGLE_OPENING and (close := _closing_single_quote(text, i + 1)) >= 0:
            lexemes.append(Lexeme(Kind.PHRASE, text[i + 1 : close], i))
            i = close + 1
        elif char in _OPENING_QUOTES:
            close = _closing_quote(text, i + 1)
            if close < 0:
                raise RuleSyntaxError(
                    N_("unclosed quote {quote} opened at position {position}"),
                    i,
                    quote=char,
                )
            lexemes.append(Lexeme(Kind.PHRASE, text[i + 1 : close], i))
            i = close + 1
        else:
            lexeme = _read_word(text, i)
            lexemes.append(lexeme)
            i += len(lexeme.text) + (lexeme.kind is Kind.FIELD)
    lexemes.append(Lexeme(Kind.END, "", len(text)))
    return lexemes


def _literal_phrase_end(text: str, at: int) -> int:
    """Where the phrase quoted at ``at`` (right after ``=``) closes, or -1 if none opens."""
    quote = text[at : at + 1]
    if quote and quote in _SINGLE_OPENING:
        return _closing_single_quote(text, at + 1)
    if quote and quote in _OPENING_QUOTES:
        return _closing_quote(text, at + 1)
    return -1


def _closing_quote(text: str, start: int) -> int:
    """Index of the first closing quote at or after ``start``, or -1."""
    return next((i for i in range(start, len(text)) if text[i] in _CLOSING_QUOTES), -1)


def _closing_single_quote(text: str, start: int) -> int:
    """Index of the first single quote at or after ``start`` that ends a word (at the end of
    the text, or before a space or operator), or -1: the ``'`` of ``Israel's`` does not."""
    for i in range(start, len(text)):
        after = text[i + 1 : i + 2]
        if text[i] in _SINGLE_CLOSING and (not after or after.isspace() or after in _WORD_STOPS):
            return i
    return -1


def _read_word(text: str, start: int) -> Lexeme:
    """Read a bare word, an upper-case word operator, or a ``name:`` field prefix."""
    end = _word_end(text, start, _WORD_STOPS)
    word = text[start:end]
    if end < len(text) and text[end] == ":":
        if word.isascii() and word.isalpha():
            return _field(word, start)
        # Not a field name (e.g. the "10" of "10:30"): the colon is punctuation in the word.
        end = _word_end(text, end, _WORD_STOPS - {":"})
        word = text[start:end]
    if word in _WORD_OPERATORS:
        return Lexeme(Kind(word), word, start)
    return Lexeme(Kind.WORD, word, start)


def _word_end(text: str, start: int, stops: frozenset[str]) -> int:
    end = start
    while end < len(text) and text[end] not in stops and not text[end].isspace():
        end += 1
    return end


def _field(name: str, position: int) -> Lexeme:
    if name.lower() not in (*FIELDS, LANGUAGE):
        known = ", ".join(f"{f}:" for f in (*FIELDS, LANGUAGE))
        raise RuleSyntaxError(
            N_('unknown field "{name}:" at position {position}; known fields are {known}'),
            position,
            name=name,
            known=known,
        )
    return Lexeme(Kind.FIELD, name, position)


def parse(text: str, aliases: Aliases | None = None, inline: Aliases | None = None) -> Node:
    """Parse rule text into a normalized node tree; terms naming a group of ``aliases``
    stand for all its names, and a term naming a group of ``inline`` becomes an OR of itself
    and each of those names' forms."""
    if not text.strip():
        raise RuleSyntaxError(N_("the rule is empty: write at least one word, e.g. Azerbaijan"), 0)
    if len(text) > MAX_LENGTH:
        raise RuleSyntaxError(
            N_("the rule is {length} characters long; the limit is {limit}"),
            MAX_LENGTH,
            length=len(text),
            limit=MAX_LENGTH,
        )
    node = _Parser(lex(text), aliases, inline).rule()
    if not has_positive(node):
        raise RuleSyntaxError(
            N_(
                "the rule only excludes words; add at least one word that must appear, "
                "e.g. Azerbaijan -football (every alternative of | needs one too)"
            ),
            0,
        )
    return node


class _Parser:
    """Recursive descent over the lexemes; one method per grammar rule."""

    def __init__(
        self, lexemes: list[Lexeme], aliases: Aliases | None, inline: Aliases | None
    ) -> None:
        self._lexemes = lexemes
        self._aliases = aliases
        self._inline = inline
        self._at = 0
        self._terms = 0
        self._depth = 0
        self._field: str | None = None

    @property
    def _next(self) -> Lexeme:
        return self._lexemes[self._at]

    def _take(self) -> Lexeme:
        lexeme = self._lexemes[self._at]
        self._at += 1
        return lexeme

    def rule(self) -> Node:
        node = self._or()
        if self._next.kind is Kind.CLOSE:
            raise _unmatched_close(self._next.position)
        return node

    def _or(self) -> Node:
        branches = [self._and()]
        while self._next.kind is Kind.OR:
            self._take()
            branches.append(self._and())
        return any_of(branches)

    def _and(self) -> Node:
        operands = [self._unary()]
        while self._next.kind not in (Kind.OR, Kind.CLOSE, Kind.END):
            if self._next.kind is Kind.AND:
                self._take()
            operands.append(self._unary())
        return all_of(operands)

    def _unary(self) -> Node:
        lexeme = self._next
        if lexeme.kind not in (Kind.NOT, Kind.FIELD):
            return self._primary()
        self._take()
        self._enter(lexeme)
        if lexeme.kind is Kind.NOT:
            operand = negate(self._unary())
        else:
            # The field applies to the operand right after it; a field nearer a term wins.
            outer, self._field = self._field, lexeme.text.lower()
            operand = self._unary()
            self._field = outer
        self._depth -= 1
        return operand

    def _primary(self) -> Node:
        lexeme = self._take()
        match lexeme.kind:
            case Kind.WORD:
                return self._term(lexeme, quoted=False)
            case Kind.PHRASE:
                return self._term(lexeme, quoted=True)
            case Kind.OPEN:
                return self._group(lexeme)
        raise _missing_operand(lexeme, self._lexemes[self._at - 2] if self._at > 1 else None)

    def _group(self, opening: Lexeme) -> Node:
        if self._next.kind is Kind.CLOSE:
            raise RuleSyntaxError(
                N_('empty group "()" at position {position}: put words inside'),
                opening.position,
            )
        self._enter(opening)
        node = self._or()
        self._depth -= 1
        if self._take().kind is not Kind.CLOSE:
            raise _unclosed_group(opening.position)
        return node

    def _enter(self, lexeme: Lexeme) -> None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise RuleSyntaxError(
                N_(
                    "the rule nests groups, NOTs or fields more than {limit} deep "
                    "(at position {position})"
                ),
                lexeme.position,
                limit=MAX_DEPTH,
            )

    def _term(self, lexeme: Lexeme, *, quoted: bool) -> Node:
        self._terms += 1
        if self._terms > MAX_TERMS:
            raise RuleSyntaxError(
                N_(
                    "the rule has more than {limit} terms (at position {position}); "
                    "split it into several subscriptions"
                ),
                lexeme.position,
                limit=MAX_TERMS,
            )
        if self._field == LANGUAGE:
            return _language_term(lexeme)
        term = _make_term(lexeme, quoted=quoted, field=self._field)
        if term.literal or term.prefix:
            return term
        names = self._inline.names_of(term.words) if self._inline is not None else ()
        group = self._aliases.group_of(term.words) if self._aliases is not None else None
        if group is not None:
            term = replace(term, words=(marker(group),), group=group, spelled=term.words)
        if not names:
            return term
        forms = {
            folded: name.label
            for name in names
            for form in (name.label, *name.forms)
            if (folded := tuple(words(form)))
        }
        return any_of(
            [
                term,
                *(
                    Term(folded, False, term.field, f"{term.label} ({label})", quoted=True)
                    for folded, label in forms.items()
                ),
            ]
        )


def _make_term(lexeme: Lexeme, *, quoted: bool, field: str | None) -> Term:
    """Turn a word or phrase into a Term; a bare word ending in ``*`` is a prefix, one
    starting with ``=`` is literal."""
    raw, position = lexeme.text, lexeme.position
    literal = lexeme.literal or (not quoted and raw.startswith("="))
    if literal and not quoted:
        raw = raw[1:]
    prefix = not quoted and raw.endswith("*")
    body = raw[:-1] if prefix else raw
    if not quoted and "*" in body:
        raise RuleSyntaxError(
            N_('"*" can only end a word (in "{word}" at position {position}), as in Azer*'),
            position,
            word=raw,
        )
    folded = tuple(words(body))
    if not folded:
        if prefix:
            message = N_('a bare "*" at position {position} would match everything; write Azer*')
        else:
            message = N_('"{word}" at position {position} has no letters or digits to match')
        raise RuleSyntaxError(message, position, word=raw)
    return Term(words=folded, prefix=prefix, field=field, label=raw, quoted=quoted, literal=literal)


def _language_term(lexeme: Lexeme) -> Term:
    """``lang:ru``: a two- or three-letter language code (ISO 639-1, or 639-3 where there
    is no shorter one)."""
    code = lexeme.text.lower()
    if not (code.isascii() and code.isalpha() and 2 <= len(code) <= 3):
        raise RuleSyntaxError(
            N_(
                '"lang:" needs a language code such as lang:ru or lang:he, not "{code}" '
                "(at position {position})"
            ),
            lexeme.position,
            code=lexeme.text,
        )
    label = f"{LANGUAGE}:{code}"
    return Term((language_word(code),), False, None, label, False, spelled=(label,))


def _missing_operand(found: Lexeme, before: Lexeme | None) -> RuleSyntaxError:
    """Explain a place where a term was expected but something else came."""
    if before is not None and before.kind in (Kind.AND, Kind.OR, Kind.NOT, Kind.FIELD):
        shown = f"{before.text}:" if before.kind is Kind.FIELD else before.text
        return RuleSyntaxError(
            N_('"{operator}" at position {position} needs a term after it'),
            before.position,
            operator=shown,
        )
    if found.kind is Kind.END and before is not None and before.kind is Kind.OPEN:
        return _unclosed_group(before.position)
    if found.kind is Kind.CLOSE:
        return _unmatched_close(found.position)
    return RuleSyntaxError(
        N_('"{operator}" at position {position} needs a term before it'),
        found.position,
        operator=found.text,
    )


def _unclosed_group(position: int) -> RuleSyntaxError:
    return RuleSyntaxError(N_('unclosed "(" opened at position {position}'), position)


def _unmatched_close(position: int) -> RuleSyntaxError:
    return RuleSyntaxError(N_('")" at position {position} has no matching "("'), position)
