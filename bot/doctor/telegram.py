"""The doctor's Telegram checks: the token, the webhook settings, what Telegram has registered,
and that someone is an admin.

The token and the registered webhook are asked of the Bot API at ``[telegram] base_url``
through python-telegram-bot, as the daemon asks it; the settings are checked offline. No
message names the token: the table is redacted, and the messages here never quote it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

from telegram import Bot
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from bot.config import TOKEN_ENV, AccessConfig, TelegramConfig
from bot.doctor.report import Row, Status, worst
from bot.markup import counted
from bot.telegram.lifecycle import bot_api_server

TIMEOUT = 10.0
"""Seconds one Bot API request may take before the doctor calls the API unreachable."""
WEBHOOK_PORTS = frozenset({443, 80, 88, 8443})
"""The only ports Telegram posts webhooks to (setWebhook refuses any other)."""
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
"""What setWebhook accepts as ``secret_token``."""
_NOT_CHECKED = "needs an answer to getMe (see the token)"


@contextlib.asynccontextmanager
async def bot_api(token: str, base_url: str, timeout: float = TIMEOUT) -> AsyncIterator[Bot]:
    """A Bot on ``base_url`` whose requests give up after ``timeout`` seconds; closed at the
    end. Nothing is asked until a check asks."""
    request = HTTPXRequest(
        connect_timeout=timeout, read_timeout=timeout, write_timeout=timeout, pool_timeout=timeout
    )
    bot = Bot(token, base_url=base_url, request=request, get_updates_request=request)
    try:
        yield bot
    finally:
        await request.shutdown()


async def check_token(bot: Bot, telegram: TelegramConfig, timeout: float = TIMEOUT) -> Row:
    """getMe: Telegram knows the token, and answers at ``base_url``."""
    try:
        me = await bot.get_me()
    except TelegramError as exc:
        result, todo = _api_failure(exc, telegram.base_url, timeout)
        return Row("token", Status.FAILED, result, todo)
    where = f"from {TOKEN_ENV}" if os.environ.get(TOKEN_ENV, "").strip() else "from the config file"
    inline = "" if me.supports_inline_queries else "; inline mode off (/setinline at @BotFather)"
    return Row("token", Status.OK, f"@{me.username} (id {me.id}), token {where}{inline}")


def token_missing(message: str) -> Row:
    """The token row when there is no token at all (``Config.bot_token``'s message)."""
    return Row("token", Status.FAILED, message, "get one from @BotFather (/newbot or /token)")


def webhook_not_checked() -> Row:
    return Row("webhook at Telegram", Status.SKIPPED, _NOT_CHECKED)


def check_webhook_settings(telegram: TelegramConfig) -> Row:
    """The ``[telegram] webhook_*`` keys, offline: what Telegram accepts and what can be bound.

    (The config loader already refuses a webhook_url that is not https.)
    """
    if not telegram.webhook_url:
        return Row("webhook settings", Status.OK, "long polling (no webhook_url)")
    found = [
        _public_port(telegram.webhook_url),
        _secret(telegram.webhook_secret),
        _listen_address(telegram.webhook_listen, telegram.webhook_port),
        _listen_port(telegram.webhook_port),
    ]
    problems = [(status, text, todo) for status, text, todo in found if status is not Status.OK]
    listens = f"{telegram.webhook_listen}:{telegram.webhook_port}"
    if not problems:
        return Row(
            "webhook settings",
            Status.OK,
            f"{telegram.webhook_url} with a secret, served on {listens}",
        )
    return Row(
        "webhook settings",
        worst([status for status, _, _ in problems]),
        "; ".join(text for _, text, _ in problems),
        "; ".join(todo for _, _, todo in problems),
    )


async def check_registered_webhook(
    bot: Bot, telegram: TelegramConfig, timeout: float = TIMEOUT
) -> Row:
    """getWebhookInfo against the config: long polling needs no webhook registered (Telegram
    refuses getUpdates while one is), a webhook needs this one, and Telegram reaching it."""
    name = "webhook at Telegram"
    try:
        info = await bot.get_webhook_info()
    except TelegramError as exc:
        result, todo = _api_failure(exc, telegram.base_url, timeout)
        return Row(name, Status.FAILED, result, todo)
    waiting = f"{counted(info.pending_update_count, 'update')} waiting"
    if not telegram.webhook_url:
        if not info.url:
            return Row(name, Status.OK, "none registered, as long polling needs")
        return Row(
            name,
            Status.FAILED,
            f"a webhook is registered ({info.url}, {waiting}) but the config says long polling: "
            "Telegram refuses getUpdates while it is, so a running bot hears nothing",
            "restart `topic-alert run`: it deletes the webhook when it starts. If another "
            "deployment uses this token with a webhook, stop it first: two bots cannot share one",
        )
    if not info.url:
        return Row(
            name,
            Status.WARNING,
            "no webhook registered yet",
            "`topic-alert run` registers webhook_url when it starts; if the bot runs now, "
            "restart it",
        )
    if info.url != telegram.webhook_url:
        return Row(
            name,
            Status.FAILED,
            f"Telegram posts updates to {info.url}, not to webhook_url {telegram.webhook_url}",
            "restart `topic-alert run` (it registers webhook_url); if another deployment uses "
            "this token, stop it first",
        )
    if info.last_error_message:
        failing = Status.FAILED if info.pending_update_count else Status.WARNING
        return Row(
            name,
            failing,
            f"registered, {waiting}; Telegram's last delivery failed "
            f"{_ago(info.last_error_date)}: {info.last_error_message}",
            f"check that {telegram.webhook_url} reaches {telegram.webhook_listen}:"
            f"{telegram.webhook_port} through your reverse proxy (port open, valid certificate)",
        )
    return Row(name, Status.OK, f"registered, {waiting}")


def check_admins(access: AccessConfig) -> Row:
    """``[access] admins``: without one, nobody can add feeds or see /status."""
    if not access.admins:
        return Row(
            "admins",
            Status.WARNING,
            "[access] admins is empty: nobody can /addfeed, /removefeed or see /status",
            "send /whoami to the bot in a private chat and put the number it answers into "
            "[access] admins = [...] (several: one per admin)",
        )
    ids = ", ".join(map(str, access.admins))
    return Row("admins", Status.OK, f"{len(access.admins)} ({ids})")


def _api_failure(exc: TelegramError, base_url: str, timeout: float) -> tuple[str, str]:
    """(what happened, what to do) for a Bot API request that failed with ``exc``."""
    server = bot_api_server(base_url)
    if isinstance(exc, InvalidToken):
        return (
            f"{server} refused the token (unauthorized)",
            f"copy the token again from @BotFather (/mybots, API Token) into {TOKEN_ENV}",
        )
    if isinstance(exc, TimedOut):
        return (
            f"{server} did not answer within {timeout:g} s",
            "check this machine's connection to it (firewall, proxy) and [telegram] base_url",
        )
    if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
        return (
            f"cannot reach {server}: {exc.message}",
            "check the network, DNS and [telegram] base_url",
        )
    return f"{server} answered: {exc.message}", "check [telegram] base_url"


def _public_port(url: str) -> tuple[Status, str, str]:
    port = urlsplit(url).port or 443
    if port in WEBHOOK_PORTS:
        return Status.OK, "", ""
    return (
        Status.FAILED,
        f"webhook_url is on port {port}, which Telegram does not post to",
        "serve it on port 443, 80, 88 or 8443 (your reverse proxy forwards to webhook_port)",
    )


def _secret(secret: str) -> tuple[Status, str, str]:
    if not secret:
        return (
            Status.WARNING,
            "no webhook_secret: anyone who finds the URL can post fake updates",
            "set [telegram] webhook_secret to a random string of letters, digits, _ and -",
        )
    if not _SECRET_TOKEN.fullmatch(secret):
        return (
            Status.FAILED,
            "webhook_secret has characters Telegram refuses",
            "use 1-256 letters, digits, _ and - only",
        )
    return Status.OK, "", ""


def _listen_address(listen: str, port: int) -> tuple[Status, str, str]:
    if _is_address(listen) or _resolves(listen, port):
        return Status.OK, "", ""
    return (
        Status.FAILED,
        f"webhook_listen {listen!r} is neither an IP address nor a name this machine resolves",
        "set it to 127.0.0.1 behind a reverse proxy on this machine, or 0.0.0.0",
    )


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _resolves(host: str, port: int) -> bool:
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return False
    return True


def _listen_port(port: int) -> tuple[Status, str, str]:
    if not 0 < port < 65536:
        return Status.FAILED, f"webhook_port {port} is not a port", "use one from 1024 to 65535"
    if port < 1024:
        return (
            Status.WARNING,
            f"webhook_port {port} needs root to listen on",
            "use a port from 1024 up (the service runs unprivileged) and let the proxy "
            "forward 443 to it",
        )
    return Status.OK, "", ""


def _ago(moment: datetime | None) -> str:
    if moment is None:
        return "at an unknown time"
    minutes = int((datetime.now(UTC) - moment).total_seconds() // 60)
    return f"{minutes} min ago" if minutes < 120 else f"at {moment:%Y-%m-%d %H:%M} UTC"
