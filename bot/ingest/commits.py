"""A poll's transaction between its check for new entries and a stop: what it could not see,
and what a stop does with it.

Two things happen to a poll's write that the orchestrator (``bot.ingest.pipeline``) need not
spell out:

* **Writes since its check.** A poll asks the store which of its entries are new, then fetches
  pages and matches for a while; other polls may store some of the same articles meanwhile
  (one story's URL in two feeds), and its own write will leave those out. It must not group
  them into stories first, or the story memory would hold stories the store never kept.
  Store calls run in the order they are made, so the check saw every write made before it and
  none made after: :class:`WritesSince` names the ones after, without another query.
* **A stop.** Each transaction runs as a task of its own: a stop that cancels the poll (the
  scheduler's shutdown) leaves the write running, and :meth:`Commits.finish` lets it commit
  for a bounded time, then rolls back the late ones (``Store.stop_poll_writes``) and says which.
  A poll cut before its transaction began stored nothing; :attr:`Commits.cancelled` names it
  for the daemon's last line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter, deque
from collections.abc import Callable, Coroutine, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from bot.article import Article
from bot.store import AsyncStore, FeedRow, StoredPoll

logger = logging.getLogger(__name__)


class WritesSince:
    """The articles this process's polls have sent to the store since a given poll checked
    which of its entries are new (see the module docstring)."""

    def __init__(self) -> None:
        self._written = 0
        self._writes: deque[tuple[int, frozenset[str]]] = deque()
        """(number of the write, keys of its articles), for the writes some check may miss."""
        self._checks: Counter[int] = Counter()
        """Checks not done with, by the number of writes made before them."""

    def check(self) -> int:
        """Note a check made now; returns its mark, for :meth:`since` and :meth:`done`."""
        self._checks[self._written] += 1
        return self._written

    def wrote(self, feed_id: int, articles: Iterable[Article]) -> None:
        """Note a write of ``articles`` made now."""
        self._written += 1
        self._writes.append((self._written, frozenset(_keys(feed_id, articles))))
        self._forget()

    def since(self, mark: int, feed_id: int, articles: Iterable[Article]) -> list[Article]:
        """Those of ``articles`` no write made after the check ``mark`` may have stored."""
        later = set().union(*(keys for number, keys in self._writes if number > mark))
        return [a for a in articles if later.isdisjoint(_keys(feed_id, [a]))]

    def done(self, mark: int) -> None:
        """The check ``mark`` will not be asked about again."""
        self._checks[mark] -= 1
        if not self._checks[mark]:
            del self._checks[mark]
        self._forget()

    def _forget(self) -> None:
        """Drop the writes every check still open already saw."""
        oldest = min(self._checks, default=self._written)
        while self._writes and self._writes[0][0] <= oldest:
            self._writes.popleft()


def _keys(feed_id: int, articles: Iterable[Article]) -> Iterator[str]:
    """What makes an article old to the store: its id in its feed, its URL in any feed."""
    for article in articles:
        yield f"{feed_id}/{article.id}"
        if article.url:
            yield article.url


@dataclass
class Check:
    """One poll's check for new entries, open until the block that made it ends or, when a
    write was committed in it, until that write ends."""

    mark: int
    committed: bool = False


Write = Callable[[], Coroutine[Any, Any, StoredPoll]]
"""A poll's transaction, started when called."""


class Commits:
    """The poll transactions under way, and the checks they were made after."""

    def __init__(self, store: AsyncStore) -> None:
        self.store = store
        self.writes = WritesSince()
        self.cancelled: list[FeedRow] = []
        """Feeds whose poll was cancelled (by a stop) before it stored anything."""
        self._under_way: dict[asyncio.Task[StoredPoll], FeedRow] = {}
        self._storing: set[asyncio.Task[Any] | None] = set()
        """Polls whose transaction has started: cancelling them does not cancel it."""

    def __len__(self) -> int:
        """Transactions under way."""
        return len(self._under_way)

    @contextlib.contextmanager
    def polling(self, feed: FeedRow) -> Iterator[None]:
        """Around one poll: a stop that cuts it before its transaction started is noted in
        :attr:`cancelled` (it stored nothing; the next start fetches it again)."""
        poll = asyncio.current_task()
        try:
            yield
        except asyncio.CancelledError:
            if poll not in self._storing:
                self.cancelled.append(feed)
            raise
        finally:
            self._storing.discard(poll)

    @contextlib.contextmanager
    def check(self) -> Iterator[Check]:
        """Note that a poll asks the store now which of its entries are new; what others
        write from here on is :meth:`WritesSince.since` its mark."""
        check = Check(self.writes.check())
        try:
            yield check
        finally:
            if not check.committed:
                self.writes.done(check.mark)

    async def commit(self, feed: FeedRow, check: Check, write: Write) -> StoredPoll:
        """Run ``write`` as a task of its own and return what it stored: cancelling the poll
        does not cancel it (:meth:`finish` waits for it or rolls it back). ``check`` stays
        open until the write ends, as the write asks what was written since."""
        check.committed = True
        task = asyncio.create_task(write())
        self._under_way[task] = feed
        task.add_done_callback(self._under_way.pop)
        task.add_done_callback(lambda _: self.writes.done(check.mark))
        self._storing.add(asyncio.current_task())
        return await asyncio.shield(task)

    async def finish(self, timeout: float) -> int:
        """Let the polls being stored commit, for ``timeout`` seconds at most; after that,
        every poll write rolls back instead (``Store.stop_poll_writes``). Each outcome is
        logged; returns how many polls were rolled back (their articles stay unseen: the
        next start fetches them). A write waiting for another program's lock may take up to
        the busy timeout past ``timeout``."""
        under_way = dict(self._under_way)
        if not under_way:
            return 0
        logger.info("waiting up to %gs for %d polls to finish storing", timeout, len(under_way))
        _, late = await asyncio.wait(under_way, timeout=timeout)
        if late:
            self.store.sync.stop_poll_writes()
            await asyncio.wait(late)
        rolled_back = 0
        for task, feed in under_way.items():
            failure = "cancelled" if task.cancelled() else task.exception()
            if failure is None:
                stored = task.result()
                logger.info(
                    "%s: stored this poll before stopping: %d articles, %d alerts queued",
                    feed.url,
                    len(stored.articles),
                    stored.alerts,
                )
            else:
                rolled_back += 1
                logger.warning(
                    "%s: rolled back this poll's articles and alerts on stopping (%s); "
                    "they are fetched again at the next start",
                    feed.url,
                    failure,
                )
        return rolled_back
