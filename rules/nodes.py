"""The parsed form of a rule: terms combined with AND, OR and NOT.

Nodes are built only through :func:`all_of`, :func:`any_of` and :func:`negate`, which flatten
and deduplicate as they go; ``canonical()`` sorts operands, so two rules that mean the same
thing in the ways a person varies them (case, spacing, operator spelling, operand order) end
with the same canonical string. ``display()`` keeps the author's spelling and order for
showing the rule back to them; it parses again to the same rule. ``display(explicit=True)``
also brackets every AND that is an alternative of an OR, so ``Iran | Armenia -football``
shows as ``Iran | (Armenia -football)``: the grouping the precedence rules leave unwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

FIELDS = ("title", "text", "source")
LANGUAGE = "lang"
"""``lang:ru``: not a field of text but the article's language (see :func:`language_word`)."""
LANGUAGE_MARK = "\x1d"


def language_word(code: str) -> str:
    """The word a document of language ``code`` has and a ``lang:`` term looks for: a control
    character first, so no word of a text is one."""
    return LANGUAGE_MARK + code.lower()


_SINGLE_QUOTES = "'‘"
_DOUBLE_QUOTES = '"“”„«»'
"""The quotes that open a phrase (rules.syntax), for choosing the quotes a phrase shows in."""
"""Fields a term can be limited to; a term without a field looks in title and text."""


@dataclass(frozen=True, slots=True)
class Term:
    """A word, a phrase (adjacent words in order), or a prefix, optionally limited to a field."""

    words: tuple[str, ...]
    """Folded words; a single word is a one-word phrase."""
    prefix: bool
    """The last word matches any word that starts with it."""
    field: str | None
    label: str
    """The term as the author typed it, without quotes, field or ``=``, e.g. ``Eli Cohen``."""
    quoted: bool
    literal: bool = False
    """Written ``=Azerbaijan``: the term matches its own words only, never its aliases."""
    group: str | None = None
    """The alias group the term names (see :mod:`rules.aliases`); :attr:`words` is then the
    group's marker and :attr:`spelled` the words as typed."""
    spelled: tuple[str, ...] = ()

    def display(self, explicit: bool = False) -> str:
        literal = "=" if self.literal else ""
        if not self.quoted:
            # A leading apostrophe ('90s) would open a phrase if a later word ended in one;
            # it is no part of the word's letters, so it is left out.
            text = self.label.lstrip(_SINGLE_QUOTES)
        elif any(quote in self.label for quote in _DOUBLE_QUOTES):
            text = f"'{self.label}'"  # typed in single quotes, around a double one
        else:
            text = f'"{self.label}"'
        return f"{self.field}:{literal}{text}" if self.field else literal + text

    def canonical(self) -> str:
        """The same with or without aliases: rules are stored and compared by it."""
        own = self.spelled or self.words
        body = " ".join(own) + ("*" if self.prefix else "")
        text = ("=" if self.literal else "") + (f'"{body}"' if len(own) > 1 else body)
        return f"{self.field}:{text}" if self.field else text


@dataclass(frozen=True, slots=True)
class Not:
    """Excludes documents where ``child`` matches."""

    child: Node

    def display(self, explicit: bool = False) -> str:
        return f"-{_grouped(self.child, self.child.display(explicit), Term)}"

    def canonical(self) -> str:
        return f"-{_grouped(self.child, self.child.canonical(), Term)}"


@dataclass(frozen=True, slots=True)
class And:
    """All children must match; at least one child is positive (not a :class:`Not`)."""

    children: tuple[Node, ...]

    def display(self, explicit: bool = False) -> str:
        # Exclusions read best after what is looked for: 'Azerbaijan -football'.
        positives = [c for c in self.children if not isinstance(c, Not)]
        negatives = [c for c in self.children if isinstance(c, Not)]
        shown = (
            [" + ".join(_grouped(c, c.display(explicit), Term) for c in positives)]
            if positives
            else []
        )
        return " ".join(shown + [c.display(explicit) for c in negatives])

    def canonical(self) -> str:
        return " + ".join(sorted(_grouped(c, c.canonical(), Term, Not) for c in self.children))


@dataclass(frozen=True, slots=True)
class Or:
    """At least one child must match; every child has a positive term."""

    children: tuple[Node, ...]

    def display(self, explicit: bool = False) -> str:
        if explicit:
            return " | ".join(_grouped(c, c.display(True), Term, Not) for c in self.children)
        return " | ".join(c.display() for c in self.children)

    def canonical(self) -> str:
        return " | ".join(sorted(c.canonical() for c in self.children))


Node = Term | Not | And | Or


def _grouped(node: Node, text: str, *bare: type) -> str:
    """Parenthesize ``text`` unless ``node`` is of a type that needs no parentheses there."""
    return text if isinstance(node, bare) else f"({text})"


def _combine(kind: type[And] | type[Or], children: list[Node]) -> Node:
    flat: list[Node] = []
    for child in children:
        flat.extend(child.children if isinstance(child, kind) else (child,))
    unique: dict[str, Node] = {}
    for child in flat:
        unique.setdefault(child.canonical(), child)
    if len(unique) == 1:
        return next(iter(unique.values()))
    return kind(tuple(unique.values()))


def all_of(children: list[Node]) -> Node:
    """AND of ``children``: nested ANDs flattened and repeats dropped, author's order kept."""
    return _combine(And, children)


def any_of(children: list[Node]) -> Node:
    """OR of ``children``: nested ORs flattened and repeats dropped, author's order kept."""
    return _combine(Or, children)


def negate(node: Node) -> Node:
    """NOT of ``node``; a double negation cancels out."""
    return node.child if isinstance(node, Not) else Not(node)


def has_positive(node: Node) -> bool:
    """Whether every way ``node`` can match requires some term to be present.

    Only such rules can be indexed (a match always contains one of their terms) and only they
    are useful alerts: ``-football`` alone would match nearly every article.
    """
    match node:
        case Term():
            return True
        case Not():
            return False
        case And(children):
            return any(has_positive(c) for c in children)
        case Or(children):
            return all(has_positive(c) for c in children)
    raise TypeError(f"not a rule node: {node!r}")


def other_reading(node: Node) -> Node | None:
    """The rule read with the exclusions of its last alternative applying to all of them, when
    it has such exclusions: ``Iran | Armenia -football`` → ``(Iran | Armenia) -football``.

    AND binds tighter than OR, so an exclusion written at the end of a rule belongs to the
    last alternative only; people who write one mostly mean the whole rule.
    """
    if not isinstance(node, Or) or not isinstance(node.children[-1], And):
        return None
    last = node.children[-1].children
    negatives: list[Node] = [c for c in last if isinstance(c, Not)]
    if not negatives:
        return None
    positives: list[Node] = [c for c in last if not isinstance(c, Not)]
    return all_of([any_of([*node.children[:-1], all_of(positives)]), *negatives])


def meaning(node: Node) -> str:
    """Equal for rules that match the same articles by the same names: the canonical form
    with each term that names an alias group written as the group (``Israel`` and
    ``Израиль`` alike) and repeats dropped, every operand bracketed."""
    match node:
        case Term(group=None):
            return node.canonical()
        case Term():
            return replace(node, spelled=()).canonical()
        case Not(child):
            return f"-({meaning(child)})"
        case And(children):
            return " + ".join(sorted({f"({meaning(c)})" for c in children}))
        case Or(children):
            return " | ".join(sorted({f"({meaning(c)})" for c in children}))
    raise TypeError(f"not a rule node: {node!r}")


def all_terms(node: Node) -> list[Term]:
    """Every term, excluded ones too, in rule order."""
    match node:
        case Term():
            return [node]
        case Not(child):
            return all_terms(child)
        case And(children) | Or(children):
            return [term for child in children for term in all_terms(child)]
    raise TypeError(f"not a rule node: {node!r}")


def positive_terms(node: Node) -> list[Term]:
    """Terms that must or may be present (outside any NOT), in rule order."""
    match node:
        case Term():
            return [node]
        case Not():
            return []
        case And(children) | Or(children):
            return [term for child in children for term in positive_terms(child)]
    raise TypeError(f"not a rule node: {node!r}")
