"""Process-wide settings for a long-running bot: how Python's cyclic garbage collector runs.

The bot's heap is mostly long-lived (the rule index, the story memory, the libraries), while a
poll cycle allocates and drops hundreds of thousands of short-lived objects (parsed entries,
prepared documents). With Python's defaults the collector runs every 700 allocations and
each full collection walks the whole heap, a large share of the event loop's time in a poll
cycle (docs/benchmarks.md, "Ingestion").
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path

logger = logging.getLogger(__name__)

YOUNG_THRESHOLD = 20_000
"""Allocations between young collections: a cycle's short-lived objects are mostly freed by
reference counting before a collection ever looks at them, instead of being walked and
promoted. The memory this lets cyclic garbage hold is bounded by that many objects."""


def settle_heap() -> None:
    """Call once start-up has built what lives for the whole run (the rule index above all).

    Collects, then freezes what is left out of future collections, so they walk only what was
    allocated since. Frozen objects are still freed when their last reference goes; only one
    that then sits in a reference cycle is kept, and the start-up structures do not form any.
    """
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
    logger.debug("heap settled: %d objects exempt from collection", gc.get_freeze_count())


def resident_mb() -> float | None:
    """This process's resident memory in MB, or None where ``/proc`` does not say (not Linux)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class MemoryCeiling:
    """``[storage] memory_mb``: above it, the caches are shed before anything else grows.

    What the bot must keep (the story memory of the window, the rule index) it keeps; what it
    keeps only to save work (``caches``, each a function that empties one and returns how many
    entries went) goes first. One line is logged when the ceiling is crossed, not at every
    check while above it. A ceiling of 0 checks nothing.
    """

    def __init__(
        self,
        limit_mb: int,
        caches: Iterable[Callable[[], int]],
        *,
        measure: Callable[[], float | None] = resident_mb,
    ) -> None:
        self.limit_mb = limit_mb
        self.caches = tuple(caches)
        self.measure = measure
        self._above = False

    def check(self) -> bool:
        """Shed the caches when resident memory is above the ceiling; True when it was."""
        size = self.measure() if self.limit_mb else None
        if size is None or size <= self.limit_mb:
            self._above = False
            return False
        dropped = sum(shed() for shed in self.caches)
        _return_freed_memory()
        if not self._above:
            logger.warning(
                "resident memory %.0f MB is above [storage] memory_mb = %d: dropped %d cached "
                "entries (each is made again when needed)",
                size,
                self.limit_mb,
                dropped,
            )
        self._above = True
        return True


def _return_freed_memory() -> None:
    """Ask the C allocator to give freed memory back to the system: freeing Python objects
    alone leaves glibc's heap as large as it was. Nothing to do elsewhere."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
