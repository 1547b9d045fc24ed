"""Ingestion: poll feeds on a schedule, enrich their new entries, store them with their alerts.

Where the data flows: the scheduler runs the pipeline per feed; the pipeline fetches and
parses (``bot.feeds``), keeps the unseen entries, fetches the full text of teasers
(``fulltext``), matches (``bot.matching``), assigns each matched article to its story
(``grouping``, clustering with ``stories``, which checks candidate copies with ``copies``),
and stores the poll's articles, stories and outbox rows in one transaction (``commits``: what
a stop does with it). What the poll learned about its feed is decided in ``outcomes`` and
written by ``recorder``.
"""

from bot.ingest.fulltext import with_full_text
from bot.ingest.pipeline import Pipeline, PollResult, fetch_limits
from bot.ingest.scheduler import FeedScheduler

__all__ = ["FeedScheduler", "Pipeline", "PollResult", "fetch_limits", "with_full_text"]
