"""Process-wide settings for a long-running bot: how Python's cyclic garbage collector runs.

The bot's heap is mostly long-lived (the rule index, the story memory, the libraries), while a
poll cycle allocates and drops hundreds of thousands of short-lived objects (parsed entries,
prepared documents). With Python's defaults the collector runs every 700 allocations and
each full collection walks the whole heap, a large share of the event loop's time in a poll
cycle (docs/benchmarks.md, "Ingestion").
"""

from __future__ import annotations

import gc
import logging

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
