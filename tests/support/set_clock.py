"""A process clock the test sets: what ``bot.wiring.build(config, now=...)``, ``start_bot(now=...)``
and the pipeline are given, moved by the test while the wall clock is left as it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class SetClock:
    """The process's clock, moved by the test."""

    moment: datetime

    def __call__(self) -> datetime:
        return self.moment
