"""Digest assembly: a chat's rows → the messages of a digest, each listing exactly its rows.

Two kinds. A burst digest: when more than ``[delivery] digest_threshold`` alerts are due for a
chat (forum thread) at once, they go out as "N new alerts", one linked line each. A scheduled
digest: the rows of topics delivered hourly, daily or weekly whose time has come (see
``bot.delivery.plan``), grouped by topic, headed by the period it covers, with a story's waiting
copies named on its line. Either may take several messages; each message settles exactly the
rows it lists, so a digest cut short by Telegram leaves the rest pending, never shown twice.

Kept apart from the sender, which only sends: these are the rules for what a digest says.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from types import MappingProxyType

from bot.delivery.format import DigestItem, digest_heading, fit_also, format_digest
from bot.i18n import _
from bot.store import OutboxRow, StoryCopy, SubscriptionRow


@dataclass(frozen=True)
class DigestMessage:
    """One message of a digest and the outbox rows it settles."""

    rows: tuple[OutboxRow, ...]
    text: str
    also: tuple[int, ...] = ()
    """Copies of a story the message names on its story's line: settled as shown "also"."""


Titles = Mapping[int, str]
"""Article row id → its title translated into the chat's language (``bot.translation``); an
article not in it is listed under its own title."""
UNTRANSLATED: Titles = MappingProxyType({})


def burst_digest(
    rows: list[OutboxRow], zone: tzinfo, *, titles: Titles = UNTRANSLATED
) -> list[DigestMessage]:
    """ "N new alerts": every row as it came, each line naming its topics."""
    return _messages(rows, [_burst_item(row, titles) for row in rows], zone)


def scheduled_digest(
    rows: list[OutboxRow],
    zone: tzinfo,
    *,
    now: datetime,
    copies: Mapping[int, list[StoryCopy]],
    surged: Collection[int] = (),
    titles: Titles = UNTRANSLATED,
) -> list[DigestMessage]:
    """The digest of rows whose time has come: topic by topic, newest first, headed by the
    period it covers (and "sent late" when it is); a story's waiting copies are named, linked,
    on its line and settled with it (those past what a line can name stay waiting, and come
    on their own as copies of an alert shown in a digest do); the topics in ``surged``
    (subscription ids that surged in the period, :func:`digest_period`) are marked."""
    rows = sorted(rows, key=_newest_first_by_topic)
    since, due = digest_period(rows, now)
    heading = digest_heading(since, due, zone, now=now)
    sources = {row.id: _sources(row, copies.get(row.id, [])) for row in rows}
    items = [_scheduled_item(row, titles, sources[row.id], surged) for row in rows]
    return [
        DigestMessage(
            page.rows,
            page.text,
            tuple(c.outbox_id for r in page.rows for c in sources[r.id][1:]),
        )
        for page in _messages(rows, items, zone, heading=heading)
    ]


def digest_period(rows: Sequence[OutboxRow], now: datetime) -> tuple[datetime, datetime]:
    """The period a scheduled digest of ``rows`` covers: from its earliest row's period to
    the latest due time."""
    return (
        min(row.period_from or row.created_at for row in rows),
        max(row.due_at or now for row in rows),
    )


def _messages(
    rows: list[OutboxRow], items: list[DigestItem], zone: tzinfo, *, heading: str | None = None
) -> list[DigestMessage]:
    """The digest's messages, each with exactly the rows it lists."""
    messages, start = [], 0
    for page in format_digest(items, zone, heading=heading):
        messages.append(DigestMessage(tuple(rows[start : start + page.count]), page.text))
        start += page.count
    return messages


def _burst_item(row: OutboxRow, titles: Titles) -> DigestItem:
    article = row.article.article
    topic = "; ".join(sub.rule for sub in row.subscriptions)
    title = titles.get(row.article.rowid, article.title)
    return DigestItem(title=title, url=article.url, topic=topic, published=row.article.when)


def _scheduled_item(
    row: OutboxRow,
    titles: Titles,
    sources: tuple[StoryCopy, ...],
    surged: Collection[int] = (),
) -> DigestItem:
    """A line of a scheduled digest: under the row's first topic (marked when it surged),
    naming the others, and every outlet of its story."""
    article = row.article.article
    first, *others = [
        _("{topic} · 📈 surged").format(topic=f"#{sub.number} {sub.rule}")
        if sub.id in surged
        else f"#{sub.number} {sub.rule}"
        for sub in _topics(row)
    ] or [_("A removed topic")]
    return DigestItem(
        title=titles.get(row.article.rowid, article.title),
        url=article.url,
        topic=first,
        published=row.article.when,
        sources=sources,
        also="; ".join(others),
    )


def _sources(row: OutboxRow, copies: Sequence[StoryCopy]) -> tuple[StoryCopy, ...]:
    """The row's own source, then the waiting copies its line can name, in the order they
    arrived. The row's own source goes without a link: the line's title is its link."""
    own = StoryCopy(row.id, row.article.article.source, None)
    return (own, *copies[: fit_also([own], copies)])


def _topics(row: OutboxRow) -> list[SubscriptionRow]:
    """The row's topics in /list order: a scheduled digest lists it under the first."""
    return sorted(row.subscriptions, key=lambda sub: sub.number)


def _newest_first_by_topic(row: OutboxRow) -> tuple[int, float]:
    topics = _topics(row)
    return (topics[0].number if topics else 0, -row.article.when.timestamp())
