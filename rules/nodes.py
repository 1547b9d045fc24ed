"""The parsed form of a rule: terms combined with AND, OR and NOT.

Nodes are built only through :func:`all_of`, :func:`any_of` and :func:`negate`, which flatten
and deduplicate as they go; ``canonical()`` sorts operands, so two rules that mean the same
thing in the ways a person varies them (case, spacing, operator spelling, operand order) end
with the same canonical string. ``display()`` keeps the author's spelling and order for
showing the rule back to them; it parses again to the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass

FIELDS = ("title", "text", "source")
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
    """The term as the author typed it, without quotes or field, e.g. ``Eli Cohen``."""
    quoted: bool

    def display(self) -> str:
        text = f'"{self.label}"' if self.quoted else self.label
        return f"{self.field}:{text}" if self.field else text

    def canonical(self) -> str:
        body = " ".join(self.words) + ("*" if self.prefix else "")
        text = f'"{body}"' if len(self.words) > 1 else body
        return f"{self.field}:{text}" if self.field else text


@dataclass(frozen=True, slots=True)
class Not:
    """Excludes documents where ``child`` matches."""

    child: Node

    def display(self) -> str:
        return f"-{_grouped(self.child, self.child.display(), Term)}"

    def canonical(self) -> str:
        return f"-{_grouped(self.child, self.child.canonical(), Term)}"


@dataclass(frozen=True, slots=True)
class And:
    """All children must match; at least one child is positive (not a :class:`Not`)."""

    children: tuple[Node, ...]

    def display(self) -> str:
        # Exclusions read best after what is looked for: 'Azerbaijan -football'.
        positives = [c for c in self.children if not isinstance(c, Not)]
        negatives = [c for c in self.children if isinstance(c, Not)]
        shown = [" + ".join(_grouped(c, c.display(), Term) for c in positives)] if positives else []
        return " ".join(shown + [c.display() for c in negatives])

    def canonical(self) -> str:
        return " + ".join(sorted(_grouped(c, c.canonical(), Term, Not) for c in self.children))


@dataclass(frozen=True, slots=True)
class Or:
    """At least one child must match; every child has a positive term."""

    children: tuple[Node, ...]

    def display(self) -> str:
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
