"""A chat's feeds in and out as OPML: an OPML document sent to the bot brings its feeds as the
chat's own (within ``[access] feeds_per_chat``), and /export sends them back as one.

Every address is checked as /addfeed checks one (one fetch through the address guard, size
limits and the parse workers) before it is added; those past the quota are refused without a
fetch.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from bot.feeds.opml import OpmlFeed, write_opml
from bot.i18n import _, format_number
from bot.sources import source_of
from bot.store import FeedRow
from bot.telegram import chat_feeds
from bot.telegram.chat_feeds import Brought
from bot.telegram.imports import ImportReport, Kind
from bot.telegram.services import FeedValidator, HandlerDeps

logger = logging.getLogger(__name__)

EXPORT_NAME = "feeds.opml"


async def import_feeds(svc: HandlerDeps, chat_id: int, listed: list[OpmlFeed]) -> ImportReport:
    """Add the listed feeds the chat has not yet as its own, as many as its quota leaves."""
    assert svc.validate_feed is not None, "the caller refuses imports without a validator"
    report = ImportReport(Kind.FEEDS)
    fresh = []
    for feed in listed:
        if await chat_feeds.standing(svc, chat_id, feed.url) is None:
            fresh.append(feed)
        else:
            report.present += 1
    # Checked in rounds of as many as the quota has room for, so that one refused for
    # another reason leaves its room to the next, and none past the quota is fetched.
    while fresh:
        room = svc.config.access.feeds_per_chat - len(await svc.store.chat_feeds(chat_id))
        if room <= 0:
            break
        batch, fresh = fresh[:room], fresh[room:]
        checked = await asyncio.gather(*(_check(svc.validate_feed, feed) for feed in batch))
        for feed, outcome in zip(batch, checked, strict=True):
            await _bring(svc, chat_id, feed, outcome, report)
    report.refused += [(feed.url, _quota_reason(svc)) for feed in fresh]
    logger.info(
        "chat %s imported an OPML list: %d added, %d present, %d refused",
        chat_id,
        report.added,
        report.present,
        len(report.refused),
    )
    return report


async def _bring(
    svc: HandlerDeps,
    chat_id: int,
    feed: OpmlFeed,
    checked: tuple[str, str | None] | str,
    report: ImportReport,
) -> None:
    """Add one checked feed of the list, counting what came of it in ``report``."""
    if isinstance(checked, str):
        report.refused.append((feed.url, checked))
        return
    final_url, title = checked
    source = replace(source_of(feed.url), url=final_url)
    brought, _feed = await chat_feeds.bring(svc, chat_id, source, feed.name or title)
    if brought is Brought.ADDED:
        report.added += 1
    elif brought is Brought.QUOTA:
        report.refused.append((feed.url, _quota_reason(svc)))
    else:
        report.present += 1


async def _check(validate: FeedValidator, feed: OpmlFeed) -> tuple[str, str | None] | str:
    """The checked address and title of a listed feed (a t.me address: the channel), or why
    it was refused."""
    try:
        return await validate(source_of(feed.url))
    except Exception as exc:  # the validator's errors are as varied as the web it fetches
        return chat_feeds.refusal_reason(exc, feed.url)


def _quota_reason(svc: HandlerDeps) -> str:
    limit = svc.config.access.feeds_per_chat
    return _("this chat has the most feeds of its own it may have ({count})").format(
        count=format_number(limit)
    )


def export_document(feeds: list[FeedRow]) -> bytes:
    """The chat's own feeds as an OPML file any feed reader (or another topic-alert) imports."""
    listed = [OpmlFeed(url=feed.url, name=feed.display_name) for feed in feeds]
    return write_opml(listed, title="topic-alert: this chat's feeds").encode()
