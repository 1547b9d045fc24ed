"""The layers of the code, read from its import statements (by AST, nothing is imported).

``rules/`` is a library of its own and knows nothing of the bot; the store hands out data, so
it neither speaks Telegram nor translates; a handler is one command and shares what it has in
common with others through modules of their own, never through another handler; and no bot
module needs itself back through a chain of imports, so any of them can be imported first.

Only imports that run when a module is loaded count: those at its top level (inside ``try``
or ``if`` too), not those inside a function, nor those under ``if TYPE_CHECKING:``, which
exist for the type checker alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "rules")
HANDLERS = "bot.telegram.handlers"


@dataclass(frozen=True)
class Import:
    """``importer`` imports ``imported`` (a module of the project) at ``where`` (file:line)."""

    importer: str
    imported: str
    where: str

    def __str__(self) -> str:
        return f"{self.where}: {self.importer} imports {self.imported}"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def loaded_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements that run when the module is loaded."""
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                pending += node.body
            pending += node.orelse
        elif isinstance(node, ast.Try):
            pending += node.body + node.orelse + node.finalbody
            pending += [stmt for handler in node.handlers for stmt in handler.body]
        elif isinstance(node, ast.With):
            pending += node.body


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_names(node: ast.Import | ast.ImportFrom, importer: str, is_package: bool) -> list[str]:
    """What ``node`` names, absolute: ``from X import Y`` names ``X.Y``, which is a module
    (``from bot.telegram.handlers import share``) or a name in module ``X``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = importer.split(".")[: None if is_package else -1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, *([base] if base else [])])
    return [f"{base}.{alias.name}" for alias in node.names]


def import_graph() -> list[Import]:
    """Every load-time import of a project module by a project module, by the deepest name
    that is a module (``from bot.store import ChatRow`` is an import of ``bot.store``). The
    packages above it, which Python loads first, are not counted: a package's ``__init__``
    imports its own modules, and those are loaded once it has begun."""
    modules = project_modules()
    edges = []
    for importer, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for node in loaded_imports(tree):
            found = {
                _deepest_module(name, modules)
                for name in imported_names(node, importer, is_package)
            }
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            edges += [
                Import(importer, name, where) for name in sorted(found - {None, importer}) if name
            ]
    return edges


def _deepest_module(name: str, modules: dict[str, Path]) -> str | None:
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def cycles(edges: list[Import]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.importer, set()).add(edge.imported)
        graph.setdefault(edge.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for following in sorted(graph[node]):
            if following not in index:
                visit(following)
                low[node] = min(low[node], low[following])
            elif following in on_stack:
                low[node] = min(low[node], index[following])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


GRAPH = import_graph()


def test_the_graph_reads_the_imports_that_are_there() -> None:
    """A reader that found nothing would pass every rule below."""
    pairs = {(edge.importer, edge.imported) for edge in GRAPH}

    assert ("bot.telegram.app", "bot.telegram.handlers.start") in pairs  # from pkg import mod
    assert ("bot.wiring", "bot.store") in pairs  # from pkg import Name
    assert ("rules.index", "rules.document") in pairs
    assert ("bot.telegram.services", "bot.config") not in pairs  # under TYPE_CHECKING


def test_rules_is_a_library_that_knows_nothing_of_the_bot() -> None:
    wrong = [
        edge for edge in GRAPH if within(edge.importer, "rules") and within(edge.imported, "bot")
    ]

    assert not wrong, "\n".join(map(str, wrong))


def test_the_store_neither_speaks_telegram_nor_translates() -> None:
    wrong = [
        edge
        for edge in GRAPH
        if within(edge.importer, "bot.store")
        and (within(edge.imported, "bot.telegram") or within(edge.imported, "bot.i18n"))
    ]

    assert not wrong, "\n".join(map(str, wrong))


def test_no_handler_imports_another() -> None:
    wrong = [
        edge
        for edge in GRAPH
        if within(edge.importer, HANDLERS)
        and within(edge.imported, HANDLERS)
        and edge.imported != HANDLERS
    ]

    assert not wrong, "\n".join(map(str, wrong))


def test_no_bot_module_imports_itself_back() -> None:
    bot_edges = [e for e in GRAPH if within(e.importer, "bot") and within(e.imported, "bot")]
    found = cycles(bot_edges)

    def chain(group: list[str]) -> str:
        inside = [str(e) for e in bot_edges if e.importer in group and e.imported in group]
        return " ↔ ".join(group) + "\n    " + "\n    ".join(inside)

    assert not found, "\n".join(map(chain, found))
