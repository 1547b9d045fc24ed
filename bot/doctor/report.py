"""What one check found, and the table ``topic-alert doctor`` prints of them all.

Every check returns :class:`Row`: what was checked, whether it is fine, what was seen, and
(unless fine) what the operator should do. The table wraps long cells inside their column
but never breaks a word, so a URL or a config key stays whole for copy and paste.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from bot.logs import redact
from bot.markup import counted


class Status(Enum):
    """How a check came out, worst last; its value is the word the table shows."""

    OK = "ok"
    SKIPPED = "not checked"
    """An earlier check failed that this one needs (no token: no getWebhookInfo)."""
    WARNING = "WARNING"
    """The bot works, but something deserves a look (no admins, no webhook secret)."""
    FAILED = "FAILED"
    """The bot cannot work as configured: it will not start, hear updates, store or read."""

    @property
    def rank(self) -> int:
        return list(Status).index(self)


@dataclass(frozen=True)
class Row:
    """One line of the doctor's table."""

    check: str
    """What was checked, as the table's first column names it ("token", "feed Example")."""
    status: Status
    result: str
    """What was seen, in a sentence or a few figures."""
    todo: str = ""
    """What to do about it; empty when there is nothing to do."""


def worst(statuses: Sequence[Status]) -> Status:
    return max(statuses, key=lambda status: status.rank, default=Status.OK)


HEADER = ("CHECK", "RESULT", "WHAT TO DO")
WIDTHS = (28, 64, 56)
"""The widest each column wraps at; a longer word widens its column instead of breaking."""


def render_table(rows: Sequence[Row]) -> str:
    """The rows as aligned columns with a header, secrets redacted, and a last line that sums
    up: how many checks failed or warn, or that all passed."""
    cells = [HEADER, *((row.check, f"{row.status.value}: {row.result}", row.todo) for row in rows)]
    widths = [_width([line[i] for line in cells], cap) for i, cap in enumerate(WIDTHS)]
    lines = []
    for line in cells:
        wrapped = [_wrap(cell, width) for cell, width in zip(line, widths, strict=True)]
        for i in range(max(map(len, wrapped))):
            parts = (cell[i] if i < len(cell) else "" for cell in wrapped)
            lines.append("  ".join(p.ljust(w) for p, w in zip(parts, widths, strict=True)).rstrip())
    lines += ["", summary(rows)]
    return redact("\n".join(lines))


def summary(rows: Sequence[Row]) -> str:
    """ "2 checks FAILED, 1 WARNING: see WHAT TO DO", or "all 7 checks ok"."""
    failed = sum(row.status is Status.FAILED for row in rows)
    warned = sum(row.status is Status.WARNING for row in rows)
    if not failed and not warned:
        return f"all {len(rows)} checks ok"
    parts = [f"{failed} FAILED"] if failed else []
    parts += [counted(warned, "WARNING", "WARNINGS")] if warned else []
    return f"{' and '.join(parts)} of {counted(len(rows), 'check')}: see WHAT TO DO"


def _width(column: Sequence[str], cap: int) -> int:
    longest_word = max((len(word) for cell in column for word in cell.split()), default=0)
    return max(min(max(map(len, column)), cap), longest_word)


def _wrap(cell: str, width: int) -> list[str]:
    return textwrap.wrap(cell, width, break_long_words=False, break_on_hyphens=False) or [""]
