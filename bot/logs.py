"""Logging set-up for every command: one line per event on stderr, and never a secret.

The bot token is part of every Bot API URL (``…/bot<TOKEN>/getUpdates``); httpx logs each
request's URL at INFO, and an exception can carry a URL in its message or traceback. So:

* httpx and httpcore are kept at WARNING whatever the verbosity (their INFO line is one per
  Bot API request, about 8,600 a day, and tells an operator nothing the bot does not say);
* APScheduler is at WARNING unless ``-v`` asks for DEBUG: its two INFO lines per job run
  ("Running job …", "… executed successfully") were 3,011 of 3,120 lines in 55 minutes, and
  ``bot.ops.logsummary`` says what the jobs did in one line a minute; its warnings (a run
  missed or skipped) stay;
* a filter on the root handler rewrites every record before it is written: the registered
  secrets (:func:`hide`) and anything shaped like a token inside a Bot API URL become
  ``<redacted>``, in the message, its arguments, the traceback and the stack.

A filter on the handler (not on a logger) sees the records of every logger, including those
propagated from libraries.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback

REDACTED = "<redacted>"
_QUIET = ("httpx", "httpcore")
"""Libraries whose request-by-request lines are not wanted, at any verbosity."""
_DETAIL = ("apscheduler",)
"""Libraries whose INFO lines are detail: shown at DEBUG (``-v``) only."""
_TOKEN_IN_URL = re.compile(r"(?<=/bot)\d+:[A-Za-z0-9_-]+")
"""A token where Bot API URLs carry it, whether or not it was registered (a mistyped one)."""
_FORMAT = "%(levelname)s %(name)s: %(message)s"

_secrets: set[str] = set()


def hide(secret: str | None) -> None:
    """Never write ``secret`` in a log line (or through :func:`redact`) from now on."""
    if secret and secret.strip():
        _secrets.add(secret.strip())


def redact(text: str) -> str:
    """``text`` with every registered secret and every token in a Bot API URL replaced."""
    for secret in sorted(_secrets, key=len, reverse=True):  # a secret may contain another
        text = text.replace(secret, REDACTED)
    return _TOKEN_IN_URL.sub(REDACTED, text)


class RedactSecrets(logging.Filter):
    """Rewrites a record so that no handler can write a secret from it; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def configure_logging(verbosity: int) -> None:
    """stderr at WARNING (0), INFO (1) or DEBUG (2+), secrets redacted, httpx quiet, and
    APScheduler's job lines only at DEBUG."""
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr, format=_FORMAT)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in _DETAIL:
        logging.getLogger(name).setLevel(
            logging.NOTSET if level == logging.DEBUG else logging.WARNING
        )
