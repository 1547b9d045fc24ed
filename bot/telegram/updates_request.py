"""The long poll's own connection: it reports each answer as every other Bot API request
does, and says once when the long poll stops getting through and once when it is back.

python-telegram-bot sends ``getUpdates`` around the rate limiter hook that reports the other
requests (``bot.telegram.fairuse.PacedReplies``), on a connection of its own. With long
polling it is the one request made every few seconds whatever else happens, so it is what
tells the health check that Telegram is reached, or is not: this request reports it to the
process's :class:`~bot.ops.activity.Activity`. PTB itself would log a traceback at every
failed retry (dozens of lines every few seconds through a Telegram outage); the daemon
silences that (``bot.telegram.lifecycle``) and this request logs the episode instead.
"""

from __future__ import annotations

import json
import logging
import time
from http import HTTPStatus
from typing import Any

from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot.ops.activity import Activity, TelegramAnswer

logger = logging.getLogger(__name__)

METHOD = "getUpdates"


class ReportedUpdates(HTTPXRequest):
    """PTB's default ``get_updates_request`` (one connection), reporting to ``activity``.

    PTB turns an HTTP status into an exception only after this layer (and ``post``, where it
    does, may not be overridden), so the status is read here: the getUpdates answers that
    matter are few (200, 409 for a second bot on the token, 401/404 for a revoked token, 429,
    5xx).
    """

    def __init__(self, activity: Activity) -> None:
        super().__init__(connection_pool_size=1)
        self.activity = activity
        self._failures = 0
        self._failing_since = 0.0

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            status, payload = await super().do_request(*args, **kwargs)
        except TelegramError as exc:  # not reached: PTB's NetworkError or TimedOut
            self._answered(TelegramAnswer.of(exc), str(exc))
            raise
        self._answered(_answer(status), _description(status, payload))
        return status, payload

    def _answered(self, answer: TelegramAnswer, reason: str) -> None:
        self.activity.answered(METHOD, answer)
        if answer is TelegramAnswer.OK:
            if self._failures:
                logger.info(
                    "getUpdates works again after %d failed tries in %.0f s",
                    self._failures,
                    time.monotonic() - self._failing_since,
                )
            self._failures = 0
            return
        self._failures += 1
        if self._failures == 1:
            self._failing_since = time.monotonic()
            logger.warning("getUpdates failed (%s); no updates until it works again", reason)
        else:
            logger.debug("getUpdates failed again (%s)", reason)


def _answer(status: int) -> TelegramAnswer:
    if status == HTTPStatus.OK:
        return TelegramAnswer.OK
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        return TelegramAnswer.FLOOD
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return TelegramAnswer.NETWORK
    if status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND):
        return TelegramAnswer.UNAUTHORIZED
    return TelegramAnswer.OTHER


def _description(status: int, payload: bytes) -> str:
    """Telegram's words for an error answer ("Conflict: terminated by other getUpdates
    request"), or the status when the body has none."""
    try:
        return str(json.loads(payload)["description"])
    except (ValueError, KeyError, TypeError):
        return f"HTTP {status}"
