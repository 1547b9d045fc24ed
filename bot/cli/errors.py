"""How a command fails: the exception it raises and the exit statuses ``main`` returns."""

from __future__ import annotations

import signal

EXIT_ERROR = 2
EXIT_BUG = 1
EXIT_PIPE = 128 + signal.SIGPIPE
"""The status of a command whose reader left early (``topic-alert check … | head``): what a
shell reports for any Unix tool that a closed pipe ends."""


class CliError(Exception):
    """An expected failure; its message is printed as it is, without a traceback."""
