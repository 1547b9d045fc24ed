"""How many checks the tests make: ``assert`` statements and ``pytest.raises``/``pytest.warns``
calls, read from the syntax tree (so a comment or a string that says "assert" is not counted).

Issue 25 moved and renamed tests with "no test weakened", counted before and after with this.
The harness (``tests/support``, conftest files, helper modules) is counted apart: a check moved
out of the test modules into a shared helper (the deadline of a wait loop) is made there, once
for every caller, so the test modules' figure drops by one while no test checks less.

Usage: ``python bench/count_asserts.py [TESTS_DIR]`` (default ``tests``).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

CHECKERS = {"raises", "warns"}


def is_check(node: ast.AST) -> bool:
    """An assert statement, or a call of ``pytest.raises`` / ``pytest.warns``."""
    if isinstance(node, ast.Assert):
        return True
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    owner = node.func.value
    return node.func.attr in CHECKERS and isinstance(owner, ast.Name) and owner.id == "pytest"


def checks_in(path: Path) -> int:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return sum(is_check(node) for node in ast.walk(tree))


def main(root: Path) -> None:
    counts = {"test modules": 0, "harness": 0}
    for path in sorted(root.rglob("*.py")):
        counts["test modules" if path.name.startswith("test_") else "harness"] += checks_in(path)
    for kind, count in counts.items():
        print(f"{kind:>12}: {count}")
    print(f"{'total':>12}: {sum(counts.values())}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "tests"))
