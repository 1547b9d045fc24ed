"""``main``: read the command line, run its command, turn failures into an exit status."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from bot.cli.errors import EXIT_BUG, EXIT_ERROR, EXIT_PIPE, CliError
from bot.cli.parser import load_command, parse
from bot.logs import configure_logging, hide, redact

logger = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``topic-alert`` console script; returns the exit status."""
    # --help, --version and usage errors end here, having loaded argparse and the parser only.
    args = parse(sys.argv[1:] if argv is None else list(argv))
    # The daemon reports what it does (polls, deliveries) by default; one-shot commands
    # print their results and log only problems unless asked.
    configure_logging(args.verbose + (args.command == "run"))
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    """Run the parsed command: expected failures (a bad config, an unreadable file, a broken
    rule) end in one line on stderr and exit status 2, never a traceback."""
    # Imported here, not at the top, so that --help does not load the config's and the
    # store's libraries; every command loads them anyway.
    from bot.config import TOKEN_ENV, ConfigError
    from bot.feeds.errors import OpmlError
    from bot.store import StoreError

    hide(os.environ.get(TOKEN_ENV))
    try:
        status: int = load_command(args.command)(args) or 0
        sys.stdout.flush()  # a reader that left early shows here, not in the exit's own flush
        return status
    except BrokenPipeError:
        _discard_stdout()
        return EXIT_PIPE
    except (CliError, ConfigError, StoreError, OpmlError) as exc:
        print(f"topic-alert: {redact(str(exc))}", file=sys.stderr)
    except KeyboardInterrupt:
        print("topic-alert: interrupted", file=sys.stderr)
    except Exception:
        # A bug: its traceback goes through logging, whose filter keeps secrets out of it.
        logger.critical("unexpected error; please report it with this traceback", exc_info=True)
        return EXIT_BUG
    return EXIT_ERROR


def _discard_stdout() -> None:
    """Point stdout at /dev/null once its reader is gone, so that the interpreter's flush at
    exit does not fail again with a traceback of its own ("Exception ignored … BrokenPipeError")."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
