"""The one wiring of the process: config → store, parser, fetcher, matcher, pipeline, sender.

The daemon (``topic-alert run``), the one-shot commands (``check``, ``poll-once``) and the demo
all get their parts from :func:`build`, so what the demo shows and ``check`` prints is what
the daemon does. A caller swaps only its inputs: the config (the demo's names its loopback
feeds and a temporary database), the clock and the pacer, and the bot handed to
:meth:`Services.sender` (Telegram's, or the demo's terminal "chat").

Each part is made when first asked for, so ``check`` reads feeds without ever opening the
database. Leaving ``async with build(config) as services`` closes what was made: the fetcher's
connections, the parse workers, then the database.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property, partial
from types import TracebackType
from typing import Self

from telegram import Bot

from bot.clock import Clock, utcnow
from bot.compiling import configured
from bot.config import Config
from bot.delivery import OutboxSender, Pacer, render_outbox_row
from bot.delivery.render import Render
from bot.delivery.sender import ChatGone
from bot.feeds.fetcher import Fetcher
from bot.feeds.parser import make_parser
from bot.feeds.probe import probe_feed
from bot.ingest import FeedScheduler, Pipeline, fetch_limits
from bot.ingest.semantic import semantic_from_config
from bot.matching import SubscriptionMatcher
from bot.ops.activity import Activity
from bot.ops.health import Health
from bot.store import AsyncStore, Store
from bot.summary import LLMSummarizer, llm_from_config
from bot.telegram.services import FeedValidator
from bot.translation import AlertTranslator, translator_from_config


class Services:
    """Everything one process runs on, made from one config; see the module docstring."""

    def __init__(
        self,
        config: Config,
        *,
        now: Clock = utcnow,
        pacer: Pacer | None = None,
    ) -> None:
        self.config = config
        self.now = now
        """The process's clock, given to every stage that asks the time (the demo sets it to
        the date of its sample feeds)."""
        self.pacer = pacer or Pacer()
        """One for replies and alerts: both count against Telegram's limits."""
        self.activity = Activity()
        """What the process has done (polls, alerts, Bot API answers), for its operator."""
        self.parser = make_parser(config.polling.parse_workers)
        self.fetcher = Fetcher(fetch_limits(config), parser=self.parser)

    @cached_property
    def store(self) -> AsyncStore:
        """The database at ``[storage] path``, opened (created, migrated) on first use."""
        return AsyncStore(Store.open(self.config.storage.path))

    @cached_property
    def matcher(self) -> SubscriptionMatcher:
        """The active subscriptions' rules, each compiled once for the whole process."""
        return SubscriptionMatcher(self.store, configured(self.config))

    @cached_property
    def pipeline(self) -> Pipeline:
        return Pipeline(
            self.store,
            self.fetcher,
            self.config,
            self.matcher,
            parser=self.parser,
            now=self.now,
            activity=self.activity,
            semantic=semantic_from_config(self.config.stories, count=self.activity.story_checked),
        )

    @cached_property
    def scheduler(self) -> FeedScheduler:
        return FeedScheduler(
            self.pipeline,
            self.store,
            self.config,
            activity=self.activity,
            summary_every=timedelta(seconds=self.config.logging.summary_every),
            now=self.now,
        )

    @cached_property
    def health(self) -> Health:
        """What ``/healthz`` checks: the store takes writes, Telegram answers, feeds are polled."""
        return Health(self.store, self.scheduler, self.activity)

    @cached_property
    def llm(self) -> LLMSummarizer | None:
        """The model ``[summary]`` names, or None for extractive summaries."""
        return llm_from_config(self.config.summary)

    @cached_property
    def translator(self) -> AlertTranslator | None:
        """The translator ``[translate]`` names, with its cache, bound and budget, or None."""
        backend = translator_from_config(self.config)
        if backend is None:
            return None
        return AlertTranslator(
            backend,
            self.store,
            self.config.translate,
            summary_chars=self.config.delivery.summary_chars,
            activity=self.activity,
            now=self.now,
        )

    @cached_property
    def render(self) -> Render:
        """An outbox row → the alert a chat sees, explained by the matcher's compiled rules."""
        return partial(
            render_outbox_row,
            explain=self.matcher.explain,
            delivery=self.config.delivery,
            llm=self.llm,
            translator=self.translator,
        )

    @cached_property
    def validate_feed(self) -> FeedValidator:
        """What /addfeed checks a source with: one fetch (a feed's with autodiscovery, a
        channel's preview) and a parse."""
        return partial(
            probe_feed,
            self.fetcher,
            self.parser,
            telegram_preview=self.config.sources.telegram_preview,
        )

    def sender(self, bot: Bot, *, chat_gone: ChatGone | None = None) -> OutboxSender:
        """The outbox sender delivering through ``bot``, paced by :attr:`pacer`;
        ``chat_gone(chat_id)`` is told when a 403 made a chat inactive."""
        return OutboxSender(
            bot,
            self.store,
            pacer=self.pacer,
            render=self.render,
            delivery=self.config.delivery,
            activity=self.activity,
            now=self.now,
            chat_gone=chat_gone,
            translator=self.translator,
        )

    async def aclose(self) -> None:
        """Close what was made: connections, parse workers, then the database."""
        await self.fetcher.aclose()
        self.parser.close()
        if "store" in self.__dict__:
            await self.store.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


def build(config: Config, *, now: Clock = utcnow, pacer: Pacer | None = None) -> Services:
    """The process's parts for ``config``; use as ``async with build(config) as services``."""
    return Services(config, now=now, pacer=pacer)
