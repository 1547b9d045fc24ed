"""The operator's HTTP port (``[metrics] listen``): ``GET /healthz`` and ``GET /metrics``.

It runs on the bot's own event loop (tornado, which python-telegram-bot's webhook already
brings, runs on asyncio), so a check reads the very objects the bot works with, and a
scrape that waits on the database waits as the bot would, without a thread of its own.
Requests are logged at DEBUG only: a scrape every 15 s is not news.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import tornado.web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.config import ConfigError, MetricsConfig
from bot.ops.health import Health
from bot.ops.metrics import Metrics

logger = logging.getLogger(__name__)


class _HealthHandler(tornado.web.RequestHandler):
    def initialize(self, health: Health) -> None:
        self.health = health

    async def get(self) -> None:
        report = await self.health.report()
        self.set_status(200 if report.ok else 503)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(report.as_json(), indent=2) + "\n")


class _MetricsHandler(tornado.web.RequestHandler):
    def initialize(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def get(self) -> None:
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(await self.metrics.exposition())


def _log_request(handler: tornado.web.RequestHandler) -> None:
    request = handler.request
    logger.debug("%s %s: %d", request.method, request.uri, handler.get_status())


@asynccontextmanager
async def serving(config: MetricsConfig, health: Health, metrics: Metrics) -> AsyncIterator[None]:
    """Listen on ``config.listen`` until the block ends. A port that cannot be had (taken, or
    a host not on this machine) is a :class:`ConfigError` naming it."""
    application = tornado.web.Application(
        [
            (r"/healthz", _HealthHandler, {"health": health}),
            (r"/metrics", _MetricsHandler, {"metrics": metrics}),
        ],
        log_function=_log_request,
    )
    host, port = config.address
    try:
        server = application.listen(port, address=host)
    except OSError as exc:
        raise ConfigError(
            f"[metrics] listen = {config.listen!r}: cannot listen there ({exc.strerror})"
        ) from None
    logger.info("health and metrics at http://%s/healthz and /metrics", config.listen)
    try:
        yield
    finally:
        server.stop()
        await server.close_all_connections()
