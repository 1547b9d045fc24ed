"""The progress bar of the commands that go through every feed (``poll-once``, ``doctor``)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

from tqdm import tqdm

PROGRESS_FROM = 10
"""Polling this many feeds or more shows a progress bar."""


@contextlib.contextmanager
def progress_bar(total: int) -> Iterator[Callable[[], object]]:
    """A bar on stderr over ``total`` feeds (none for a few); call the value once per feed."""
    bar = tqdm(total=total, unit="feed", file=sys.stderr, disable=total < PROGRESS_FROM)
    try:
        yield bar.update
    finally:
        bar.close()
