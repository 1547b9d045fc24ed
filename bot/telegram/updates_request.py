"""The long poll's own connection, reporting each answer as every other Bot API request does.

python-telegram-bot sends ``getUpdates`` around the rate limiter hook that reports the other
requests (``bot.telegram.fairuse.PacedReplies``), on a connection of its own. With long
polling it is the one request made every few seconds whatever else happens, so it is what
tells the health check that Telegram is reached, or is not: this request reports it to the
process's :class:`~bot.ops.activity.Activity`.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot.ops.activity import Activity, TelegramAnswer

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

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            status, payload = await super().do_request(*args, **kwargs)
        except TelegramError as exc:  # not reached: PTB's NetworkError or TimedOut
            self.activity.answered(METHOD, TelegramAnswer.of(exc))
            raise
        self.activity.answered(METHOD, _answer(status))
        return status, payload


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
